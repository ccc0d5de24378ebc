"""Collisions on the fakes: declared, listed, resolved; the matricule leaves in no format."""

from __future__ import annotations

import pytest

from diffusion_cases import CASES
from fakes import FakeUnitOfWork, actor_with_role, fake_rules, make_identity
from identito.domain.diffusion import ExportFormat, NotDiffusable
from identito.domain.errors import InvalidTransition, PermissionDenied
from identito.domain.events import AuditAction
from identito.domain.permissions import Role
from identito.domain.status import CollisionLevel
from identito.messages.exports import RENDERERS
from identito.services import diffusion
from identito.services.collisions import declare_collision, list_collisions, resolve_collision
from identito.services.merges import merge_identities

VIGILANCE = actor_with_role(Role.IDENTITY_VIGILANCE)
ADMIN = actor_with_role(Role.ADMIN)
MATRICULE = b"279035121518989"
#: Formats whose bytes show the matricule as text when it is diffused.
TEXT_FORMATS = (ExportFormat.FHIR, ExportFormat.HL7V2, ExportFormat.CDA, ExportFormat.DICOM,
                ExportFormat.LABEL_HTML)  # fmt: skip


def _stored(*identities) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    for identity in identities:
        uow.identities.committed[identity.id] = identity
    return uow


@pytest.mark.parametrize("role", [Role.ADMISSION, Role.CARE, Role.STATISTICS])
def test_only_identity_vigilance_and_admin_declare_resolve_or_list_collisions(role):
    identity = make_identity()
    uow, rules, actor = _stored(identity), fake_rules(), actor_with_role(role)

    with pytest.raises(PermissionDenied):
        declare_collision(identity.id, uow=uow, actor=actor, rules=rules)
    with pytest.raises(PermissionDenied):
        resolve_collision(identity.id, uow=uow, actor=actor, rules=rules)
    with pytest.raises(PermissionDenied):
        list_collisions(uow=uow, actor=actor, rules=rules)


def test_a_declared_collision_is_escalated_to_the_collisions_worklist_until_resolved():
    one, other = make_identity(), make_identity(birth_name="MARTIN")
    uow, rules = _stored(one, other), fake_rules()

    declare_collision(one.id, note="deux patients", uow=uow, actor=VIGILANCE, rules=rules)
    declare_collision(one.id, confirmed=True, uow=uow, actor=VIGILANCE, rules=rules)
    listed = list_collisions(uow=uow, actor=VIGILANCE, rules=rules)

    assert [i.id for i in listed.items] == [one.id] and listed.total == 1
    assert listed.items[0].collision is CollisionLevel.CONFIRMED
    assert uow.audit.actions(one.id) == [AuditAction.COLLISION_DECLARED.value] * 2

    resolve_collision(one.id, note="séparés", uow=uow, actor=VIGILANCE, rules=rules)

    assert list_collisions(uow=uow, actor=VIGILANCE, rules=rules).total == 0
    assert uow.audit.entries[-1].reason == "séparés"


def test_resolving_an_identity_without_collision_is_a_conflict():
    identity = make_identity()

    with pytest.raises(InvalidTransition, match="pas de collision"):
        resolve_collision(identity.id, uow=_stored(identity), actor=ADMIN, rules=fake_rules())


def test_a_merged_identity_leaves_the_collisions_worklist():
    survivor, merged = make_identity(), make_identity()
    uow, rules = _stored(survivor, merged), fake_rules()
    declare_collision(merged.id, uow=uow, actor=VIGILANCE, rules=rules)

    merge_identities(survivor.id, merged.id, uow=uow, actor=VIGILANCE, rules=rules)

    assert list_collisions(uow=uow, actor=VIGILANCE, rules=rules).items == []


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_no_export_format_carries_the_matricule_of_an_identity_with_a_collision(fmt):
    identity = CASES["qual"]()
    uow, rules = _stored(identity), fake_rules()
    before = diffusion.export_identity(identity.id, fmt, uow=uow, actor=ADMIN, rules=rules,
                                       renderers=RENDERERS)  # fmt: skip
    declare_collision(identity.id, uow=uow, actor=VIGILANCE, rules=rules)

    try:
        after = diffusion.export_identity(identity.id, fmt, uow=uow, actor=ADMIN, rules=rules,
                                          renderers=RENDERERS)  # fmt: skip
    except NotDiffusable:  # DataMatrix: only for a diffusable INS
        assert fmt in (ExportFormat.DATAMATRIX_PNG, ExportFormat.DATAMATRIX_SVG)
        return
    traced = [e for e in uow.audit.entries if e.action == AuditAction.IDENTITY_DIFFUSED.value]
    assert before.view.ins is not None and after.view.ins is None
    assert (traced[-1].details["ins"], traced[-1].details["withheld"]) == (None, "collision")
    if fmt in TEXT_FORMATS:
        assert MATRICULE in before.content and MATRICULE not in after.content


def test_a_collision_propagates_the_withdrawal_of_a_diffused_matricule():
    identity = CASES["qual"]()
    uow, rules = _stored(identity), fake_rules()

    declare_collision(identity.id, confirmed=True, uow=uow, actor=VIGILANCE, rules=rules)

    [row] = uow.outbox.unsent()
    assert row["action"] == AuditAction.COLLISION_DECLARED.value
    assert row["payload"]["after"]["collision"] == "COLV"
