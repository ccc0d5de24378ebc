"""The worklists people work through (issue 16 point 6), in the database (SQLite and
PostgreSQL): the INSi menu counter, the vigilance export and a bulk decision."""

from __future__ import annotations

from datetime import UTC, datetime

from fakes import FakeTeleservice
from identito.services.insi_worklist import open_worklist, run_worklist
from identito.services.verification import identity_summary
from identito.services.verification_records import EntryKind, VigilanceEntry
from identito.services.worklist_tools import (
    WorklistFilter,
    decide_entries,
    export_worklist,
    insi_open_items,
    open_total,
)

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TRAITS = {"birth_first_names": "JEAN", "first_birth_first_name": "JEAN",
          "birth_date": "1980-03-12", "birth_place_code": "2B020"}  # fmt: skip


def stored(uow_factory, vigilance, make_identity, name, kind=None):  # type: ignore[no-untyped-def]
    identity = make_identity(birth_name=name, **TRAITS)
    with uow_factory() as uow:
        uow.identities.add(identity)
        if kind is not None:
            summary = {**identity_summary(identity), "reason": "motif"}
            uow.vigilance.add(VigilanceEntry(kind, AT, summary, identity_id=identity.id))
        uow.commit(vigilance, AT)
    return identity.id


def test_the_insi_counter_counts_the_identities_left_in_unfinished_worklists(
    uow_factory, rules, vigilance, make_identity
):
    ids = [stored(uow_factory, vigilance, make_identity, n) for n in ("ALPHA", "BRAVO")]
    worklist, _ = open_worklist(identity_ids=ids, uow=uow_factory(), actor=vigilance, rules=rules)
    assert insi_open_items(uow=uow_factory(), actor=vigilance) == 2
    run_worklist(worklist.id, uow=uow_factory(), actor=vigilance, rules=rules,
                 teleservice=FakeTeleservice())  # fmt: skip
    assert insi_open_items(uow=uow_factory(), actor=vigilance) == 0


def test_a_vigilance_list_is_exported_and_decided_in_bulk_in_the_database(
    uow_factory, rules, vigilance, make_identity
):
    ko = EntryKind.VERIFICATION_KO
    for name in ("DELTA", "ECHO", "FOXTROT"):
        stored(uow_factory, vigilance, make_identity, name, kind=ko)
    assert open_total(uow=uow_factory(), actor=vigilance) == 3
    text, rows = export_worklist(ko.value, WorklistFilter(name="e"), uow=uow_factory(),
                                 actor=vigilance, rules=rules)  # fmt: skip
    assert rows == 1 and "ECHO" in text and text.startswith("\ufeff")
    with uow_factory() as uow:
        ids = [e.id for e in uow.vigilance.entries(ko)]
    outcome = decide_entries(ids[:2], "corrected", comment="Corrigées", uow=uow_factory(),
                             actor=vigilance, rules=rules)  # fmt: skip
    assert outcome.decided == 2 and not outcome.refused
    assert open_total(uow=uow_factory(), actor=vigilance) == 1
