"""Unit verification of an INS, and mass campaigns, against fakes."""

from __future__ import annotations

import pytest

from fakes import INS_A, INS_B, FakeUnitOfWork, actor_with_role, make_identity
from fakes_verification import FakeVerifier
from identito.domain.errors import InvalidTransition, PermissionDenied
from identito.domain.events import AuditAction
from identito.domain.identifiers import Ins, Oid
from identito.domain.insi import InsiOutcome
from identito.domain.permissions import Role
from identito.domain.status import IdentityStatus
from identito.services.teleservice import TeleserviceError, TeleserviceUnavailable
from identito.services.verification import KO_REASON, verify_ins
from identito.services.verification_campaigns import (
    CampaignPaused,
    RunOptions,
    create_campaign,
    due_campaigns,
    open_run,
    run_campaign,
)
from identito.services.verification_records import EntryKind, ItemState, VerificationResult

ADMISSION = actor_with_role(Role.ADMISSION)
NO_WAIT = RunOptions(poll_seconds=0, sleep=lambda _: None)


def _stored(uow: FakeUnitOfWork, status: IdentityStatus, ins: Ins = INS_A, **changes):
    identity = make_identity(status, ins=ins, **changes)
    uow.identities.committed[identity.id] = identity
    return identity


def test_an_ok_verification_is_traced_and_only_records_its_date(uow, rules):
    identity = _stored(uow, IdentityStatus.QUALIFIED)
    result = verify_ins(
        identity.id, uow=uow, actor=ADMISSION, rules=rules, teleservice=FakeVerifier()
    )
    assert result.result is VerificationResult.OK
    assert result.call.outcome is InsiOutcome.VERIFIED_OK and result.call.mode == "verify"
    stored = uow.stored(identity.id)
    assert stored.status is IdentityStatus.QUALIFIED and stored.ins == INS_A
    assert stored.version == identity.version
    assert uow.campaigns.last_verified(identity.id) == rules.now()
    assert sorted(uow.audit.actions(identity.id)) == ["insi.called", AuditAction.INSI_VERIFIED]
    assert [c.id for c in uow.insi_calls.committed()] == [result.call.id]


@pytest.mark.parametrize(
    ("status", "after"),
    [
        (IdentityStatus.QUALIFIED, IdentityStatus.VALIDATED),
        (IdentityStatus.RETRIEVED, IdentityStatus.PROVISIONAL),
    ],
)
def test_a_ko_invalidates_the_ins_and_alerts_the_vigilance_unit(uow, rules, status, after):
    identity = _stored(uow, status)
    verifier = FakeVerifier(ko={INS_A.number.number})
    result = verify_ins(identity.id, uow=uow, actor=ADMISSION, rules=rules, teleservice=verifier)
    assert result.result is VerificationResult.KO
    stored = uow.stored(identity.id)
    assert stored.status is after and stored.ins is None
    assert stored.ins_history[-1].reason == KO_REASON
    assert AuditAction.INS_INVALIDATED.value in uow.audit.actions(identity.id)
    entries = uow.vigilance.entries(EntryKind.VERIFICATION_KO)
    assert [e.identity_id for e in entries] == [identity.id]
    invalidated = [e for e in uow.audit.entries if e.action == AuditAction.INS_INVALIDATED.value]
    assert invalidated[0].details["propagate"] is True


def test_an_error_is_traced_and_changes_nothing(uow, rules):
    identity = _stored(uow, IdentityStatus.QUALIFIED)
    verifier = FakeVerifier(errors={INS_A.number.number})
    result = verify_ins(identity.id, uow=uow, actor=ADMISSION, rules=rules, teleservice=verifier)
    assert result.result is VerificationResult.ERROR
    assert result.call.outcome is InsiOutcome.ERROR and result.call.error_code == "unavailable"
    assert uow.stored(identity.id).status is IdentityStatus.QUALIFIED
    assert uow.campaigns.last_verified(identity.id) is None
    assert uow.vigilance.entries() == []


def test_verification_needs_a_matricule_and_the_insi_permission(uow, rules):
    identity = _stored(uow, IdentityStatus.VALIDATED)
    with pytest.raises(InvalidTransition):
        verify_ins(identity.id, uow=uow, actor=ADMISSION, rules=rules, teleservice=FakeVerifier())
    with pytest.raises(PermissionDenied):
        verify_ins(
            identity.id,
            uow=uow,
            actor=actor_with_role(Role.CARE),
            rules=rules,
            teleservice=FakeVerifier(),
        )


def test_a_user_verification_uses_the_manual_credential_and_an_automatic_one_the_auto(uow, rules):
    identity = _stored(uow, IdentityStatus.QUALIFIED)
    verifier = FakeVerifier()
    verify_ins(identity.id, uow=uow, actor=ADMISSION, rules=rules, teleservice=verifier)
    verify_ins(
        identity.id, uow=uow, actor=ADMISSION, rules=rules, teleservice=verifier, automatic=True
    )
    assert [c.automatic for c in verifier.contexts] == [False, True]


def test_a_verification_closes_the_open_nia_recheck_entry(uow, rules):
    from identito.services.vigilance import queue_nia_recheck

    nia = Ins.parse("299129912345662", Oid.NIA.value)
    identity = _stored(uow, IdentityStatus.RETRIEVED, ins=nia)
    with uow:
        queue_nia_recheck(uow.identities.get(identity.id), uow=uow, now=rules.now())
        uow.commit(ADMISSION, rules.now())
    assert len(uow.vigilance.entries(EntryKind.NIA_RECHECK)) == 1
    verify_ins(identity.id, uow=uow, actor=ADMISSION, rules=rules, teleservice=FakeVerifier())
    assert uow.vigilance.entries(EntryKind.NIA_RECHECK) == []


# -- campaigns ---------------------------------------------------------------------------


def _population(uow: FakeUnitOfWork, count: int) -> list:
    identities = []
    for n in range(count):
        number = f"1800375056{n:03d}"
        ins = Ins.parse(number + f"{97 - int(number) % 97:02d}", Oid.NIR.value)
        identities.append(_stored(uow, IdentityStatus.QUALIFIED, ins=ins))
    return identities


def _campaign(uow, rules, **options):
    values = {"name": "Tous", "perimeter": "query", "query": "with-ins", "batch_size": 3}
    return create_campaign(**{**values, **options}, uow=uow, actor=ADMISSION, rules=rules)


def test_a_campaign_verifies_each_identity_once_by_batches_and_handles_ko(uow, rules):
    identities = _population(uow, 7)
    ko = identities[4].ins.number.number
    verifier = FakeVerifier(ko={ko}, errors={identities[5].ins.number.number}, polls=1)
    campaign = _campaign(uow, rules)
    run, resumed = open_run(campaign.id, uow=uow, actor=ADMISSION, rules=rules)
    assert not resumed and run.total == 7
    progress = run_campaign(
        run.id, uow=uow, actor=ADMISSION, rules=rules, teleservice=verifier, options=NO_WAIT
    )
    assert progress.finished
    assert progress.results == {"OK": 5, "KO": 1, "error": 1, "skipped": 0}
    assert set(verifier.verified.values()) == {1} and len(verifier.verified) == 7
    assert uow.stored(identities[4].id).ins is None
    assert [e.identity_id for e in uow.vigilance.entries(EntryKind.VERIFICATION_KO)] == [
        identities[4].id
    ]
    assert uow.campaigns.last_verified(identities[0].id) == rules.now()


def test_a_deposited_batch_is_fetched_on_resume_never_deposited_again(uow, rules):
    _population(uow, 6)
    verifier = FakeVerifier(polls=100)
    campaign = _campaign(uow, rules)
    run, _ = open_run(campaign.id, uow=uow, actor=ADMISSION, rules=rules)
    steps = iter([True, True, False])  # deposit twice, then "killed"
    run_campaign(
        run.id,
        uow=uow,
        actor=ADMISSION,
        rules=rules,
        teleservice=verifier,
        options=NO_WAIT,
        keep_going=lambda: next(steps),
    )
    states = {i.state for i in uow.campaigns.items.values()}
    assert states == {ItemState.DEPOSITED}
    for batch_id in list(verifier.batches):
        verifier.batches[batch_id] = (verifier.batches[batch_id][0], 0)
    again, resumed = open_run(campaign.id, uow=uow, actor=ADMISSION, rules=rules)
    assert resumed and again.id == run.id
    progress = run_campaign(
        run.id, uow=uow, actor=ADMISSION, rules=rules, teleservice=verifier, options=NO_WAIT
    )
    assert progress.results["OK"] == 6 and set(verifier.verified.values()) == {1}


def test_an_unreachable_service_pauses_the_run_without_losing_items(uow, rules):
    _population(uow, 4)
    verifier = FakeVerifier(fail_submit=TeleserviceUnavailable("Service INSi injoignable."))
    run, _ = open_run(_campaign(uow, rules).id, uow=uow, actor=ADMISSION, rules=rules)
    with pytest.raises(CampaignPaused):
        run_campaign(
            run.id, uow=uow, actor=ADMISSION, rules=rules, teleservice=verifier, options=NO_WAIT
        )
    assert {i.state for i in uow.campaigns.items.values()} == {ItemState.PENDING}
    assert uow.insi_calls.committed()[-1].outcome is InsiOutcome.ERROR
    verifier.fail_submit = None
    progress = run_campaign(
        run.id, uow=uow, actor=ADMISSION, rules=rules, teleservice=verifier, options=NO_WAIT
    )
    assert progress.results["OK"] == 4


def test_without_batch_operations_the_campaign_falls_back_to_unit_calls_at_the_rate(uow, rules):
    identities = _population(uow, 3)
    verifier = FakeVerifier(supports_batch=False, ko={identities[1].ins.number.number})
    waits: list[float] = []
    run, _ = open_run(
        _campaign(uow, rules, unit_rate=5.0).id, uow=uow, actor=ADMISSION, rules=rules
    )
    progress = run_campaign(
        run.id,
        uow=uow,
        actor=ADMISSION,
        rules=rules,
        teleservice=verifier,
        options=RunOptions(sleep=waits.append),
    )
    assert progress.results["OK"] == 2 and progress.results["KO"] == 1
    assert len(waits) == 3 and all(0 < w <= 0.2 for w in waits)
    assert [c.mode for c in uow.insi_calls.committed()] == ["verify"] * 3


def test_a_unit_fault_on_one_item_is_an_error_and_the_campaign_goes_on(uow, rules):
    identities = _population(uow, 2)
    verifier = FakeVerifier(supports_batch=False)
    fault = identities[0].ins.number.number

    def verify(query, context):
        if query.ins_number == fault:
            raise TeleserviceError("Erreur INSi", code="desir_550")
        return FakeVerifier.verify(verifier, query, context)

    verifier.verify = verify  # type: ignore[method-assign]
    run, _ = open_run(_campaign(uow, rules).id, uow=uow, actor=ADMISSION, rules=rules)
    progress = run_campaign(
        run.id, uow=uow, actor=ADMISSION, rules=rules, teleservice=verifier, options=NO_WAIT
    )
    assert progress.results == {"OK": 1, "KO": 0, "error": 1, "skipped": 0}


def test_stale_and_nia_perimeters(uow, rules, clock):
    from datetime import timedelta

    old = _stored(uow, IdentityStatus.QUALIFIED)
    nia = _stored(uow, IdentityStatus.RETRIEVED, ins=Ins.parse("299129912345662", Oid.NIA.value))
    clock.advance(timedelta(days=6 * 365))
    recent = _stored(uow, IdentityStatus.QUALIFIED, ins=INS_B)
    recent.ins_retrieved_at = clock()
    stale = _campaign(uow, rules, perimeter="stale", query=None)
    run, _ = open_run(stale.id, uow=uow, actor=ADMISSION, rules=rules)
    ids = {i.identity_id for i in uow.campaigns.items.values() if i.run_id == run.id}
    assert ids == {old.id, nia.id}
    run, _ = open_run(
        _campaign(uow, rules, perimeter="nia", query=None).id, uow=uow, actor=ADMISSION, rules=rules
    )
    ids = {i.identity_id for i in uow.campaigns.items.values() if i.run_id == run.id}
    assert ids == {nia.id}


def test_a_finished_campaign_is_due_again_after_its_frequency(uow, rules, clock):
    from datetime import timedelta

    _population(uow, 1)
    campaign = _campaign(uow, rules, frequency_days=30)
    assert [c.id for c in due_campaigns(uow=uow, actor=ADMISSION, rules=rules)] == [campaign.id]
    run, _ = open_run(campaign.id, uow=uow, actor=ADMISSION, rules=rules)
    run_campaign(
        run.id, uow=uow, actor=ADMISSION, rules=rules, teleservice=FakeVerifier(), options=NO_WAIT
    )
    assert due_campaigns(uow=uow, actor=ADMISSION, rules=rules) == []
    clock.advance(timedelta(days=31))
    assert len(due_campaigns(uow=uow, actor=ADMISSION, rules=rules)) == 1


# -- scheduler and worklists ---------------------------------------------------------------


def test_the_scheduler_runs_due_campaigns_only_when_it_holds_the_lease(uow, rules):
    from datetime import timedelta

    from identito.services.scheduler import LEASE, scheduler_tick

    _population(uow, 3)
    _campaign(uow, rules)
    admin = actor_with_role(Role.ADMIN)
    uow.leases.acquire(LEASE, "other-process", rules.now(), rules.now() + timedelta(minutes=5))
    options = NO_WAIT
    kwargs = {"lease_seconds": 60, "uow": uow, "actor": admin, "rules": rules, "options": options}
    report = scheduler_tick(holder="me", teleservice=FakeVerifier(), **kwargs)
    assert not report.leased and report.runs == []
    uow.leases.release(LEASE, "other-process")
    verifier = FakeVerifier()
    report = scheduler_tick(holder="me", teleservice=verifier, **kwargs)
    assert report.leased and len(report.runs) == 1 and sum(verifier.verified.values()) == 3
    assert uow.leases.leases == {}  # given back


def test_an_nia_touched_by_an_update_is_verified_by_the_scheduler(uow, rules):
    from identito.services.identities import update_identity
    from identito.services.scheduler import scheduler_tick

    nia = Ins.parse("299129912345662", Oid.NIA.value)
    identity = _stored(uow, IdentityStatus.RETRIEVED, ins=nia)
    vigilance = actor_with_role(Role.IDENTITY_VIGILANCE)
    update_identity(
        identity.id, identity.version, {"used_name": "MARTIN"}, uow=uow, actor=vigilance,
        rules=rules,
    )  # fmt: skip
    assert len(uow.vigilance.entries(EntryKind.NIA_RECHECK)) == 1
    verifier = FakeVerifier()
    report = scheduler_tick(
        holder="me", lease_seconds=60, uow=uow, actor=actor_with_role(Role.ADMIN), rules=rules,
        teleservice=verifier,
    )  # fmt: skip
    assert report.nia_checked == 1 and verifier.verified[nia.number.number] == 1
    assert uow.vigilance.entries(EntryKind.NIA_RECHECK) == []


def test_a_worklist_entry_is_resolved_once_with_an_allowed_decision(uow, rules):
    from identito.services.vigilance import resolve_entry

    identity = _stored(uow, IdentityStatus.QUALIFIED)
    verify_ins(
        identity.id,
        uow=uow,
        actor=ADMISSION,
        rules=rules,
        teleservice=FakeVerifier(ko={INS_A.number.number}),
    )
    entry = uow.vigilance.entries(EntryKind.VERIFICATION_KO)[0]
    vigilance = actor_with_role(Role.IDENTITY_VIGILANCE)
    with pytest.raises(PermissionDenied):
        resolve_entry(entry.id, "corrected", uow=uow, actor=ADMISSION, rules=rules)
    from identito.domain.errors import InvalidInput

    with pytest.raises(InvalidInput):
        resolve_entry(entry.id, "reject", uow=uow, actor=vigilance, rules=rules)
    resolved = resolve_entry(
        entry.id, "corrected", comment="ok", uow=uow, actor=vigilance, rules=rules
    )
    assert resolved.resolved_by == vigilance.username
    assert "vigilance.entry_resolved" in uow.audit.actions(identity.id)
    with pytest.raises(InvalidTransition):
        resolve_entry(entry.id, "no_action", uow=uow, actor=vigilance, rules=rules)
