"""Comparison of two identities trait by trait: agreement levels and their notes.

Both sides are first reduced to a ``MatchRecord`` (search keys, phonetic keys,
first-name set, date, sex, place, matricule, computed once), so the check at
creation and the batch scan share one comparison (``levels``). The string
similarity is passed in, so the domain stays free of third-party libraries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from uuid import UUID

from identito.domain.duplicate_model import Agreement
from identito.domain.identity import Identity
from identito.domain.phonetic import phonetic_key
from identito.domain.traits import UNKNOWN_BIRTH_PLACE, search_key

#: Similarity of two search keys in [0, 1] (Jaro-Winkler in the service layer).
Similarity = Callable[[str, str], float]

#: Two keys at least this similar are "close" (a typing error).
CLOSE_SIMILARITY = 0.88
HOMONYM_NOTE = (
    "Mêmes noms, prénoms, date de naissance et sexe mais lieu de naissance différent : "
    "homonyme possible."
)
CROSS_NAME_NOTE = "Nom de naissance d'une identité égal au nom utilisé de l'autre."
USED_NAME_NOTE = "Même nom de naissance ; le nom utilisé diffère."
PHONETIC_NOTE = "Même prononciation, orthographe différente."
SWAPPED_DATE_NOTE = "Jour et mois inversés."
SAME_DEPARTEMENT_NOTE = "Même département de naissance."
FIRST_NAMES_NOTE = "Prénoms en commun (ordre différent ou prénom manquant)."
TYPING_NOTE = "Saisie proche (faute de frappe possible)."
BLOCKING_NOTE = "Même matricule INS actif : doublon bloquant."
COMMON_VALUE_NOTE = "Valeur fréquente : poids réduit."
TWIN_NOTE = "Mêmes nom et date de naissance, prénoms différents : jumeaux possibles."

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


#: One trait's comparison: level, note, and the agreed value (for term frequency).
Level = tuple[Agreement, str | None, str | None]


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
    if is_twin_pattern(found):
        return (found[0], (Agreement.DIFFERENT, TWIN_NOTE, None), *found[2:])
    return found


def is_twin_pattern(found: Sequence[Level]) -> bool:
    """Same birth name and birth date, first names different: twins look like this."""
    return (
        found[0][0] is Agreement.EXACT
        and found[2][0] is Agreement.EXACT
        and found[1][0] is Agreement.DIFFERENT
    )


def _names(a: MatchRecord, b: MatchRecord, similarity: Similarity) -> Level:
    """Exact on the birth name; the names shown also carry the used names: when those
    differ, a note says why « DUPONT / MARTIN » and « DUPONT » are counted identical."""
    if a.birth_key and a.birth_key == b.birth_key:
        return Agreement.EXACT, None if a.names == b.names else USED_NAME_NOTE, a.birth_key
    shared = set(a.names) & set(b.names)
    if shared:
        return Agreement.CLOSE, CROSS_NAME_NOTE, min(shared)
    if a.phonetics & b.phonetics:
        return Agreement.PHONETIC, PHONETIC_NOTE, None
    if a.birth_key and b.birth_key and similarity(a.birth_key, b.birth_key) >= CLOSE_SIMILARITY:
        return Agreement.CLOSE, TYPING_NOTE, None
    return Agreement.DIFFERENT, None, None


def _first_names(a: MatchRecord, b: MatchRecord, similarity: Similarity) -> Level:
    """Exact only when the first names shown side by side agree too (« CLAIRE ANNE » and
    « CLAIRE » share the first one: close, one first name missing)."""
    if a.first_key == b.first_key and key(a.shown_first_names) == key(b.shown_first_names):
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
