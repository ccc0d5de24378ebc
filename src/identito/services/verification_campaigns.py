"""Mass verification campaigns: configurable, run in batches, resumable.

``open_run`` fixes the identities of a run (its items, all ``pending``) or returns
the unfinished run of the campaign. ``run_campaign`` then loops:

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

import csv
import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from identito.domain.errors import DomainError, InvalidInput, NotFound
from identito.domain.permissions import Actor, Permission
from identito.services.insi_integration import add_trace
from identito.services.insi_records import CallOutcome, InsiCall
from identito.services.insi_trace import error_code
from identito.services.rules import Rules
from identito.services.teleservice import (
    BatchStatus,
    CallContext,
    CallMode,
    Teleservice,
    TeleserviceError,
)
from identito.services.unit_of_work import AuditEntry, UnitOfWork
from identito.services.verification import apply_result, call_context, verify_ins
from identito.services.verification_records import (
    SAVED_QUERIES,
    Campaign,
    CampaignItem,
    CampaignRun,
    ItemDone,
    Perimeter,
    VerificationResult,
)

CAMPAIGN_CREATED = "verification.campaign_created"
RUN_STARTED = "verification.run_started"
RUN_FINISHED = "verification.run_finished"
UNKNOWN_BATCH_CODES = ("desir_404",)
#: Errors that stop a run (the service is unreachable), as opposed to a fault on one item.
TRANSIENT_ERRORS = ("unavailable", "timeout", "tls")


class CampaignPaused(DomainError):
    """The teleservice failed: the run stops, to be resumed later (state kept)."""


@dataclass(frozen=True)
class RunOptions:
    max_in_flight: int = 4  # batches deposited and not yet fetched
    poll_seconds: float = 2.0  # wait between fetches of a batch in progress
    sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True)
class RunProgress:
    campaign: Campaign
    run: CampaignRun
    counts: dict[tuple[str, str | None], int]

    def _count(self, state: str | None = None, result: str | None = None) -> int:
        return sum(
            n
            for (s, r), n in self.counts.items()
            if (state is None or s == state) and (result is None or r == result)
        )

    @property
    def done(self) -> int:
        return self._count(state="done")

    @property
    def deposited(self) -> int:
        return self._count(state="deposited")

    @property
    def results(self) -> dict[str, int]:
        return {r.value: self._count(state="done", result=r.value) for r in VerificationResult}

    @property
    def finished(self) -> bool:
        return self.run.finished_at is not None


# -- configuration ------------------------------------------------------------------------


def create_campaign(
    *,
    name: str,
    perimeter: str,
    years: int = 5,
    query: str | None = None,
    frequency_days: int | None = None,
    batch_size: int = 500,
    use_batch: bool = True,
    unit_rate: float = 10.0,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
) -> Campaign:
    actor.require(Permission.INSI_CALL)
    kind = _perimeter(perimeter, query)
    _check_numbers(years, batch_size, unit_rate, frequency_days)
    now = rules.now()
    campaign = Campaign(
        name=name.strip() or "Campagne de vérification",
        perimeter=kind,
        created_by=actor.username,
        created_at=now,
        years=years,
        query=query if kind is Perimeter.QUERY else None,
        frequency_days=frequency_days,
        batch_size=batch_size,
        use_batch=use_batch,
        unit_rate=unit_rate,
        next_run_at=now,
    )
    with uow:
        uow.campaigns.add(campaign)
        details = {"campaign_id": str(campaign.id), "perimeter": campaign.perimeter_label}
        uow.add_audit(AuditEntry(actor.username, now, CAMPAIGN_CREATED, None, details=details))
        uow.commit(actor, now)
    return campaign


def _perimeter(perimeter: str, query: str | None) -> Perimeter:
    try:
        kind = Perimeter(perimeter)
    except ValueError:
        known = ", ".join(p.value for p in Perimeter)
        raise InvalidInput.single("perimeter", "perimeter", f"Périmètres : {known}.") from None
    if kind is Perimeter.QUERY and query not in SAVED_QUERIES:
        known = ", ".join(SAVED_QUERIES)
        raise InvalidInput.single("query", "query_unknown", f"Requêtes connues : {known}.")
    return kind


def _check_numbers(years: int, batch_size: int, unit_rate: float, every: int | None) -> None:
    checks = (
        ("years", years >= 1, "Au moins 1 an."),
        ("batch_size", 1 <= batch_size <= 10_000, "Taille de lot entre 1 et 10 000."),
        ("unit_rate", unit_rate > 0, "Débit positif (appels par seconde)."),
        ("frequency_days", every is None or every >= 1, "Fréquence d'au moins 1 jour."),
    )
    for field_name, ok, message in checks:
        if not ok:
            raise InvalidInput.single(field_name, "out_of_range", message)


def list_campaigns(*, uow: UnitOfWork, actor: Actor, rules: Rules) -> list[RunProgress | Campaign]:
    """Each campaign with the progress of its latest run (or alone when never run)."""
    actor.require(Permission.INSI_CALL)
    found: list[RunProgress | Campaign] = []
    with uow:
        for campaign in uow.campaigns.all():
            runs = uow.campaigns.runs(campaign.id)
            if runs:
                found.append(RunProgress(campaign, runs[0], uow.campaigns.counts(runs[0].id)))
            else:
                found.append(campaign)
    return found


# -- runs ---------------------------------------------------------------------------------------


def open_run(
    campaign_id: UUID, *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> tuple[CampaignRun, bool]:
    """The unfinished run of the campaign (resumed: True), else a new one."""
    actor.require(Permission.INSI_CALL)
    now = rules.now()
    with uow:
        campaign = uow.campaigns.get(campaign_id)
        existing = uow.campaigns.unfinished_run(campaign_id)
        if existing is not None:
            return existing, True
        run = CampaignRun(campaign_id, actor.username, now, 0)
        total = uow.campaigns.add_run(run, uow.campaigns.perimeter(campaign, now))
        run = replace(run, total=total)
        details = {"campaign_id": str(campaign_id), "run_id": str(run.id), "total": total}
        uow.add_audit(AuditEntry(actor.username, now, RUN_STARTED, None, details=details))
        uow.commit(actor, now)
    return run, False


def run_progress(run_id: UUID, *, uow: UnitOfWork, actor: Actor, rules: Rules) -> RunProgress:
    actor.require(Permission.INSI_CALL)
    with uow:
        run = uow.campaigns.get_run(run_id)
        return RunProgress(uow.campaigns.get(run.campaign_id), run, uow.campaigns.counts(run_id))


def latest_run(campaign_id: UUID, *, uow: UnitOfWork, actor: Actor, rules: Rules) -> RunProgress:
    actor.require(Permission.INSI_CALL)
    with uow:
        runs = uow.campaigns.runs(campaign_id)
        if not runs:
            raise NotFound("Cette campagne n'a encore jamais été lancée.")
    return run_progress(runs[0].id, uow=uow, actor=actor, rules=rules)


def run_campaign(
    run_id: UUID,
    *,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    teleservice: Teleservice,
    options: RunOptions | None = None,
    on_progress: Callable[[int], None] | None = None,
    keep_going: Callable[[], bool] = lambda: True,
) -> RunProgress:
    """Process the run until it is finished, ``keep_going`` says stop, or INSi fails
    (``CampaignPaused``). ``on_progress`` receives the number of items just done."""
    actor.require(Permission.INSI_CALL)
    options = options or RunOptions()
    with uow:
        run = uow.campaigns.get_run(run_id)
        campaign = uow.campaigns.get(run.campaign_id)
    runner = _Runner(campaign, run, uow, actor, rules, teleservice, options, on_progress)
    while run.finished_at is None and keep_going():
        if not runner.step():
            runner.finish()
            break
    return run_progress(run_id, uow=uow, actor=actor, rules=rules)


@dataclass
class _Runner:
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
        sendable = [(i, q) for i in items if (q := queries.get(i.identity_id)) is not None]
        skipped = [
            ItemDone(i.position, VerificationResult.SKIPPED, "Plus de matricule INS à vérifier.")
            for i in items
            if queries.get(i.identity_id) is None
        ]
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
            self._trace_error("deposit", len(sendable), at, started, error)
            raise CampaignPaused(error.message) from error
        call = self._batch_call("deposit", at, started, CallOutcome.FOUND, batch_id, len(sendable))
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
            self._trace_error("fetch", 0, at, started, error, batch_id)
            if error_code(error) in UNKNOWN_BATCH_CODES:
                self._reset(batch_id)
                return True
            raise CampaignPaused(error.message) from error
        outcome = CallOutcome.FOUND
        call = self._batch_call("fetch", at, started, outcome, batch_id, len(status.results))
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
        return done

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

    def _batch_call(
        self,
        operation: str,
        at: datetime,
        started: float,
        outcome: CallOutcome,
        batch_id: str | None,
        count: int,
    ) -> InsiCall:
        return InsiCall(
            actor=self.actor.username,
            at=at,
            mode=CallMode.BATCH_VERIFY.value,
            authentication=self.context.authentication.value,
            outcome=outcome,
            query=self._query(operation, count, batch_id),
            automatic=True,
            message=batch_id,
            duration_ms=(time.perf_counter() - started) * 1000,
        )

    def _query(self, operation: str, count: int, batch_id: str | None) -> dict[str, Any]:
        return {
            "operation": operation,
            "run_id": str(self.run.id),
            "batch_id": batch_id,
            "count": count,
        }

    def _trace_error(
        self,
        operation: str,
        count: int,
        at: datetime,
        started: float,
        error: TeleserviceError,
        batch_id: str | None = None,
    ) -> None:
        call = self._batch_call(operation, at, started, CallOutcome.ERROR, batch_id, count)
        exchange = error.exchange
        call = replace(
            call,
            error_code=error_code(error),
            message=error.message,
            request=exchange.request if exchange else None,
            response=exchange.response if exchange else None,
        )
        self._save(call)

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
                AuditEntry(self.actor.username, now, RUN_FINISHED, None, details=details)
            )
            self.uow.commit(self.actor, now)
        self.run = replace(self.run, finished_at=now)


def due_campaigns(*, uow: UnitOfWork, actor: Actor, rules: Rules) -> list[Campaign]:
    """Active campaigns whose next run is due, or whose last run is unfinished."""
    actor.require(Permission.INSI_CALL)
    now = rules.now()
    with uow:
        due = []
        for campaign in uow.campaigns.all():
            if not campaign.active:
                continue
            unfinished = uow.campaigns.unfinished_run(campaign.id) is not None
            if unfinished or (campaign.next_run_at is not None and campaign.next_run_at <= now):
                due.append(campaign)
        return due


# -- report -------------------------------------------------------------------------------------

REPORT_RESULTS = {
    VerificationResult.OK: "OK",
    VerificationResult.KO: "KO",
    VerificationResult.ERROR: "erreurs",
    VerificationResult.SKIPPED: "sans matricule (ignorées)",
}


def campaign_report(run_id: UUID, *, uow: UnitOfWork, actor: Actor, rules: Rules) -> str:
    """The CSV report of a run (``;``-separated, UTF-8 with BOM for spreadsheets):
    counts by result, then one line per KO and per error."""
    progress = run_progress(run_id, uow=uow, actor=actor, rules=rules)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["campagne", progress.campaign.name])
    writer.writerow(["périmètre", progress.campaign.perimeter_label])
    writer.writerow(["passage", str(run_id), progress.run.started_at.isoformat()])
    writer.writerow(["identités", progress.run.total])
    for result, label in REPORT_RESULTS.items():
        writer.writerow([label, progress.results.get(result.value, 0)])
    writer.writerow([])
    writer.writerow(["résultat", "identité", "matricule vérifié", "nom de naissance",
                     "1er prénom", "date de naissance", "message"])  # fmt: skip
    with uow:
        for result in (VerificationResult.KO, VerificationResult.ERROR):
            for item in uow.campaigns.items_with_result(run_id, result):
                traits = _traits_or_none(uow, item.identity_id)
                writer.writerow([result.value, str(item.identity_id), item.ins_number or "",
                                 *traits, item.message or ""])  # fmt: skip
    return "\ufeff" + out.getvalue()


def _traits_or_none(uow: UnitOfWork, identity_id: UUID) -> list[str]:
    try:
        traits = uow.identities.get(identity_id).traits
    except NotFound:
        return ["", "", ""]
    return [traits.birth_name, traits.first_birth_first_name, traits.birth_date.raw]
