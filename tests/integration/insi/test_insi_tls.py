"""Mutual TLS: the simulator's server refuses clients without a certificate of its CA."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest

from identito.adapters.insi.client import InsiClient
from identito.adapters.insi.envelope import SoftwareContext
from identito.adapters.insi.simulator.certs import CertificateSet, ensure_certificates
from identito.adapters.insi.simulator.server import RunningSimulator
from identito.adapters.insi.transport import HttpxTransport
from identito.services.teleservice import (
    CallContext,
    TeleserviceTlsError,
    TeleserviceUnavailable,
    TraitsQuery,
)

SOFTWARE = SoftwareContext("CNDA-TEST-0001", "identito", "0.1.0", "tls-test", "751234567")
QUERY = TraitsQuery("CORSE", ["ANTHONY"], "M", "1980-03-02")


def _client(url: str, context: ssl.SSLContext) -> InsiClient:
    transport = HttpxTransport(url, {}, retries=0, transport=httpx.HTTPTransport(verify=context))
    return InsiClient(transport, SOFTWARE, url=url)


def test_a_client_without_certificate_is_refused(
    server: RunningSimulator, simulator_certs: CertificateSet
) -> None:
    context = ssl.create_default_context(cafile=str(simulator_certs.ca))
    with pytest.raises((TeleserviceTlsError, TeleserviceUnavailable)) as caught:
        _client(server.url, context).recover_with_traits(QUERY, CallContext("intruder"))
    assert "INSi" in str(caught.value)


def test_a_client_certificate_from_another_authority_is_refused(
    server: RunningSimulator, simulator_certs: CertificateSet, tmp_path: Path
) -> None:
    foreign = ensure_certificates(tmp_path / "foreign")
    context = ssl.create_default_context(cafile=str(simulator_certs.ca))
    context.load_cert_chain(str(foreign.cert("insi-manu")), str(foreign.key("insi-manu")))
    with pytest.raises((TeleserviceTlsError, TeleserviceUnavailable)):
        _client(server.url, context).recover_with_traits(QUERY, CallContext("intruder"))


def test_a_server_certificate_from_an_unknown_authority_is_a_tls_error(
    server: RunningSimulator, simulator_certs: CertificateSet
) -> None:
    context = ssl.create_default_context()  # system CAs only: the test CA is unknown
    context.load_cert_chain(
        str(simulator_certs.cert("insi-manu")), str(simulator_certs.key("insi-manu"))
    )
    with pytest.raises(TeleserviceTlsError, match="connexion sécurisée"):
        _client(server.url, context).recover_with_traits(QUERY, CallContext("alice"))


def test_a_closed_port_is_unavailable() -> None:
    context = ssl.create_default_context()
    with pytest.raises(TeleserviceUnavailable, match="indisponible"):
        _client("https://127.0.0.1:9/lps", context).recover_with_traits(QUERY, CallContext("alice"))
