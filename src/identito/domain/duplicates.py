"""Potential duplicates: a Fellegi–Sunter score between two identities, explained.

Each trait is compared to an agreement level (``exact``, ``close``, ``different``,
``missing``); each level carries a fixed pair of probabilities: ``m``, the chance
of that level when both records are the same person, and ``u``, when they are two
persons. The trait's weight is ``log2(m / u)``; the weights and a prior add up to
log-odds, turned into a probability in [0, 1]. The parameters are a documented
choice (docs/duplicates.md); estimating them on the base is left for later.

Tolerated error patterns: typing errors (string similarity of search keys),
hyphen/apostrophe/space variants (search keys), swapped or missing first names
(sets of first-name keys), birth name entered as used name and the reverse
(cross comparison), day and month swapped, a birth place in the same département.
Two identities carrying the same active matricule INS are always a blocking
duplicate (score 1.0). The string similarity is passed in, so the domain stays
free of third-party libraries.

>>> swapped_birth_date(date(1980, 3, 12))
datetime.date(1980, 12, 3)
>>> departement("2A004"), departement("97105"), departement("99350")
('2A', '971', None)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import product
from uuid import UUID

from identito.domain.identity import Identity
from identito.domain.trait_set import Traits
from identito.domain.traits import UNKNOWN_BIRTH_PLACE, Sex, search_key

#: Similarity of two search keys in [0, 1] (Jaro-Winkler in the service layer).
Similarity = Callable[[str, str], float]


class Agreement(StrEnum):
    EXACT = "exact"
    CLOSE = "close"
    DIFFERENT = "different"
    MISSING = "missing"


class Trait(StrEnum):
    """The compared traits (names are cross-compared birth/used)."""

    NAME = "name"
    FIRST_NAMES = "first_names"
    BIRTH_DATE = "birth_date"
    SEX = "sex"
    BIRTH_PLACE = "birth_place_code"
    INS = "ins"


_E, _C, _D = Agreement.EXACT, Agreement.CLOSE, Agreement.DIFFERENT
#: Fixed (m, u) per trait and agreement level; ``missing`` always weighs 0.
PARAMETERS: dict[Trait, dict[Agreement, tuple[float, float]]] = {
    Trait.NAME: {_E: (0.92, 0.01), _C: (0.06, 0.02), _D: (0.02, 0.97)},
    Trait.FIRST_NAMES: {_E: (0.88, 0.02), _C: (0.10, 0.03), _D: (0.02, 0.95)},
    Trait.BIRTH_DATE: {_E: (0.95, 0.003), _C: (0.03, 0.001), _D: (0.02, 0.996)},
    Trait.SEX: {_E: (0.98, 0.5), _D: (0.02, 0.5)},
    Trait.BIRTH_PLACE: {_E: (0.90, 0.05), _C: (0.07, 0.05), _D: (0.03, 0.90)},
    Trait.INS: {_D: (0.02, 0.30)},  # same active INS: blocking, not weighed
}
#: Prior log2-odds that a candidate pair is one person.
PRIOR = -14.0
#: Two keys at least this similar are "close" (a typing error).
CLOSE_SIMILARITY = 0.88
#: The highest score of a pair that is not blocking: 1.0 means the same active INS.
BELOW_BLOCKING = 0.9999

HOMONYM_NOTE = (
    "Mêmes noms, prénoms, date de naissance et sexe mais lieu de naissance différent : "
    "homonyme possible."
)
CROSS_NAME_NOTE = "Nom de naissance d'une identité égal au nom utilisé de l'autre."
SWAPPED_DATE_NOTE = "Jour et mois inversés."
SAME_DEPARTEMENT_NOTE = "Même département de naissance."
FIRST_NAMES_NOTE = "Prénoms en commun (ordre différent ou prénom manquant)."
TYPING_NOTE = "Saisie proche (faute de frappe possible)."
BLOCKING_NOTE = "Même matricule INS actif : doublon bloquant."


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
    """The log-likelihood ratio ``log2(m / u)`` of an agreement level."""
    if agreement is Agreement.MISSING:
        return 0.0
    m, u = PARAMETERS[trait][agreement]
    return math.log2(m / u)


def probability(weights: Iterable[float]) -> float:
    """Prior plus weights as log2-odds, turned into a probability."""
    return 1.0 / (1.0 + math.pow(2.0, -(PRIOR + math.fsum(weights))))


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


def score_pair(local: Identity, other: Identity, *, similarity: Similarity) -> PairScore:
    """Score two identities: the probability that they are the same person."""
    a, b = local.traits, other.traits
    lines = [
        _names(a, b, similarity),
        _first_names(a, b, similarity),
        _birth_date(a, b),
        _sex(a, b),
        _birth_place(a, b),
        _ins(local, other),
    ]
    lines[4] = _homonym(lines)
    blocking = lines[-1].agreement is Agreement.EXACT
    score = 1.0 if blocking else min(round(probability(x.weight for x in lines), 4), BELOW_BLOCKING)
    return PairScore(score, blocking, tuple(lines))


def _line(
    trait: Trait, local: str | None, other: str | None, agreement: Agreement, note: str | None
) -> TraitAgreement:
    return TraitAgreement(trait, local, other, agreement, round(weight(trait, agreement), 2), note)


def _keys_agreement(
    left: Iterable[str], right: Iterable[str], similarity: Similarity
) -> tuple[Agreement, bool]:
    """Best agreement of any two keys, and whether the best was a typing error."""
    pairs = [(x, y) for x, y in product(left, right) if x and y]
    if any(x == y for x, y in pairs):
        return Agreement.EXACT, False
    best = max((similarity(x, y) for x, y in pairs), default=0.0)
    return (Agreement.CLOSE, True) if best >= CLOSE_SIMILARITY else (Agreement.DIFFERENT, False)


def _names(a: Traits, b: Traits, similarity: Similarity) -> TraitAgreement:
    shown_a = " / ".join(n for n in (a.birth_name, a.used_name) if n)
    shown_b = " / ".join(n for n in (b.birth_name, b.used_name) if n)
    same, typo = _keys_agreement([search_key(a.birth_name)], [search_key(b.birth_name)], similarity)
    if same is not Agreement.EXACT:
        cross, _ = _keys_agreement(_name_keys(a), _name_keys(b), similarity)
        if cross is Agreement.EXACT:
            return _line(Trait.NAME, shown_a, shown_b, Agreement.CLOSE, CROSS_NAME_NOTE)
    note = TYPING_NOTE if typo else None
    return _line(Trait.NAME, shown_a, shown_b, same, note)


def _name_keys(traits: Traits) -> list[str]:
    return [search_key(n) for n in (traits.birth_name, traits.used_name) if n]


def _first_name_keys(traits: Traits) -> set[str]:
    names = (traits.first_birth_first_name, *traits.birth_first_names, traits.used_first_name)
    return {key for key in (search_key(n) for n in names if n) if key}


def _first_names(a: Traits, b: Traits, similarity: Similarity) -> TraitAgreement:
    shown_a, shown_b = " ".join(a.birth_first_names), " ".join(b.birth_first_names)
    shown_a, shown_b = shown_a or a.first_birth_first_name, shown_b or b.first_birth_first_name
    first_a, first_b = search_key(a.first_birth_first_name), search_key(b.first_birth_first_name)
    if first_a == first_b:
        return _line(Trait.FIRST_NAMES, shown_a, shown_b, Agreement.EXACT, None)
    if _first_name_keys(a) & _first_name_keys(b):
        return _line(Trait.FIRST_NAMES, shown_a, shown_b, Agreement.CLOSE, FIRST_NAMES_NOTE)
    level, typo = _keys_agreement([first_a], [first_b], similarity)
    return _line(Trait.FIRST_NAMES, shown_a, shown_b, level, TYPING_NOTE if typo else None)


def _birth_date(a: Traits, b: Traits) -> TraitAgreement:
    da, db = a.birth_date, b.birth_date
    trait, raw_a, raw_b = Trait.BIRTH_DATE, da.raw, db.raw
    if raw_a == raw_b:
        return _line(trait, raw_a, raw_b, Agreement.EXACT, None)
    if da.uncertain or db.uncertain:
        level = Agreement.MISSING if da.value.year == db.value.year else Agreement.DIFFERENT
        return _line(trait, raw_a, raw_b, level, None)
    if swapped_birth_date(da.value) == db.value:
        return _line(trait, raw_a, raw_b, Agreement.CLOSE, SWAPPED_DATE_NOTE)
    return _line(trait, raw_a, raw_b, Agreement.DIFFERENT, None)


def _sex(a: Traits, b: Traits) -> TraitAgreement:
    if Sex.INDETERMINATE in (a.sex, b.sex):
        level = Agreement.MISSING
    else:
        level = Agreement.EXACT if a.sex is b.sex else Agreement.DIFFERENT
    return _line(Trait.SEX, a.sex.value, b.sex.value, level, None)


def _birth_place(a: Traits, b: Traits) -> TraitAgreement:
    pa, pb = a.birth_place_code, b.birth_place_code
    if UNKNOWN_BIRTH_PLACE in (pa, pb):
        return _line(Trait.BIRTH_PLACE, pa, pb, Agreement.MISSING, None)
    if pa == pb:
        return _line(Trait.BIRTH_PLACE, pa, pb, Agreement.EXACT, None)
    if departement(pa) is not None and departement(pa) == departement(pb):
        return _line(Trait.BIRTH_PLACE, pa, pb, Agreement.CLOSE, SAME_DEPARTEMENT_NOTE)
    return _line(Trait.BIRTH_PLACE, pa, pb, Agreement.DIFFERENT, None)


def _homonym(lines: list[TraitAgreement]) -> TraitAgreement:
    """A different place under identical names, first names, date and sex: say so."""
    *others, place = lines[:5]
    if place.agreement is Agreement.DIFFERENT and all(
        line.agreement is Agreement.EXACT for line in others
    ):
        return TraitAgreement(
            place.trait, place.local, place.other, place.agreement, place.weight, HOMONYM_NOTE
        )
    return place


def _ins(local: Identity, other: Identity) -> TraitAgreement:
    a = local.ins.number.number if local.ins else None
    b = other.ins.number.number if other.ins else None
    if a is None or b is None:
        return _line(Trait.INS, a, b, Agreement.MISSING, None)
    if a == b:
        return TraitAgreement(Trait.INS, a, b, Agreement.EXACT, 0.0, BLOCKING_NOTE)
    return _line(Trait.INS, a, b, Agreement.DIFFERENT, None)
