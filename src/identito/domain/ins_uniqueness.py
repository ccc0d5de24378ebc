"""R-DU-03: two active identities never hold the same matricule INS.

The rule applies to an identity that is active, not merged, not in a declared
collision (COLP/COLV) and carries a matricule: no other active, non-merged
identity may hold the same matricule (number and OID). An identity in collision
is already out of diffusion (``domain.diffusion``) and waits for identity
vigilance: it may share its matricule until the collision is resolved, and the
resolution is refused while another active identity still holds the matricule.

Every write of an identity goes through the identity repository, which asks the
other holders and calls ``ensure_sole_holder`` (the choke point); the database
backs it with a partial unique index (``docs/storage.md``, ADR 0006).

>>> from identito.domain.identifiers import Ins, Oid
>>> from uuid import UUID
>>> error = InsAlreadyHeld(UUID(int=1), Ins.parse("180032B02040123", Oid.NIR.value),
...                        [UUID(int=2)])
>>> error.rule, error.holders
('ins_already_held', (UUID('00000000-0000-0000-0000-000000000002'),))
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from identito.domain.errors import InvalidTransition
from identito.domain.identifiers import Ins
from identito.domain.identity_state import IdentityState

RULE = "ins_already_held"


class InsAlreadyHeld(InvalidTransition):
    """The matricule is already held by another active identity (409, rule
    ``ins_already_held``); ``holders`` may be empty when the database refused it
    (a concurrent writer), the use case then looks them up."""

    def __init__(self, identity_id: UUID, ins: Ins, holders: Iterable[UUID] = ()) -> None:
        self.identity_id = identity_id
        self.ins = ins
        self.holders = tuple(sorted(set(holders)))
        named = ", ".join(str(h) for h in self.holders) or "une autre identité active"
        super().__init__(
            f"Le matricule INS {ins.number.number} est déjà porté par une autre identité "
            f"active ({named}) : deux identités actives ne portent jamais le même matricule "
            "(R-DU-03). Rien n'est enregistré ; la paire est signalée à l'identitovigilance "
            "(liste des doublons à examiner).",
            rule=RULE,
        )


def must_hold_alone(identity: IdentityState) -> bool:
    """Whether the identity's matricule must be held by no other active identity."""
    return (
        identity.ins is not None
        and identity.active
        and identity.merged_into is None
        and identity.collision is None
    )


def holds(other: IdentityState, ins: Ins) -> bool:
    """Whether ``other`` counts as a holder of ``ins``: active, not merged, same matricule
    and OID (a holder in collision counts: it still carries the matricule)."""
    return other.active and other.merged_into is None and other.ins == ins


def ensure_sole_holder(identity: IdentityState, holders: Iterable[UUID]) -> None:
    """Raise ``InsAlreadyHeld`` when the rule applies and another identity holds the
    matricule; ``holders`` are the ids of the active identities holding it."""
    if not must_hold_alone(identity):
        return
    others = [h for h in holders if h != identity.id]
    if others:
        assert identity.ins is not None
        raise InsAlreadyHeld(identity.id, identity.ins, others)
