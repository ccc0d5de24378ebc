"""Collision propagation through the SQL outbox, on SQLite and PostgreSQL: the
declaration sends an A47 (matricule withdrawn), the resolution an A31 (diffused again)."""

from __future__ import annotations

from datetime import date

from identito.adapters.hl7_delivery import DirectoryReceiver
from identito.domain.documents import DEFAULT_DOCUMENT_TYPES
from identito.domain.identifiers import Ins, Oid
from identito.messages.hl7v2 import propagation_messages
from identito.services.collisions import declare_collision, resolve_collision
from identito.services.propagation import send_outbox

INS = Ins.parse("180037505612310", Oid.NIR.value)
INS_CX = "180037505612310^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS"


def _drain(uow_factory, admin, rules, directory) -> list[list[str]]:
    before = set(directory.glob("*.hl7")) if directory.exists() else set()
    report = send_outbox(uow=uow_factory(), actor=admin, rules=rules,
                         receivers=[DirectoryReceiver(directory)],
                         build=propagation_messages)  # fmt: skip
    assert report.failures == []
    new = sorted(set(directory.glob("*.hl7")) - before)
    return [p.read_text(encoding="utf-8").splitlines() for p in new]


def _field(message: list[str], segment: str, index: int) -> str:
    return next(s for s in message if s.startswith(segment + "|")).split("|")[index]


def test_declaring_then_resolving_a_collision_sends_an_a47_then_an_a31_with_the_ins(
    uow_factory, make_identity, admin, rules, vigilance, tmp_path
):
    identity = make_identity()
    identity.record_ins_retrieval(INS, now=rules.now())
    identity.validate("CN", date(2031, 1, 1), document_types=DEFAULT_DOCUMENT_TYPES,
                      actor="iv.martin", now=rules.now())  # fmt: skip
    with uow_factory() as uow:
        uow.identities.add(identity)
        uow.commit(admin, rules.now())
    out = tmp_path / "out"
    _drain(uow_factory, admin, rules, out)  # the creation's rows

    declare_collision(identity.id, uow=uow_factory(), actor=vigilance, rules=rules)
    (a47,) = _drain(uow_factory, admin, rules, out)
    resolve_collision(identity.id, uow=uow_factory(), actor=vigilance, rules=rules)
    (a31,) = _drain(uow_factory, admin, rules, out)

    assert _field(a47, "MSH", 8) == "ADT^A47^ADT_A30" and _field(a47, "MRG", 1) == INS_CX
    assert INS_CX not in _field(a47, "PID", 3)
    assert _field(a31, "MSH", 8) == "ADT^A31^ADT_A05" and INS_CX in _field(a31, "PID", 3)
    with uow_factory() as uow:
        assert uow.outbox.unsent() == []
