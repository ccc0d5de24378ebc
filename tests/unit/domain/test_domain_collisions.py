"""Collisions on the aggregate (COLP / COLV) and the diffusion rule that withholds the INS."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fakes import NOW, make_identity
from identito.domain.diffusion import WithheldReason, diffusion_view
from identito.domain.errors import InvalidTransition
from identito.domain.events import AuditAction
from identito.domain.status import CollisionLevel, IdentityStatus

LATER = NOW + timedelta(hours=1)


def test_a_potential_collision_is_recorded_audited_and_propagated_for_an_identity_with_ins():
    identity = make_identity(IdentityStatus.QUALIFIED)

    changed = identity.declare_collision(CollisionLevel.POTENTIAL, now=LATER, note="deux patients")

    assert changed and identity.collision is CollisionLevel.POTENTIAL
    [event] = identity.pop_events()
    assert event.action is AuditAction.COLLISION_DECLARED
    assert event.reason == "deux patients" and event.propagate
    assert "collision" not in event.before and event.after["collision"] == "COLP"
    assert identity.status is IdentityStatus.QUALIFIED  # the status itself is unchanged


def test_a_potential_collision_may_be_confirmed_but_not_the_reverse():
    identity = make_identity()
    identity.declare_collision(CollisionLevel.POTENTIAL, now=NOW)

    identity.declare_collision(CollisionLevel.CONFIRMED, now=LATER)

    assert identity.collision is CollisionLevel.CONFIRMED
    with pytest.raises(InvalidTransition, match="déjà avérée"):
        identity.declare_collision(CollisionLevel.POTENTIAL, now=LATER)


def test_declaring_the_same_collision_again_changes_nothing():
    identity = make_identity()
    identity.declare_collision(CollisionLevel.CONFIRMED, now=NOW)
    identity.pop_events()

    assert identity.declare_collision(CollisionLevel.CONFIRMED, now=LATER) is False
    assert identity.events == []


def test_resolving_a_collision_clears_it_and_resolving_none_is_refused():
    identity = make_identity(IdentityStatus.QUALIFIED)
    identity.declare_collision(CollisionLevel.CONFIRMED, now=NOW)
    identity.pop_events()

    identity.resolve_collision(now=LATER, note="dossiers séparés")

    assert identity.collision is None
    [event] = identity.pop_events()
    assert event.action is AuditAction.COLLISION_RESOLVED and event.details["collision"] == "COLV"
    with pytest.raises(InvalidTransition, match="pas de collision") as raised:
        identity.resolve_collision(now=LATER)
    assert raised.value.rule == "no_collision"


def test_the_snapshot_names_the_collision_only_while_there_is_one():
    identity = make_identity()
    plain = identity.snapshot()

    identity.declare_collision(CollisionLevel.POTENTIAL, now=NOW)

    assert "collision" not in plain
    assert identity.snapshot() == {**plain, "collision": "COLP"}


@pytest.mark.parametrize("level", list(CollisionLevel))
def test_a_qualified_identity_with_a_collision_no_longer_diffuses_its_matricule(level):
    identity = make_identity(IdentityStatus.QUALIFIED)
    assert diffusion_view(identity, may_read_ins=True).ins is not None

    identity.declare_collision(level, now=LATER)
    view = diffusion_view(identity, may_read_ins=True)

    assert view.ins is None and view.withheld is WithheldReason.COLLISION


def test_a_resolved_collision_lets_the_matricule_go_again():
    identity = make_identity(IdentityStatus.QUALIFIED)
    identity.declare_collision(CollisionLevel.CONFIRMED, now=NOW)

    identity.resolve_collision(now=LATER)

    assert diffusion_view(identity, may_read_ins=True).ins == identity.ins


def test_collision_levels_carry_their_codes_and_french_labels():
    assert [(c.value, c.label) for c in CollisionLevel] == [
        ("COLP", "Collision potentielle"),
        ("COLV", "Collision avérée"),
    ]
