"""INSi steering indicators (R-IND-01): outcomes per month, and why identities stay
without an INS after their first recovery.

The first recovery of an identity is its earliest attempt (the calls of one
``recover_ins``); the identity counts as "not qualified after its first INSi
call" when that attempt integrated nothing. Its reason is the end of the attempt:
``not_found`` (01), ``several_found`` (02), ``error``, ``rejected`` (the user
refused the comparison), ``pending`` (still waiting for confirmation) or
``refused`` (answer incomplete, or the identity could not take it).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from identito.domain.insi import InsiOutcome
from identito.domain.permissions import Actor, Permission
from identito.services.insi_records import Decision, InsiCall
from identito.services.rules import Rules
from identito.services.unit_of_work import UnitOfWork


class NonQualification(StrEnum):
    """Why an identity was left without an INS by its first recovery."""

    NOT_FOUND = "not_found"
    SEVERAL_FOUND = "several_found"
    ERROR = "error"
    REJECTED = "rejected"
    PENDING = "pending"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return NON_QUALIFICATION_LABELS[self]


NON_QUALIFICATION_LABELS = {
    NonQualification.NOT_FOUND: "Aucune identité trouvée (01)",
    NonQualification.SEVERAL_FOUND: "Plusieurs identités trouvées (02)",
    NonQualification.ERROR: "Erreur du téléservice",
    NonQualification.REJECTED: "Comparaison refusée par l'utilisateur",
    NonQualification.PENDING: "Comparaison en attente de décision",
    NonQualification.REFUSED: "Réponse non intégrable",
}
REASONS = tuple(NonQualification)


@dataclass(frozen=True)
class InsiIndicators:
    since: datetime
    #: month ``YYYY-MM`` -> outcome (``00``, ``01``, ``02``, ``error``) -> number of calls
    outcomes_by_month: dict[str, dict[str, int]]
    #: identities whose first recovery falls in the period
    first_recoveries: int
    #: identities left without an INS by their first recovery, by reason
    not_qualified: dict[str, int]

    @property
    def not_qualified_rate(self) -> float:
        if not self.first_recoveries:
            return 0.0
        return sum(self.not_qualified.values()) / self.first_recoveries

    def rate(self, reason: str) -> float:
        if not self.first_recoveries:
            return 0.0
        return self.not_qualified.get(reason, 0) / self.first_recoveries


def insi_indicators(
    *, uow: UnitOfWork, actor: Actor, rules: Rules, months: int = 12
) -> InsiIndicators:
    actor.require(Permission.INDICATORS_READ)
    since = _months_back(rules.now(), months)
    with uow:
        # Verification calls (modes verify, batch_verify) have their own indicators.
        calls = [c for c in uow.insi_calls.since(since) if c.mode in ("card", "traits")]
    by_month: dict[str, Counter[str]] = defaultdict(Counter)
    for call in calls:
        by_month[f"{call.at:%Y-%m}"][call.outcome.value] += 1
    first = _first_attempts(calls)
    reasons = Counter(r for r in (_reason(attempt) for attempt in first.values()) if r)
    return InsiIndicators(
        since=since,
        outcomes_by_month={m: dict(c) for m, c in sorted(by_month.items())},
        first_recoveries=len(first),
        not_qualified={r.value: reasons[r] for r in REASONS if reasons[r]},
    )


def _months_back(now: datetime, months: int) -> datetime:
    """The first instant of the month ``months - 1`` months before ``now``'s month."""
    index = now.year * 12 + now.month - 1 - max(months - 1, 0)
    return now.replace(
        year=index // 12, month=index % 12 + 1, day=1, hour=0, minute=0, second=0, microsecond=0
    )


def _first_attempts(calls: list[InsiCall]) -> dict[UUID, list[InsiCall]]:
    """Identity -> the calls of its earliest attempt (``calls`` are oldest first)."""
    first: dict[UUID, UUID] = {}
    attempts: dict[UUID, list[InsiCall]] = defaultdict(list)
    for call in calls:
        if call.identity_id is None:
            continue
        attempt = first.setdefault(call.identity_id, call.attempt_id)
        if attempt == call.attempt_id:
            attempts[call.identity_id].append(call)
    return attempts


def _reason(attempt: list[InsiCall]) -> NonQualification | None:
    last = max(attempt, key=lambda c: c.sequence)
    if any(c.applied for c in attempt):
        return None
    if last.outcome is InsiOutcome.NOT_FOUND:
        return NonQualification.NOT_FOUND
    if last.outcome is InsiOutcome.SEVERAL_FOUND:
        return NonQualification.SEVERAL_FOUND
    if last.decision is Decision.REJECTED:
        return NonQualification.REJECTED
    if last.decision is Decision.PENDING:
        return NonQualification.PENDING
    if last.outcome is InsiOutcome.ERROR and last.decision is not Decision.REFUSED:
        return NonQualification.ERROR
    return NonQualification.REFUSED
