"""The reason given for a change of traits, and when a change needs one.

A change of traits needs a person's confirmation when it takes away a proof:
it invalidates the matricule INS, withdraws the document check or lowers the
status (issue 16 §4). The web asks for a reason at that confirmation, and the
reason is traced on the ``identity.traits_changed`` audit row. The API accepts
an optional reason on any change (``PATCH /identities/{id}``).

>>> change_reason("  Erreur de saisie  ", needs_confirmation=True)
'Erreur de saisie'
>>> change_reason("   ", needs_confirmation=False) is None
True
"""

from __future__ import annotations

from identito.domain.errors import InvalidInput
from identito.domain.status import IdentityStatus

#: The longest reason kept (characters, after trimming).
REASON_MAX_LENGTH = 500

#: How much proof each status carries: a change to a lower rank is a downgrade.
_RANK = {
    IdentityStatus.PROVISIONAL: 0,
    IdentityStatus.RETRIEVED: 1,
    IdentityStatus.VALIDATED: 1,
    IdentityStatus.QUALIFIED: 2,
}


def is_downgrade(before: IdentityStatus, after: IdentityStatus) -> bool:
    """``after`` carries less proof than ``before`` (QUAL -> VALI, RECUP -> PROV...)."""
    return _RANK[after] < _RANK[before]


def needs_confirmation(
    before: IdentityStatus,
    after: IdentityStatus,
    *,
    ins_invalidated: bool,
    validation_removed: bool,
) -> bool:
    """A change that removes the matricule, the document check or lowers the status."""
    return ins_invalidated or validation_removed or is_downgrade(before, after)


def change_reason(raw: str | None, *, needs_confirmation: bool) -> str | None:
    """The reason trimmed (``None`` when blank); required when the change needs a
    confirmation; at most ``REASON_MAX_LENGTH`` characters."""
    reason = " ".join((raw or "").split())
    if not reason:
        if needs_confirmation:
            raise InvalidInput.single(
                "reason",
                "reason_required",
                "Indiquez le motif de cette modification : elle dégrade l'identité.",
            )
        return None
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidInput.single(
            "reason",
            "reason_too_long",
            f"Le motif ne peut dépasser {REASON_MAX_LENGTH} caractères ({len(reason)} saisis).",
        )
    return reason
