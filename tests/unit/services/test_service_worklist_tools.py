"""Working through the identity-vigilance worklists (issue 16 point 6, fakes): filters,
CSV export (BOM, ``;``, matricule only when it may be diffused), bulk decisions."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from fakes import INS_A, INS_B, FakeUnitOfWork, actor_with_role, make_identity
from identito.domain.errors import InvalidInput, PermissionDenied
from identito.domain.permissions import Role
from identito.domain.status import IdentityStatus
from identito.services.insi_worklist import open_worklist
from identito.services.rules import Rules
from identito.services.verification_records import EntryDecision, EntryKind, VigilanceEntry
from identito.services.worklist_tools import (
    WorklistFilter,
    decide_entries,
    export_worklist,
    filtered_entries,
    insi_open_items,
    open_total,
)

VIGILANCE = actor_with_role(Role.IDENTITY_VIGILANCE, "iv.martin")
ADMISSION = actor_with_role(Role.ADMISSION)
KO = EntryKind.VERIFICATION_KO.value


def _entry(uow: FakeUnitOfWork, rules: Rules, identity, kind=EntryKind.VERIFICATION_KO, **kw):  # type: ignore[no-untyped-def]
    uow.identities.committed[identity.id] = identity
    traits = identity.traits
    summary = {
        "birth_name": traits.birth_name,
        "first_birth_first_name": traits.first_birth_first_name,
        "birth_date": traits.birth_date.raw,
        "sex": traits.sex.value,
        "status": identity.status.value,
        "reason": "motif",
    }
    entry = VigilanceEntry(kind, kw.pop("at", rules.now()), summary, identity_id=identity.id)
    uow.vigilance.add(entry)
    return entry


def _rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_export_is_a_french_spreadsheet_csv_with_the_matricule_of_qualified_identities_only(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    qualified = make_identity(status=IdentityStatus.QUALIFIED, ins=INS_A)
    retrieved = make_identity(status=IdentityStatus.RETRIEVED, ins=INS_B, used_name="MARTIN")
    _entry(uow, rules, qualified)
    _entry(uow, rules, retrieved)
    text, count = export_worklist(KO, WorklistFilter(), uow=uow, actor=VIGILANCE, rules=rules)
    header, *rows = _rows(text)
    assert count == 2 and header[7] == "matricule INS"
    by_identity = {row[10]: row for row in rows}
    assert by_identity[str(qualified.id)][7] == INS_A.number.number
    assert by_identity[str(qualified.id)][6] == "QUAL"
    assert by_identity[str(retrieved.id)][7] == ""  # RECUP: never diffused
    assert INS_B.number.number not in text
    exported = [e for e in uow.audit.entries if e.action == "worklist.exported"]
    assert [(e.actor, e.details) for e in exported] == [
        ("iv.martin", {"list": KO, "rows": 2, "filtered": False, "matricules": 1})
    ]
    reads = [e for e in uow.audit.entries if e.action == "identity.read"]
    assert [(e.identity_id, e.details["view"]) for e in reads] == [
        (qualified.id, "worklist_export")
    ]


def test_the_worklists_their_export_and_bulk_decisions_need_the_vigilance_permission(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    entry = _entry(uow, rules, make_identity())
    with pytest.raises(PermissionDenied):
        export_worklist(KO, WorklistFilter(), uow=uow, actor=ADMISSION, rules=rules)
    with pytest.raises(PermissionDenied):
        decide_entries([entry.id], "no_action", comment="vu", uow=uow, actor=ADMISSION,
                       rules=rules)  # fmt: skip
    with pytest.raises(PermissionDenied):
        open_total(uow=uow, actor=ADMISSION)
    assert not any(e.action == "worklist.exported" for e in uow.audit.entries)
    assert uow.vigilance.get(entry.id).open


def test_the_filter_keeps_the_start_of_the_birth_name_and_the_arrival_period(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    today = rules.now()
    old = _entry(uow, rules, make_identity(birth_name="LEFÈVRE-SAINT-AUBIN"),
                 at=today - timedelta(days=10))  # fmt: skip
    recent = _entry(uow, rules, make_identity(birth_name="LEFEBVRE"))
    other = _entry(uow, rules, make_identity(birth_name="MARTIN"))

    def kept(flt: WorklistFilter) -> set:  # type: ignore[type-arg]
        return {e.id for e in filtered_entries(KO, flt, uow=uow, actor=VIGILANCE, rules=rules)}

    assert kept(WorklistFilter()) == {old.id, recent.id, other.id}
    assert kept(WorklistFilter(name="lefe")) == {old.id, recent.id}  # case and accents aside
    assert kept(WorklistFilter(name="Lefèvre Saint")) == {old.id}
    since = (today - timedelta(days=1)).date()
    assert kept(WorklistFilter(name="le", since=since)) == {recent.id}
    assert kept(WorklistFilter(until=since)) == {old.id}
    text, count = export_worklist(KO, WorklistFilter(name="martin"), uow=uow, actor=VIGILANCE,
                                  rules=rules)  # fmt: skip
    assert count == 1 and str(other.id) in text and str(old.id) not in text


def test_a_bulk_decision_closes_each_entry_with_its_own_audit_row_and_a_summary(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    entries = [
        _entry(uow, rules, make_identity(used_name=name)) for name in ("UN", "DEUX", "TROIS")
    ]
    done_before = _entry(uow, rules, make_identity(used_name="DEJA"))
    decide_entries([done_before.id], "corrected", comment="vu", uow=uow, actor=VIGILANCE,
                   rules=rules)  # fmt: skip
    outcome = decide_entries([e.id for e in entries] + [done_before.id], "no_action",
                             comment="Doublons de saisie vus en réunion", uow=uow,
                             actor=VIGILANCE, rules=rules)  # fmt: skip
    assert outcome.decided == 3 and [i for i, _ in outcome.refused] == [done_before.id]
    for entry in entries:
        closed = uow.vigilance.get(entry.id)
        assert closed.decision is EntryDecision.NO_ACTION
        assert closed.comment == "Doublons de saisie vus en réunion"
    resolved = [e for e in uow.audit.entries if e.action == "vigilance.entry_resolved"]
    assert len(resolved) == 4  # 1 before + 3 now, one per entry
    summary = [e for e in uow.audit.entries if e.action == "worklist.bulk_decided"][-1]
    assert summary.details == {"decision": "no_action", "decided": 3, "refused": 1}


@pytest.mark.parametrize(
    ("decision", "comment", "fields"),
    [("integrate_without_ins", "ok", {"decision"}),  # creates identities: never in bulk
     ("reject", "ok", {"decision"}),
     ("no_action", "  ", {"comment"}),
     ("no_action", "ok", {"entries"})],
)  # fmt: skip
def test_a_bulk_decision_is_refused_when_unsafe_unjustified_or_empty(
    uow: FakeUnitOfWork, rules: Rules, decision: str, comment: str, fields: set[str]
) -> None:
    entry = _entry(uow, rules, make_identity(), kind=EntryKind.RECEPTION)
    ids = [] if fields == {"entries"} else [entry.id]
    with pytest.raises(InvalidInput) as error:
        decide_entries(ids, decision, comment=comment, uow=uow, actor=VIGILANCE, rules=rules)
    assert {e.field for e in error.value.errors} == fields
    assert uow.vigilance.get(entry.id).open


def test_the_menu_counters_count_open_entries_and_identities_left_in_insi_worklists(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    first, second = make_identity(), make_identity(used_name="AUTRE")
    _entry(uow, rules, first)
    closed = _entry(uow, rules, second, kind=EntryKind.NIA_RECHECK)
    decide_entries([closed.id], "no_action", comment="vu", uow=uow, actor=VIGILANCE, rules=rules)
    assert open_total(uow=uow, actor=VIGILANCE) == 1
    open_worklist(query="without-ins", uow=uow, actor=VIGILANCE, rules=rules)
    assert insi_open_items(uow=uow, actor=VIGILANCE) == 2
