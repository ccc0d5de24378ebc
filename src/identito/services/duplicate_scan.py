"""The batch duplicate scan: every active identity, blocked, scored, streamed.

``scan_pairs`` loads the active base as lightweight ``MatchRecord``s
(``uow.identities.scan_records()``), forms the candidate pairs by blocking
(``duplicate_blocking``: never all pairs), scores them with the domain's model
(estimated parameters and term frequencies when ``estimate_model`` stored them,
else the documented defaults) and yields a ``ScoredPair`` for every pair
scoring at least ``threshold`` and every blocking pair (same active matricule).

Scoring runs in ``os.cpu_count()`` forked worker processes when there are many
pairs: the records are shared copy-on-write (no pickling of the base), workers
return only the kept pairs' positions, and the explanations are built here.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence

from identito.domain.duplicate_model import (
    DEFAULT,
    NO_FREQUENCIES,
    Agreement,
    ModelParameters,
    TermFrequencies,
    Trait,
)
from identito.domain.duplicates import (
    Level,
    MatchRecord,
    ScoredPair,
    is_twin_pattern,
    levels,
    score_records,
)
from identito.services.duplicate_blocking import BlockingReport, candidate_pairs
from identito.services.duplicate_estimation import estimate_model
from identito.services.duplicates import jaro_winkler
from identito.services.unit_of_work import UnitOfWork

__all__ = ["estimate_model", "scan_pairs", "stored_model"]

Progress = Callable[[int, int], None]
#: Pairs scored between two progress calls (and per task of a worker).
CHUNK = 50_000
#: Below this many pairs, scoring stays in this process.
PARALLEL_FROM = 200_000

_TRAITS = tuple(Trait)


class Weigher:
    """The model's log-odds of a comparison, with its weights looked up once."""

    def __init__(self, model: ModelParameters, frequencies: TermFrequencies) -> None:
        self.prior = model.prior
        self.model = model
        self.table = {
            (trait, agreement): model.weight(trait, agreement)
            for trait, found in model.levels.items()
            for agreement in (*found, Agreement.MISSING)
        }
        self.table[Trait.INS, Agreement.EXACT] = 0.0
        self.frequencies = frequencies
        self._adjustments: dict[tuple[Trait, str], float] = {}

    def log_odds(self, found: Sequence[Level]) -> float:
        total = self.prior
        for trait, (agreement, _, value) in zip(_TRAITS, found, strict=True):
            total += self.table[trait, agreement]
            if value:
                cached = self._adjustments.get((trait, value))
                if cached is None:
                    cached = self.frequencies.adjustment(trait, value)
                    self._adjustments[trait, value] = cached
                total += cached
        return self.model.twin_odds(total) if is_twin_pattern(found) else total


def stored_model(uow: UnitOfWork) -> tuple[ModelParameters, TermFrequencies]:
    """The estimated model and all its frequencies, or the defaults without any."""
    stored = uow.duplicate_model.parameters()
    if stored is None:
        return DEFAULT, NO_FREQUENCIES
    return stored, uow.duplicate_model.term_frequencies()


def scan_pairs(
    uow: UnitOfWork,
    *,
    threshold: float,
    progress: Progress | None = None,
    workers: int | None = None,
    report: BlockingReport | None = None,
) -> Iterator[ScoredPair]:
    """Every pair of active identities scoring at least ``threshold``, and every
    blocking pair, by blocking (never all pairs). ``progress(done, total)`` counts
    the candidate pairs scored; ``report`` (optional) receives the blocking figures.
    """
    with uow:
        records = list(uow.identities.scan_records())
        model, frequencies = stored_model(uow)
    pairs, blocking = candidate_pairs(records)
    if report is not None:
        report.blocks, report.capped, report.pairs = blocking.blocks, blocking.capped, len(pairs)
    kept = _score(records, pairs, Weigher(model, frequencies), threshold, progress, workers)
    n = len(records)
    for packed in kept:
        i, j = divmod(packed, n)
        a, b = records[i], records[j]
        if a.id is None or b.id is None:
            continue
        first, second = (a, b) if a.id < b.id else (b, a)
        pair = score_records(
            first, second, similarity=jaro_winkler, model=model, frequencies=frequencies
        )
        if pair.blocking or pair.score >= threshold:
            yield ScoredPair(min(a.id, b.id), max(a.id, b.id), pair.score, pair.blocking,
                             pair.explanation)  # fmt: skip


def _odds_threshold(threshold: float) -> float:
    """Log-odds below which a pair is dropped (a little margin for the rounding)."""
    if threshold <= 0.0:
        return -math.inf
    if threshold >= 1.0:
        return math.inf
    return math.log2(threshold / (1.0 - threshold)) - 0.01


#: What a forked worker needs: records, weigher, log-odds threshold (set before forking).
_STATE: tuple[Sequence[MatchRecord], Weigher, float] | None = None


def _score_chunk(chunk: Sequence[int]) -> list[int]:
    assert _STATE is not None
    records, weigher, floor = _STATE
    n, kept = len(records), []
    for packed in chunk:
        i, j = divmod(packed, n)
        found = levels(records[i], records[j], jaro_winkler)
        if found[5][0] is Agreement.EXACT or weigher.log_odds(found) >= floor:
            kept.append(packed)
    return kept


def _score(
    records: Sequence[MatchRecord],
    pairs: list[int],
    weigher: Weigher,
    threshold: float,
    progress: Progress | None,
    workers: int | None,
) -> list[int]:
    global _STATE
    _STATE = (records, weigher, _odds_threshold(threshold))
    chunks = [pairs[start : start + CHUNK] for start in range(0, len(pairs), CHUNK)]
    workers = workers or os.cpu_count() or 1
    parallel = workers > 1 and len(pairs) >= PARALLEL_FROM
    parallel = parallel and "fork" in multiprocessing.get_all_start_methods()
    kept: list[int] = []
    done = 0
    if progress:
        progress(0, len(pairs))
    try:
        if parallel:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                results = pool.imap(_score_chunk, chunks)
                for chunk, found in zip(chunks, results, strict=True):
                    kept += found
                    done += len(chunk)
                    if progress:
                        progress(done, len(pairs))
        else:
            for chunk in chunks:
                kept += _score_chunk(chunk)
                done += len(chunk)
                if progress:
                    progress(done, len(pairs))
    finally:
        _STATE = None
    return kept
