"""Test certificates of the simulator, generated on first start and reused after.

A test CA signs: the server certificate (127.0.0.1 and localhost), the two
organisation certificates of mutual TLS (``INSI-MANU`` for calls a user
triggers, ``INSI-AUTO`` for automatic calls) and a test professional card
(``CPS-TEST``) that authenticates the TLS connection and signs the PS assertion
in the card mode. Never use these outside tests and demonstrations.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_DIR = Path("var") / "insi-simulator"
#: Client certificates: file stem -> common name (the server reports the CN it saw).
CLIENTS = {"insi-manu": "INSI-MANU", "insi-auto": "INSI-AUTO", "ps-card": "CPS-TEST"}


@dataclass(frozen=True)
class CertificateSet:
    directory: Path

    def cert(self, stem: str) -> Path:
        return self.directory / f"{stem}.pem"

    def key(self, stem: str) -> Path:
        return self.directory / f"{stem}.key"

    @property
    def ca(self) -> Path:
        return self.cert("ca")

    def complete(self) -> bool:
        stems = ("ca", "server", *CLIENTS)
        return all(self.cert(s).exists() and self.key(s).exists() for s in stems)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "identito INSi simulator (test)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write(
    certs: CertificateSet, stem: str, cert: x509.Certificate, key: rsa.RSAPrivateKey
) -> None:
    certs.cert(stem).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    path = certs.key(stem)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    os.chmod(path, 0o600)


def _issue(
    subject: str,
    key: rsa.RSAPrivateKey,
    issuer: tuple[x509.Name, rsa.RSAPrivateKey] | None,
    extensions: list[tuple[x509.ExtensionType, bool]],
) -> x509.Certificate:
    now = datetime.now(UTC)
    issuer_name, issuer_key = issuer or (_name(subject), key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3 * 365))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    if issuer is not None:
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key())
        builder = builder.add_extension(aki, False)
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical)
    return builder.sign(issuer_key, hashes.SHA256())


def _usage(*, ca: bool = False, sign: bool = True) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=False,
        key_encipherment=not ca,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def ensure_certificates(directory: Path | None = None) -> CertificateSet:
    """Generate the CA, server and client certificates unless they already exist."""
    certs = CertificateSet(Path(directory or DEFAULT_DIR))
    if certs.complete():
        return certs
    certs.directory.mkdir(parents=True, exist_ok=True)
    new_key = lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)  # noqa: E731
    ca_key = new_key()
    ca_extensions = [(x509.BasicConstraints(ca=True, path_length=0), True), (_usage(ca=True), True)]
    ca = _issue("identito INSi simulator test CA", ca_key, None, ca_extensions)
    _write(certs, "ca", ca, ca_key)
    leaf = [(x509.BasicConstraints(ca=False, path_length=None), True), (_usage(), True)]
    server_key = new_key()
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    server_extensions = [
        *leaf,
        (x509.SubjectAlternativeName(names), False),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
    ]
    server = _issue("localhost", server_key, (ca.subject, ca_key), server_extensions)
    _write(certs, "server", server, server_key)
    client_usage = (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False)
    for stem, common_name in CLIENTS.items():
        key = new_key()
        cert = _issue(common_name, key, (ca.subject, ca_key), [*leaf, client_usage])
        _write(certs, stem, cert, key)
    return certs
