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
The string similarity is passed in, so the domain stays free of third-party
libraries. Both sides are reduced to a ``MatchRecord`` (keys computed once), so
the batch scan scores millions of pairs without loading identities.

>>> swapped_birth_date(date(1980, 3, 12))
datetime.date(1980, 12, 3)
>>> departement("2A004"), departement("97105"), departement("99350")
('2A', '971', None)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from uuid import UUID

from identito.domain.duplicate_model import (
    DEFAULT,
    NO_FREQUENCIES,
    Agreement,
    ModelParameters,
    TermFrequencies,
    Trait,
)
from identito.domain.identity import Identity
from identito.domain.phonetic import phonetic_key
from identito.domain.traits import UNKNOWN_BIRTH_PLACE, search_key

__all__ = ["Agreement", "ModelParameters", "TermFrequencies", "Trait"]

#: Similarity of two search keys in [0, 1] (Jaro-Winkler in the service layer).
Similarity = Callable[[str, str], float]

#: The default parameters, kept under their historical names.
PARAMETERS = DEFAULT.levels
PRIOR = DEFAULT.prior
#: Two keys at least this similar are "close" (a typing error).
CLOSE_SIMILARITY = 0.88
#: The highest score of a pair that is not blocking: 1.0 means the same active INS.
BELOW_BLOCKING = 0.9999

HOMONYM_NOTE = (
    "Mêmes noms, prénoms, date de naissance et sexe mais lieu de naissance différent : "
    "homonyme possible."
)
CROSS_NAME_NOTE = "Nom de naissance d'une identité égal au nom utilisé de l'autre."
PHONETIC_NOTE = "Même prononciation, orthographe différente."
SWAPPED_DATE_NOTE = "Jour et mois inversés."
SAME_DEPARTEMENT_NOTE = "Même département de naissance."
FIRST_NAMES_NOTE = "Prénoms en commun (ordre différent ou prénom manquant)."
TYPING_NOTE = "Saisie proche (faute de frappe possible)."
BLOCKING_NOTE = "Même matricule INS actif : doublon bloquant."
COMMON_VALUE_NOTE = "Valeur fréquente : poids réduit."

key = lru_cache(maxsize=262144)(search_key)


@dataclass(frozen=True, slots=True)
class MatchRecord:
    """What the comparison needs of one identity, keys computed once."""

    id: UUID | None
    birth_key: str
    names: tuple[str, ...]  # search keys of birth and used names
    phonetics: frozenset[str]  # their phonetic keys
    first_key: str  # first birth first name
    first_phonetic: str
    first_keys: frozenset[str]  # every first name
    born: date
    born_raw: str
    sex: str
    place: str
    ins: str | None
    shown_names: str
    shown_first_names: str


def match_record(
    record_id: UUID | None, birth_name: str, used_name: str | None, first_name: str,
    first_names: Sequence[str], used_first_name: str | None, born_raw: str, born: date,
    sex: str, place: str, ins: str | None,
) -> MatchRecord:  # fmt: skip
    """A record from plain trait values (a stored row or an identity)."""
    names = tuple(k for k in (key(birth_name), key(used_name or "")) if k)
    firsts = (first_name, *first_names, used_first_name)
    first = key(first_name)
    return MatchRecord(
        record_id, key(birth_name), names, frozenset(phonetic_key(k) for k in names), first,
        phonetic_key(first), frozenset(k for k in (key(n) for n in firsts if n) if k),
        born, born_raw, sex, place, ins,
        " / ".join(n for n in (birth_name, used_name) if n),
        " ".join(first_names) or first_name,
    )  # fmt: skip


def record_of(identity: Identity) -> MatchRecord:
    t = identity.traits
    return match_record(
        identity.id, t.birth_name, t.used_name, t.first_birth_first_name, t.birth_first_names,
        t.used_first_name, t.birth_date.raw, t.birth_date.value, t.sex.value,
        t.birth_place_code, identity.ins.number.number if identity.ins else None,
    )  # fmt: skip


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


#: One trait's comparison: level, note, and the agreed value (for term frequency).
Level = tuple[Agreement, str | None, str | None]


def weight(trait: Trait, agreement: Agreement) -> float:
    """The default log-likelihood ratio ``log2(m / u)`` of an agreement level."""
    return DEFAULT.weight(trait, agreement)


def probability(weights: Iterable[float], prior: float = PRIOR) -> float:
    """Prior plus weights as log2-odds, turned into a probability."""
    odds = prior + math.fsum(weights)
    return 0.0 if odds < -1000 else 1.0 / (1.0 + math.pow(2.0, -min(odds, 1000.0)))


def swapped_birth_date(value: date) -> date | None:
    """The date with day and month swapped, when that is another valid date."""
    if value.day == value.month or value.day > 12:
        return None
    return date(value.year, value.day, value.month)


def departement(code: str) -> str | None:
    """The département of a birth place code; None abroad (``99``) or unknown."""
    if code.startswith("99"):
        return None
    return code[:3] if code[:2] in ("97", "98") else code[:2]


def levels(a: MatchRecord, b: MatchRecord, similarity: Similarity) -> tuple[Level, ...]:
    """The agreement of each trait, in ``Trait`` order (the homonym note included)."""
    found = (
        _names(a, b, similarity),
        _first_names(a, b, similarity),
        _birth_date(a, b),
        (Agreement.MISSING if "I" in (a.sex, b.sex) else
         Agreement.EXACT if a.sex == b.sex else Agreement.DIFFERENT, None, None),
        _birth_place(a, b),
        _ins(a, b),
    )  # fmt: skip
    if found[4][0] is Agreement.DIFFERENT and all(x[0] is Agreement.EXACT for x in found[:4]):
        return (*found[:4], (Agreement.DIFFERENT, HOMONYM_NOTE, None), found[5])
    return found


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
    return model.prior + math.fsum(
        trait_weight(t, lv, model, frequencies) for t, lv in zip(_TRAITS, found, strict=True)
    )


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
    score = 1.0 if blocking else min(round(probability(weights, model.prior), 4), BELOW_BLOCKING)
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


def _names(a: MatchRecord, b: MatchRecord, similarity: Similarity) -> Level:
    if a.birth_key and a.birth_key == b.birth_key:
        return Agreement.EXACT, None, a.birth_key
    shared = set(a.names) & set(b.names)
    if shared:
        return Agreement.CLOSE, CROSS_NAME_NOTE, min(shared)
    if a.phonetics & b.phonetics:
        return Agreement.PHONETIC, PHONETIC_NOTE, None
    if a.birth_key and b.birth_key and similarity(a.birth_key, b.birth_key) >= CLOSE_SIMILARITY:
        return Agreement.CLOSE, TYPING_NOTE, None
    return Agreement.DIFFERENT, None, None


def _first_names(a: MatchRecord, b: MatchRecord, similarity: Similarity) -> Level:
    if a.first_key == b.first_key:
        return Agreement.EXACT, None, a.first_key
    if a.first_keys & b.first_keys:
        return Agreement.CLOSE, FIRST_NAMES_NOTE, None
    if a.first_phonetic and a.first_phonetic == b.first_phonetic:
        return Agreement.PHONETIC, PHONETIC_NOTE, None
    if a.first_key and b.first_key and similarity(a.first_key, b.first_key) >= CLOSE_SIMILARITY:
        return Agreement.CLOSE, TYPING_NOTE, None
    return Agreement.DIFFERENT, None, None


def _birth_date(a: MatchRecord, b: MatchRecord) -> Level:
    if a.born_raw == b.born_raw:
        return Agreement.EXACT, None, None
    if "-00" in a.born_raw or "-00" in b.born_raw:  # an exceptional date
        same_year = a.born.year == b.born.year
        return (Agreement.MISSING if same_year else Agreement.DIFFERENT), None, None
    if a.born.day <= 12 and a.born.day != a.born.month and swapped_birth_date(a.born) == b.born:
        return Agreement.CLOSE, SWAPPED_DATE_NOTE, None
    return Agreement.DIFFERENT, None, None


def _birth_place(a: MatchRecord, b: MatchRecord) -> Level:
    if UNKNOWN_BIRTH_PLACE in (a.place, b.place):
        return Agreement.MISSING, None, None
    if a.place == b.place:
        return Agreement.EXACT, None, a.place
    if departement(a.place) is not None and departement(a.place) == departement(b.place):
        return Agreement.CLOSE, SAME_DEPARTEMENT_NOTE, None
    return Agreement.DIFFERENT, None, None


def _ins(a: MatchRecord, b: MatchRecord) -> Level:
    if a.ins is None or b.ins is None:
        return Agreement.MISSING, None, None
    if a.ins == b.ins:
        return Agreement.EXACT, BLOCKING_NOTE, None
    return Agreement.DIFFERENT, None, None
