"""The ``Teleservice`` port: the CNAM INSi teleservice, real (SOAP) or simulated.

Both implementations (``adapters/insi/``) answer with these value objects. Normal
outcomes (one identity, none, several) are return values; transport problems,
SOAP faults and malformed answers raise a ``TeleserviceError`` subclass carrying a
French message for users. Traits in an ``InsiIdentity`` are kept exactly as
received: integration stores them unaltered (IHE PAM FR §6.6.2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from identito.domain.errors import DomainError
from identito.domain.insi import InsiOutcome


class CallMode(StrEnum):
    CARD = "card"  # rechercherInsAvecCarteVitale
    TRAITS = "traits"  # rechercherInsAvecTraitsIdentite
    VERIFY = "verify"  # verification of one INS
    BATCH_VERIFY = "batch_verify"

    @property
    def label(self) -> str:
        return CALL_MODE_LABELS[self]


CALL_MODE_LABELS = {
    CallMode.TRAITS: "Traits",
    CallMode.CARD: "Carte Vitale",
    CallMode.VERIFY: "Vérification",
    CallMode.BATCH_VERIFY: "Vérification par lot",
}


class Authentication(StrEnum):
    """Which credential authenticated the call (traced with each call)."""

    ORGANISATION_MANUAL = "organisation-manual"  # INSI-MANU certificate, user-triggered
    ORGANISATION_AUTO = "organisation-auto"  # INSI-AUTO certificate, batch jobs
    PROFESSIONAL_CARD = "professional-card"  # nominative card: signed PS assertion


@dataclass(frozen=True)
class CallContext:
    """Who triggers the call and with which credential."""

    actor: str
    automatic: bool = False
    authentication: Authentication = Authentication.ORGANISATION_MANUAL


@dataclass(frozen=True)
class InsiHistoryEntry:
    number: str  # 15 characters: NumIdentifiant (13) + Cle (2)
    oid: str
    start: str | None = None  # DateDeb as received
    end: str | None = None  # DateFin as received


@dataclass(frozen=True)
class InsiIdentity:
    """The TIQ and INSACTIF/INSHISTO of a ``00`` answer, as received."""

    birth_name: str  # NomNaissance
    first_names: str  # ListePrenom, space-separated, compound first names keep "-"
    sex: str  # Sexe: M or F
    birth_date: str  # DateNaissance AAAA-MM-JJ, may hold 00 day/month
    birth_place_code: str | None  # LieuNaissance (COG)
    ins_number: str  # NumIdentifiant + Cle
    oid: str
    first_name: str | None = None  # Prenom, when the answer carries it
    history: tuple[InsiHistoryEntry, ...] = ()


@dataclass(frozen=True)
class TraitsQuery:
    birth_name: str
    first_names: Sequence[str]  # sent as Prenom elements (one or several)
    sex: str
    birth_date: str
    birth_place_code: str | None = None


@dataclass(frozen=True)
class CardQuery:
    """Data read from the Vitale card (or its application): holder NIR, birth date, rank."""

    nir: str  # NIR of the card holder (13 or 15 characters)
    birth_date: str  # of the beneficiary, AAAA-MM-JJ (may be lunar)
    rank: int  # rank of the beneficiary on the card


@dataclass(frozen=True)
class VerificationQuery:
    ins_number: str
    oid: str
    birth_name: str
    first_names: Sequence[str]
    sex: str
    birth_date: str
    birth_place_code: str | None = None


@dataclass(frozen=True)
class Exchange:
    """The raw messages of one call, exactly as sent and received."""

    request: bytes
    response: bytes
    duration_ms: float
    authentication: Authentication


@dataclass(frozen=True)
class InsiResponse:
    outcome: InsiOutcome
    label: str  # LibelleCR
    identity: InsiIdentity | None
    exchange: Exchange


@dataclass(frozen=True)
class VerificationResponse:
    ok: bool
    label: str
    exchange: Exchange


@dataclass(frozen=True)
class BatchVerificationResult:
    ins_number: str
    ok: bool | None  # None: the item failed (see error)
    error: str | None = None


@dataclass(frozen=True)
class BatchStatus:
    batch_id: str
    done: bool
    results: tuple[BatchVerificationResult, ...] = field(default_factory=tuple)


class Teleservice(Protocol):
    def recover_with_card(self, query: CardQuery, context: CallContext) -> InsiResponse: ...

    def recover_with_traits(self, query: TraitsQuery, context: CallContext) -> InsiResponse: ...

    def verify(self, query: VerificationQuery, context: CallContext) -> VerificationResponse: ...

    def submit_batch_verification(
        self, queries: Sequence[VerificationQuery], context: CallContext
    ) -> str:
        """Deposit a batch; return its identifier (the results are fetched later)."""
        ...

    def fetch_batch_verification(self, batch_id: str, context: CallContext) -> BatchStatus: ...


class TeleserviceError(DomainError):
    """The call did not give a usable answer; nothing may be integrated.

    ``code`` is the SOAP fault code (SIRAM/DESIR) when there is one; ``exchange``
    the raw messages when any were exchanged (for the trace).
    """

    def __init__(
        self, message: str, *, code: str | None = None, exchange: Exchange | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.exchange = exchange


class TeleserviceUnavailable(TeleserviceError):
    """Connection refused, DNS failure, HTTP 5xx: the service cannot be reached."""


class TeleserviceTimeout(TeleserviceError):
    """No answer within the configured time."""


class TeleserviceTlsError(TeleserviceError):
    """The TLS handshake failed (certificate refused, expired, unknown CA)."""


class TeleserviceFault(TeleserviceError):
    """The teleservice answered with a SOAP fault (code in ``code``)."""


class MalformedResponse(TeleserviceError):
    """The answer is not the contract's (bad XML, missing or empty mandatory element)."""
