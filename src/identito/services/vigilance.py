"""Identity-vigilance worklists: verification KO, received identities to handle,
NIA to re-check; each entry is resolved by a traced decision.

NIA identities are verified again "when they are touched": a change of an
identity carrying a NIA queues a ``nia_recheck`` entry (``queue_nia_recheck``, in
the same transaction as the change). The scheduler of ``identito serve``
(``process_nia_rechecks``) verifies them one by one in the background, so that
the user who touched the identity never waits for INSi.

A matricule typed by hand is never trusted (R-ST-07): ``queue_ins_verification``
queues an ``ins_to_verify`` entry ("INS saisis, à vérifier") in the transaction of
the typing, and the same background verification works through it; a
verification OK confirms the matricule (RECUP/QUAL), a KO removes it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from identito.domain.duplicate_reviews import Source
from identito.domain.errors import DomainError, InvalidInput, InvalidTransition
from identito.domain.events import AuditAction
from identito.domain.identifiers import InsKind
from identito.domain.identity import Identity
from identito.domain.permissions import Actor, Permission
from identito.domain.trait_set import RECEIVED_ENTRY, parse_traits
from identito.services.duplicate_watch import watch_duplicates
from identito.services.matricule_reads import MatriculeView, holds_matricule, note_views
from identito.services.rules import Rules
from identito.services.teleservice import Teleservice
from identito.services.unit_of_work import AuditEntry, UnitOfWork
from identito.services.verification import identity_summary, verify_ins
from identito.services.verification_records import (
    DECISIONS,
    TO_VERIFY,
    EntryDecision,
    EntryKind,
    VigilanceEntry,
)

#: Who may read and resolve the worklists: the identity-vigilance unit (and admins).
VIGILANCE = Permission.IDENTITY_UPDATE_PROTECTED


def queue_nia_recheck(identity: Identity, *, uow: UnitOfWork, now: datetime) -> bool:
    """Inside an open unit of work: queue a NIA identity for verification (once)."""
    if identity.ins is None or identity.ins.kind is not InsKind.NIA:
        return False
    if uow.vigilance.open_for(EntryKind.NIA_RECHECK, identity.id) is not None:
        return False
    summary = {**identity_summary(identity), "reason": "NIA : revérifier (un NIA peut devenir NIR)"}
    uow.vigilance.add(VigilanceEntry(EntryKind.NIA_RECHECK, now, summary, identity_id=identity.id))
    return True


def queue_ins_verification(identity: Identity, *, uow: UnitOfWork, now: datetime) -> bool:
    """Inside an open unit of work: queue the INSi verification of a typed matricule (once)."""
    if not identity.ins_to_verify:
        return False
    if uow.vigilance.open_for(EntryKind.INS_TO_VERIFY, identity.id) is not None:
        return False
    summary = {**identity_summary(identity), "reason": "INS saisi : à vérifier par INSi"}
    entry = VigilanceEntry(EntryKind.INS_TO_VERIFY, now, summary, identity_id=identity.id)
    uow.vigilance.add(entry)
    return True


def list_entries(
    kind: str | None = None,
    *,
    open_only: bool = True,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
) -> list[VigilanceEntry]:
    actor.require(VIGILANCE)
    wanted = _kind(kind) if kind else None
    with uow:
        entries = uow.vigilance.entries(wanted, open_only=open_only)
        shown = [e.identity_id for e in entries if holds_matricule(e.summary)]
        if shown:
            view = MatriculeView.VIGILANCE_LIST
            note_views(shown, view, uow=uow, actor=actor, rules=rules)
    return entries


def open_counts(*, uow: UnitOfWork, actor: Actor, rules: Rules) -> dict[str, int]:
    actor.require(VIGILANCE)
    with uow:
        return uow.vigilance.count_open()


def _kind(kind: str) -> EntryKind:
    try:
        return EntryKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in EntryKind)
        raise InvalidInput.single("kind", "kind_unknown", f"Listes : {known}.") from None


def resolve_entry(
    entry_id: UUID,
    decision: str,
    *,
    comment: str | None = None,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    teleservice: Teleservice | None = None,
) -> VigilanceEntry:
    """Close an entry with a decision allowed for its kind; the decision is audited.

    ``integrate_without_ins`` creates the received identity from its traits (never
    with the refused matricule); ``verify_now`` verifies the NIA at once.
    """
    actor.require(VIGILANCE)
    with uow:
        entry = uow.vigilance.get(entry_id)
    chosen = _decision(entry, decision)
    comment = (comment or "").strip() or None
    identity_id = entry.identity_id
    if chosen is EntryDecision.VERIFY_NOW:
        if teleservice is None or identity_id is None:
            raise InvalidTransition("Aucun téléservice INSi configuré.", rule="no_teleservice")
        outcome = verify_ins(
            identity_id, uow=uow, actor=actor, rules=rules, teleservice=teleservice
        )
        comment = comment or f"Vérification INSi : {outcome.result.value}"
    now = rules.now()
    with uow:
        if chosen is EntryDecision.INTEGRATE_WITHOUT_INS:
            identity_id = _create_received(entry, uow=uow, rules=rules, now=now)
        resolved = replace(
            entry,
            resolved_at=now,
            resolved_by=actor.username,
            decision=chosen,
            comment=comment,
            identity_id=identity_id,
        )
        uow.vigilance.resolve(resolved)
        details = {"entry_id": str(entry.id), "kind": entry.kind.value, "decision": chosen.value}
        uow.add_audit(
            AuditEntry(
                actor.username,
                now,
                AuditAction.VIGILANCE_ENTRY_RESOLVED,
                identity_id,
                reason=comment,
                details=details,
            )
        )
        uow.commit(actor, now)
    return resolved


def _decision(entry: VigilanceEntry, decision: str) -> EntryDecision:
    if not entry.open:
        raise InvalidTransition("Cet élément a déjà été traité.", rule="entry_resolved")
    try:
        chosen = EntryDecision(decision)
    except ValueError:
        chosen = None
    if chosen not in DECISIONS[entry.kind]:
        allowed = ", ".join(d.value for d in DECISIONS[entry.kind])
        raise InvalidInput.single("decision", "decision", f"Décisions possibles : {allowed}.")
    return chosen


def _create_received(
    entry: VigilanceEntry, *, uow: UnitOfWork, rules: Rules, now: datetime
) -> UUID:
    """The received identity, created from its traits only (status PROV)."""
    if entry.identity_id is not None:  # an update or A47 about a known identity
        raise InvalidTransition(
            "Le message concerne une identité déjà connue : corrigez-la depuis sa fiche, "
            "puis choisissez « Ne pas intégrer ».",
            rule="received_identity_known",
        )
    traits_data: dict[str, Any] = dict(entry.summary.get("traits") or {})
    if not traits_data:
        raise InvalidTransition("Aucun trait reçu à intégrer.", rule="no_received_traits")
    traits, warnings = parse_traits(
        traits_data, today=now.date(), places=rules.places, enforce=RECEIVED_ENTRY
    )
    identity = Identity.create(traits, warnings, now=now)
    uow.identities.add(identity)
    watch_duplicates(identity, uow=uow, rules=rules, source=Source.CREATION)
    return identity.id


def process_nia_rechecks(
    *,
    limit: int = 100,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    teleservice: Teleservice,
) -> int:
    """Verify the queued NIA identities and typed matricules (automatic calls); return
    how many were done."""
    actor.require(Permission.INSI_CALL)
    with uow:
        entries = [e for kind in TO_VERIFY for e in uow.vigilance.entries(kind, limit=limit)]
    done = 0
    for entry in entries:
        if entry.identity_id is None:
            continue
        try:
            verify_ins(
                entry.identity_id,
                uow=uow,
                actor=actor,
                rules=rules,
                teleservice=teleservice,
                automatic=True,
            )
        except DomainError as error:  # no INS any more, blocked identity, sex I...
            comment = f"Non vérifié : {error.message}"
            _close(entry, comment, uow=uow, actor=actor, rules=rules)
        done += 1
    return done


def _close(
    entry: VigilanceEntry, comment: str, *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> None:
    now = rules.now()
    with uow:
        resolved = replace(
            entry,
            resolved_at=now,
            resolved_by=actor.username,
            decision=EntryDecision.NO_ACTION,
            comment=comment,
        )
        uow.vigilance.resolve(resolved)
        uow.commit(actor, now)
