"""SQL repositories of INS verification: campaigns and items, identity-vigilance
entries, received messages and scheduler leases (migration ``0005``).

They write on the unit of work's connection, inside its transaction. Item state
changes are plain ``UPDATE``s keyed by (run, position): applying the same change
twice gives the same row, which is what makes a killed campaign resumable.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Connection,
    RowMapping,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from identito.adapters.bulk import insert_many
from identito.adapters.orm import (
    identities,
    ins_verifications,
    received_messages,
    scheduler_leases,
    verification_campaigns,
    verification_items,
    verification_runs,
    vigilance_entries,
)
from identito.domain.errors import NotFound
from identito.domain.identifiers import Oid
from identito.domain.status import IdentityStatus
from identito.services.teleservice import VerificationQuery
from identito.services.verification_records import (
    Campaign,
    CampaignItem,
    CampaignRun,
    EntryDecision,
    EntryKind,
    ItemDone,
    ItemState,
    Perimeter,
    ReceivedMessage,
    ReceptionOutcome,
    VerificationResult,
    VigilanceEntry,
)

_CHUNK = 5000


class SqlCampaignRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # -- campaigns ---------------------------------------------------------------------

    def add(self, campaign: Campaign) -> None:
        self.connection.execute(insert(verification_campaigns).values(_campaign_row(campaign)))

    def get(self, campaign_id: UUID) -> Campaign:
        query = select(verification_campaigns).where(verification_campaigns.c.id == campaign_id)
        row = self.connection.execute(query).mappings().first()
        if row is None:
            raise NotFound(f"Campagne de vérification inconnue : {campaign_id}.")
        return _campaign(row)

    def all(self) -> list[Campaign]:
        query = select(verification_campaigns).order_by(verification_campaigns.c.created_at)
        return [_campaign(row) for row in self.connection.execute(query).mappings()]

    def save(self, campaign: Campaign) -> None:
        row = _campaign_row(campaign)
        self.connection.execute(
            update(verification_campaigns)
            .where(verification_campaigns.c.id == campaign.id)
            .values(row)
        )

    def perimeter(self, campaign: Campaign, now: datetime) -> Iterator[UUID]:
        i, v = identities, ins_verifications
        query = select(i.c.id).where(i.c.ins_number.is_not(None))
        if campaign.perimeter is Perimeter.STALE:
            cutoff = now - timedelta(days=round(365.25 * campaign.years))
            last = func.coalesce(v.c.verified_at, i.c.ins_retrieved_at)
            query = (
                select(i.c.id)
                .select_from(i.outerjoin(v, v.c.identity_id == i.c.id))
                .where(i.c.ins_number.is_not(None), or_(last.is_(None), last < cutoff))
            )
        elif campaign.perimeter is Perimeter.NIA:
            query = query.where(i.c.ins_oid == Oid.NIA.value)
        elif campaign.query == "qualified":
            query = query.where(i.c.status == IdentityStatus.QUALIFIED.value)
        elif campaign.query == "retrieved":
            query = query.where(i.c.status == IdentityStatus.RETRIEVED.value)
        for (identity_id,) in self.connection.execute(query.order_by(i.c.id)):
            yield identity_id

    # -- runs and items ------------------------------------------------------------------

    def add_run(self, run: CampaignRun, identity_ids: Iterable[UUID]) -> int:
        self.connection.execute(insert(verification_runs).values(vars(run)))
        chunk: list[dict[str, Any]] = []
        total = 0
        for identity_id in identity_ids:
            chunk.append(_item_row(CampaignItem(run.id, total, identity_id)))
            total += 1
            if len(chunk) >= _CHUNK:
                insert_many(self.connection, verification_items, chunk)
                chunk = []
        insert_many(self.connection, verification_items, chunk)
        self.connection.execute(
            update(verification_runs).where(verification_runs.c.id == run.id).values(total=total)
        )
        return total

    def get_run(self, run_id: UUID) -> CampaignRun:
        query = select(verification_runs).where(verification_runs.c.id == run_id)
        row = self.connection.execute(query).mappings().first()
        if row is None:
            raise NotFound(f"Passage de campagne inconnu : {run_id}.")
        return CampaignRun(**row)

    def runs(self, campaign_id: UUID) -> list[CampaignRun]:
        query = (
            select(verification_runs)
            .where(verification_runs.c.campaign_id == campaign_id)
            .order_by(verification_runs.c.started_at.desc())
        )
        return [CampaignRun(**row) for row in self.connection.execute(query).mappings()]

    def unfinished_run(self, campaign_id: UUID) -> CampaignRun | None:
        runs = [r for r in self.runs(campaign_id) if r.finished_at is None]
        return runs[0] if runs else None

    def finish_run(self, run_id: UUID, at: datetime) -> None:
        self.connection.execute(
            update(verification_runs).where(verification_runs.c.id == run_id).values(finished_at=at)
        )

    def pending(self, run_id: UUID, limit: int) -> list[CampaignItem]:
        t = verification_items
        query = (
            select(t)
            .where(t.c.run_id == run_id, t.c.state == ItemState.PENDING.value)
            .order_by(t.c.position)
            .limit(limit)
        )
        return [_item(row) for row in self.connection.execute(query).mappings()]

    def deposited_batches(self, run_id: UUID) -> list[str]:
        t = verification_items
        query = (
            select(t.c.batch_id, func.min(t.c.position))
            .where(t.c.run_id == run_id, t.c.state == ItemState.DEPOSITED.value)
            .group_by(t.c.batch_id)
            .order_by(func.min(t.c.position))
        )
        return [batch_id for batch_id, _ in self.connection.execute(query)]

    def batch_items(self, run_id: UUID, batch_id: str) -> list[CampaignItem]:
        t = verification_items
        query = (
            select(t)
            .where(
                t.c.run_id == run_id,
                t.c.batch_id == batch_id,
                t.c.state == ItemState.DEPOSITED.value,
            )
            .order_by(t.c.position)
        )
        return [_item(row) for row in self.connection.execute(query).mappings()]

    def mark_deposited(self, run_id: UUID, batch_id: str, sent: Sequence[tuple[int, str]]) -> None:
        t = verification_items
        statement = (
            update(t)
            .where(t.c.run_id == run_id, t.c.position == bindparam("p"))
            .values(state=ItemState.DEPOSITED.value, batch_id=batch_id, ins_number=bindparam("n"))
        )
        self.connection.execute(statement, [{"p": p, "n": n} for p, n in sent])

    def reset_batch(self, run_id: UUID, batch_id: str) -> None:
        t = verification_items
        self.connection.execute(
            update(t)
            .where(
                t.c.run_id == run_id,
                t.c.batch_id == batch_id,
                t.c.state == ItemState.DEPOSITED.value,
            )
            .values(state=ItemState.PENDING.value, batch_id=None)
        )

    def mark_done(self, run_id: UUID, done: Sequence[ItemDone], at: datetime) -> None:
        if not done:
            return
        t = verification_items
        statement = (
            update(t)
            .where(t.c.run_id == run_id, t.c.position == bindparam("p"))
            .values(
                state=ItemState.DONE.value,
                result=bindparam("r"),
                message=bindparam("m"),
                ins_number=func.coalesce(bindparam("n"), t.c.ins_number),
                processed_at=at,
            )
        )
        rows = [
            {"p": d.position, "r": d.result.value, "m": d.message, "n": d.ins_number} for d in done
        ]
        self.connection.execute(statement, rows)

    def counts(self, run_id: UUID) -> dict[tuple[str, str | None], int]:
        t = verification_items
        query = (
            select(t.c.state, t.c.result, func.count())
            .where(t.c.run_id == run_id)
            .group_by(t.c.state, t.c.result)
        )
        return {(state, result): n for state, result, n in self.connection.execute(query)}

    def items_with_result(self, run_id: UUID, result: VerificationResult) -> list[CampaignItem]:
        t = verification_items
        query = (
            select(t).where(t.c.run_id == run_id, t.c.result == result.value).order_by(t.c.position)
        )
        return [_item(row) for row in self.connection.execute(query).mappings()]

    # -- identities ----------------------------------------------------------------------

    def verification_queries(
        self, identity_ids: Sequence[UUID]
    ) -> dict[UUID, VerificationQuery | None]:
        i = identities
        columns = (
            i.c.id,
            i.c.ins_number,
            i.c.ins_oid,
            i.c.birth_name,
            i.c.birth_first_names,
            i.c.sex,
            i.c.birth_date_raw,
            i.c.birth_place_code,
        )
        found: dict[UUID, VerificationQuery | None] = dict.fromkeys(identity_ids)
        for start in range(0, len(identity_ids), 900):
            chunk = identity_ids[start : start + 900]
            for row in self.connection.execute(select(*columns).where(i.c.id.in_(chunk))):
                if row.ins_number is None:
                    continue
                found[row.id] = VerificationQuery(
                    ins_number=row.ins_number,
                    oid=row.ins_oid,
                    birth_name=row.birth_name,
                    first_names=tuple(row.birth_first_names),
                    sex=row.sex,
                    birth_date=row.birth_date_raw,
                    birth_place_code=row.birth_place_code,
                )
        return found

    def mark_verified(self, identity_ids: Sequence[UUID], at: datetime) -> None:
        if not identity_ids:
            return
        v = ins_verifications
        for start in range(0, len(identity_ids), 900):
            chunk = list(identity_ids[start : start + 900])
            self.connection.execute(delete(v).where(v.c.identity_id.in_(chunk)))
            insert_many(self.connection, v, [{"identity_id": i, "verified_at": at} for i in chunk])

    def last_verified(self, identity_id: UUID) -> datetime | None:
        v = ins_verifications
        query = select(v.c.verified_at).where(v.c.identity_id == identity_id)
        return self.connection.execute(query).scalar()

    def outcomes_since(self, since: datetime) -> dict[tuple[str, str], int]:
        t = verification_items
        query = select(t.c.processed_at, t.c.result).where(
            t.c.state == ItemState.DONE.value, t.c.processed_at >= since
        )
        counts: dict[tuple[str, str], int] = {}
        for at, result in self.connection.execute(query):
            key = (f"{at:%Y-%m}", result)
            counts[key] = counts.get(key, 0) + 1
        return counts


def _campaign_row(campaign: Campaign) -> dict[str, Any]:
    return {**vars(campaign), "perimeter": campaign.perimeter.value}


def _campaign(row: RowMapping) -> Campaign:
    return Campaign(**{**row, "perimeter": Perimeter(row["perimeter"])})


def _item_row(item: CampaignItem) -> dict[str, Any]:
    return {
        **vars(item),
        "state": item.state.value,
        "result": item.result.value if item.result else None,
    }


def _item(row: RowMapping) -> CampaignItem:
    return CampaignItem(
        **{
            **row,
            "state": ItemState(row["state"]),
            "result": VerificationResult(row["result"]) if row["result"] else None,
        }
    )


# -- identity-vigilance worklists ------------------------------------------------------------


class SqlVigilanceRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, entry: VigilanceEntry) -> None:
        self.connection.execute(insert(vigilance_entries).values(_entry_row(entry)))

    def get(self, entry_id: UUID) -> VigilanceEntry:
        query = select(vigilance_entries).where(vigilance_entries.c.id == entry_id)
        row = self.connection.execute(query).mappings().first()
        if row is None:
            raise NotFound(f"Élément de liste de travail inconnu : {entry_id}.")
        return _entry(row)

    def open_for(self, kind: EntryKind, identity_id: UUID) -> VigilanceEntry | None:
        t = vigilance_entries
        query = select(t).where(
            t.c.kind == kind.value, t.c.identity_id == identity_id, t.c.resolved_at.is_(None)
        )
        row = self.connection.execute(query.limit(1)).mappings().first()
        return _entry(row) if row else None

    def entries(
        self, kind: EntryKind | None = None, *, open_only: bool = True, limit: int = 200
    ) -> list[VigilanceEntry]:
        t = vigilance_entries
        conditions = []
        if kind is not None:
            conditions.append(t.c.kind == kind.value)
        if open_only:
            conditions.append(t.c.resolved_at.is_(None))
        query = select(t).where(and_(*conditions)).order_by(t.c.created_at, t.c.id).limit(limit)
        return [_entry(row) for row in self.connection.execute(query).mappings()]

    def resolve(self, entry: VigilanceEntry) -> None:
        self.connection.execute(
            update(vigilance_entries)
            .where(vigilance_entries.c.id == entry.id)
            .values(
                resolved_at=entry.resolved_at,
                resolved_by=entry.resolved_by,
                decision=entry.decision.value if entry.decision else None,
                comment=entry.comment,
            )
        )

    def count_open(self) -> dict[str, int]:
        t = vigilance_entries
        query = select(t.c.kind, func.count()).where(t.c.resolved_at.is_(None)).group_by(t.c.kind)
        return {kind: n for kind, n in self.connection.execute(query)}


def _entry_row(entry: VigilanceEntry) -> dict[str, Any]:
    return {
        **vars(entry),
        "kind": entry.kind.value,
        "decision": entry.decision.value if entry.decision else None,
    }


def _entry(row: RowMapping) -> VigilanceEntry:
    return VigilanceEntry(
        **{
            **row,
            "kind": EntryKind(row["kind"]),
            "decision": EntryDecision(row["decision"]) if row["decision"] else None,
        }
    )


# -- received messages and leases -----------------------------------------------------------


class SqlReceptionLog:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, message: ReceivedMessage) -> None:
        row = {**vars(message), "outcome": message.outcome.value}
        self.connection.execute(insert(received_messages).values(row))

    def get(self, message_id: UUID) -> ReceivedMessage:
        query = select(received_messages).where(received_messages.c.id == message_id)
        row = self.connection.execute(query).mappings().first()
        if row is None:
            raise NotFound(f"Message reçu inconnu : {message_id}.")
        return ReceivedMessage(**{**row, "outcome": ReceptionOutcome(row["outcome"])})

    def for_identity(self, identity_id: UUID) -> list[ReceivedMessage]:
        t = received_messages
        query = select(t).where(t.c.identity_id == identity_id).order_by(t.c.received_at)
        return [
            ReceivedMessage(**{**row, "outcome": ReceptionOutcome(row["outcome"])})
            for row in self.connection.execute(query).mappings()
        ]

    def identity_for_patient(
        self, application: str | None, facility: str | None, patient_id: str
    ) -> UUID | None:
        t = received_messages
        query = (
            select(t.c.identity_id)
            .where(
                t.c.patient_id == patient_id,
                t.c.sender_application.is_not_distinct_from(application),
                t.c.sender_facility.is_not_distinct_from(facility),
                t.c.identity_id.is_not(None),
            )
            .order_by(t.c.received_at.desc())
            .limit(1)
        )
        found: UUID | None = self.connection.execute(query).scalar()
        return found


class SqlLeaseStore:
    """A lease is taken by an ``UPDATE`` that only matches an expired (or own) lease,
    or by the ``INSERT`` of its first row: atomic on SQLite and PostgreSQL alike."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        t = scheduler_leases
        result = self.connection.execute(
            update(t)
            .where(t.c.name == name, or_(t.c.expires_at < now, t.c.holder == holder))
            .values(holder=holder, expires_at=until)
        )
        if result.rowcount == 1:
            return True
        exists = self.connection.execute(select(t.c.name).where(t.c.name == name)).first()
        if exists is not None:
            return False
        try:
            with self.connection.begin_nested():
                self.connection.execute(
                    insert(t).values(name=name, holder=holder, expires_at=until)
                )
        except IntegrityError:
            return False
        return True

    def release(self, name: str, holder: str) -> None:
        t = scheduler_leases
        self.connection.execute(delete(t).where(t.c.name == name, t.c.holder == holder))
