"""Issue 17 point 2 (R-LK-02) on SQLite and PostgreSQL: an identity that a message of
another domain is linked (rapprochée) with is stored IDRA (``linked_in_other_domain``,
migration 0028), audited, and propagated as an A31 carrying IDRA in PID-32; an
identity created from another domain stays RECD only, a link of the own domain marks
nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from identito.adapters.orm import identities
from identito.domain.events import AuditAction
from identito.messages import hl7v2
from identito.services import propagation
from identito.services.reception import (
    ReceivedIdentity,
    Reception,
    Sender,
    TransmittedIns,
    receive_identity,
)
from identito.services.verification_records import ReceptionOutcome

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TRAITS = {
    "birth_name": "IDRANAME",
    "first_birth_first_name": "JEAN",
    "birth_first_names": "JEAN",
    "birth_date": "1980-03-01",
    "sex": "M",
    "birth_place_code": "2B020",
}
INS = TransmittedIns("180032B02040123", "1.2.250.1.213.1.4.8")
OWN = ["OWNAPP^*"]


class _Receiver:
    name = "memoire"

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, message: bytes) -> None:
        self.sent.append(message.decode("utf-8"))


def _receive(uow_factory, rules, admin, received, sender):  # type: ignore[no-untyped-def]
    reception = Reception("hl7v2", "MSH|...", Sender(sender, "CH"), "A28", "1", received)
    return receive_identity(
        reception, own_domain=OWN, uow=uow_factory(), actor=admin, rules=rules, teleservice=None
    )


def _marks(uow_factory, identity_id):  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        t = identities
        query = select(t.c.received_from_other_domain, t.c.linked_in_other_domain)
        return tuple(uow._connection.execute(query.where(t.c.id == identity_id)).one())


def test_a_rapprochement_from_another_domain_is_stored_idra_audited_and_propagated(
    uow_factory, rules, admin
) -> None:
    own = _receive(uow_factory, rules, admin, ReceivedIdentity(dict(TRAITS), INS, "VALI",
                   local_id="OWN1"), "OWNAPP")  # fmt: skip
    assert own.outcome is ReceptionOutcome.INTEGRATED
    assert _marks(uow_factory, own.identity_id) == (False, False)
    propagation.send_outbox(uow=uow_factory(), actor=admin, rules=rules, receivers=[_Receiver()],
                            build=hl7v2.propagation_messages)  # fmt: skip

    other = ReceivedIdentity(dict(TRAITS), INS, "VALI", local_id="GAM1")
    linked = _receive(uow_factory, rules, admin, other, "GAM")

    assert (linked.outcome, linked.identity_id) == (ReceptionOutcome.INTEGRATED, own.identity_id)
    assert _marks(uow_factory, own.identity_id) == (False, True)
    with uow_factory() as uow:
        assert uow.identities.get(own.identity_id).linked_in_other_domain
        actions = [e.action for e in uow.audit.for_identity(own.identity_id)]
    assert AuditAction.LINKED_IN_OTHER_DOMAIN in actions
    receiver = _Receiver()
    report = propagation.send_outbox(
        uow=uow_factory(), actor=admin, rules=rules, receivers=[receiver],
        build=hl7v2.propagation_messages,
    )  # fmt: skip
    assert report.failures == []
    (a31,) = receiver.sent
    assert "ADT^A31^ADT_A05" in a31 and "|VALI~IDRA|" in a31
    # R-LK-01: both senders' patient ids go out in PID-3, each of its own domain
    pid3 = next(s for s in a31.split("\r") if s.startswith("PID|")).split("|")[3].split("~")
    assert pid3[1:3] == ["GAM1^^^CH^PI", "OWN1^^^CH^PI"]
    with uow_factory() as uow:
        assert uow.receptions.patients_of(own.identity_id) == [
            ("GAM^CH", "GAM1"),
            ("OWNAPP^CH", "OWN1"),
        ]

    again = _receive(uow_factory, rules, admin, other, "GAM")  # the same patient again
    assert again.identity_id == own.identity_id
    with uow_factory() as uow:
        actions = [e.action for e in uow.audit.for_identity(own.identity_id)]
    assert actions.count(AuditAction.LINKED_IN_OTHER_DOMAIN) == 1


def test_an_identity_created_from_another_domain_is_recd_not_idra(
    uow_factory, rules, admin
) -> None:
    received = ReceivedIdentity({**TRAITS, "birth_name": "RECDONLY"}, local_id="GAM2")
    result = _receive(uow_factory, rules, admin, received, "GAM")
    assert result.outcome is ReceptionOutcome.INTEGRATED_WITHOUT_INS
    assert _marks(uow_factory, result.identity_id) == (True, False)
