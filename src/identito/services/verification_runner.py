"""The loop of a campaign run: batches deposited and fetched, or unit calls.

``CampaignRunner.step`` is one turn of the loop driven by ``run_campaign``
(``services.verification_runs``):

1. every batch already deposited (``deposited`` items carry its id) is fetched:
   never deposited again. When it is done its results are applied in one
   transaction together with the items' ``done`` state; a batch the teleservice
   no longer knows is put back to ``pending``;
2. the next pending items are deposited as one batch: the deposit's trace and the
   items' ``deposited`` state (with the batch id) are committed together;
3. without the batch operations (``use_batch`` false, or a teleservice that has
   none) the items are verified by unit calls at ``unit_rate`` per second, each
   call's trace, result and item state committed together.

A process killed at any point therefore loses nothing and repeats no result: an
item is ``done`` exactly once. The only window where INSi may see a request twice
is between a call's answer and its commit (the call is then made again).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

from identito.domain.errors import DomainError, InvalidInput
from identito.domain.events import AuditAction
from identito.domain.ins_source import check_insi_sex
from identito.domain.insi import InsiOutcome
from identito.domain.permissions import Actor
from identito.services.insi_integration import add_trace
from identito.services.insi_records import InsiCall
from identito.services.insi_trace import error_code
from identito.services.rules import Rules
from identito.services.teleservice import (
    BatchStatus,
    CallContext,
    Teleservice,
    TeleserviceError,
)
from identito.services.unit_of_work import AuditEntry, UnitOfWork
from identito.services.verification import apply_result, call_context, verify_ins
from identito.services.verification_records import (
    Campaign,
    CampaignItem,
    CampaignRun,
    ItemDone,
    VerificationResult,
)
from identito.services.verification_trace import BatchTrace

UNKNOWN_BATCH_CODES = ("desir_404",)
#: Errors that stop a run (the service is unreachable), as opposed to a fault on one item.
TRANSIENT_ERRORS = ("unavailable", "timeout", "tls")
#: An item whose identity lost its matricule, or was merged, since the run started.
NOTHING_TO_VERIFY = "Plus de matricule INS à vérifier (matricule retiré ou identité fusionnée)."


def _refused_locally(sex: str) -> str | None:
    """Why a query may not go to INSi (sex other than M/F, R-TR-14), or None."""
    try:
        check_insi_sex(sex)
    except InvalidInput as error:
        return error.errors[0].message
    return None


class CampaignPaused(DomainError):
    """The teleservice failed: the run stops, to be resumed later (state kept)."""


@dataclass(frozen=True)
class RunOptions:
    max_in_flight: int = 4  # batches deposited and not yet fetched
    poll_seconds: float = 2.0  # wait between fetches of a batch in progress
    sleep: Callable[[float], None] = time.sleep


@dataclass
class CampaignRunner:
    campaign: Campaign
    run: CampaignRun
    uow: UnitOfWork
    actor: Actor
    rules: Rules
    teleservice: Teleservice
    options: RunOptions
    on_progress: Callable[[int], None] | None
    batch_supported: bool = True

    @property
    def context(self) -> CallContext:
        return call_context(self.actor, automatic=True)

    @property
    def trace(self) -> BatchTrace:
        return BatchTrace(self.actor.username, self.context, self.run.id)

    def step(self) -> bool:
        """One step of the loop; False when nothing is left to do."""
        with self.uow:
            batches = self.uow.campaigns.deposited_batches(self.run.id)
            pending = self.uow.campaigns.pending(self.run.id, self.campaign.batch_size)
        if not batches and not pending:
            return False
        fetched = any([self.fetch(batch_id) for batch_id in batches])
        if pending and len(batches) < self.options.max_in_flight:
            if self.campaign.use_batch and self.batch_supported:
                self.deposit(pending)
            else:
                self.unit_calls(pending)
        elif batches and not fetched:
            self.options.sleep(self.options.poll_seconds)
        return True

    # -- batches ----------------------------------------------------------------------

    def deposit(self, items: Sequence[CampaignItem]) -> None:
        with self.uow:
            queries = self.uow.campaigns.verification_queries([i.identity_id for i in items])
        sendable, skipped = [], []
        for item in items:
            query = queries.get(item.identity_id)
            reason = NOTHING_TO_VERIFY if query is None else _refused_locally(query.sex)
            if reason is None and query is not None:
                sendable.append((item, query))
            else:
                skipped.append(ItemDone(item.position, VerificationResult.SKIPPED, reason))
        if not sendable:
            self._done(skipped)
            return
        at, started = self.rules.now(), time.perf_counter()
        try:
            batch_id = self.teleservice.submit_batch_verification(
                [q for _, q in sendable], self.context
            )
        except NotImplementedError:
            self.batch_supported = False
            self.unit_calls(items)
            return
        except TeleserviceError as error:
            self._save(self.trace.error("deposit", len(sendable), at, started, error))
            raise CampaignPaused(error.message) from error
        call = self.trace.call("deposit", at, started, InsiOutcome.FOUND, batch_id, len(sendable))
        now = self.rules.now()
        with self.uow:
            add_trace(call, self.uow)
            sent = [(item.position, query.ins_number) for item, query in sendable]
            self.uow.campaigns.mark_deposited(self.run.id, batch_id, sent)
            self.uow.campaigns.mark_done(self.run.id, skipped, now)
            self.uow.commit(self.actor, now)
        self._progress(len(skipped))

    def fetch(self, batch_id: str) -> bool:
        at, started = self.rules.now(), time.perf_counter()
        try:
            status = self.teleservice.fetch_batch_verification(batch_id, self.context)
        except TeleserviceError as error:
            self._save(self.trace.error("fetch", 0, at, started, error, batch_id))
            if error_code(error) in UNKNOWN_BATCH_CODES:
                self._reset(batch_id)
                return True
            raise CampaignPaused(error.message) from error
        outcome = InsiOutcome.FOUND
        call = self.trace.call("fetch", at, started, outcome, batch_id, len(status.results))
        if not status.done:
            self._save(call)
            return False
        self._apply(call, status)
        return True

    def _apply(self, call: InsiCall, status: BatchStatus) -> None:
        now = self.rules.now()
        with self.uow:
            items = self.uow.campaigns.batch_items(self.run.id, status.batch_id)
            done = self._results(items, status, now, call)
            add_trace(call, self.uow)
            self.uow.campaigns.mark_done(self.run.id, done, now)
            self.uow.commit(self.actor, now)
        self._progress(len(done))

    def _results(
        self, items: list[CampaignItem], status: BatchStatus, now: datetime, call: InsiCall
    ) -> list[ItemDone]:
        results = list(status.results)
        by_number = {r.ins_number: r for r in results}
        ok_ids, done = [], []
        for index, item in enumerate(items):
            same_place = index < len(results) and results[index].ins_number == item.ins_number
            found = results[index] if same_place else by_number.get(item.ins_number or "")
            if found is None or found.ok is None:
                message = found.error if found else "Absent de la réponse du lot."
                done.append(ItemDone(item.position, VerificationResult.ERROR, message))
            elif found.ok:
                ok_ids.append(item.identity_id)
                done.append(ItemDone(item.position, VerificationResult.OK))
            else:
                done.append(self._ko(item, now, call))
        self.uow.campaigns.mark_verified(ok_ids, now)
        self._confirm(ok_ids, items, now, call)
        return done

    def _confirm(
        self, ok_ids: list[UUID], items: list[CampaignItem], now: datetime, call: InsiCall
    ) -> None:
        """An OK confirms a matricule held unconfirmed (typed by hand, R-ST-07)."""
        numbers = {item.identity_id: item.ins_number or "" for item in items}
        source = {"call_id": str(call.id), "run_id": str(self.run.id), "batch_id": call.message}
        for identity_id in sorted(self.uow.campaigns.unconfirmed(ok_ids)):
            identity = self.uow.identities.get(identity_id)
            apply_result(
                identity,
                numbers[identity_id],
                True,
                uow=self.uow,
                actor=self.actor,
                now=now,
                source=source,
                called_at=call.at,
            )

    def _ko(self, item: CampaignItem, now: datetime, call: InsiCall) -> ItemDone:
        identity = self.uow.identities.get(item.identity_id)
        source = {"call_id": str(call.id), "run_id": str(self.run.id), "batch_id": call.message}
        result, _, note = apply_result(
            identity,
            item.ins_number or "",
            False,
            uow=self.uow,
            actor=self.actor,
            now=now,
            source=source,
        )
        return ItemDone(item.position, result, note)

    def _reset(self, batch_id: str) -> None:
        now = self.rules.now()
        with self.uow:
            self.uow.campaigns.reset_batch(self.run.id, batch_id)
            self.uow.commit(self.actor, now)

    # -- unit calls ---------------------------------------------------------------------

    def unit_calls(self, items: Sequence[CampaignItem]) -> None:
        interval = 1.0 / self.campaign.unit_rate
        for item in items:
            started = time.perf_counter()
            self._unit(item)
            self._progress(1)
            left = interval - (time.perf_counter() - started)
            if left > 0:
                self.options.sleep(left)

    def _unit(self, item: CampaignItem) -> None:
        paused: list[str] = []

        def mark(uow: UnitOfWork, result: VerificationResult, call: InsiCall) -> None:
            if result is VerificationResult.ERROR and call.error_code in TRANSIENT_ERRORS:
                paused.append(call.message or "Erreur du téléservice INSi.")
                return  # the item stays pending: verified again when the run resumes
            done = ItemDone(item.position, result, call.message if call.error_code else None)
            uow.campaigns.mark_done(self.run.id, [done], self.rules.now())

        try:
            outcome = verify_ins(
                item.identity_id,
                uow=self.uow,
                actor=self.actor,
                rules=self.rules,
                teleservice=self.teleservice,
                automatic=True,
                on_commit=mark,
            )
        except DomainError as error:  # no INS any more, unknown identity...
            self._done([ItemDone(item.position, VerificationResult.SKIPPED, error.message)])
            return
        del outcome
        if paused:
            raise CampaignPaused(paused[0])

    # -- helpers ------------------------------------------------------------------------

    def _save(self, call: InsiCall) -> None:
        with self.uow:
            add_trace(call, self.uow)
            self.uow.commit(self.actor, call.at)

    def _done(self, done: list[ItemDone]) -> None:
        now = self.rules.now()
        with self.uow:
            self.uow.campaigns.mark_done(self.run.id, done, now)
            self.uow.commit(self.actor, now)
        self._progress(len(done))

    def _progress(self, count: int) -> None:
        if self.on_progress is not None and count:
            self.on_progress(count)

    def finish(self) -> None:
        now = self.rules.now()
        with self.uow:
            self.uow.campaigns.finish_run(self.run.id, now)
            campaign = self.uow.campaigns.get(self.campaign.id)
            every = campaign.frequency_days
            next_run = now + timedelta(days=every) if every else None
            self.uow.campaigns.save(replace(campaign, next_run_at=next_run))
            counts = self.uow.campaigns.counts(self.run.id)
            details = {
                "run_id": str(self.run.id),
                "results": {str(r): n for (_, r), n in counts.items()},
            }
            self.uow.add_audit(
                AuditEntry(
                    self.actor.username,
                    now,
                    AuditAction.VERIFICATION_RUN_FINISHED,
                    None,
                    details=details,
                )
            )
            self.uow.commit(self.actor, now)
        self.run = replace(self.run, finished_at=now)
