"""Working through the identity-vigilance worklists (issue 16 point 6): filters, the CSV
export of a list, one decision taken on many entries at once.

* ``WorklistFilter``: start of the birth name (compared as a search key: case, accents,
  hyphens ignored) and a period of arrival in the list;
* ``export_worklist``: the open entries of a list as CSV for a French spreadsheet
  (UTF-8 with BOM, ``;``), permission-checked; the matricule only for an identity whose
  matricule may be diffused (qualified, no collision, certain birth date) and an actor
  who may read it (a read row per identity shown); one ``worklist.exported`` row;
* ``decide_entries``: one decision on many entries, only the decisions that change no
  identity nor create one (``BULK_DECISIONS``; never an integration, never a merge), with
  a comment; each entry is resolved and audited as one by one, plus a summary row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from identito.domain.diffusion import withheld_reason
from identito.domain.errors import DomainError, FieldErrors, InvalidInput, NotFound
from identito.domain.events import AuditAction
from identito.domain.identity import Identity
from identito.domain.permissions import Actor, Permission
from identito.domain.traits import search_key
from identito.services.matricule_reads import MatriculeView, holds_matricule, note_views
from identito.services.rules import Rules
from identito.services.spreadsheet import spreadsheet_csv
from identito.services.teleservice import Teleservice
from identito.services.unit_of_work import AuditEntry, UnitOfWork
from identito.services.verification_records import (
    DECISION_LABELS,
    ENTRY_LABELS,
    EntryDecision,
    EntryKind,
    VigilanceEntry,
)
from identito.services.vigilance import VIGILANCE, resolve_entry

#: Decisions that may be taken on many entries at once: they close entries (and, for
#: ``verify_now``, ask INSi), never create, change or merge an identity from a list.
BULK_DECISIONS = (EntryDecision.CORRECTED, EntryDecision.NO_ACTION, EntryDecision.VERIFY_NOW)
#: At most this many entries per bulk decision (a page of the list).
BULK_LIMIT = 200
#: The users' time zone: the dates of the list and of the filter are local dates.
PARIS = ZoneInfo("Europe/Paris")
#: At most this many lines in an export.
EXPORT_LIMIT = 50_000

HEADER = ["liste", "depuis le", "nom de naissance", "1er prénom de naissance",
          "date de naissance", "sexe", "statut", "matricule INS", "motif", "émetteur",
          "identité", "élément"]  # fmt: skip


@dataclass(frozen=True)
class WorklistFilter:
    name: str = ""
    since: date | None = None
    until: date | None = None

    @property
    def active(self) -> bool:
        return bool(self.name.strip() or self.since or self.until)

    def keeps(self, entry: VigilanceEntry) -> bool:
        traits = _traits(entry)
        wanted = search_key(self.name)
        if wanted and not search_key(str(traits.get("birth_name") or "")).startswith(wanted):
            return False
        day = entry.created_at.astimezone(PARIS).date()
        return (self.since is None or day >= self.since) and (
            self.until is None or day <= self.until
        )


@dataclass(frozen=True)
class BulkOutcome:
    decided: int
    refused: list[tuple[UUID, str]] = field(default_factory=list)


def _kind(kind: str) -> EntryKind:
    try:
        return EntryKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in EntryKind)
        raise InvalidInput.single("liste", "kind_unknown", f"Listes : {known}.") from None


def _traits(entry: VigilanceEntry) -> dict[str, Any]:
    summary = entry.summary
    traits = summary.get("traits")
    return traits if isinstance(traits, dict) else summary


def filtered_entries(
    kind: str,
    flt: WorklistFilter,
    *,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    limit: int = 200,
) -> list[VigilanceEntry]:
    """The open entries of a list that pass the filter, oldest first; the matricules
    the list shows are traced as ``list_entries`` does."""
    actor.require(VIGILANCE)
    wanted = _kind(kind)
    with uow:
        found = uow.vigilance.entries(wanted, limit=EXPORT_LIMIT if flt.active else limit)
        entries = [e for e in found if flt.keeps(e)][:limit]
        shown = [e.identity_id for e in entries if holds_matricule(e.summary)]
        if shown:
            note_views(shown, MatriculeView.VIGILANCE_LIST, uow=uow, actor=actor, rules=rules)
    return entries


def export_worklist(
    kind: str, flt: WorklistFilter, *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> tuple[str, int]:
    """The CSV text of a list (BOM, ``;``) and its number of lines (audited)."""
    actor.require(VIGILANCE)
    wanted = _kind(kind)
    rows: list[list[str]] = [HEADER]
    with uow:
        entries = [e for e in uow.vigilance.entries(wanted, limit=EXPORT_LIMIT) if flt.keeps(e)]
        shown: list[UUID] = []
        for entry in entries:
            identity = _identity(entry, uow)
            matricule = diffusable_matricule(identity, actor)
            if identity is not None and matricule:
                shown.append(identity.id)
            status = identity.status.value if identity else entry.summary.get("status")
            rows.append(_row(entry, str(status or ""), matricule))
        record_export(wanted.value, len(entries), flt.active, shown, uow=uow, actor=actor,
                      rules=rules)  # fmt: skip
    return spreadsheet_csv(rows), len(entries)


def record_export(
    listed: str, count: int, filtered: bool, shown: list[UUID], *, uow: UnitOfWork,
    actor: Actor, rules: Rules,
) -> None:  # fmt: skip
    """Audit an export inside its ``with uow``: one ``worklist.exported`` row, one read row
    per identity whose matricule it wrote, one commit."""
    details = {"list": listed, "rows": count, "filtered": filtered, "matricules": len(shown)}
    uow.add_audit(AuditEntry(actor.username, rules.now(), AuditAction.WORKLIST_EXPORTED,
                             None, details=details))  # fmt: skip
    note_views(shown, MatriculeView.WORKLIST_EXPORT, uow=uow, actor=actor, rules=rules)


def _identity(entry: VigilanceEntry, uow: UnitOfWork) -> Identity | None:
    if entry.identity_id is None:
        return None
    try:
        return uow.identities.get(entry.identity_id)
    except NotFound:
        return None


def diffusable_matricule(identity: Identity | None, actor: Actor) -> str:
    """The identity's matricule when it may be diffused to this actor, else "": never
    for a non-qualified identity, one in collision or with an uncertain birth date."""
    if identity is None or identity.ins is None:
        return ""
    if withheld_reason(identity, may_read_ins=actor.can(Permission.INS_READ)) is not None:
        return ""
    return identity.ins.number.number


def _row(entry: VigilanceEntry, status: str, matricule: str) -> list[str]:
    traits, summary = _traits(entry), entry.summary
    return [
        ENTRY_LABELS[entry.kind],
        entry.created_at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M"),
        str(traits.get("birth_name") or ""),
        str(traits.get("first_birth_first_name") or ""),
        _date_fr(str(traits.get("birth_date") or "")),
        str(traits.get("sex") or ""),
        status,
        matricule,
        str(summary.get("reason") or ""),
        str(summary.get("sender") or ""),
        str(entry.identity_id or ""),
        str(entry.id),
    ]


def _date_fr(raw: str) -> str:
    parts = raw.split("-")
    return "/".join(reversed(parts)) if len(parts) == 3 else raw


def decide_entries(
    entry_ids: Sequence[UUID],
    decision: str,
    *,
    comment: str | None,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    teleservice: Teleservice | None = None,
) -> BulkOutcome:
    """One decision on many entries; an entry refused (already handled, a decision its
    list does not allow...) is reported and the others go on."""
    actor.require(VIGILANCE)
    errors = FieldErrors()
    chosen = next((d for d in BULK_DECISIONS if d.value == decision), None)
    if chosen is None:
        allowed = ", ".join(DECISION_LABELS[d] for d in BULK_DECISIONS)
        errors.add("decision", "bulk_decision", f"Décisions groupées possibles : {allowed}.")
    comment = (comment or "").strip()
    if not comment:
        errors.add("comment", "required", "Une décision groupée est justifiée par un commentaire.")
    ids = list(dict.fromkeys(entry_ids))
    if not ids:
        errors.add("entries", "required", "Cochez au moins un élément de la liste.")
    if len(ids) > BULK_LIMIT:
        errors.add("entries", "too_many", f"Au plus {BULK_LIMIT} éléments à la fois.")
    errors.raise_if_any()
    assert chosen is not None
    refused: list[tuple[UUID, str]] = []
    for entry_id in ids:
        try:
            resolve_entry(entry_id, chosen.value, comment=comment, uow=uow, actor=actor,
                          rules=rules, teleservice=teleservice)  # fmt: skip
        except DomainError as error:
            refused.append((entry_id, _message(error)))
    outcome = BulkOutcome(len(ids) - len(refused), refused)
    _audit_bulk(chosen, outcome, comment, uow=uow, actor=actor, rules=rules)
    return outcome


def _message(error: DomainError) -> str:
    if isinstance(error, InvalidInput) and error.errors:
        return error.errors[0].message
    return error.message


def _audit_bulk(
    chosen: EntryDecision,
    outcome: BulkOutcome,
    comment: str,
    *,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
) -> None:
    now = rules.now()
    details = {"decision": chosen.value, "decided": outcome.decided,
               "refused": len(outcome.refused)}  # fmt: skip
    with uow:
        uow.add_audit(AuditEntry(actor.username, now, AuditAction.WORKLIST_BULK_DECIDED,
                                 None, reason=comment, details=details))  # fmt: skip
        uow.commit(actor, now)


def open_total(*, uow: UnitOfWork, actor: Actor) -> int:
    """Every open entry of every list (the menu's counter)."""
    actor.require(VIGILANCE)
    with uow:
        return sum(uow.vigilance.count_open().values())


def insi_open_items(*, uow: UnitOfWork, actor: Actor) -> int:
    """Identities still to call in the unfinished INSi worklists (the menu's counter)."""
    actor.require(Permission.INSI_CALL)
    with uow:
        return uow.insi_worklists.open_items()


__all__ = ["BULK_DECISIONS", "EntryKind", "WorklistFilter", "decide_entries",
           "export_worklist", "filtered_entries", "insi_open_items", "open_total"]  # fmt: skip
