"""Verification storage on SQLite and PostgreSQL: campaign items move through their
states, results are applied with the identities, leases admit one holder."""

from __future__ import annotations

from datetime import timedelta

import pytest

from identito.adapters.insi.simulator.engine import SimulatorEngine
from identito.adapters.insi.simulator.teleservice import SimulatedTeleservice, reference_base
from identito.config import Settings
from identito.domain.identifiers import Ins, Oid
from identito.domain.status import CollisionLevel, IdentityStatus
from identito.services.verification import verify_ins
from identito.services.verification_campaigns import (
    RunOptions,
    campaign_report,
    create_campaign,
    open_run,
    run_campaign,
)
from identito.services.verification_records import EntryKind
from identito.services.vigilance import list_entries, resolve_entry

pytestmark = pytest.mark.postgres
CORSE = {  # a CNDA test person of the simulator (NIR 180032B02040123)
    "birth_name": "CORSE",
    "first_birth_first_name": "ANTHONY",
    "birth_first_names": "ANTHONY",
    "birth_date": "1980-03-02",
    "sex": "M",
    "birth_place_code": "2B020",
}


@pytest.fixture(scope="module")
def teleservice() -> SimulatedTeleservice:
    return SimulatedTeleservice(SimulatorEngine(reference_base(50)), Settings())


def _stored(
    uow_factory, make_identity, admin, rules, *, number="180032B02040123", collision=False,
    **traits,
):  # fmt: skip
    """``collision``: a further holder of the matricule, which only an identity in
    collision may be (R-DU-03)."""
    identity = make_identity(**{**CORSE, **traits})
    identity.record_ins_retrieval(Ins.parse(number, Oid.NIR.value), now=rules.now())
    if collision:
        identity.declare_collision(CollisionLevel.POTENTIAL, now=rules.now())
    uow = uow_factory()
    with uow:
        uow.identities.add(identity)
        uow.commit(admin, rules.now())
    return identity


def test_a_unit_verification_ok_then_ko_on_the_database(
    uow_factory, make_identity, admin, rules, teleservice
):
    good = _stored(uow_factory, make_identity, admin, rules)
    outcome = verify_ins(
        good.id, uow=uow_factory(), actor=admin, rules=rules, teleservice=teleservice
    )
    assert outcome.result.value == "OK"
    uow = uow_factory()
    with uow:
        assert uow.campaigns.last_verified(good.id) is not None
        assert uow.insi_calls.for_identity(good.id)[0].mode == "verify"
    bad = _stored(uow_factory, make_identity, admin, rules, first_birth_first_name="PAUL",
                  birth_first_names="PAUL", number="180032B02040123", collision=True)  # fmt: skip
    outcome = verify_ins(
        bad.id, uow=uow_factory(), actor=admin, rules=rules, teleservice=teleservice
    )
    assert outcome.result.value == "KO"
    with uow:
        assert uow.identities.get(bad.id).status is IdentityStatus.PROVISIONAL
    entries = list_entries("verification_ko", uow=uow_factory(), actor=admin, rules=rules)
    assert [e.identity_id for e in entries] == [bad.id]
    resolved = resolve_entry(
        entries[0].id, "corrected", comment="Vu", uow=uow_factory(), actor=admin, rules=rules
    )
    assert resolved.decision is not None
    assert list_entries("verification_ko", uow=uow_factory(), actor=admin, rules=rules) == []


def test_a_campaign_runs_in_batches_and_reports(
    uow_factory, make_identity, admin, rules, teleservice
):
    _stored(uow_factory, make_identity, admin, rules)
    _stored(uow_factory, make_identity, admin, rules, birth_name="PANNE", collision=True)  # error
    _stored(uow_factory, make_identity, admin, rules, birth_name="AUTRE", collision=True)  # KO
    campaign = create_campaign(
        name="Test", perimeter="query", query="with-ins", batch_size=2,
        uow=uow_factory(), actor=admin, rules=rules,
    )  # fmt: skip
    run, _ = open_run(campaign.id, uow=uow_factory(), actor=admin, rules=rules)
    progress = run_campaign(
        run.id, uow=uow_factory(), actor=admin, rules=rules, teleservice=teleservice,
        options=RunOptions(poll_seconds=0, sleep=lambda _: None),
    )  # fmt: skip
    assert progress.finished and progress.done == 3
    assert progress.results["OK"] == 1
    assert progress.results["KO"] + progress.results["error"] == 2
    report = campaign_report(run.id, uow=uow_factory(), actor=admin, rules=rules)
    assert "AUTRE" in report and report.startswith("\ufeffcampagne;Test")


def test_a_lease_has_one_holder_until_it_expires(uow_factory, admin, rules):
    now = rules.now()
    uow = uow_factory()
    with uow:
        assert uow.leases.acquire("verification", "a", now, now + timedelta(minutes=5))
        uow.commit(admin, now)
    other = uow_factory()
    with other:
        assert not other.leases.acquire("verification", "b", now, now + timedelta(minutes=5))
        assert other.leases.acquire(
            "verification", "b", now + timedelta(minutes=6), now + timedelta(minutes=10)
        )
        other.commit(admin, now)
    with uow:
        assert uow.leases.acquire("verification", "b", now, now + timedelta(minutes=20))
        assert not uow.leases.acquire("verification", "a", now, now + timedelta(minutes=5))


def test_nia_recheck_entries_are_queued_once(uow_factory, make_identity, admin, rules):
    from identito.services.vigilance import queue_nia_recheck

    identity = make_identity(**CORSE)
    identity.record_ins_retrieval(Ins.parse("299129912345662", Oid.NIA.value), now=rules.now())
    uow = uow_factory()
    with uow:
        uow.identities.add(identity)
        assert queue_nia_recheck(identity, uow=uow, now=rules.now())
        assert not queue_nia_recheck(identity, uow=uow, now=rules.now())
        uow.commit(admin, rules.now())
        assert uow.vigilance.count_open() == {EntryKind.NIA_RECHECK.value: 1}


def test_a_domain_qualification_and_the_senders_patient_id_are_stored(uow_factory, admin, rules):
    from identito.domain.documents import DOMAIN_CHECK
    from identito.services.reception import (
        ReceivedIdentity,
        Reception,
        Sender,
        TransmittedIns,
        receive_identity,
    )

    received = ReceivedIdentity(
        traits={**CORSE, "birth_first_names": ["ANTHONY"]},
        ins=TransmittedIns("180032B02040123", Oid.NIR.value),
        sender_status="VALI",
        local_id="IPP-42",
    )
    reception = Reception("fhir", "{}", Sender("DPI-OWN"), "POST", None, received)
    result = receive_identity(
        reception, own_domain=["DPI-OWN"], uow=uow_factory(), actor=admin, rules=rules,
        teleservice=None,
    )  # fmt: skip
    uow = uow_factory()
    with uow:
        identity = uow.identities.get(result.identity_id)
        assert identity.status is IdentityStatus.QUALIFIED
        assert identity.validation is not None
        assert identity.validation.document_type == DOMAIN_CHECK
        assert identity.validation.document_expiry is None
        assert uow.receptions.identity_for_patient("DPI-OWN", None, "IPP-42") == identity.id
        assert uow.receptions.identity_for_patient("DPI-OWN", "X", "IPP-42") is None
        assert uow.receptions.identity_for_patient("OTHER", None, "IPP-42") is None
