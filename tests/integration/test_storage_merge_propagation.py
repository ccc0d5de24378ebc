"""Merge propagation through the SQL outbox, on SQLite and PostgreSQL: rows, A40, A28 + A31."""

from __future__ import annotations

from identito.adapters.hl7_delivery import DirectoryReceiver
from identito.domain.identifiers import Ins, Oid
from identito.messages.hl7v2 import propagation_messages
from identito.services.merges import merge_identities, unmerge
from identito.services.propagation import send_outbox

INS = Ins.parse("180037505612310", Oid.NIR.value)


def _store(uow_factory, admin, rules, *identities):
    with uow_factory() as uow:
        for identity in identities:
            uow.identities.add(identity)
        uow.commit(admin, rules.now())


def _events(directory) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.hl7"))]
    return [t.split("\r")[0].split("|")[8] for t in texts]


def test_a_merge_and_its_undoing_are_queued_in_the_sql_outbox_and_sent_in_order(
    uow_factory, make_identity, admin, rules, vigilance, tmp_path
):
    survivor, merged = make_identity(), make_identity(used_name="MARTIN")
    _store(uow_factory, admin, rules, survivor, merged)
    record = merge_identities(survivor.id, merged.id, uow=uow_factory(), actor=vigilance,
                              rules=rules)  # fmt: skip
    unmerge(record.id, uow=uow_factory(), actor=vigilance, rules=rules)
    with uow_factory() as uow:
        rows = uow.outbox.unsent()
    assert [(r["identity_id"], r["action"]) for r in rows] == [
        (survivor.id, "identity.merged"),
        (survivor.id, "identity.unmerged"),
    ]
    assert rows[0]["payload"]["details"]["merged_id"] == str(merged.id)

    receiver = DirectoryReceiver(tmp_path / "out")
    report = send_outbox(uow=uow_factory(), actor=admin, rules=rules, receivers=[receiver],
                         build=propagation_messages)  # fmt: skip

    assert (report.rows, report.sent, report.failures) == (2, 3, [])
    assert _events(tmp_path / "out") == ["ADT^A40^ADT_A39", "ADT^A28^ADT_A05", "ADT^A31^ADT_A05"]
    with uow_factory() as uow:
        assert uow.outbox.unsent() == []


def test_the_merges_into_a_survivor_are_listed_until_undone(
    uow_factory, make_identity, admin, rules, vigilance
):
    survivor, first, second = make_identity(), make_identity(), make_identity()
    survivor.record_ins_retrieval(INS, now=rules.now())
    _store(uow_factory, admin, rules, survivor, first, second)
    one = merge_identities(survivor.id, first.id, uow=uow_factory(), actor=vigilance, rules=rules)
    merge_identities(survivor.id, second.id, uow=uow_factory(), actor=vigilance, rules=rules)
    unmerge(one.id, uow=uow_factory(), actor=vigilance, rules=rules)

    with uow_factory() as uow:
        active = uow.merges.active_into(survivor.id)

    assert [m.merged_id for m in active] == [second.id]
