"""In-memory fakes of the verification ports (campaigns, vigilance, receptions, leases)
and a scripted verifying teleservice. Writes are visible at once (no rollback)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import count
from uuid import UUID

from identito.domain.errors import NotFound
from identito.domain.identifiers import Oid
from identito.domain.identity import Identity
from identito.domain.status import IdentityStatus
from identito.services.reception_model import Sender, sender_key
from identito.services.reception_records import StoredAck
from identito.services.teleservice import (
    Authentication,
    BatchStatus,
    BatchVerificationResult,
    CallContext,
    Exchange,
    TeleserviceError,
    VerificationQuery,
    VerificationResponse,
)
from identito.services.verification import verification_query
from identito.services.verification_records import (
    Campaign,
    CampaignItem,
    CampaignRun,
    EntryKind,
    ItemDone,
    ItemState,
    Perimeter,
    ReceivedMessage,
    VerificationResult,
    VigilanceEntry,
)
from identito.services.vigilance_records import IDENTITY_WORK


class FakeCampaigns:
    def __init__(self) -> None:
        self.identities: dict[UUID, Identity] = {}
        self.campaigns: dict[UUID, Campaign] = {}
        self.runs_by_id: dict[UUID, CampaignRun] = {}
        self.items: dict[tuple[UUID, int], CampaignItem] = {}
        self.verified: dict[UUID, datetime] = {}

    def add(self, campaign: Campaign) -> None:
        self.campaigns[campaign.id] = campaign

    def get(self, campaign_id: UUID) -> Campaign:
        if campaign_id not in self.campaigns:
            raise NotFound(f"Campagne de vérification inconnue : {campaign_id}.")
        return self.campaigns[campaign_id]

    def all(self) -> list[Campaign]:
        return sorted(self.campaigns.values(), key=lambda c: c.created_at)

    def save(self, campaign: Campaign) -> None:
        self.campaigns[campaign.id] = campaign

    def perimeter(self, campaign: Campaign, now: datetime) -> Iterator[UUID]:
        cutoff = now - timedelta(days=round(365.25 * campaign.years))
        for identity in sorted(self.identities.values(), key=lambda i: i.id):
            if identity.ins is None or not identity.active:
                continue
            if campaign.perimeter is Perimeter.NIA and identity.ins.oid is not Oid.NIA:
                continue
            last = self.verified.get(identity.id, identity.ins_retrieved_at)
            if campaign.perimeter is Perimeter.STALE and last is not None and last >= cutoff:
                continue
            if campaign.query == "qualified" and identity.status is not IdentityStatus.QUALIFIED:
                continue
            yield identity.id

    def add_run(self, run: CampaignRun, identity_ids: Iterable[UUID]) -> int:
        ids = list(identity_ids)
        self.runs_by_id[run.id] = replace(run, total=len(ids))
        for position, identity_id in enumerate(ids):
            self.items[(run.id, position)] = CampaignItem(run.id, position, identity_id)
        return len(ids)

    def get_run(self, run_id: UUID) -> CampaignRun:
        if run_id not in self.runs_by_id:
            raise NotFound(f"Passage de campagne inconnu : {run_id}.")
        return self.runs_by_id[run_id]

    def runs(self, campaign_id: UUID) -> list[CampaignRun]:
        found = [r for r in self.runs_by_id.values() if r.campaign_id == campaign_id]
        return sorted(found, key=lambda r: r.started_at, reverse=True)

    def unfinished_run(self, campaign_id: UUID) -> CampaignRun | None:
        found = [r for r in self.runs(campaign_id) if r.finished_at is None]
        return found[0] if found else None

    def finish_run(self, run_id: UUID, at: datetime) -> None:
        self.runs_by_id[run_id] = replace(self.runs_by_id[run_id], finished_at=at)

    def _of(self, run_id: UUID) -> list[CampaignItem]:
        return [
            i for (r, _), i in sorted(self.items.items(), key=lambda kv: kv[0][1]) if r == run_id
        ]

    def pending(self, run_id: UUID, limit: int) -> list[CampaignItem]:
        return [i for i in self._of(run_id) if i.state is ItemState.PENDING][:limit]

    def deposited_batches(self, run_id: UUID) -> list[str]:
        batches = [i.batch_id for i in self._of(run_id) if i.state is ItemState.DEPOSITED]
        return list(dict.fromkeys(b for b in batches if b))

    def batch_items(self, run_id: UUID, batch_id: str) -> list[CampaignItem]:
        return [
            i for i in self._of(run_id) if i.batch_id == batch_id and i.state is ItemState.DEPOSITED
        ]

    def mark_deposited(self, run_id: UUID, batch_id: str, sent: Sequence[tuple[int, str]]) -> None:
        for position, number in sent:
            item = self.items[(run_id, position)]
            self.items[(run_id, position)] = replace(
                item, state=ItemState.DEPOSITED, batch_id=batch_id, ins_number=number
            )

    def reset_batch(self, run_id: UUID, batch_id: str) -> None:
        for item in self.batch_items(run_id, batch_id):
            self.items[(run_id, item.position)] = replace(
                item, state=ItemState.PENDING, batch_id=None
            )

    def mark_done(self, run_id: UUID, done: Sequence[ItemDone], at: datetime) -> None:
        for d in done:
            item = self.items[(run_id, d.position)]
            self.items[(run_id, d.position)] = replace(
                item,
                state=ItemState.DONE,
                result=d.result,
                message=d.message,
                ins_number=d.ins_number or item.ins_number,
                processed_at=at,
            )

    def counts(self, run_id: UUID) -> dict[tuple[str, str | None], int]:
        return dict(
            Counter((i.state.value, i.result.value if i.result else None) for i in self._of(run_id))
        )

    def items_with_result(self, run_id: UUID, result: VerificationResult) -> list[CampaignItem]:
        return [i for i in self._of(run_id) if i.result is result]

    def verification_queries(
        self, identity_ids: Sequence[UUID]
    ) -> dict[UUID, VerificationQuery | None]:
        found: dict[UUID, VerificationQuery | None] = {}
        for identity_id in identity_ids:
            identity = self.identities.get(identity_id)
            usable = identity is not None and identity.ins is not None and identity.active
            found[identity_id] = verification_query(identity) if usable else None
        return found

    def mark_verified(self, identity_ids: Sequence[UUID], at: datetime) -> None:
        for identity_id in identity_ids:
            self.verified[identity_id] = at

    def unconfirmed(self, identity_ids: Sequence[UUID]) -> set[UUID]:
        found = (self.identities.get(i) for i in identity_ids)
        return {i.id for i in found if i is not None and i.ins is not None and not i.ins_confirmed}

    def last_verified(self, identity_id: UUID) -> datetime | None:
        return self.verified.get(identity_id)

    def outcomes_since(self, since: datetime) -> dict[tuple[str, str], int]:
        counts: Counter[tuple[str, str]] = Counter()
        for item in self.items.values():
            if item.processed_at and item.result and item.processed_at >= since:
                counts[(f"{item.processed_at:%Y-%m}", item.result.value)] += 1
        return dict(counts)


class FakeVigilance:
    def __init__(self) -> None:
        self.rows: dict[UUID, VigilanceEntry] = {}
        self.identities: dict[UUID, Identity] = {}  # set by FakeUnitOfWork

    def _listed(self, entry: VigilanceEntry) -> bool:
        """Not an entry of ``IDENTITY_WORK`` about a merged identity."""
        identity = self.identities.get(entry.identity_id) if entry.identity_id else None
        return entry.kind not in IDENTITY_WORK or identity is None or identity.active

    def add(self, entry: VigilanceEntry) -> None:
        self.rows[entry.id] = entry

    def get(self, entry_id: UUID) -> VigilanceEntry:
        if entry_id not in self.rows:
            raise NotFound(f"Élément de liste de travail inconnu : {entry_id}.")
        return self.rows[entry_id]

    def open_for(self, kind: EntryKind, identity_id: UUID) -> VigilanceEntry | None:
        return next(
            (
                e
                for e in self.rows.values()
                if e.kind is kind and e.identity_id == identity_id and e.open
            ),
            None,
        )

    def entries(
        self, kind: EntryKind | None = None, *, open_only: bool = True, limit: int = 200
    ) -> list[VigilanceEntry]:
        found = [
            e
            for e in self.rows.values()
            if (kind is None or e.kind is kind) and (e.open or not open_only) and self._listed(e)
        ]
        return sorted(found, key=lambda e: e.created_at)[:limit]

    def resolve(self, entry: VigilanceEntry) -> None:
        self.rows[entry.id] = entry

    def count_open(self) -> dict[str, int]:
        return dict(Counter(e.kind.value for e in self.rows.values() if e.open and self._listed(e)))


class FakeReceptions:
    def __init__(self) -> None:
        self.messages: dict[UUID, ReceivedMessage] = {}
        self.links: dict[tuple[str, str], UUID] = {}
        self.acks: dict[tuple[str, str], StoredAck] = {}

    def stored_ack(self, sender: str, control_id: str) -> StoredAck | None:
        return self.acks.get((sender, control_id))

    def keep_ack(self, ack: StoredAck, *, replace_before: datetime) -> StoredAck:
        kept = self.acks.get((ack.sender, ack.control_id))
        if kept is not None and kept.digest == ack.digest and kept.answered_at >= replace_before:
            return kept
        self.acks[(ack.sender, ack.control_id)] = ack
        return ack

    def linked_identity(self, sender: str, patient_id: str) -> UUID | None:
        return self.links.get((sender, patient_id))

    def patients_of(self, identity_id: UUID) -> list[tuple[str, str]]:
        return sorted(k for k, v in self.links.items() if v == identity_id)

    def link_patient(self, sender: str, patient_id: str, identity_id: UUID, at: datetime) -> None:
        self.links.setdefault((sender, patient_id), identity_id)

    def add(self, message: ReceivedMessage) -> None:
        self.messages[message.id] = message

    def get(self, message_id: UUID) -> ReceivedMessage:
        if message_id not in self.messages:
            raise NotFound(f"Message reçu inconnu : {message_id}.")
        return self.messages[message_id]

    def for_identity(self, identity_id: UUID) -> list[ReceivedMessage]:
        return [m for m in self.messages.values() if m.identity_id == identity_id]

    def identity_for_patient(
        self, application: str | None, facility: str | None, patient_id: str
    ) -> UUID | None:
        linked = self.links.get((sender_key(Sender(application, facility)), patient_id))
        if linked is not None:
            return linked
        found = [
            m
            for m in self.messages.values()
            if (m.sender_application, m.sender_facility, m.patient_id)
            == (application, facility, patient_id)
            and m.identity_id is not None
        ]
        return max(found, key=lambda m: m.received_at).identity_id if found else None


class FakeLeases:
    def __init__(self) -> None:
        self.leases: dict[str, tuple[str, datetime]] = {}

    def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        current = self.leases.get(name)
        if current is not None and current[0] != holder and current[1] >= now:
            return False
        self.leases[name] = (holder, until)
        return True

    def release(self, name: str, holder: str) -> None:
        if self.leases.get(name, ("", None))[0] == holder:
            del self.leases[name]


@dataclass
class FakeVerifier:
    """Answers verifications: KO for the matricules in ``ko``, errors for ``errors``
    (per item in a batch, raised for a unit call), OK otherwise. Counts every item."""

    ko: set[str] = field(default_factory=set)
    errors: set[str] = field(default_factory=set)
    fail_submit: TeleserviceError | None = None
    polls: int = 0  # fetches answered "in progress" before the results
    supports_batch: bool = True
    verified: Counter[str] = field(default_factory=Counter)
    contexts: list[CallContext] = field(default_factory=list)
    batches: dict[str, tuple[list[BatchVerificationResult], int]] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: count(1))

    def _exchange(self, context: CallContext) -> Exchange:
        return Exchange(b"<VERIFINS/>", b"<RESULTATVERIF/>", 1.0, context.authentication)

    def verify(self, query: VerificationQuery, context: CallContext) -> VerificationResponse:
        self.contexts.append(context)
        self.verified[query.ins_number] += 1
        if query.ins_number in self.errors:
            raise TeleserviceError("Le téléservice INSi ne répond pas.", code="unavailable")
        ok = query.ins_number not in self.ko
        return VerificationResponse(ok, "OK" if ok else "KO", self._exchange(context))

    def submit_batch_verification(
        self, queries: Sequence[VerificationQuery], context: CallContext
    ) -> str:
        if not self.supports_batch:
            raise NotImplementedError
        if self.fail_submit is not None:
            raise self.fail_submit
        batch_id = f"LOT-{next(self._ids):04d}"
        results = []
        for query in queries:
            self.verified[query.ins_number] += 1
            if query.ins_number in self.errors:
                results.append(BatchVerificationResult(query.ins_number, None, "Erreur simulée"))
            else:
                results.append(
                    BatchVerificationResult(query.ins_number, query.ins_number not in self.ko)
                )
        self.batches[batch_id] = (results, self.polls)
        return batch_id

    def fetch_batch_verification(self, batch_id: str, context: CallContext) -> BatchStatus:
        results, polls = self.batches[batch_id]
        if polls > 0:
            self.batches[batch_id] = (results, polls - 1)
            return BatchStatus(batch_id, False)
        return BatchStatus(batch_id, True, tuple(results))

    def recover_with_card(self, query: object, context: CallContext) -> object:
        raise NotImplementedError

    def recover_with_traits(self, query: object, context: CallContext) -> object:
        raise NotImplementedError


AUTO = Authentication.ORGANISATION_AUTO
