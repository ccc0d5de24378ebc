"""INSi worklists: recover the INS of many identities, one after the other, resumably.

A worklist and the state of each of its items live in the database. Running it
takes the items not done yet in order; an item is marked ``started`` (committed)
before its recovery begins and ``done`` or ``failed`` after. After an
interruption, a rerun resumes the list: an item found ``started`` whose calls
were traced is closed from its trace without calling again; one without any
traced call is recovered (its call, if any, never reached the trace).

Worklist calls are automatic calls (``INSI-AUTO`` certificate); the similarity
threshold decides, as for a user's call, whether an answer is integrated or waits
for a confirmation on the identity sheet. The INSi doctrine wants recovery at
the patient's visit (R-IN-03): worklists are meant for catching up a backlog.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from uuid import UUID

from identito.domain.errors import DomainError, InvalidInput
from identito.domain.events import AuditAction
from identito.domain.permissions import Actor, Permission
from identito.services.insi import recover_ins
from identito.services.insi_records import ItemState, Worklist, WorklistItem
from identito.services.rules import Rules
from identito.services.teleservice import Teleservice
from identito.services.unit_of_work import AuditEntry, UnitOfWork

#: Saved queries a worklist can be built from.
QUERIES = {"without-ins": "Identités provisoires ou validées sans INS"}
MAX_ITEMS = 100_000


@dataclass(frozen=True)
class WorklistProgress:
    worklist: Worklist
    states: dict[str, int]
    outcomes: dict[str, int]
    applied: int
    items: tuple[WorklistItem, ...] = field(default_factory=tuple)

    @property
    def processed(self) -> int:
        return self.states.get(ItemState.DONE, 0) + self.states.get(ItemState.FAILED, 0)

    @property
    def finished(self) -> bool:
        return self.worklist.finished_at is not None


def open_worklist(
    *,
    identity_ids: Sequence[UUID] | None = None,
    query: str | None = None,
    label: str | None = None,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
) -> tuple[Worklist, bool]:
    """The unfinished worklist of the same ids or query, else a new one; and whether resumed."""
    actor.require(Permission.INSI_CALL)
    if (identity_ids is None) == (query is None):
        message = "Donnez soit une liste d'identifiants, soit une requête enregistrée."
        raise InvalidInput.single("worklist", "source", message)
    now = rules.now()
    with uow:
        if identity_ids is not None:
            ids = list(dict.fromkeys(identity_ids))
            digest = hashlib.sha256("\n".join(map(str, ids)).encode()).hexdigest()[:32]
            source, default_label = f"ids:{digest}", f"{len(ids)} identités"
        else:
            if query not in QUERIES:
                known = ", ".join(QUERIES)
                raise InvalidInput.single("query", "query_unknown", f"Requêtes connues : {known}.")
            source, default_label = f"query:{query}", QUERIES[query]
        existing = uow.insi_worklists.unfinished(source)
        if existing is not None:
            return existing, True
        if query is not None:
            ids = uow.insi_worklists.identities_without_ins(MAX_ITEMS)
        worklist = Worklist(source, label or default_label, actor.username, now, len(ids))
        uow.insi_worklists.add(worklist, ids)
        details = {"worklist_id": str(worklist.id), "source": source, "total": len(ids)}
        uow.add_audit(
            AuditEntry(
                actor.username, now, AuditAction.INSI_WORKLIST_CREATED, None, details=details
            )
        )
        uow.commit(actor, now)
    return worklist, False


def run_worklist(
    worklist_id: UUID,
    *,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    teleservice: Teleservice,
    on_item: Callable[[WorklistItem], None] | None = None,
) -> WorklistProgress:
    """Process the items not done yet, in order; ``on_item`` after each one."""
    actor.require(Permission.INSI_CALL)
    with uow:
        uow.insi_worklists.get(worklist_id)
        todo = uow.insi_worklists.items(worklist_id, (ItemState.PENDING, ItemState.STARTED))
    for item in todo:
        item = _process(item, uow=uow, actor=actor, rules=rules, teleservice=teleservice)
        if on_item is not None:
            on_item(item)
    now = rules.now()
    with uow:
        left = uow.insi_worklists.items(worklist_id, (ItemState.PENDING, ItemState.STARTED))
        if not left:
            uow.insi_worklists.finish(worklist_id, now)
            uow.commit(actor, now)
    return worklist_progress(worklist_id, uow=uow, actor=actor, rules=rules)


def _process(
    item: WorklistItem, *, uow: UnitOfWork, actor: Actor, rules: Rules, teleservice: Teleservice
) -> WorklistItem:
    if item.state is ItemState.STARTED:
        traced = _traced_since(item, uow)
        if traced is not None:
            return _save(traced, uow, actor, rules)
    item = _save(replace(item, state=ItemState.STARTED, started_at=rules.now()), uow, actor, rules)
    try:
        result = recover_ins(
            item.identity_id,
            mode="traits",
            uow=uow,
            actor=actor,
            rules=rules,
            teleservice=teleservice,
            automatic=True,
        )
    except DomainError as error:
        return _save(
            replace(item, state=ItemState.FAILED, message=error.message), uow, actor, rules
        )
    done = replace(
        item,
        state=ItemState.DONE,
        outcome=result.outcome.value,
        applied=result.applied,
        message=result.call.message,
    )
    return _save(done, uow, actor, rules)


def _traced_since(item: WorklistItem, uow: UnitOfWork) -> WorklistItem | None:
    """An interrupted item whose recovery left calls in the trace, closed from them."""
    with uow:
        calls = [
            c
            for c in uow.insi_calls.for_identity(item.identity_id)
            if item.started_at is not None and c.at >= item.started_at
        ]
    if not calls:
        return None
    last = calls[-1]
    message = "Reprise : appel déjà tracé avant l'interruption, non renouvelé."
    return replace(
        item,
        state=ItemState.DONE,
        outcome=last.outcome.value,
        applied=last.applied,
        message=message,
    )


def _save(item: WorklistItem, uow: UnitOfWork, actor: Actor, rules: Rules) -> WorklistItem:
    now = rules.now()
    if item.state in (ItemState.DONE, ItemState.FAILED):
        item = replace(item, processed_at=now)
    with uow:
        uow.insi_worklists.save_item(item)
        uow.commit(actor, now)
    return item


def worklist_progress(
    worklist_id: UUID, *, uow: UnitOfWork, actor: Actor, rules: Rules, with_items: bool = False
) -> WorklistProgress:
    actor.require(Permission.INSI_CALL)
    with uow:
        worklist = uow.insi_worklists.get(worklist_id)
        items = uow.insi_worklists.items(worklist_id)
    return WorklistProgress(
        worklist,
        states=dict(Counter(i.state.value for i in items)),
        outcomes=dict(Counter(i.outcome for i in items if i.outcome)),
        applied=sum(1 for i in items if i.applied),
        items=tuple(items) if with_items else (),
    )
