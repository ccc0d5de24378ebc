"""A matricule refused because another active identity holds it (R-DU-03).

The identity repository refuses the write (``domain.ins_uniqueness.InsAlreadyHeld``)
on every path that sets a matricule. The use case then calls ``refuse_held_ins``:
its change is rolled back, and one committed transaction records the pair (the
identity that asked + each holder) as a blocking pending review of the duplicate
worklist (score 1.0, source ``ins_held``) with the trace of the refused attempt
(the INSi call trace when there is one, an audit row otherwise); the use case
raises the returned error to its entry point (409, French page message, NACK,
OperationOutcome).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from identito.domain.duplicates import ScoredPair, record_of, score_records
from identito.domain.errors import NotFound
from identito.domain.events import AuditAction
from identito.domain.ins_uniqueness import InsAlreadyHeld
from identito.domain.permissions import Actor
from identito.services.unit_of_work import AuditEntry, UnitOfWork

#: Records the refused attempt inside the refusal's transaction (e.g. the INSi call).
Trace = Callable[[InsAlreadyHeld], None]


def refuse_held_ins(
    error: InsAlreadyHeld,
    *,
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    trace: Trace | None = None,
) -> InsAlreadyHeld:
    """Inside the open unit of work whose change was refused: roll it back, record the
    pairs and the trace in one committed transaction, return the error to raise (with
    the holders, looked up again when the database refused a concurrent write)."""
    uow.rollback()
    holders = error.holders or tuple(
        uow.identities.ins_holders(error.ins, excluding=error.identity_id)
    )
    refused = InsAlreadyHeld(error.identity_id, error.ins, holders)
    _record_pairs(refused, uow=uow, now=now)
    if trace is not None:
        trace(refused)
    else:
        uow.add_audit(refusal_audit(refused, actor=actor, now=now))
    uow.commit(actor, now)
    return refused


def refusal_audit(error: InsAlreadyHeld, *, actor: Actor, now: datetime) -> AuditEntry:
    """The audit row of a refused matricule (no matricule-free trace exists otherwise)."""
    return AuditEntry(
        actor.username,
        now,
        AuditAction.INS_ALREADY_HELD,
        error.identity_id,
        reason=error.message,
        details={
            "rule": error.rule,
            "ins_number": error.ins.number.number,
            "ins_oid": error.ins.oid.value,
            "holders": [str(h) for h in error.holders],
        },
    )


def _record_pairs(error: InsAlreadyHeld, *, uow: UnitOfWork, now: datetime) -> None:
    """The identity that asked, carrying the refused matricule, against each holder: a
    blocking pair. None when the identity was to be created (nothing is stored).

    Imported here: ``services.duplicate_reviews`` needs ``services.identities``, which
    needs this module (as ``services.duplicate_watch`` explains)."""
    from identito.services.duplicate_reviews import record_held_ins_pairs
    from identito.services.duplicates import jaro_winkler

    try:
        asking = record_of(uow.identities.get(error.identity_id))
    except NotFound:
        return
    asking = replace(asking, ins=error.ins.number.number)
    pairs = []
    for holder_id in error.holders:
        holder = record_of(uow.identities.get(holder_id))
        first, second = (asking, holder) if error.identity_id < holder_id else (holder, asking)
        scored = score_records(first, second, similarity=jaro_winkler)
        first_id, second_id = sorted((error.identity_id, holder_id))
        pairs.append(
            ScoredPair(first_id, second_id, scored.score, scored.blocking, scored.explanation)
        )
    record_held_ins_pairs(pairs, uow=uow, now=now)
