"""``SimulatedTeleservice``: the simulator's engine in-process, behind the port.

The requests are built and the answers parsed by the same pipeline as
``SoapTeleservice`` (``InsiClient``), so the raw exchange is the one the SOAP
client would trace; only the transport differs: no network, no certificate.
Slow answers sleep (at most the configured timeout, then time out).
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree

from identito.adapters.insi import messages
from identito.adapters.insi.client import InsiClient, professional, software_context
from identito.adapters.insi.envelope import Operation
from identito.adapters.insi.saml import PsAssertionSigner
from identito.adapters.insi.schemas import envelope_errors
from identito.adapters.insi.simulator import wire
from identito.adapters.insi.simulator.engine import FaultMode, FaultSettings, SimulatorEngine
from identito.adapters.insi.simulator.matching import ReferenceBase
from identito.adapters.insi.simulator.population import (
    DESIGNATED,
    cnda_persons,
    synthetic_persons,
)
from identito.adapters.insi.transport import RawAnswer, timeout_message
from identito.config import Settings
from identito.services.teleservice import (
    Authentication,
    CallContext,
    Exchange,
    InsiOutcome,
    TeleserviceTimeout,
    TraitsQuery,
)

#: The certificate a server would see for each credential (CN of the simulator's certs).
PEERS = {
    Authentication.ORGANISATION_MANUAL: "INSI-MANU",
    Authentication.ORGANISATION_AUTO: "INSI-AUTO",
    Authentication.PROFESSIONAL_CARD: "CPS-TEST",
}
IN_PROCESS_URL = "urn:identito:insi-simulator:in-process"


def reference_base(population: int, seed: int = 2026) -> ReferenceBase:
    return ReferenceBase([*cnda_persons(), *DESIGNATED, *synthetic_persons(population, seed=seed)])


def engine_from_settings(
    settings: Settings, *, trusted_ca: x509.Certificate | None = None
) -> SimulatorEngine:
    faults = FaultSettings(
        FaultMode(settings.insi_simulator_fault),
        settings.insi_simulator_fault_code,
        settings.insi_simulator_delay_seconds,
    )
    base = reference_base(settings.insi_simulator_population, settings.insi_simulator_seed)
    return SimulatorEngine(base, faults, trusted_ca, settings.insi_simulator_batch_polls)


class InProcessTransport:
    """Hands the request bytes to the engine, built on first use (bootstrap stays cheap)."""

    def __init__(
        self, engine: SimulatorEngine | Callable[[], SimulatorEngine], timeout_seconds: float
    ) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self.timeout_seconds = timeout_seconds

    @property
    def engine(self) -> SimulatorEngine:
        if not isinstance(self._engine, SimulatorEngine):
            with self._lock:
                if not isinstance(self._engine, SimulatorEngine):
                    self._engine = self._engine()
        return self._engine

    def post(self, request: bytes, *, action: str, authentication: Authentication) -> RawAnswer:
        started = time.perf_counter()
        answer = self.engine.handle(request, PEERS[authentication])
        if answer.delay >= self.timeout_seconds:
            time.sleep(self.timeout_seconds)
            elapsed = (time.perf_counter() - started) * 1000
            error = TeleserviceTimeout(timeout_message(self.timeout_seconds))
            error.exchange = Exchange(request, b"", elapsed, authentication)
            raise error
        time.sleep(answer.delay)
        return RawAnswer(answer.status, answer.body)


@functools.cache
def _test_card() -> PsAssertionSigner:
    """A throw-away self-signed card, when no PS certificate is configured in-process."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CPS-TEST (in-process)")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return PsAssertionSigner(cert.public_bytes(serialization.Encoding.PEM), key_pem)


class SimulatedTeleservice(InsiClient):
    """The port answered by an in-process ``SimulatorEngine`` (default backend)."""

    def __init__(
        self,
        engine: SimulatorEngine | Callable[[], SimulatorEngine],
        settings: Settings | None = None,
    ) -> None:
        settings = settings or Settings()
        signer = None
        if settings.insi_ps_cert and settings.insi_ps_key:
            signer = PsAssertionSigner.from_files(settings.insi_ps_cert, settings.insi_ps_key)
        self._in_process = InProcessTransport(engine, settings.insi_timeout_seconds)
        super().__init__(
            self._in_process,
            software_context(settings),
            url=IN_PROCESS_URL,
            professional=professional(settings),
            signer=signer,
        )
        self._lazy_card = signer is None
        self.warmed = False  # set by warm_up (the application does it at start-up)

    @property
    def engine(self) -> SimulatorEngine:
        return self._in_process.engine

    def build_request(
        self, operation: Operation, body: etree._Element, context: CallContext
    ) -> bytes:
        card = context.authentication is Authentication.PROFESSIONAL_CARD
        if card and self._lazy_card and self.signer is None:
            self.signer = _test_card()
        return super().build_request(operation, body, context)

    def warm_up(self) -> None:
        """Do once what the first call would: build the reference base, load the contract
        XSDs, make the test card, build and check one request per credential kind as the
        engine does, build and parse the answers (found and not found). Nothing is sent,
        nothing recorded. Safe from another thread; ``warmed`` is then true."""
        engine = self.engine
        if self._lazy_card and self.signer is None:
            self.signer = _test_card()
        query = TraitsQuery("WARMUP", ["WARMUP"], "F", "2000-01-01")
        for authentication in (
            Authentication.PROFESSIONAL_CARD,
            Authentication.ORGANISATION_MANUAL,
        ):
            context = CallContext("warm-up", authentication=authentication)
            request = self.build_request(Operation.TRAITS, messages.traits_body(query), context)
            root = etree.fromstring(request)
            envelope_errors(root)
            engine.base.by_traits(wire.traits_query(wire.read_request(root).body))
        messages.parse_recovery(wire.recovery_answer(InsiOutcome.NOT_FOUND))
        if engine.base.persons:
            found = wire.recovery_answer(InsiOutcome.FOUND, engine.base.persons[-1])
            messages.parse_recovery(found)
        self.warmed = True

    @classmethod
    def from_settings(cls, settings: Settings) -> SimulatedTeleservice:
        """The simulator with its reference base, built lazily at the first call."""
        return cls(functools.partial(engine_from_settings, settings), settings)
