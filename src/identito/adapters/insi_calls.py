"""``SqlInsiCallRepository`` and ``SqlInsiWorklistRepository`` on SQLAlchemy Core.

Both write on the unit of work's connection, inside its transaction: a call's
trace is committed with the integration it led to, or alone. The raw request and
response are stored zlib-compressed, byte for byte; listings never read them.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, RowMapping, func, insert, select, update

from identito.adapters.bulk import insert_many
from identito.adapters.orm import identities, insi_calls, insi_worklist_items, insi_worklists
from identito.domain.errors import NotFound
from identito.domain.insi import InsiOutcome
from identito.domain.status import IdentityAttribute, IdentityStatus
from identito.services.insi_records import (
    Decision,
    InsiCall,
    ItemState,
    Worklist,
    WorklistItem,
)

_RAW = ("request_z", "response_z")
_LISTED = [c for c in insi_calls.c if c.name not in _RAW]
_ORDER = (insi_calls.c.at, insi_calls.c.sequence, insi_calls.c.id)


def _pack(data: bytes | None) -> bytes | None:
    return zlib.compress(data, 6) if data is not None else None


def _unpack(data: bytes | None) -> bytes | None:
    return zlib.decompress(data) if data is not None else None


class SqlInsiCallRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, call: InsiCall) -> None:
        row = {k: v for k, v in vars(call).items() if k not in ("request", "response")}
        row.update(
            outcome=call.outcome.value,
            decision=call.decision.value if call.decision else None,
            request_z=_pack(call.request),
            response_z=_pack(call.response),
        )
        self.connection.execute(insert(insi_calls).values(row))

    def get(self, call_id: UUID) -> InsiCall:
        row = (
            self.connection.execute(select(insi_calls).where(insi_calls.c.id == call_id))
            .mappings()
            .first()
        )
        if row is None:
            raise NotFound(f"Appel INSi inconnu : {call_id}.")
        return _call(row)

    def update_decision(self, call: InsiCall) -> None:
        self.connection.execute(
            update(insi_calls)
            .where(insi_calls.c.id == call.id)
            .values(
                applied=call.applied,
                decision=call.decision.value if call.decision else None,
                decided_by=call.decided_by,
                decided_at=call.decided_at,
                message=call.message,  # why a decision refused it (R-DU-03)
            )
        )

    def for_identity(self, identity_id: UUID) -> list[InsiCall]:
        query = select(*_LISTED).where(insi_calls.c.identity_id == identity_id).order_by(*_ORDER)
        return [_call(row) for row in self.connection.execute(query).mappings()]

    def since(self, at: datetime) -> list[InsiCall]:
        query = select(*_LISTED).where(insi_calls.c.at >= at).order_by(*_ORDER)
        return [_call(row) for row in self.connection.execute(query).mappings()]


def _call(row: RowMapping) -> InsiCall:
    values: dict[str, Any] = {k: v for k, v in row.items() if k not in _RAW}
    values["outcome"] = InsiOutcome(row["outcome"])
    values["decision"] = Decision(row["decision"]) if row["decision"] else None
    values["request"] = _unpack(row.get("request_z"))
    values["response"] = _unpack(row.get("response_z"))
    return InsiCall(**values)


class SqlInsiWorklistRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, worklist: Worklist, identity_ids: Sequence[UUID]) -> None:
        self.connection.execute(insert(insi_worklists).values(vars(worklist)))
        rows = [
            _item_row(WorklistItem(worklist.id, position, identity_id))
            for position, identity_id in enumerate(identity_ids)
        ]
        insert_many(self.connection, insi_worklist_items, rows)

    def get(self, worklist_id: UUID) -> Worklist:
        query = select(insi_worklists).where(insi_worklists.c.id == worklist_id)
        row = self.connection.execute(query).mappings().first()
        if row is None:
            raise NotFound(f"Liste de travail inconnue : {worklist_id}.")
        return Worklist(**row)

    def unfinished(self, source: str) -> Worklist | None:
        query = (
            select(insi_worklists)
            .where(insi_worklists.c.source == source, insi_worklists.c.finished_at.is_(None))
            .order_by(insi_worklists.c.created_at.desc())
            .limit(1)
        )
        row = self.connection.execute(query).mappings().first()
        return Worklist(**row) if row else None

    def items(
        self, worklist_id: UUID, states: Iterable[ItemState] | None = None
    ) -> list[WorklistItem]:
        query = (
            select(insi_worklist_items)
            .where(insi_worklist_items.c.worklist_id == worklist_id)
            .order_by(insi_worklist_items.c.position)
        )
        if states is not None:
            query = query.where(insi_worklist_items.c.state.in_([s.value for s in states]))
        rows = self.connection.execute(query).mappings()
        return [WorklistItem(**{**row, "state": ItemState(row["state"])}) for row in rows]

    def save_item(self, item: WorklistItem) -> None:
        row = _item_row(item)
        del row["worklist_id"], row["position"]
        self.connection.execute(
            update(insi_worklist_items)
            .where(
                insi_worklist_items.c.worklist_id == item.worklist_id,
                insi_worklist_items.c.position == item.position,
            )
            .values(row)
        )

    def finish(self, worklist_id: UUID, at: datetime) -> None:
        self.connection.execute(
            update(insi_worklists).where(insi_worklists.c.id == worklist_id).values(finished_at=at)
        )

    def open_items(self) -> int:
        items = insi_worklist_items
        query = (
            select(func.count())
            .select_from(items.join(insi_worklists, insi_worklists.c.id == items.c.worklist_id))
            .where(
                insi_worklists.c.finished_at.is_(None),
                items.c.state.in_([ItemState.PENDING.value, ItemState.STARTED.value]),
            )
        )
        return int(self.connection.execute(query).scalar_one())

    def identities_without_ins(self, limit: int) -> list[UUID]:
        statuses = [IdentityStatus.PROVISIONAL.value, IdentityStatus.VALIDATED.value]
        blocking = {a.value for a in IdentityAttribute if a.forces_provisional}
        query = (
            select(identities.c.id, identities.c.attributes)
            .where(
                identities.c.status.in_(statuses),
                identities.c.ins_number.is_(None),
                identities.c.active.is_(True),  # a merged identity is not worked on
            )
            .order_by(identities.c.birth_name, identities.c.first_birth_first_name, identities.c.id)
        )
        found = []
        for identity_id, attributes in self.connection.execute(query):
            if not blocking & set(attributes or ()):
                found.append(identity_id)
                if len(found) >= limit:
                    break
        return found


def _item_row(item: WorklistItem) -> dict[str, Any]:
    return {**vars(item), "state": item.state.value}
