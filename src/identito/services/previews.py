"""Dry runs: what a change would do, computed by the domain and never saved.

The web asks before a change that downgrades the status or removes the
matricule INS. The preview applies the very same domain methods as the real use
case on an identity loaded in a unit of work that is rolled back, so no rule is
restated here or in a template.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from identito.domain.change_reason import needs_confirmation
from identito.domain.identity import Identity
from identito.domain.permissions import Actor, Permission
from identito.domain.status import IdentityStatus
from identito.domain.trait_set import STRICT_FIELDS, Traits
from identito.services.identities import load_and_change_traits
from identito.services.identity_inputs import parse_attributes
from identito.services.rules import Rules
from identito.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ChangePreview:
    status_before: IdentityStatus
    status_after: IdentityStatus
    ins_invalidated: bool  # the matricule INS and its OID would be removed
    validation_removed: bool  # the record of the document check would be removed
    changed: bool
    #: The traits before and after (``Traits.as_dict``) and the fields that change.
    traits_before: dict[str, Any] = field(default_factory=dict)
    traits_after: dict[str, Any] = field(default_factory=dict)
    changed_fields: tuple[str, ...] = ()

    @property
    def needs_confirmation(self) -> bool:
        return needs_confirmation(
            self.status_before,
            self.status_after,
            ins_invalidated=self.ins_invalidated,
            validation_removed=self.validation_removed,
        )


def _preview(
    before: Identity, status: IdentityStatus, had_validation: bool, traits: Traits | None = None
) -> ChangePreview:
    old = traits if traits is not None else before.traits
    return ChangePreview(
        status_before=status,
        status_after=before.status,
        ins_invalidated=before.ins is None and status.has_ins,
        validation_removed=had_validation and before.validation is None,
        changed=bool(before.events),
        traits_before=old.as_dict(),
        traits_after=before.traits.as_dict(),
        changed_fields=old.changed_fields(before.traits),
    )


def preview_update(
    identity_id: UUID,
    expected_version: int,
    changes: Mapping[str, Any],
    *,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    old_birth_date_confirmed: bool = False,
) -> ChangePreview:
    """What ``update_identity`` would do with these trait changes (raises what it would)."""
    actor.require(Permission.IDENTITY_UPDATE)
    with uow:
        current = uow.identities.get(identity_id)
        status, had_validation = current.status, current.validation is not None
        traits = current.traits
        changed = load_and_change_traits(
            identity_id, expected_version, changes, uow=uow, actor=actor, rules=rules,
            old_birth_date_confirmed=old_birth_date_confirmed,
        )  # fmt: skip
        preview = _preview(changed, status, had_validation, traits)
        uow.rollback()
    return preview


def preview_attributes(
    identity_id: UUID,
    *,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
) -> ChangePreview:
    """What ``change_attributes`` would do (raises what it would)."""
    actor.require(Permission.IDENTITY_ATTRIBUTES)
    to_add, to_remove = parse_attributes(add, "add"), parse_attributes(remove, "remove")
    with uow:
        identity = uow.identities.get(identity_id)
        status, had_validation = identity.status, identity.validation is not None
        identity.change_attributes(to_add, to_remove, now=rules.now())
        preview = _preview(identity, status, had_validation)
        uow.rollback()
    return preview


def locked_fields(identity: Identity, actor: Actor) -> frozenset[str]:
    """Traits this actor may not change on this identity (not offered by the forms).

    The strict traits of a RECUP or QUAL identity need the protected permission
    (the domain refuses them otherwise: ``Identity.change_traits``).
    """
    if actor.can(Permission.IDENTITY_UPDATE_PROTECTED) or not identity.status.has_ins:
        return frozenset()
    return frozenset(STRICT_FIELDS)
