"""How request bytes reach INSi: HTTPS with mutual TLS (httpx), or a test double.

``HttpxTransport`` keeps one keep-alive connection pool per credential: the
organisation certificate for calls a user triggers (INSI-MANU), the one for
automatic calls (INSI-AUTO), and the professional card's (PS assertion mode). It
retries only on connection errors and timeouts, never after an answer, and
turns transport failures into ``TeleserviceError`` subclasses with French messages.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx

from identito.adapters.insi.envelope import CONTENT_TYPE
from identito.services.teleservice import (
    Authentication,
    Exchange,
    TeleserviceError,
    TeleserviceTimeout,
    TeleserviceTlsError,
    TeleserviceUnavailable,
)

UNAVAILABLE = (
    "Le téléservice INSi est indisponible. Réessayez plus tard ; aucune donnée n'a été modifiée."
)
TLS_FAILED = (
    "La connexion sécurisée au téléservice INSi a échoué (certificat refusé, expiré ou inconnu). "
    "Contactez votre responsable informatique."
)
LABELS = {
    Authentication.ORGANISATION_MANUAL: "INSI-MANU",
    Authentication.ORGANISATION_AUTO: "INSI-AUTO",
    Authentication.PROFESSIONAL_CARD: "carte de professionnel",
}


def timeout_message(seconds: float) -> str:
    return (
        f"Le téléservice INSi n'a pas répondu dans le délai imparti ({seconds:g} s). "
        "Réessayez plus tard ; aucune donnée n'a été modifiée."
    )


@dataclass(frozen=True)
class RawAnswer:
    status: int
    body: bytes


class Transport(Protocol):
    def post(self, request: bytes, *, action: str, authentication: Authentication) -> RawAnswer:
        """Send the envelope and return the HTTP answer, whatever its status.

        Raise a ``TeleserviceError`` when no answer came; it carries the
        ``Exchange`` (with an empty response) when the request had left."""
        ...


@dataclass(frozen=True)
class Credential:
    cert: Path | None
    key: Path | None


#: Failures before any byte of the request left: no exchange to trace.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _tls_failure(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class HttpxTransport:
    def __init__(
        self,
        url: str,
        credentials: dict[Authentication, Credential],
        *,
        ca_bundle: Path | None = None,
        timeout_seconds: float = 10.0,
        retries: int = 1,
        transport: httpx.BaseTransport | None = None,  # tests: httpx.MockTransport
    ) -> None:
        self.url = url
        self.credentials = credentials
        self.ca_bundle = ca_bundle
        self.timeout_seconds = timeout_seconds
        self.retries = max(0, retries)
        self._transport = transport
        self._clients: dict[Authentication, httpx.Client] = {}
        self._lock = threading.Lock()

    def _ssl_context(self, authentication: Authentication) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.ca_bundle) if self.ca_bundle else None)
        credential = self.credentials.get(authentication)
        if credential is None or credential.cert is None:
            label = LABELS[authentication]
            message = f"Aucun certificat n'est configuré pour les appels INSi ({label})."
            raise TeleserviceTlsError(message)
        try:
            context.load_cert_chain(str(credential.cert), str(credential.key or credential.cert))
        except (OSError, ssl.SSLError) as error:
            raise TeleserviceTlsError(TLS_FAILED) from error
        return context

    def client(self, authentication: Authentication) -> httpx.Client:
        with self._lock:
            client = self._clients.get(authentication)
            if client is None:
                transport = self._transport or httpx.HTTPTransport(
                    verify=self._ssl_context(authentication),
                    # headers and body leave in two TLS records: no Nagle delay between them
                    socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
                )
                client = httpx.Client(
                    timeout=httpx.Timeout(self.timeout_seconds), transport=transport
                )
                self._clients[authentication] = client
            return client

    def post(self, request: bytes, *, action: str, authentication: Authentication) -> RawAnswer:
        client = self.client(authentication)
        headers = {"Content-Type": f'{CONTENT_TYPE}; action="{action}"'}
        for attempt in range(self.retries + 1):
            started = time.perf_counter()
            try:
                response = client.post(self.url, content=request, headers=headers)
                return RawAnswer(response.status_code, response.content)
            except httpx.TransportError as error:
                mapped = self._map(error)
                if attempt == self.retries or isinstance(mapped, TeleserviceTlsError):
                    if not isinstance(error, _NOT_SENT):
                        elapsed = (time.perf_counter() - started) * 1000
                        mapped.exchange = Exchange(request, b"", elapsed, authentication)
                    raise mapped from error
        raise AssertionError("unreachable")  # pragma: no cover

    def _map(self, error: httpx.TransportError) -> TeleserviceError:
        if _tls_failure(error):
            return TeleserviceTlsError(TLS_FAILED)
        if isinstance(error, httpx.TimeoutException):
            return TeleserviceTimeout(timeout_message(self.timeout_seconds))
        return TeleserviceUnavailable(UNAVAILABLE)

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()
