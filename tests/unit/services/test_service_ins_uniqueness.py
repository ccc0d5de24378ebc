"""R-DU-03 on every path that sets a matricule, with the fakes (which enforce the rule
as the SQL repository does): refused, nothing applied, the pair (the identity that
asked + the holder) in the duplicate worklist with the trace of the refused attempt."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from fakes import (
    INS_A,
    INS_B,
    NOW,
    FakeTeleservice,
    FakeUnitOfWork,
    actor_with_role,
    fake_rules,
    identity_input,
    in_collision,
    insi_person,
    make_identity,
)
from identito.domain import merges
from identito.domain.duplicate_reviews import ReviewStatus, Source
from identito.domain.events import AuditAction
from identito.domain.identity import Identity
from identito.domain.ins_uniqueness import InsAlreadyHeld
from identito.domain.permissions import Role
from identito.domain.status import CollisionLevel, IdentityStatus
from identito.services import insi as uc
from identito.services.auth import SYSTEM
from identito.services.collisions import resolve_collision
from identito.services.identities import update_identity
from identito.services.imports import import_identities
from identito.services.ins_refusals import refuse_held_ins
from identito.services.insi_records import Decision
from identito.services.merges import unmerge
from identito.services.reception import (
    ReceivedIdentity,
    Reception,
    Sender,
    TransmittedIns,
    receive_identity,
)
from identito.services.rules import Rules
from identito.services.verification_records import ReceptionOutcome

ADMISSION = actor_with_role(Role.ADMISSION)
VIGILANCE = actor_with_role(Role.IDENTITY_VIGILANCE)
ADMIN = actor_with_role(Role.ADMIN)
HELD = "ins_already_held"


@pytest.fixture
def rules() -> Rules:
    return fake_rules(allow_test_oids=True)


def store(uow: FakeUnitOfWork, *identities: Identity) -> None:
    with uow:
        for identity in identities:
            uow.identities.add(identity)
        uow.commit(SYSTEM, NOW)
    uow.audit.entries.clear()


def holder_of_ins_a() -> Identity:
    return make_identity(IdentityStatus.QUALIFIED, ins=INS_A, birth_name="MARTIN")


def assert_pair_listed(uow: FakeUnitOfWork, asking: UUID, holder: UUID) -> None:
    [review] = uow.duplicate_reviews.committed.values()
    assert {review.first_id, review.second_id} == {asking, holder}
    assert review.blocking and review.score == 1.0
    assert review.status is ReviewStatus.PENDING and review.source is Source.INS_HELD


def test_the_fake_repository_refuses_a_second_active_holder_as_the_sql_one_does() -> None:
    uow = FakeUnitOfWork()
    holder = holder_of_ins_a()
    store(uow, holder)
    with uow, pytest.raises(InsAlreadyHeld) as raised:
        uow.identities.add(make_identity(IdentityStatus.RETRIEVED, ins=INS_A))
    assert raised.value.holders == (holder.id,)


def test_a_manual_change_to_a_held_matricule_is_refused_and_the_pair_listed_with_an_audit_row(
    rules: Rules,
) -> None:
    uow = FakeUnitOfWork()
    holder, asking = holder_of_ins_a(), make_identity(IdentityStatus.RETRIEVED, ins=INS_B)
    store(uow, holder, asking)
    change = {"ins": {"number": INS_A.number.number, "oid": INS_A.oid.value}}
    with pytest.raises(InsAlreadyHeld) as raised:
        update_identity(asking.id, asking.version, change, uow=uow, actor=VIGILANCE, rules=rules)
    assert raised.value.rule == HELD and raised.value.holders == (holder.id,)
    assert uow.stored(asking.id).ins == INS_B
    assert_pair_listed(uow, asking.id, holder.id)
    [audit] = [e for e in uow.audit.entries if e.action == AuditAction.INS_ALREADY_HELD.value]
    assert audit.identity_id == asking.id and audit.details["holders"] == [str(holder.id)]


def test_an_automatic_insi_recovery_of_a_held_matricule_integrates_nothing_and_traces_refused(
    rules: Rules,
) -> None:
    uow = FakeUnitOfWork()
    holder, asking = holder_of_ins_a(), make_identity()
    store(uow, holder, asking)
    with pytest.raises(InsAlreadyHeld) as raised:
        uc.recover_ins(asking.id, mode="traits", uow=uow, actor=ADMISSION, rules=rules,
                       teleservice=FakeTeleservice([insi_person()]))  # fmt: skip
    assert raised.value.holders == (holder.id,)
    stored = uow.stored(asking.id)
    assert stored.status is IdentityStatus.PROVISIONAL and stored.ins is None
    [call] = uow.insi_calls.for_identity(asking.id)
    assert call.decision is Decision.REFUSED and not call.applied
    assert "déjà porté" in (call.message or "")
    assert_pair_listed(uow, asking.id, holder.id)


def test_accepting_a_pending_insi_answer_of_a_held_matricule_is_refused(rules: Rules) -> None:
    uow = FakeUnitOfWork()
    holder, asking = holder_of_ins_a(), make_identity(birth_place_code="75056")
    store(uow, holder, asking)
    pending = uc.recover_ins(asking.id, mode="traits", uow=uow, actor=ADMISSION, rules=rules,
                             teleservice=FakeTeleservice([insi_person()])).call  # fmt: skip
    assert pending.decision is Decision.PENDING
    with pytest.raises(InsAlreadyHeld):
        uc.accept_insi_call(asking.id, pending.id, uow=uow, actor=ADMISSION, rules=rules)
    assert uow.stored(asking.id).ins is None
    with uow:
        assert uow.insi_calls.get(pending.id).decision is Decision.REFUSED
    assert_pair_listed(uow, asking.id, holder.id)
    assert AuditAction.INS_ALREADY_HELD.value in uow.audit.actions(asking.id)


def test_a_creation_from_insi_of_a_held_matricule_creates_nothing_under_the_same_rule(
    rules: Rules,
) -> None:
    uow = FakeUnitOfWork()
    holder = holder_of_ins_a()
    store(uow, holder)
    result = uc.create_identity_from_insi(
        mode="traits", traits=identity_input(), uow=uow, actor=ADMIN, rules=rules,
        teleservice=FakeTeleservice([insi_person()]),
    )  # fmt: skip
    assert result.identity is None and not result.applied
    assert result.call.decision is Decision.REFUSED and "R-DU-03" in (result.call.message or "")
    assert list(uow.identities.committed) == [holder.id]
    assert uow.duplicate_reviews.committed == {}  # nothing was created: no pair


def _receive(uow: FakeUnitOfWork, rules: Rules, event: str, ins: Any, status: str) -> Any:
    transmitted = TransmittedIns(ins.number.number, ins.oid.value) if ins else None
    identity = ReceivedIdentity(traits=identity_input(), ins=transmitted, sender_status=status,
                                local_id="IPP9")  # fmt: skip
    reception = Reception("hl7v2", "MSH|...", Sender("OWNAPP", "CHU-X"), event, "1", identity)
    return receive_identity(reception, own_domain=["OWNAPP^*"], uow=uow, actor=ADMIN,
                            rules=rules, teleservice=None)  # fmt: skip


def test_an_own_domain_update_carrying_a_held_matricule_is_refused_and_stored_rejected(
    rules: Rules,
) -> None:
    uow = FakeUnitOfWork()
    holder = holder_of_ins_a()
    store(uow, holder)
    created = _receive(uow, rules, "A28", None, "PROV")
    with pytest.raises(InsAlreadyHeld):
        _receive(uow, rules, "A31", INS_A, "VALI")
    assert uow.stored(created.identity_id).ins is None
    refused = [m for m in uow.receptions.messages.values() if m.event == "A31"]
    assert [m.outcome for m in refused] == [ReceptionOutcome.REJECTED]
    assert INS_A.number.number not in refused[0].content  # redacted: not integrated
    assert_pair_listed(uow, created.identity_id, holder.id)


def test_an_unmerge_restoring_a_matricule_the_survivor_holds_is_refused(rules: Rules) -> None:
    """A merge of two holders of one matricule made before the rule (legacy data): the
    merged identity is inactive, so only the survivor holds it; undoing the merge would
    make two active holders."""
    uow = FakeUnitOfWork()
    survivor = make_identity(IdentityStatus.RETRIEVED, ins=INS_A)
    merged = make_identity(IdentityStatus.RETRIEVED, ins=INS_A, birth_name="MARTIN")
    record = merges.merge(survivor, merged, actor="vigilance", now=NOW)
    store(uow, survivor, merged)
    with uow:
        uow.merges.add(record)
        uow.commit(SYSTEM, NOW)
    with pytest.raises(InsAlreadyHeld) as raised:
        unmerge(record.id, uow=uow, actor=VIGILANCE, rules=rules)
    assert raised.value.holders == (survivor.id,)
    assert not uow.stored(merged.id).active
    assert_pair_listed(uow, merged.id, survivor.id)
    assert AuditAction.INS_ALREADY_HELD.value in uow.audit.actions(merged.id)


def test_resolving_a_collision_while_another_identity_holds_the_matricule_is_refused(
    rules: Rules,
) -> None:
    uow = FakeUnitOfWork()
    first = in_collision(make_identity(IdentityStatus.RETRIEVED, ins=INS_A))
    second = in_collision(make_identity(IdentityStatus.RETRIEVED, ins=INS_A, birth_name="MARTIN"))
    store(uow, first, second)
    with pytest.raises(InsAlreadyHeld):
        resolve_collision(first.id, uow=uow, actor=VIGILANCE, rules=rules)
    assert uow.stored(first.id).collision is CollisionLevel.POTENTIAL
    assert_pair_listed(uow, first.id, second.id)


def test_a_bulk_import_never_sets_a_matricule_even_from_a_column_named_like_one(
    rules: Rules,
) -> None:
    """Imported identities are created from their traits only (PROV): the import is not a
    path that sets a matricule, so it cannot give a held one (the repository would refuse
    it anyway)."""
    uow = FakeUnitOfWork()
    store(uow, holder_of_ins_a())
    row = {**identity_input(birth_name="IMPORTE"), "ins_number": INS_A.number.number,
           "ins": {"number": INS_A.number.number, "oid": INS_A.oid.value}}  # fmt: skip
    report = import_identities([(2, row)], uow_factory=lambda: uow, actor=ADMIN, rules=rules)
    imported = [i for i in uow.identities.committed.values() if i.traits.birth_name == "IMPORTE"]
    assert report.imported == 1 and [i.ins for i in imported] == [None]


def test_a_refusal_from_the_database_index_looks_the_holders_up_after_the_rollback() -> None:
    """The index refused a concurrent write: the error names no holder; the refusal finds
    them in its own transaction, lists the pair and names them to the user."""
    uow = FakeUnitOfWork()
    holder, asking = holder_of_ins_a(), make_identity()
    store(uow, holder, asking)
    with uow:
        refused = refuse_held_ins(InsAlreadyHeld(asking.id, INS_A), uow=uow, actor=ADMIN, now=NOW)
    assert refused.holders == (holder.id,) and str(holder.id) in refused.message
    assert_pair_listed(uow, asking.id, holder.id)
