"""SQL repositories of INS verification (migration ``0005``): campaigns, runs and
items here; identity-vigilance entries (``adapters.vigilance_store``), received
messages (``adapters.reception_log``) and scheduler leases (``adapters.leases``) are
re-exported from their own modules.

They write on the unit of work's connection, inside its transaction. Item state
changes are plain ``UPDATE``s keyed by (run, position): applying the same change
twice gives the same row, which is what makes a killed campaign resumable.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, bindparam, func, insert, or_, select, update

from identito.adapters.bulk import insert_many
from identito.adapters.leases import SqlLeaseStore
from identito.adapters.orm import (
    identities,
    ins_verifications,
    verification_campaigns,
    verification_items,
    verification_runs,
)
from identito.adapters.reception_log import SqlReceptionLog
from identito.adapters.verification_identities import SqlVerifiedIdentities
from identito.adapters.vigilance_store import SqlVigilanceRepository
from identito.domain.errors import NotFound
from identito.domain.identifiers import Oid
from identito.domain.status import IdentityStatus
from identito.services.verification_records import (
    Campaign,
    CampaignItem,
    CampaignRun,
    ItemDone,
    ItemState,
    Perimeter,
    VerificationResult,
)

__all__ = [
    "SqlCampaignRepository",
    "SqlLeaseStore",
    "SqlReceptionLog",
    "SqlVerifiedIdentities",
    "SqlVigilanceRepository",
]

_CHUNK = 5000


class SqlCampaignRepository(SqlVerifiedIdentities):
    """Campaigns, their runs and items; ``SqlVerifiedIdentities`` adds the identities'
    side (queries to send, dates of the last verification OK)."""

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
        """The active identities carrying a matricule in the campaign's perimeter (a
        merged identity is verified through its survivor, never on its own)."""
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
        query = query.where(i.c.active.is_(True)).order_by(i.c.id)
        for (identity_id,) in self.connection.execute(query):
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
