"""Organisation preferences set by an administrator at run time.

They live in the database (not in a process) so that every ``identito serve``
process behind a load balancer applies the same rules at once. Missing keys fall
back to the defaults built from ``Settings`` (``Rules``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from identito.domain.documents import DocumentType
from identito.domain.errors import FieldErrors
from identito.domain.events import AuditAction
from identito.domain.permissions import Actor, Permission
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditEntry, UnitOfWork

DUPLICATE_REVIEW_THRESHOLD = 0.8
DUPLICATE_SCAN_INTERVAL_HOURS = 24
MAX_TOLERANCE_DAYS = 3653


@dataclass(frozen=True)
class Preferences:
    #: INSi calls allowed for provisional identities (with a warning recommending a
    #: document check at the same time).
    allow_insi_for_provisional: bool = True
    #: Similarity score (0..1) from which INSi traits are integrated without the
    #: user's confirmation; 1.0 = only when identical after normalisation.
    similarity_threshold: float = 1.0
    document_types: Mapping[str, DocumentType] = field(default_factory=dict)
    #: Duplicate score (0..1) from which a pair goes to the review worklist (scan,
    #: creation, change of traits); blocking pairs (same matricule) always go.
    duplicate_review_threshold: float = DUPLICATE_REVIEW_THRESHOLD
    #: Hours between two scheduled duplicate scans (``identito serve``); 0 = none.
    duplicate_scan_interval_hours: int = DUPLICATE_SCAN_INTERVAL_HOURS
    #: Days an expired identity document still validates an identity; 0 = none (default).
    expired_document_tolerance_days: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "allow_insi_for_provisional": self.allow_insi_for_provisional,
            "similarity_threshold": self.similarity_threshold,
            "document_types": [
                {"code": d.code, "label": d.label, "high_trust": d.high_trust}
                for d in self.document_types.values()
            ],
            "duplicate_review_threshold": self.duplicate_review_threshold,
            "duplicate_scan_interval_hours": self.duplicate_scan_interval_hours,
            "expired_document_tolerance_days": self.expired_document_tolerance_days,
        }


def read_preferences(uow: UnitOfWork, rules: Rules) -> Preferences:
    """The current preferences, inside an open unit of work (no permission needed)."""
    stored = uow.preferences.get_all()
    documents = rules.document_types
    if "document_types" in stored:
        documents = {
            d["code"]: DocumentType(d["code"], d["label"], bool(d["high_trust"]))
            for d in stored["document_types"]
        }
    return Preferences(
        allow_insi_for_provisional=bool(stored.get("allow_insi_for_provisional", True)),
        similarity_threshold=float(stored.get("similarity_threshold", 1.0)),
        document_types=documents,
        duplicate_review_threshold=float(
            stored.get("duplicate_review_threshold", DUPLICATE_REVIEW_THRESHOLD)
        ),
        duplicate_scan_interval_hours=int(
            stored.get("duplicate_scan_interval_hours", DUPLICATE_SCAN_INTERVAL_HOURS)
        ),
        expired_document_tolerance_days=int(stored.get("expired_document_tolerance_days", 0)),
    )


def get_preferences(*, uow: UnitOfWork, actor: Actor, rules: Rules) -> Preferences:
    actor.require(Permission.SETTINGS_ADMIN)
    with uow:
        return read_preferences(uow, rules)


def update_preferences(
    changes: Mapping[str, Any], *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> Preferences:
    """Change some preferences; every change is audited."""
    actor.require(Permission.SETTINGS_ADMIN)
    values = _checked(changes)
    now = rules.now()
    with uow:
        before = read_preferences(uow, rules).as_dict()
        for key, value in values.items():
            uow.preferences.set(key, value, by=actor.username, at=now)
        after = read_preferences(uow, rules)
        uow.add_audit(
            AuditEntry(
                actor.username, now, AuditAction.SETTINGS_CHANGED, None, before, after.as_dict()
            )
        )
        uow.commit(actor, now)
    return after


def _checked(changes: Mapping[str, Any]) -> dict[str, Any]:
    errors = FieldErrors()
    values: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "allow_insi_for_provisional":
            values[key] = bool(value)
        elif key in ("similarity_threshold", "duplicate_review_threshold"):
            values[key] = _threshold(key, value, errors)
        elif key == "duplicate_scan_interval_hours":
            values[key] = _hours(key, value, errors)
        elif key == "expired_document_tolerance_days":
            values[key] = _tolerance_days(key, value, errors)
        elif key == "document_types":
            values[key] = _document_types(value, errors)
        else:
            errors.add(key, "unknown_setting", "Paramètre inconnu.")
    errors.raise_if_any()
    return values


def _threshold(key: str, value: Any, errors: FieldErrors) -> float:
    try:
        threshold = float(value)
    except (TypeError, ValueError):
        threshold = -1.0
    if not 0.0 <= threshold <= 1.0:
        errors.add(key, "threshold_range", "Le seuil est un nombre entre 0 et 1.")
    return threshold


def _hours(key: str, value: Any, errors: FieldErrors) -> int:
    try:
        hours = int(value)
    except (TypeError, ValueError):
        hours = -1
    if not 0 <= hours <= 24 * 31:
        message = "Nombre d'heures entre deux recherches, de 0 (aucune) à 744 (31 jours)."
        errors.add(key, "interval_range", message)
    return hours


def _tolerance_days(key: str, value: Any, errors: FieldErrors) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = -1
    if not 0 <= days <= MAX_TOLERANCE_DAYS:
        message = (
            "Nombre de jours après l'expiration pendant lesquels une pièce valide encore une "
            f"identité, de 0 (aucune tolérance) à {MAX_TOLERANCE_DAYS} (10 ans)."
        )
        errors.add(key, "tolerance_range", message)
    return days


def _document_types(value: Any, errors: FieldErrors) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    codes: set[str] = set()
    for i, item in enumerate(value or []):
        code = str(item.get("code", "")).strip().upper()
        label = str(item.get("label", "")).strip()
        if not code or not label:
            errors.add(f"document_types[{i}]", "required", "Code et libellé obligatoires.")
        elif code in codes:
            errors.add(f"document_types[{i}]", "duplicate", f"Code « {code} » en double.")
        codes.add(code)
        result.append({"code": code, "label": label, "high_trust": bool(item.get("high_trust"))})
    if not any(d["high_trust"] for d in result):
        message = "La liste compte au moins un dispositif à haut niveau de confiance."
        errors.add("document_types", "no_high_trust", message)
    return result


def validation_documents(*, uow: UnitOfWork, actor: Actor, rules: Rules) -> list[DocumentType]:
    """The high-trust documents a user may choose from when validating an identity."""
    actor.require(Permission.IDENTITY_VALIDATE)
    with uow:
        documents = read_preferences(uow, rules).document_types
    return [d for d in documents.values() if d.high_trust]
