"""Anteriority search: the keys an identity is found by, and how close a find is.

A search must find the person whatever the typing (issue 16). Each name and first
name of an identity gives **search keys**, stored (``identity_search_keys``) with
the birth date so that a search is a few index lookups:

- ``NAME`` / ``FIRST_NAME``: the search key (A-Z only, ``traits.search_key``) of the
  whole name and of each of its words and word tails, the particles alone left out
  (``LE``, ``DE``, ``D'``, ``DU``, ``DA``, ``VAN``...): ``D'AUGER`` is found by
  ``AUGER``, ``LE ROUX`` by ``ROUX``, ``MARTIN-AUBERT`` by ``AUBERT``. A typed key is
  matched as the *start* of one of them.
- ``NAME_SOUND`` / ``FIRST_NAME_SOUND``: the French phonetic key of the duplicate
  model (``domain.phonetic``) of each of those keys, a final ``Z`` read as ``S``
  first (``FERNANDEZ`` sounds as ``FERNANDES``): ``LE RUX`` finds ``LE ROUX``.

Every birth first name, the first birth first name and the used first name give
first-name keys; the birth name and the used name give name keys.

The birth date is matched exactly, day and month swapped, or one day off; without
it, a birth year (with name and first name) or a date range. ``closeness`` tells
whether an identity answers a query and how closely; ``rank`` orders the finds,
best first, and a merged identity found by its old traits leads to its survivor.

>>> sorted(name_keys("D'AUGER"))
['AUGER', 'DAUGER']
>>> sorted(name_keys("MARTIN-AUBERT"))
['AUBERT', 'MARTIN', 'MARTINAUBERT']
>>> sound("FERNANDEZ") == sound("FERNANDES"), sound("LERUX") == sound("LEROUX")
(True, True)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import IntEnum, StrEnum
from functools import cached_property, lru_cache

from identito.domain.duplicate_comparison import swapped_birth_date
from identito.domain.identity import Identity
from identito.domain.phonetic import phonetic_key
from identito.domain.trait_set import Traits
from identito.domain.traits import Sex, search_key

#: Particles of French and neighbouring names: never a search key on their own.
PARTICLES = frozenset(
    "LE LA LES L DE DES DU D DA DAS DO DOS DI DEL DELLA VAN VON DER DEN TER TEN".split()
)
#: Longest stored key (the ``value`` column).
KEY_LENGTH = 100
_WORD_SEPARATORS = re.compile(r"[\s\-'’]+")


class KeyKind(StrEnum):
    """The kind of a stored search key (stored by value)."""

    NAME = "N"
    NAME_SOUND = "NS"
    FIRST_NAME = "F"
    FIRST_NAME_SOUND = "FS"


def words(value: str) -> list[str]:
    """The search keys of the words of a name (hyphen, apostrophe, space separate)."""
    return [w for w in (search_key(part) for part in _WORD_SEPARATORS.split(value)) if w]


def name_keys(value: str) -> set[str]:
    """The whole name, its word tails and its words, particles alone left out.

    >>> sorted(name_keys("DE LA FONTAINE"))
    ['DELAFONTAINE', 'FONTAINE', 'LAFONTAINE']
    >>> sorted(name_keys("LE"))
    ['LE']
    """
    parts = words(value)
    whole = "".join(parts)
    keys = {"".join(parts[i:]) for i in range(len(parts))} | set(parts)
    keys -= PARTICLES
    if whole:
        keys.add(whole)
    return {k[:KEY_LENGTH] for k in keys}


def typed_keys(value: str) -> set[str]:
    """The keys of a typed name: the whole, and the whole without its leading particles
    (each matched as the start of a stored key).

    >>> sorted(typed_keys("LE RUX")), sorted(typed_keys("Le Goff-Mar"))
    (['LERUX', 'RUX'], ['GOFFMAR', 'LEGOFFMAR'])
    """
    parts = words(value)
    keys = {"".join(parts)}
    while parts and parts[0] in PARTICLES:
        parts = parts[1:]
    keys.add("".join(parts))
    return {k[:KEY_LENGTH] for k in keys if k}


def sound(key: str) -> str:
    """The phonetic key of the duplicate model, a final ``Z`` read as ``S``."""
    return phonetic_key(key[:-1] + "S" if key.endswith("Z") else key)


def _first_names(traits: Traits) -> list[str]:
    names = [traits.first_birth_first_name, *traits.birth_first_names, traits.used_first_name]
    return [n for n in names if n]


def identity_keys(traits: Traits) -> set[tuple[KeyKind, str]]:
    """Every search key of an identity's traits, with its kind."""
    return trait_keys([traits.birth_name, traits.used_name], _first_names(traits))


def trait_keys(
    names: Iterable[str | None], first_names: Iterable[str | None]
) -> set[tuple[KeyKind, str]]:
    """Search keys of names and first names (the migration's backfill uses it too)."""
    keys: set[tuple[KeyKind, str]] = set()
    for values, plain, sounding in (
        (names, KeyKind.NAME, KeyKind.NAME_SOUND),
        (first_names, KeyKind.FIRST_NAME, KeyKind.FIRST_NAME_SOUND),
    ):
        for value in values:
            for key, heard in _keys_and_sounds(value) if value else ():
                keys.add((plain, key))
                if heard:
                    keys.add((sounding, heard))
    return keys


@lru_cache(maxsize=65536)
def _whole(value: str) -> str:
    return "".join(words(value))


@lru_cache(maxsize=65536)  # names repeat (MARTIN, MARIE...): a bulk import derives each once
def _keys_and_sounds(value: str) -> tuple[tuple[str, str], ...]:
    return tuple((key, sound(key)[:KEY_LENGTH]) for key in sorted(name_keys(value)))


# -- the query ------------------------------------------------------------------------


class DateMatch(IntEnum):
    """How the birth date answers the query, closest first (lower is closer)."""

    EXACT = 0
    SWAPPED = 1  # day and month swapped
    NEAR = 2  # one day off
    IN_RANGE = 3  # no date typed: within the year or the range


DATE_LABELS = {
    DateMatch.EXACT: "date exacte",
    DateMatch.SWAPPED: "jour et mois inversés",
    DateMatch.NEAR: "à un jour près",
    DateMatch.IN_RANGE: "dans la période",
}


@dataclass(frozen=True)
class AnteriorityQuery:
    """What was typed, checked (``services.identity_inputs.anteriority_query``).

    Either ``birth_date``, or the range ``born_from``..``born_to`` (a birth year is
    its first and last day).
    """

    birth_date: date | None = None
    born_from: date | None = None
    born_to: date | None = None
    name: str | None = None
    first_name: str | None = None
    sex: Sex | None = None
    limit: int = 50

    def dates(self) -> tuple[date, ...]:
        """The typed date, swapped, and one day off; empty without a typed date."""
        born = self.birth_date
        if born is None:
            return ()
        near = [born + timedelta(days=d) for d in (-1, 1) if date.min < born < date.max]
        return tuple(dict.fromkeys([born, *filter(None, [swapped_birth_date(born)]), *near]))

    def date_range(self) -> tuple[date, date]:
        return (self.born_from or date(1, 1, 1), self.born_to or date(9999, 12, 31))

    @cached_property
    def name_keys(self) -> set[str]:
        return typed_keys(self.name) if self.name else set()

    @cached_property
    def first_name_keys(self) -> set[str]:
        return typed_keys(self.first_name) if self.first_name else set()

    def sounds(self, keys: Iterable[str]) -> set[str]:
        return {s for s in (sound(k) for k in keys) if s}


# -- closeness and ranking ------------------------------------------------------------


class NameMatch(IntEnum):
    """How a name or first name answers, closest first."""

    EXACT = 0  # the whole name
    WORD = 1  # one word or part of a compound or particle name
    START = 2  # the start of the name or of one of its words
    SOUND = 3  # sounds alike (French phonetic key)


NAME_LABELS = {
    NameMatch.EXACT: "identique",
    NameMatch.WORD: "une partie du nom",
    NameMatch.START: "début",
    NameMatch.SOUND: "phonétique",
}


@dataclass(frozen=True)
class Closeness:
    """Why an identity answers a query: the matching traits and how closely."""

    date: DateMatch
    name: NameMatch | None = None  # None: no name typed
    first_name: NameMatch | None = None
    #: Trait fields that matched (``birth_name``, ``used_name``,
    #: ``first_birth_first_name``, ``birth_first_names``, ``used_first_name``,
    #: ``birth_date``, ``sex``): highlighted in the results.
    matched: frozenset[str] = frozenset()

    @property
    def score(self) -> int:
        """Lower is closer: the date weighs most, then the name, then the first name."""
        name = 0 if self.name is None else int(self.name)
        first = 0 if self.first_name is None else int(self.first_name)
        return int(self.date) * 100 + name * 10 + first

    def labels(self) -> list[str]:
        """French, for people: « nom : phonétique », « date : à un jour près »..."""
        out = []
        if self.name is not None:
            out.append(f"nom : {NAME_LABELS[self.name]}")
        if self.first_name is not None:
            out.append(f"prénom : {NAME_LABELS[self.first_name]}")
        out.append(f"date : {DATE_LABELS[self.date]}")
        return out


def date_match(query: AnteriorityQuery, born: date) -> DateMatch | None:
    if query.birth_date is None:
        start, end = query.date_range()
        return DateMatch.IN_RANGE if start <= born <= end else None
    if born == query.birth_date:
        return DateMatch.EXACT
    if born == swapped_birth_date(query.birth_date):
        return DateMatch.SWAPPED
    if abs((born - query.birth_date).days) == 1:
        return DateMatch.NEAR
    return None


def name_match(typed: set[str], value: str | None) -> NameMatch | None:
    """How a stored name answers the typed keys (``name_keys`` of what was typed)."""
    if not value or not typed:
        return None
    pairs = _keys_and_sounds(value)
    stored = {key for key, _ in pairs}
    if _whole(value) in typed:
        return NameMatch.EXACT
    if typed & stored:
        return NameMatch.WORD
    if any(s.startswith(t) for s in stored for t in typed):
        return NameMatch.START
    heard = {sound(k) for k in typed} - {""}
    if heard & {heard_key for _, heard_key in pairs}:
        return NameMatch.SOUND
    return None


def _best(
    typed: set[str], fields: Iterable[tuple[str, str | None]]
) -> tuple[NameMatch | None, frozenset[str]]:
    best: NameMatch | None = None
    matched: set[str] = set()
    for field_name, value in fields:
        level = name_match(typed, value)
        if level is None:
            continue
        if best is None or level < best:
            best, matched = level, {field_name}
        elif level == best:
            matched.add(field_name)
    return best, frozenset(matched)


def closeness(query: AnteriorityQuery, traits: Traits) -> Closeness | None:
    """How the traits answer the query, or None when they do not."""
    if query.sex is not None and traits.sex is not query.sex:
        return None
    when = date_match(query, traits.birth_date.value)
    if when is None:
        return None
    matched = {"birth_date"} | ({"sex"} if query.sex is not None else set())
    name = first = None
    if query.name:
        name, fields = _best(
            query.name_keys,
            [("birth_name", traits.birth_name), ("used_name", traits.used_name)],
        )
        if name is None:
            return None
        matched |= fields
    if query.first_name:
        first, fields = _best(
            query.first_name_keys,
            [
                ("first_birth_first_name", traits.first_birth_first_name),
                *(("birth_first_names", n) for n in traits.birth_first_names),
                ("used_first_name", traits.used_first_name),
            ],
        )
        if first is None:
            return None
        matched |= fields
    return Closeness(when, name, first, frozenset(matched))


@dataclass(frozen=True)
class Candidate:
    """An identity the storage found by its keys, and the active identity it leads
    to: itself, or the survivor of its merge."""

    found: Identity
    survivor: Identity


@dataclass(frozen=True)
class AnteriorityMatch:
    """One result: the active identity, how close, and the merged identity whose old
    traits matched (None when its own traits matched)."""

    identity: Identity
    closeness: Closeness
    merged: Identity | None = None
    order: tuple[int, str, str, str] = field(default=(0, "", "", ""), compare=False)


def rank(query: AnteriorityQuery, candidates: Iterable[Candidate]) -> list[AnteriorityMatch]:
    """The candidates that answer the query, closest first, one per active identity
    (its own traits preferred to a merged identity's at equal closeness)."""
    best: dict[object, AnteriorityMatch] = {}
    for match in _matches(query, candidates):
        current = best.get(match.identity.id)
        if current is None or match.order < current.order:
            best[match.identity.id] = match
    return sorted(best.values(), key=lambda m: m.order)[: query.limit]


def _matches(
    query: AnteriorityQuery, candidates: Iterable[Candidate]
) -> Iterator[AnteriorityMatch]:
    for candidate in candidates:
        if not candidate.survivor.active:
            continue
        found = closeness(query, candidate.found.traits)
        if found is None:
            continue
        merged = None if candidate.found.id == candidate.survivor.id else candidate.found
        traits = candidate.survivor.traits
        order = (
            found.score * 2 + (merged is not None),
            traits.birth_name,
            traits.first_birth_first_name,
            str(candidate.survivor.id),
        )
        yield AnteriorityMatch(candidate.survivor, found, merged, order)
