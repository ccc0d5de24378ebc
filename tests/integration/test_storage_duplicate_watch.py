"""Potential duplicates recorded by the reception of messages, on SQLite and
PostgreSQL: a received identity created, then a received update changing its traits,
each put their pairs in the SQL review worklist in the message's transaction."""

from __future__ import annotations

from typing import Any

from identito.domain.duplicate_reviews import Source
from identito.services.reception import (
    ReceivedIdentity,
    Reception,
    ReceptionResult,
    Sender,
    TransmittedIns,
    receive_identity,
)

OWN = Sender("OWNAPP", "CHU-X")
INS = TransmittedIns("180037505612310", "1.2.250.1.213.1.4.8")
TRAITS = {
    "birth_name": "DUPONT",
    "first_birth_first_name": "JEAN",
    "birth_first_names": "JEAN PIERRE",
    "birth_date": "1980-03-01",
    "sex": "M",
    "birth_place_code": "75116",
}


def _receive(uow_factory, admin, rules, *, event: str, **traits: Any) -> ReceptionResult:
    received = ReceivedIdentity({**TRAITS, **traits}, INS, "VALI", local_id="IPP7")
    reception = Reception("hl7v2", "MSH|...", OWN, event, "1", received)
    return receive_identity(reception, own_domain=["OWNAPP^*"], uow=uow_factory(), actor=admin,
                            rules=rules, teleservice=None)  # fmt: skip


def test_a_received_creation_and_a_received_trait_change_record_their_pairs(
    uow_factory, make_identity, admin, rules
):
    existing, homonym = make_identity(), make_identity(birth_name="DURANT")
    with uow_factory() as uow:
        uow.identities.add(existing)
        uow.identities.add(homonym)
        uow.commit(admin, rules.now())

    created = _receive(uow_factory, admin, rules, event="A28", birth_name="DURAND")
    with uow_factory() as uow:
        [first] = uow.duplicate_reviews.for_identity(created.identity_id)
    assert {first.first_id, first.second_id} == {homonym.id, created.identity_id}
    assert first.source is Source.CREATION

    _receive(uow_factory, admin, rules, event="A31", birth_name="DUPONT")
    with uow_factory() as uow:
        reviews = uow.duplicate_reviews.for_identity(existing.id)
    [second] = reviews
    assert {second.first_id, second.second_id} == {existing.id, created.identity_id}
    assert second.source is Source.CHANGE
