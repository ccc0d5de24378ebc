"""The SOAP client's pipeline and transport, with httpx's MockTransport (no network)."""

from __future__ import annotations

import httpx
import pytest
from insi_support import SAMPLES, SOFTWARE

from identito.adapters.insi.client import InsiClient, SoapTeleservice, authentication_for
from identito.adapters.insi.simulator import wire
from identito.adapters.insi.simulator.teleservice import SimulatedTeleservice
from identito.adapters.insi.transport import Credential, HttpxTransport
from identito.bootstrap import build_teleservice
from identito.config import Settings
from identito.domain.insi import InsiOutcome
from identito.services.teleservice import (
    Authentication,
    CallContext,
    MalformedResponse,
    TeleserviceFault,
    TeleserviceTimeout,
    TeleserviceTlsError,
    TeleserviceUnavailable,
    TraitsQuery,
)

QUERY = TraitsQuery("CORSE", ["ANTHONY"], "M", "1980-03-02")
USER = CallContext("alice")
URL = "https://insi.test/lps"


def _client(handler: object, retries: int = 2) -> tuple[InsiClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)  # type: ignore[operator]

    transport = HttpxTransport(
        URL, {}, timeout_seconds=0.5, retries=retries, transport=httpx.MockTransport(record)
    )
    return InsiClient(transport, SOFTWARE, url=URL), seen


def _ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=(SAMPLES / "TEST_2.08_cas1.xml").read_bytes())


def test_a_call_posts_soap_12_with_the_action_in_the_content_type() -> None:
    client, seen = _client(_ok)
    response = client.recover_with_traits(QUERY, USER)
    assert response.outcome is InsiOutcome.FOUND
    assert seen[0].headers["content-type"] == (
        'application/soap+xml; charset=utf-8; action="urn:ServiceIdentiteCertifiee:1.0.0:'
        'rechercherInsAvecTraitsIdentite"'
    )
    assert response.exchange.request == seen[0].content
    assert response.exchange.response == (SAMPLES / "TEST_2.08_cas1.xml").read_bytes()
    assert response.exchange.authentication is Authentication.ORGANISATION_MANUAL


def test_a_connection_error_is_retried_then_succeeds() -> None:
    attempts = iter([httpx.ConnectError("refused"), None])

    def flaky(request: httpx.Request) -> httpx.Response:
        error = next(attempts)
        if error:
            raise error
        return _ok(request)

    client, seen = _client(flaky)
    assert client.recover_with_traits(QUERY, USER).outcome is InsiOutcome.FOUND
    assert len(seen) == 2


def test_a_connection_error_after_every_retry_is_unavailable_without_exchange() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    client, seen = _client(refuse, retries=2)
    with pytest.raises(TeleserviceUnavailable, match="indisponible") as caught:
        client.recover_with_traits(QUERY, USER)
    assert len(seen) == 3
    assert caught.value.exchange is None  # nothing left


def test_a_read_timeout_is_retried_then_raised_with_the_request_sent() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    client, seen = _client(slow, retries=1)
    with pytest.raises(TeleserviceTimeout, match="délai") as caught:
        client.recover_with_traits(QUERY, USER)
    assert len(seen) == 2
    assert caught.value.exchange is not None and caught.value.exchange.response == b""


def test_a_soap_fault_is_never_retried() -> None:
    def fault(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, content=wire.fault("siram_100", "desir_550", "Inconnu", "m"))

    client, seen = _client(fault)
    with pytest.raises(TeleserviceFault) as caught:
        client.recover_with_traits(QUERY, USER)
    assert len(seen) == 1
    assert caught.value.code == "desir_550"
    assert caught.value.exchange is not None and b"desir_550" in caught.value.exchange.response


@pytest.mark.parametrize("status", [502, 503, 404])
def test_an_http_error_without_fault_is_unavailable_with_its_exchange(status: int) -> None:
    client, seen = _client(lambda request: httpx.Response(status, content=b"<html>down</html>"))
    with pytest.raises(TeleserviceUnavailable, match=f"HTTP {status}") as caught:
        client.recover_with_traits(QUERY, USER)
    assert len(seen) == 1
    assert caught.value.exchange is not None
    assert caught.value.exchange.response == b"<html>down</html>"


def test_a_malformed_answer_carries_its_exchange() -> None:
    client, _ = _client(lambda request: httpx.Response(200, content=b"<soap:Envelope"))
    with pytest.raises(MalformedResponse) as caught:
        client.recover_with_traits(QUERY, USER)
    assert caught.value.exchange is not None
    assert caught.value.exchange.response == b"<soap:Envelope"


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        (CallContext("a"), Authentication.ORGANISATION_MANUAL),
        (CallContext("a", automatic=True), Authentication.ORGANISATION_AUTO),
        (
            CallContext("a", authentication=Authentication.ORGANISATION_AUTO),
            Authentication.ORGANISATION_AUTO,
        ),
        (
            CallContext("a", automatic=True, authentication=Authentication.PROFESSIONAL_CARD),
            Authentication.PROFESSIONAL_CARD,
        ),
    ],
)
def test_the_credential_follows_the_call_context(
    context: CallContext, expected: Authentication
) -> None:
    assert authentication_for(context) is expected


def test_a_missing_certificate_is_a_tls_error_in_french() -> None:
    transport = HttpxTransport(URL, {Authentication.ORGANISATION_AUTO: Credential(None, None)})
    client = InsiClient(transport, SOFTWARE, url=URL)
    with pytest.raises(TeleserviceTlsError, match="INSI-AUTO"):
        client.recover_with_traits(QUERY, CallContext("batch", automatic=True))


def test_the_card_mode_without_a_card_is_refused_before_sending() -> None:
    client, seen = _client(_ok)
    context = CallContext("dr", authentication=Authentication.PROFESSIONAL_CARD)
    with pytest.raises(TeleserviceTlsError, match="carte de professionnel"):
        client.recover_with_traits(QUERY, context)
    assert seen == []


def test_the_simulator_is_the_default_backend_and_soap_is_chosen_by_setting() -> None:
    assert isinstance(build_teleservice(Settings()), SimulatedTeleservice)
    soap = build_teleservice(Settings(insi_backend="soap", insi_url=URL))
    assert isinstance(soap, SoapTeleservice)
    soap.close()
