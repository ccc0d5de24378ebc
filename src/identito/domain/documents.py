"""High-trust identity documents (dispositifs d'identité à haut niveau de confiance).

The list is configurable by each organisation; nothing is ever preselected.
Codes follow IHE PAM France ZFD-7 (CN, PA, CS, IE, PC ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from identito.domain.errors import InvalidInput


@dataclass(frozen=True)
class DocumentType:
    code: str
    label: str
    high_trust: bool


DEFAULT_DOCUMENT_TYPES: Mapping[str, DocumentType] = {
    d.code: d
    for d in (
        DocumentType("CN", "Carte nationale d'identité", True),
        DocumentType("PA", "Passeport", True),
        DocumentType("CS", "Titre de séjour", True),
        DocumentType("IE", "Identité électronique eIDAS (niveau substantiel ou élevé)", True),
        DocumentType("PC", "Permis de conduire", False),
    )
}


#: IHE PAM France ZFD-7 (justificatif d'identité) codes a sender may transmit.
ZFD7_CODES = frozenset(
    {"AN", "CC", "CE", "CM", "CN", "CS", "LE", "PA", "PC", "TC", "AV", "DC", "AC", "IE"}
)
#: Document type of a check done by a sender of identito's own identification domain
#: that did not say which document it checked (no ZFD-7, no FHIR ``validationMode``).
DOMAIN_CHECK = "DOMAINE"


@dataclass(frozen=True)
class Validation:
    """The record of a high-trust document check.

    ``document_expiry`` is always known for a check done in identito; a check done
    by a sender of the identification domain may come without it (ZFD-8 empty).
    """

    document_type: str
    document_expiry: date | None
    validated_at: datetime
    validated_by: str

    @property
    def document_unspecified(self) -> bool:
        """Done by a sender of the identification domain that did not name the document."""
        return self.document_type == DOMAIN_CHECK


def high_trust_document(code: str | None, types: Mapping[str, DocumentType]) -> DocumentType:
    """The chosen document type, if it is a configured high-trust one."""
    if not code or not code.strip():
        message = "Choisissez le type de pièce d'identité contrôlée (aucun n'est présélectionné)."
        raise InvalidInput.single("document_type", "required", message)
    document = types.get(code.strip().upper())
    if document is None:
        known = ", ".join(sorted(types))
        message = f"Type de pièce inconnu « {code} » ; types configurés : {known}."
        raise InvalidInput.single("document_type", "document_unknown", message)
    if not document.high_trust:
        message = f"{document.label} n'est pas un dispositif d'identité à haut niveau de confiance."
        raise InvalidInput.single("document_type", "document_not_high_trust", message)
    return document


@dataclass(frozen=True)
class DocumentCheck:
    """A high-trust document a user checked, as entered: its type and expiry date.

    ``expired_tolerance_days`` is the administrator's tolerance for an expired
    document (preference ``expired_document_tolerance_days``; default 0: none).
    """

    document_type: str | None
    document_expiry: date | None
    expired_tolerance_days: int = 0

    def checked(self, types: Mapping[str, DocumentType], today: date) -> DocumentType:
        """The document type if this check may validate an identity, else ``InvalidInput``."""
        document = high_trust_document(self.document_type, types)
        if self.document_expiry is None:
            message = "La date d'expiration de la pièce est obligatoire."
            raise InvalidInput.single("document_expiry", "required", message)
        check_not_expired(self.document_expiry, today, self.expired_tolerance_days)
        return document


def check_not_expired(expiry: date, today: date, tolerance_days: int) -> None:
    """An expired document does not validate, unless the administrator's tolerance covers it.

    A document is valid up to its expiry date included (RNIV: a high-trust
    document is checked valid; the organisation may tolerate recently expired ones).
    """
    if expiry >= today - timedelta(days=max(tolerance_days, 0)):
        return
    if tolerance_days > 0:
        covered = f"au-delà de la tolérance fixée par l'administrateur ({tolerance_days} jours)"
    else:
        covered = "aucune tolérance n'est fixée par l'administrateur"
    message = (
        f"La pièce a expiré le {expiry:%d/%m/%Y} ({covered}) : elle ne permet pas de "
        "valider l'identité. Contrôlez une pièce en cours de validité."
    )
    raise InvalidInput.single("document_expiry", "document_expired", message)
