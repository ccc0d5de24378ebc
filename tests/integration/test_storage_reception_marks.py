"""Issue 11 reception marks on SQLite and PostgreSQL: the corrected birth date
(``birth_date_corrected``), RECD (``received_from_other_domain``), received attributes,
and a received INS held by other traits left in the worklist."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from identito.adapters.orm import identities
from identito.domain.identifiers import Ins, Oid
from identito.domain.identity import Identity
from identito.domain.status import IdentityAttribute, IdentityStatus
from identito.services.reception import (
    ReceivedIdentity,
    Reception,
    Sender,
    TransmittedIns,
    receive_identity,
)
from identito.services.verification_records import EntryKind, ReceptionOutcome

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TRAITS = {
    "birth_name": "DUPONT",
    "first_birth_first_name": "JEAN",
    "birth_first_names": "JEAN PIERRE",
    "birth_date": "1980-03-01",
    "sex": "M",
    "birth_place_code": "2B020",
}
INS = Ins.parse("180032B02040123", Oid.NIR.value)
OWN = ["OWNAPP^*"]


def _receive(uow_factory, rules, admin, received, sender="OWNAPP"):  # type: ignore[no-untyped-def]
    reception = Reception("hl7v2", "MSH|...", Sender(sender, "CHU"), "A28", "1", received)
    return receive_identity(
        reception, own_domain=OWN, uow=uow_factory(), actor=admin, rules=rules, teleservice=None
    )


def _columns(uow_factory, identity_id):  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        query = select(identities.c.birth_date_corrected, identities.c.received_from_other_domain)
        return uow._connection.execute(query.where(identities.c.id == identity_id)).one()


def test_a_corrected_birth_date_and_the_recd_mark_come_back_from_the_database(
    uow_factory, make_identity, admin
):
    made = make_identity(birth_date_corrected=True, birth_place_code="2B020")
    identity = Identity.create(
        made.traits, made.warnings, now=START, received_from_other_domain=True
    )
    with uow_factory() as uow:
        uow.identities.add(identity)
        uow.commit(admin, START)
    with uow_factory() as uow:
        loaded = uow.identities.get(identity.id)
    assert loaded == identity
    assert loaded.traits.birth_date.corrected and loaded.received_from_other_domain
    assert tuple(_columns(uow_factory, identity.id)) == (True, True)


def test_a_plain_identity_stores_false_for_both_marks(uow_factory, make_identity, admin):
    identity = make_identity(birth_place_code="2B020")
    with uow_factory() as uow:
        uow.identities.add(identity)
        uow.commit(admin, START)
    assert tuple(_columns(uow_factory, identity.id)) == (False, False)


def test_a_received_doubtful_identity_with_a_corrected_date_is_stored_recd(
    uow_factory, rules, admin
):
    received = ReceivedIdentity(
        traits={**TRAITS, "birth_date_corrected": True},
        ins=TransmittedIns(INS.number.number, INS.oid.value),
        sender_status="VALI",
        attributes=("DOUT",),
        local_id="IPP1",
    )
    result = _receive(uow_factory, rules, admin, received, sender="GAM")
    assert result.outcome is ReceptionOutcome.INTEGRATED_WITHOUT_INS
    with uow_factory() as uow:
        stored = uow.identities.get(result.identity_id)
    assert stored.attributes == {IdentityAttribute.DOUBTFUL}
    assert stored.status is IdentityStatus.PROVISIONAL and stored.ins is None
    assert stored.traits.birth_date.corrected and stored.received_from_other_domain


def test_a_received_ins_held_by_other_traits_leaves_one_identity_and_a_worklist_entry(
    uow_factory, rules, admin
):
    ins = TransmittedIns(INS.number.number, INS.oid.value)
    first = ReceivedIdentity(dict(TRAITS), ins, "VALI", local_id="IPP1")
    adrun = _receive(uow_factory, rules, admin, first).identity_id
    datey = {
        **TRAITS,
        "birth_name": "DATEY",
        "first_birth_first_name": "ZOE",
        "birth_first_names": "ZOE",
        "sex": "F",
    }
    result = _receive(uow_factory, rules, admin, ReceivedIdentity(datey, ins, "VALI"))
    assert result.outcome is ReceptionOutcome.PENDING
    with uow_factory() as uow:
        (entry,) = uow.vigilance.entries(EntryKind.RECEPTION)
        count = len(uow._connection.execute(select(identities.c.id)).all())
    assert count == 1 and entry.identity_id == adrun
    assert entry.summary["comparison"]["differences"][0] == "birth_name"
