"""Potential duplicates: a Fellegi–Sunter score between two identities, explained.

Each trait is compared to an agreement level (``exact``, ``phonetic``, ``close``,
``different``, ``missing``); each level carries ``m`` and ``u`` probabilities
(``duplicate_model``: fixed defaults, or estimated on the base), weighs
``log2(m / u)``, and exact agreement on a name or first name is adjusted by the
term frequency of the agreed value (MARTIN weighs less than a rare name, a birth
country less than a commune). The
weights and a prior add up to log-odds, turned into a probability in [0, 1].

Tolerated error patterns: typing errors (string similarity of search keys),
spellings that sound alike (French phonetic key), hyphen/apostrophe/space
variants (search keys), swapped or missing first names (sets of first-name
keys), birth name entered as used name and the reverse (cross comparison), day
and month swapped, a birth place in the same département. Two identities
carrying the same active matricule INS are always a blocking duplicate (1.0).
The comparison itself (``MatchRecord``, ``levels``, notes) is in
``duplicate_comparison`` and re-exported here. A twin pattern (same birth name
and date, first names different) gets the twin class of the model
(``ModelParameters.twin_odds``).

>>> swapped_birth_date(date(1980, 3, 12))
datetime.date(1980, 12, 3)
>>> departement("2A004"), departement("97105"), departement("99350")
('2A', '971', None)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date  # noqa: F401  (the doctests)
from uuid import UUID

from identito.domain.duplicate_comparison import (
    BLOCKING_NOTE,
    CLOSE_SIMILARITY,
    COMMON_VALUE_NOTE,
    CROSS_NAME_NOTE,
    FIRST_NAMES_NOTE,
    HOMONYM_NOTE,
    PHONETIC_NOTE,
    SAME_DEPARTEMENT_NOTE,
    SWAPPED_DATE_NOTE,
    TWIN_NOTE,
    TYPING_NOTE,
    USED_NAME_NOTE,
    Level,
    MatchRecord,
    Similarity,
    departement,
    is_twin_pattern,
    key,
    levels,
    match_record,
    record_of,
    swapped_birth_date,
)
from identito.domain.duplicate_model import (
    DEFAULT,
    NO_FREQUENCIES,
    Agreement,
    ModelParameters,
    TermFrequencies,
    Trait,
)
from identito.domain.identity import Identity

__all__ = [
    "BLOCKING_NOTE", "CLOSE_SIMILARITY", "COMMON_VALUE_NOTE", "CROSS_NAME_NOTE",
    "FIRST_NAMES_NOTE", "HOMONYM_NOTE", "PHONETIC_NOTE", "SAME_DEPARTEMENT_NOTE",
    "SWAPPED_DATE_NOTE", "TWIN_NOTE", "TYPING_NOTE", "USED_NAME_NOTE", "Agreement", "Level",
    "MatchRecord", "ModelParameters", "Similarity", "TermFrequencies", "Trait", "departement",
    "is_twin_pattern", "key", "levels", "match_record", "record_of", "swapped_birth_date",
]  # fmt: skip

#: The default parameters, kept under their historical names.
PARAMETERS = DEFAULT.levels
PRIOR = DEFAULT.prior
#: The highest score of a pair that is not blocking: 1.0 means the same active INS.
BELOW_BLOCKING = 0.9999


@dataclass(frozen=True)
class TraitAgreement:
    """One line of the explanation: how one trait compares, and its weight."""

    trait: Trait
    local: str | None
    other: str | None
    agreement: Agreement
    weight: float
    note: str | None = None


@dataclass(frozen=True)
class PairScore:
    score: float
    blocking: bool
    explanation: tuple[TraitAgreement, ...]


@dataclass(frozen=True)
class ScoredPair:
    """A pair found by the batch scan: ``first_id < second_id``, score and explanation."""

    first_id: UUID
    second_id: UUID
    score: float
    blocking: bool
    explanation: tuple[TraitAgreement, ...]


def weight(trait: Trait, agreement: Agreement) -> float:
    """The default log-likelihood ratio ``log2(m / u)`` of an agreement level."""
    return DEFAULT.weight(trait, agreement)


def probability(weights: Iterable[float], prior: float = PRIOR) -> float:
    """Prior plus weights as log2-odds, turned into a probability."""
    odds = prior + math.fsum(weights)
    return 0.0 if odds < -1000 else 1.0 / (1.0 + math.pow(2.0, -min(odds, 1000.0)))


def trait_weight(
    trait: Trait, level: Level, model: ModelParameters, frequencies: TermFrequencies
) -> float:
    agreement, _, value = level
    if trait is Trait.INS:
        return 0.0 if agreement is Agreement.EXACT else model.weight(trait, agreement)
    found = model.weight(trait, agreement)
    return found + frequencies.adjustment(trait, value) if value else found


_TRAITS = tuple(Trait)


def log_odds(found: Sequence[Level], model: ModelParameters, frequencies: TermFrequencies) -> float:
    odds = model.prior + math.fsum(
        trait_weight(t, lv, model, frequencies) for t, lv in zip(_TRAITS, found, strict=True)
    )
    return model.twin_odds(odds) if is_twin_pattern(found) else odds


def score_records(
    a: MatchRecord,
    b: MatchRecord,
    *,
    similarity: Similarity,
    model: ModelParameters = DEFAULT,
    frequencies: TermFrequencies = NO_FREQUENCIES,
) -> PairScore:
    """Score two records: the probability that they are the same person, explained."""
    found = levels(a, b, similarity)
    blocking = found[5][0] is Agreement.EXACT
    weights = [
        trait_weight(t, lv, model, frequencies) for t, lv in zip(_TRAITS, found, strict=True)
    ]
    odds = model.prior + math.fsum(weights)
    if is_twin_pattern(found):
        odds = model.twin_odds(odds)
    score = 1.0 if blocking else min(round(probability((), odds), 4), BELOW_BLOCKING)
    shown = (
        (a.shown_names, b.shown_names), (a.shown_first_names, b.shown_first_names),
        (a.born_raw, b.born_raw), (a.sex, b.sex), (a.place, b.place), (a.ins, b.ins),
    )  # fmt: skip
    lines = tuple(
        TraitAgreement(t, left, right, lv[0], round(w, 2), _note(lv, w, model, t))
        for t, (left, right), lv, w in zip(_TRAITS, shown, found, weights, strict=True)
    )
    return PairScore(score, blocking, lines)


def score_pair(
    local: Identity,
    other: Identity,
    *,
    similarity: Similarity,
    model: ModelParameters = DEFAULT,
    frequencies: TermFrequencies = NO_FREQUENCIES,
) -> PairScore:
    """Score two identities: the probability that they are the same person."""
    return score_records(
        record_of(local), record_of(other), similarity=similarity, model=model,
        frequencies=frequencies,
    )  # fmt: skip


def _note(level: Level, weight: float, model: ModelParameters, trait: Trait) -> str | None:
    agreement, note, value = level
    if note is None and value and weight < model.weight(trait, agreement) - 1.0:
        return COMMON_VALUE_NOTE
    return note
