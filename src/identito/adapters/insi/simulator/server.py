"""The simulator as a real SOAP server: HTTPS with mutual TLS (Starlette + uvicorn).

Every client must present a certificate signed by the simulator's test CA
(``ssl.CERT_REQUIRED``); the common name it presented (INSI-MANU, INSI-AUTO,
CPS-TEST) is recorded with each call in ``engine.calls`` and sent back in the
``X-Simulator-Client-Certificate`` header, so tests can check which one was used.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any

import uvicorn
from cryptography import x509
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from uvicorn.protocols.http.h11_impl import H11Protocol

from identito.adapters.insi.simulator.certs import CertificateSet
from identito.adapters.insi.simulator.engine import SimulatorEngine

PATH = "/lps"
PEER_KEY = "identito_client_certificate"


def _common_name(certificate: dict[str, Any] | None) -> str | None:
    for rdn in (certificate or {}).get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return str(value)
    return None


class PeerCertificateProtocol(H11Protocol):
    """uvicorn's h11 protocol, adding the client certificate's CN to each request's state."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:  # headers and body are two TLS records: no Nagle delay
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        ssl_object = transport.get_extra_info("ssl_object")
        peer = _common_name(ssl_object.getpeercert()) if ssl_object is not None else None
        self.app_state = {**self.app_state, PEER_KEY: peer}


def create_app(engine: SimulatorEngine) -> Starlette:
    async def soap(request: Request) -> Response:
        if not request.headers.get("content-type", "").startswith("application/soap+xml"):
            return PlainTextResponse("SOAP 1.2 expected (application/soap+xml)", 415)
        peer = request.scope.get("state", {}).get(PEER_KEY)
        answer = engine.handle(await request.body(), peer)
        if answer.delay:
            await asyncio.sleep(answer.delay)
        headers = {"X-Simulator-Client-Certificate": peer or ""}
        return Response(answer.body, answer.status, headers, media_type=answer.content_type)

    return Starlette(routes=[Route(PATH, soap, methods=["POST"])])


def server_config(
    engine: SimulatorEngine, certs: CertificateSet, host: str, port: int
) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(engine),
        host=host,
        port=port,
        http=PeerCertificateProtocol,
        lifespan="off",
        log_level="warning",
        access_log=False,
        ssl_certfile=str(certs.cert("server")),
        ssl_keyfile=str(certs.key("server")),
        ssl_ca_certs=str(certs.ca),
        ssl_cert_reqs=ssl.CERT_REQUIRED,
    )


def trusted_ca(certs: CertificateSet) -> x509.Certificate:
    return x509.load_pem_x509_certificate(certs.ca.read_bytes())


@dataclass
class RunningSimulator:
    server: uvicorn.Server
    thread: threading.Thread
    engine: SimulatorEngine
    certs: CertificateSet
    url: str

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_in_thread(
    engine: SimulatorEngine, certs: CertificateSet, host: str = "127.0.0.1", port: int = 0
) -> RunningSimulator:
    """Serve on ``port`` (0: a free one) in a daemon thread; return once it listens."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    actual = sock.getsockname()[1]
    server = uvicorn.Server(server_config(engine, certs, host, actual))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the INSi simulator did not start")
        time.sleep(0.01)
    return RunningSimulator(server, thread, engine, certs, f"https://{host}:{actual}{PATH}")


def client_environment(certs: CertificateSet, url: str) -> dict[str, str]:
    """The settings a ``soap`` client needs to call this simulator."""
    directory = certs.directory.resolve()
    return {
        "IDENTITO_INSI_BACKEND": "soap",
        "IDENTITO_INSI_URL": url,
        "IDENTITO_INSI_CA_BUNDLE": str(directory / "ca.pem"),
        "IDENTITO_INSI_CERT_MANUAL": str(directory / "insi-manu.pem"),
        "IDENTITO_INSI_KEY_MANUAL": str(directory / "insi-manu.key"),
        "IDENTITO_INSI_CERT_AUTO": str(directory / "insi-auto.pem"),
        "IDENTITO_INSI_KEY_AUTO": str(directory / "insi-auto.key"),
        "IDENTITO_INSI_PS_CERT": str(directory / "ps-card.pem"),
        "IDENTITO_INSI_PS_KEY": str(directory / "ps-card.key"),
    }
