"""MLLP over TLS, and who is at the other end of a connection (``Peer``).

``tls_context``: the listener's context from the settings: none without a certificate
(plain TCP); with ``mllp_tls_ca``, the client must show a certificate that CA signed
(``ssl.CERT_REQUIRED``), TLS 1.2 at least. ``peer_of``: the address the socket
reports and, over TLS, the client certificate's SHA-256 fingerprint (of its DER bytes)
and subject (RFC 4514, e.g. ``CN=LABO,O=CHU-X,C=FR``), compared by
``InterfaceAccount.accepts``.
"""

from __future__ import annotations

import asyncio
import hashlib
import ssl

from cryptography import x509

from identito.config import Settings
from identito.domain.interface_accounts import Peer


def tls_context(settings: Settings) -> ssl.SSLContext | None:
    if settings.mllp_tls_certificate is None:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(settings.mllp_tls_certificate, settings.mllp_tls_key)
    if settings.mllp_tls_ca is not None:
        context.load_verify_locations(cafile=settings.mllp_tls_ca)
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def peer_address(writer: asyncio.StreamWriter) -> str:
    peername = writer.get_extra_info("peername")
    return str(peername[0]) if isinstance(peername, tuple) and peername else str(peername)


def peer_of(writer: asyncio.StreamWriter) -> Peer:
    address = peer_address(writer)
    ssl_object = writer.get_extra_info("ssl_object")
    der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    if not der:
        return Peer(address)
    subject = x509.load_der_x509_certificate(der).subject.rfc4514_string()
    return Peer(address, hashlib.sha256(der).hexdigest().upper(), subject)
