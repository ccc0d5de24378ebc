"""Interface accounts (comptes d'interface): the declared senders of HL7 v2 and FHIR messages.

An interface account is a user of the ``interface`` role (reception only) declared with:

* the identification domains it may claim: ``APPLICATION^FACILITY`` patterns compared
  with MSH-3/MSH-4 (HL7 v2) or with the FHIR sender name, ``*`` for any part, a bare
  application for any facility (``matches_domain``);
* the source addresses of its MLLP connections: IP addresses or CIDR networks (none:
  any address, the certificate then identifies it);
* and/or its client certificate for MLLP over TLS: the SHA-256 fingerprint of the
  certificate, or its subject (RFC 4514, as ``CN=LABO,O=CHU,C=FR``).

An MLLP peer is the account whose addresses and certificate both match
(``InterfaceAccount.accepts``); an account with neither is reachable over HTTP
only (its API token). A sender that matches no account, or claims a domain its
account is not declared for, is refused (``SenderRefused``): NACK ``AR`` or 403.

>>> account = InterfaceAccount.declare(
...     "labo", domains=["LABO^CHU-X"], addresses=["10.1.2.0/24"],
...     certificate_sha256=None, certificate_subject=None)
>>> account.accepts(Peer("10.1.2.7"))
True
>>> account.accepts(Peer("10.1.3.7"))
False
>>> account.claims("labo", "chu-x"), account.claims("LABO", "CHU-Y")
(True, False)
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from identito.domain.errors import FieldErrors, PermissionDenied

_HEX = re.compile(r"^[0-9A-F]{64}$")


class RefusalReason(StrEnum):
    """Why a sender is refused (``details.reason`` of the audit row)."""

    UNDECLARED_PEER = "undeclared_peer"  # no account for this address / certificate
    UNDECLARED_ACCOUNT = "undeclared_account"  # an interface user with no active declaration
    DOMAIN_NOT_DECLARED = "domain_not_declared"  # MSH-3/MSH-4 not among the account's
    TLS_HANDSHAKE = "tls_handshake"  # no client certificate, or not signed by the CA


class SenderRefused(PermissionDenied):
    """A sender that is not declared, or claims another domain than its account's."""

    def __init__(self, reason: RefusalReason, message: str) -> None:
        super().__init__("messages:receive", message)
        self.reason = reason


@dataclass(frozen=True)
class Peer:
    """The other end of an MLLP connection: what the network and TLS say, not the message."""

    address: str
    certificate_sha256: str | None = None
    certificate_subject: str | None = None

    def describe(self) -> str:
        certificate = self.certificate_subject or self.certificate_sha256
        return f"{self.address} (certificat {certificate})" if certificate else self.address


def matches_domain(pattern: str, application: str | None, facility: str | None) -> bool:
    """``APP^FACILITY`` (``*`` for any part), or a bare application (any facility);
    case and surrounding spaces ignored.

    >>> matches_domain("DPI^*", "dpi", "CHU-X"), matches_domain("DPI^CHU", "DPI", None)
    (True, False)
    """
    want_app, _, want_facility = pattern.strip().upper().partition("^")
    app, fac = (application or "").strip().upper(), (facility or "").strip().upper()
    return want_app.strip() in ("*", app) and want_facility.strip() in ("", "*", fac)


def normalise_fingerprint(value: str) -> str:
    """``AB:CD:…`` or ``abcd…`` as 64 upper-case hexadecimal digits (may be invalid)."""
    return re.sub(r"[\s:]", "", value).upper()


def normalise_subject(value: str) -> str:
    """A subject compared without case nor spaces around ``,`` and ``=``."""
    return re.sub(r"\s*([,=])\s*", r"\1", value.strip()).upper()


@dataclass(frozen=True)
class InterfaceAccount:
    username: str
    domains: tuple[str, ...]
    addresses: tuple[str, ...] = ()
    certificate_sha256: str | None = None
    certificate_subject: str | None = None
    active: bool = True

    @classmethod
    def declare(
        cls,
        username: str,
        *,
        domains: Iterable[str],
        addresses: Iterable[str],
        certificate_sha256: str | None,
        certificate_subject: str | None,
        active: bool = True,
    ) -> InterfaceAccount:
        """A checked declaration; ``InvalidInput`` names every faulty field."""
        errors = FieldErrors()
        kept_domains = tuple(d.strip() for d in domains if d.strip())
        if not kept_domains:
            errors.add(
                "domains", "required",
                "Déclarez au moins un domaine d'identification (MSH-3^MSH-4, ex. DPI^CHU-X).",
            )  # fmt: skip
        for domain in kept_domains:
            if not domain.partition("^")[0].strip():
                errors.add("domains", "domain_format", f"Domaine « {domain} » : application vide.")
        networks = []
        for address in (a.strip() for a in addresses if a.strip()):
            try:
                networks.append(str(ipaddress.ip_network(address, strict=False)))
            except ValueError:
                message = f"Adresse « {address} » : adresse IP ou réseau CIDR attendu."
                errors.add("addresses", "address_format", message)
        fingerprint = normalise_fingerprint(certificate_sha256) if certificate_sha256 else None
        if fingerprint is not None and not _HEX.match(fingerprint):
            message = "Empreinte SHA-256 du certificat : 64 chiffres hexadécimaux attendus."
            errors.add("certificate_sha256", "fingerprint_format", message)
        subject = (certificate_subject or "").strip() or None
        errors.raise_if_any()
        return cls(username, kept_domains, tuple(networks), fingerprint, subject, active)

    @property
    def over_mllp(self) -> bool:
        """Reachable over MLLP: by its address and/or its certificate."""
        return bool(self.addresses or self.certificate_sha256 or self.certificate_subject)

    def claims(self, application: str | None, facility: str | None) -> bool:
        return any(matches_domain(p, application, facility) for p in self.domains)

    def accepts(self, peer: Peer) -> bool:
        """The peer comes from a declared address and shows the declared certificate."""
        if not (self.active and self.over_mllp):
            return False
        if self.addresses and not _in_networks(peer.address, self.addresses):
            return False
        if self.certificate_sha256 and peer.certificate_sha256 != self.certificate_sha256:
            return False
        if self.certificate_subject:
            shown = normalise_subject(peer.certificate_subject or "")
            return shown == normalise_subject(self.certificate_subject)
        return True


def _in_networks(address: str, networks: Iterable[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:10.1.2.7 from a dual-stack socket
    return any(ip in ipaddress.ip_network(n) for n in networks)
