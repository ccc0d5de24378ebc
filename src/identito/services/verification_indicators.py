"""Verification outcomes over time (R-IND-01): OK, KO and errors per month, from the
unit verification calls (``insi_calls``, mode ``verify``) and the campaign items."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from identito.domain.insi import InsiOutcome
from identito.domain.permissions import Actor, Permission
from identito.services.insi_indicators import _months_back
from identito.services.rules import Rules
from identito.services.unit_of_work import UnitOfWork

_UNIT = {
    InsiOutcome.VERIFIED_OK: "OK",
    InsiOutcome.VERIFIED_KO: "KO",
    InsiOutcome.ERROR: "error",
}
RESULTS = ("OK", "KO", "error")


@dataclass(frozen=True)
class VerificationIndicators:
    since: datetime
    #: month ``YYYY-MM`` -> result (``OK``, ``KO``, ``error``) -> number of verifications
    by_month: dict[str, dict[str, int]]

    @property
    def totals(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for counts in self.by_month.values():
            total.update(counts)
        return {r: total[r] for r in RESULTS}

    @property
    def ko_rate(self) -> float:
        totals = self.totals
        answered = totals["OK"] + totals["KO"]
        return totals["KO"] / answered if answered else 0.0


def verification_indicators(
    *, uow: UnitOfWork, actor: Actor, rules: Rules, months: int = 12
) -> VerificationIndicators:
    actor.require(Permission.INDICATORS_READ)
    since = _months_back(rules.now(), months)
    by_month: dict[str, Counter[str]] = defaultdict(Counter)
    with uow:
        for call in uow.insi_calls.since(since):
            if call.mode == "verify" and call.outcome in _UNIT:
                by_month[f"{call.at:%Y-%m}"][_UNIT[call.outcome]] += 1
        for (month, result), count in uow.campaigns.outcomes_since(since).items():
            if result in RESULTS:
                by_month[month][result] += count
    return VerificationIndicators(
        since, {m: {r: c[r] for r in RESULTS} for m, c in sorted(by_month.items())}
    )
