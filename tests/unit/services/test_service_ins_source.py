"""Use cases of issue 11: a typed matricule is queued for verification and confirmed
only by INSi (R-ST-07); sex I never goes to INSi (R-TR-14)."""

from __future__ import annotations

import pytest

from fakes import (
    INS_A,
    INS_B,
    NOW,
    FakeTeleservice,
    FakeUnitOfWork,
    actor_with_role,
    insi_person,
    make_identity,
    other_ins,
)
from fakes_verification import FakeVerifier
from identito.domain.errors import InvalidInput
from identito.domain.identity import Identity
from identito.domain.ins_source import InsSource
from identito.domain.insi import CollectionMethod
from identito.domain.permissions import Role
from identito.domain.status import IdentityStatus
from identito.services import identities as uc
from identito.services import insi as insi_uc
from identito.services.auth import SYSTEM
from identito.services.rules import Rules
from identito.services.verification import verify_ins
from identito.services.verification_campaigns import (
    RunOptions,
    create_campaign,
    open_run,
    run_campaign,
)
from identito.services.verification_records import EntryKind, VerificationResult
from identito.services.vigilance import process_nia_rechecks

VIGILANCE = actor_with_role(Role.IDENTITY_VIGILANCE)
ADMIN = actor_with_role(Role.ADMIN)
NO_WAIT = RunOptions(poll_seconds=0, sleep=lambda _: None)
TYPED = {"number": INS_B.number.number, "oid": INS_B.oid.value}


def _stored(uow: FakeUnitOfWork, status: IdentityStatus, **changes: object) -> Identity:
    identity = make_identity(status, **changes)
    with uow:
        uow.identities.add(identity)
        uow.commit(SYSTEM, NOW)
    uow.audit.entries.clear()
    return identity


def _type_matricule(uow: FakeUnitOfWork, rules: Rules, identity: Identity) -> Identity:
    return uc.update_identity(
        identity.id, identity.version, {"ins": TYPED}, uow=uow, actor=VIGILANCE, rules=rules
    )


def test_a_matricule_typed_onto_a_qualified_identity_validates_it_and_queues_a_verification(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity = _stored(uow, IdentityStatus.QUALIFIED)
    _type_matricule(uow, rules, identity)
    stored = uow.stored(identity.id)
    assert (stored.status, stored.ins, stored.ins_source) == (
        IdentityStatus.VALIDATED,
        INS_B,
        InsSource.TYPED,
    )
    assert stored.ins_collection_method is CollectionMethod.MANUAL
    [entry] = uow.vigilance.entries(EntryKind.INS_TO_VERIFY)
    assert entry.identity_id == identity.id


def test_the_background_verification_ok_qualifies_the_typed_matricule_and_closes_the_entry(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity = _stored(uow, IdentityStatus.QUALIFIED)
    _type_matricule(uow, rules, identity)
    done = process_nia_rechecks(uow=uow, actor=ADMIN, rules=rules, teleservice=FakeVerifier())
    stored = uow.stored(identity.id)
    assert done == 1
    assert (stored.status, stored.ins, stored.ins_source) == (
        IdentityStatus.QUALIFIED,
        INS_B,
        InsSource.INSI,
    )
    assert stored.ins_collection_method is CollectionMethod.INSI
    assert stored.ins_retrieved_at == uow.insi_calls.committed()[-1].at
    assert uow.vigilance.entries(EntryKind.INS_TO_VERIFY) == []


def test_a_verification_ko_removes_the_typed_matricule(uow: FakeUnitOfWork, rules: Rules) -> None:
    identity = _stored(uow, IdentityStatus.QUALIFIED)
    _type_matricule(uow, rules, identity)
    verifier = FakeVerifier(ko={INS_B.number.number})
    verify_ins(identity.id, uow=uow, actor=ADMIN, rules=rules, teleservice=verifier)
    stored = uow.stored(identity.id)
    assert (stored.status, stored.ins, stored.ins_source) == (IdentityStatus.VALIDATED, None, None)
    assert [entry.ins for entry in stored.ins_history] == [INS_A, INS_B]


def test_a_verification_of_an_identity_of_sex_i_is_refused_before_any_call(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity = _stored(uow, IdentityStatus.PROVISIONAL, sex="I")
    identity = uc.update_identity(
        identity.id, identity.version, {"ins": TYPED}, uow=uow, actor=VIGILANCE, rules=rules
    )
    verifier = FakeVerifier()
    with pytest.raises(InvalidInput) as raised:
        verify_ins(identity.id, uow=uow, actor=ADMIN, rules=rules, teleservice=verifier)
    assert [(e.field, e.rule) for e in raised.value.errors] == [("sex", "insi_sex_m_or_f")]
    assert not verifier.verified and uow.insi_calls.committed() == []


def test_a_recovery_by_traits_of_an_identity_of_sex_i_is_refused_before_any_call(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity = _stored(uow, IdentityStatus.PROVISIONAL, sex="I")
    teleservice = FakeTeleservice()
    with pytest.raises(InvalidInput) as raised:
        insi_uc.recover_ins(
            identity.id,
            mode="traits",
            uow=uow,
            actor=VIGILANCE,
            rules=rules,
            teleservice=teleservice,
        )
    assert "R-TR-14" in raised.value.errors[0].message
    assert teleservice.queries == [] and uow.insi_calls.committed() == []


def test_a_creation_from_insi_with_sex_i_is_refused_before_any_call(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    from fakes import identity_input

    teleservice = FakeTeleservice()
    with pytest.raises(InvalidInput):
        insi_uc.create_identity_from_insi(
            mode="traits",
            traits=identity_input(sex="I"),
            uow=uow,
            actor=ADMIN,
            rules=rules,
            teleservice=teleservice,
        )
    assert teleservice.queries == []


@pytest.mark.parametrize("use_batch", [True, False])
def test_a_campaign_skips_an_identity_of_sex_i_with_the_reason_and_confirms_a_typed_one(
    uow: FakeUnitOfWork, rules: Rules, use_batch: bool
) -> None:
    ok = _stored(uow, IdentityStatus.QUALIFIED)
    typed = _stored(uow, IdentityStatus.VALIDATED, birth_name="MARTIN")
    typed = _type_matricule(uow, rules, typed)
    sex_i = _stored(uow, IdentityStatus.PROVISIONAL, sex="I", birth_name="DURAND")
    uc.update_identity(
        sex_i.id,
        sex_i.version,
        {"ins": {"number": other_ins(7).number.number, "oid": other_ins(7).oid.value}},
        uow=uow,
        actor=VIGILANCE,
        rules=rules,
    )  # a matricule of its own: ``ok`` holds INS_A (R-DU-03)
    values = {"name": "Tous", "perimeter": "query", "query": "with-ins", "use_batch": use_batch}
    campaign = create_campaign(**values, uow=uow, actor=ADMIN, rules=rules)
    run, _ = open_run(campaign.id, uow=uow, actor=ADMIN, rules=rules)
    verifier = FakeVerifier()
    progress = run_campaign(
        run.id, uow=uow, actor=ADMIN, rules=rules, teleservice=verifier, options=NO_WAIT
    )
    assert progress.results == {"OK": 2, "KO": 0, "error": 0, "skipped": 1}
    [skipped] = [i for i in uow.campaigns.items.values() if i.identity_id == sex_i.id]
    assert skipped.result is VerificationResult.SKIPPED and "R-TR-14" in (skipped.message or "")
    assert uow.stored(typed.id).status is IdentityStatus.QUALIFIED
    assert uow.stored(ok.id).status is IdentityStatus.QUALIFIED


def test_an_insi_recovery_confirming_the_typed_matricule_closes_its_entry_in_the_same_commit(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity = _stored(uow, IdentityStatus.VALIDATED, birth_name="DUPONT")
    _type_matricule(uow, rules, identity)
    teleservice = FakeTeleservice([insi_person(ins_number=INS_B.number.number)])
    commits = uow.commits
    insi_uc.recover_ins(
        identity.id, mode="traits", uow=uow, actor=VIGILANCE, rules=rules, teleservice=teleservice
    )
    stored = uow.stored(identity.id)
    assert (stored.status, stored.ins, stored.ins_source) == (
        IdentityStatus.QUALIFIED,
        INS_B,
        InsSource.INSI,
    )
    assert uow.vigilance.entries(EntryKind.INS_TO_VERIFY) == []
    [closed] = uow.vigilance.entries(EntryKind.INS_TO_VERIFY, open_only=False)
    assert closed.resolved_by == VIGILANCE.username and "INSi" in (closed.comment or "")
    assert uow.commits == commits + 1  # the recovery and the closing: one transaction
