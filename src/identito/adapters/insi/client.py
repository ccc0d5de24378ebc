"""``SoapTeleservice``: the ``Teleservice`` port over SOAP 1.2, HTTPS and mutual TLS.

``InsiClient`` is the whole call pipeline (build the envelope, sign the PS
assertion when a professional card authenticates, send through a ``Transport``,
map HTTP errors and SOAP faults, parse the answer) and returns the raw
``Exchange``. ``SoapTeleservice`` runs it over httpx; the simulator's
``SimulatedTeleservice`` runs the very same pipeline over an in-process transport.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from lxml import etree

from identito.adapters.insi import messages
from identito.adapters.insi.envelope import (
    Operation,
    SoftwareContext,
    Stamp,
    body_of,
    build_envelope,
)
from identito.adapters.insi.saml import Professional, PsAssertionSigner
from identito.adapters.insi.transport import (
    UNAVAILABLE,
    Credential,
    HttpxTransport,
    Transport,
)
from identito.config import Settings
from identito.services.teleservice import (
    Authentication,
    BatchStatus,
    CallContext,
    CardQuery,
    Exchange,
    InsiResponse,
    TeleserviceError,
    TeleserviceFault,
    TeleserviceTlsError,
    TeleserviceUnavailable,
    TraitsQuery,
    VerificationQuery,
    VerificationResponse,
)

T = TypeVar("T")
NO_CARD = "Aucune carte de professionnel n'est configurée pour signer l'assertion PS."


def authentication_for(context: CallContext) -> Authentication:
    """The credential of a call: the card when asked, else INSI-AUTO for automatic calls."""
    if context.authentication is Authentication.PROFESSIONAL_CARD:
        return Authentication.PROFESSIONAL_CARD
    if context.automatic:
        return Authentication.ORGANISATION_AUTO
    return context.authentication


def software_context(settings: Settings) -> SoftwareContext:
    return SoftwareContext(
        cnda_authorisation=settings.insi_cnda_authorisation,
        name=settings.insi_software_name,
        version=settings.insi_software_version,
        instance_id=settings.insi_instance_id,
        emitter=settings.insi_billing_id,
    )


def professional(settings: Settings) -> Professional:
    return Professional(
        identifier=settings.insi_ps_identifier,
        billing_id=settings.insi_billing_id,
        speciality=settings.insi_speciality,
        activity_sector=settings.insi_activity_sector,
    )


class InsiClient:
    """The ``Teleservice`` port over any ``Transport`` (HTTPS or in-process)."""

    def __init__(
        self,
        transport: Transport,
        software: SoftwareContext,
        *,
        url: str,
        professional: Professional | None = None,
        signer: PsAssertionSigner | None = None,
        ids: Callable[[], str] = lambda: str(uuid.uuid4()),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.transport = transport
        self.software = software
        self.url = url
        self.professional = professional
        self.signer = signer
        self.ids = ids
        self.clock = clock

    def recover_with_card(self, query: CardQuery, context: CallContext) -> InsiResponse:
        body, exchange = self._call(Operation.CARD, messages.card_body(query), context)
        outcome, label, identity = _parsed(messages.parse_recovery, body, exchange)
        return InsiResponse(outcome, label, identity, exchange)

    def recover_with_traits(self, query: TraitsQuery, context: CallContext) -> InsiResponse:
        body, exchange = self._call(Operation.TRAITS, messages.traits_body(query), context)
        outcome, label, identity = _parsed(messages.parse_recovery, body, exchange)
        return InsiResponse(outcome, label, identity, exchange)

    def verify(self, query: VerificationQuery, context: CallContext) -> VerificationResponse:
        body, exchange = self._call(Operation.VERIFY, messages.verification_body(query), context)
        ok, label = _parsed(messages.parse_verification, body, exchange)
        return VerificationResponse(ok, label, exchange)

    def submit_batch_verification(
        self, queries: Sequence[VerificationQuery], context: CallContext
    ) -> str:
        request = messages.batch_submit_body(queries)
        body, exchange = self._call(Operation.BATCH_SUBMIT, request, context)
        return _parsed(messages.parse_batch_ack, body, exchange)

    def fetch_batch_verification(self, batch_id: str, context: CallContext) -> BatchStatus:
        request = messages.batch_fetch_body(batch_id)
        body, exchange = self._call(Operation.BATCH_FETCH, request, context)
        done, results = _parsed(messages.parse_batch_result, body, exchange)
        return BatchStatus(batch_id, done, results)

    def build_request(
        self, operation: Operation, body: etree._Element, context: CallContext
    ) -> bytes:
        """The envelope of one call (signed assertion included), as it will be sent."""
        stamp = Stamp.new(self.ids, self.clock)
        assertion = None
        if authentication_for(context) is Authentication.PROFESSIONAL_CARD:
            if self.signer is None or self.professional is None:
                raise TeleserviceTlsError(NO_CARD)
            assertion = self.signer.assertion(
                self.professional, assertion_id=f"_{self.ids()}", now=self.clock()
            )
        return build_envelope(
            operation, body, software=self.software, stamp=stamp, to=self.url, assertion=assertion
        )

    def _call(
        self, operation: Operation, body: etree._Element, context: CallContext
    ) -> tuple[bytes, Exchange]:
        authentication = authentication_for(context)
        request = self.build_request(operation, body, context)
        started = time.perf_counter()
        answer = self.transport.post(
            request, action=operation.action, authentication=authentication
        )
        elapsed = (time.perf_counter() - started) * 1000
        exchange = Exchange(request, answer.body, elapsed, authentication)
        if answer.status != 200:
            raise _http_error(answer.status, answer.body, exchange)
        return answer.body, exchange


def _http_error(status: int, body: bytes, exchange: Exchange) -> TeleserviceError:
    """A SOAP fault (INSi answers them with 400/500), else the service is unavailable."""
    error: TeleserviceError = TeleserviceUnavailable(f"{UNAVAILABLE} (HTTP {status})")
    try:
        body_of(body)
    except TeleserviceFault as fault:
        error = fault
    except TeleserviceError:
        pass
    error.exchange = exchange
    return error


def _parsed(parse: Callable[[bytes], T], body: bytes, exchange: Exchange) -> T:
    try:
        return parse(body)
    except TeleserviceError as error:
        error.exchange = exchange
        raise


class SoapTeleservice(InsiClient):
    """INSi over HTTPS: mutual TLS with INSI-MANU / INSI-AUTO, or the PS assertion mode."""

    warmed: bool = False  # set by warm_up (the application does it at start-up)

    @classmethod
    def from_settings(cls, settings: Settings) -> SoapTeleservice:
        credentials = {
            Authentication.ORGANISATION_MANUAL: Credential(
                settings.insi_cert_manual, settings.insi_key_manual
            ),
            Authentication.ORGANISATION_AUTO: Credential(
                settings.insi_cert_auto, settings.insi_key_auto
            ),
            Authentication.PROFESSIONAL_CARD: Credential(
                settings.insi_ps_cert, settings.insi_ps_key
            ),
        }
        transport = HttpxTransport(
            settings.insi_url,
            credentials,
            ca_bundle=settings.insi_ca_bundle,
            timeout_seconds=settings.insi_timeout_seconds,
            retries=settings.insi_retries,
        )
        signer = None
        if settings.insi_ps_cert and settings.insi_ps_key:
            signer = PsAssertionSigner.from_files(settings.insi_ps_cert, settings.insi_ps_key)
        return cls(
            transport,
            software_context(settings),
            url=settings.insi_url,
            professional=professional(settings),
            signer=signer,
        )

    def warm_up(self) -> None:
        """Do once, at start-up, what the first call would: build the HTTP client of each
        configured credential (TLS context, certificate and key loaded) and one signed
        request envelope. Nothing is sent; each process warms its own objects (no state
        shared between ``identito serve`` processes)."""
        if isinstance(self.transport, HttpxTransport):
            for authentication, credential in self.transport.credentials.items():
                if credential.cert is not None:
                    self.transport.client(authentication)
        query = TraitsQuery("WARMUP", ["WARMUP"], "F", "2000-01-01")
        card = self.signer is not None and self.professional is not None
        authentication = (
            Authentication.PROFESSIONAL_CARD if card else Authentication.ORGANISATION_MANUAL
        )
        context = CallContext("warm-up", authentication=authentication)
        self.build_request(Operation.TRAITS, messages.traits_body(query), context)
        self.warmed = True

    def close(self) -> None:
        if isinstance(self.transport, HttpxTransport):
            self.transport.close()
