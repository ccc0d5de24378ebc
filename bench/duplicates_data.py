"""Deterministic synthetic French persons with injected duplicates and hard negatives.

Names follow a Zipf-like law over Faker's ``fr_FR`` surnames (ranked by frequency:
MARTIN, BERNARD, THOMAS... come first, MARTIN near 0.4 % as in France) followed
by a long tail of made-up names; first names follow a Zipf law over Faker's
lists. Every record carries the ``person`` it belongs to: two records of one
person are a duplicate (ground truth), anything else is not. Injected:

- duplicates, one per error pattern of docs/duplicates.md (``PATTERNS``);
- homonyms: another person with the same names, first names, date and sex;
- twins: same name, birth date and place, another first name.

Probes for the check at creation are generated the same way but never stored.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

_SYLLABLES = (
    "BA BE BI BO BOU CA CHA CHE CO DA DE DI DO DU FA FE FO GA GE GO GRA GUI JA JE JO LA "
    "LE LI LO LOU MA ME MI MO NA NE NO PA PE PI PO RA RE RI RO ROU SA SE SI SO TA TE TI "
    "TO TOU VA VE VI VO"
).split()
_ENDINGS = "AND ARD AUD ER ET IER IN OT ON OUX EAU EL AN ENT IS Y AC".split()
_SWAPS = (("PH", "F"), ("F", "PH"), ("C", "K"), ("K", "C"), ("Y", "I"), ("I", "Y"),
          ("AU", "O"), ("O", "AU"), ("QU", "K"), ("TH", "T"), ("T", "TH"), ("S", "SS"))  # fmt: skip


@dataclass(frozen=True)
class Person:
    """One record: traits in the API input shape, the person it belongs to, its kind."""

    person: int
    kind: str  # "original", a pattern name, "homonym" or "twin"
    traits: dict[str, Any]


def _zipf(count: int, shift: float, power: float) -> list[float]:
    return [1.0 / (rank + shift) ** power for rank in range(count)]


@dataclass
class Pools:
    last: list[str]
    last_weights: list[float]
    male: list[str]
    female: list[str]
    male_weights: list[float]
    female_weights: list[float]


def pools(seed: int, tail: int = 60_000) -> Pools:
    from faker.providers.person.fr_FR import Provider

    rng = random.Random(seed)
    head = list(dict.fromkeys(str(n).upper() for n in Provider.last_names))
    made = {rng.choice(_SYLLABLES) + rng.choice(_SYLLABLES) + rng.choice(_ENDINGS)
            for _ in range(tail * 2)}  # fmt: skip
    last = head + sorted(made - set(head))[:tail]
    male = list(dict.fromkeys(str(n).upper() for n in Provider.first_names_male))
    female = list(dict.fromkeys(str(n).upper() for n in Provider.first_names_female))
    rng.shuffle(male)  # Faker's lists are alphabetical: rank them at random
    rng.shuffle(female)
    return Pools(
        last, _zipf(len(last), 20.0, 0.9), male, female,
        _zipf(len(male), 4.0, 1.1), _zipf(len(female), 4.0, 1.1),
    )  # fmt: skip


def _place(rng: random.Random) -> str:
    if rng.random() < 0.08:
        return rng.choice("99134 99127 99139 99131 99350 99351 99352 99212".split())
    dept = rng.choice([f"{d:02d}" for d in range(1, 96) if d != 20] + ["2A", "2B", "75", "75"])
    return f"{dept}{rng.randrange(1, 400):03d}"


class Generator:
    """Seeded generator of persons, duplicates and probes."""

    def __init__(self, seed: int = 2026) -> None:
        self.rng = random.Random(seed)
        self.pools = pools(seed)
        self._cum_last = _cumulative(self.pools.last_weights)
        self._cum_male = _cumulative(self.pools.male_weights)
        self._cum_female = _cumulative(self.pools.female_weights)

    def _last(self) -> str:
        return self.rng.choices(self.pools.last, cum_weights=self._cum_last)[0]

    def _first(self, sex: str) -> str:
        p = self.pools
        names, cum = (p.male, self._cum_male) if sex == "M" else (p.female, self._cum_female)
        name = self.rng.choices(names, cum_weights=cum)[0]
        if self.rng.random() < 0.05:
            return f"{self.rng.choices(names, cum_weights=cum)[0]}-{name}"
        return name

    def traits(self) -> dict[str, Any]:
        rng = self.rng
        sex = rng.choice("MF")
        birth = date(1930, 1, 1) + timedelta(days=rng.randrange(35_000))
        given = [self._first(sex) for _ in range(rng.choice((1, 1, 2, 2, 3)))]
        name = self._last()
        if rng.random() < 0.04:
            name = f"{name}-{self._last()}" if rng.random() < 0.5 else f"LE {name}"
        traits: dict[str, Any] = {
            "birth_name": name, "birth_first_names": given, "first_birth_first_name": given[0],
            "birth_date": birth.isoformat(), "sex": sex, "birth_place_code": _place(rng),
            "used_name": None, "used_first_name": None,
        }  # fmt: skip
        if sex == "F" and birth.year < 2000 and rng.random() < 0.5:
            traits["used_name"] = self._last()
        return traits

    def variant(self, traits: dict[str, Any], pattern: str) -> dict[str, Any]:
        """A copy of ``traits`` carrying one error pattern."""
        return PATTERNS[pattern](self.rng, dict(traits, birth_first_names=list(
            traits["birth_first_names"])))  # fmt: skip

    def homonym(self, traits: dict[str, Any]) -> dict[str, Any]:
        other = _place(self.rng)
        while other[:2] == traits["birth_place_code"][:2]:
            other = _place(self.rng)
        return dict(traits, birth_place_code=other)

    def twin(self, traits: dict[str, Any]) -> dict[str, Any]:
        first = self._first(traits["sex"])
        while first == traits["first_birth_first_name"]:
            first = self._first(traits["sex"])
        return dict(traits, first_birth_first_name=first, birth_first_names=[first])


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _typo(rng: random.Random, word: str, start: int = 1, end: int | None = None) -> str:
    letters = [c for c in word]
    end = min(end or len(letters), len(letters))
    at = rng.randrange(min(start, end - 1), end) if end > 1 else 0
    kind = rng.randrange(4)
    if kind == 0:  # substitution
        letters[at] = rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ".replace(letters[at], ""))
    elif kind == 1 and len(letters) > 3:  # deletion
        del letters[at]
    elif kind == 2:  # insertion
        letters.insert(at, rng.choice("AEIOURSTLN"))
    elif at + 1 < len(letters):  # transposition
        letters[at], letters[at + 1] = letters[at + 1], letters[at]
    else:
        letters[at] = rng.choice("AEIOU")
    return "".join(letters)


def _sound_typo(rng: random.Random, word: str) -> str:
    """A spelling change in the first 3 letters that keeps the sound, else a typo there."""
    for old, new in rng.sample(_SWAPS, len(_SWAPS)):
        at = word.find(old, 0, 4)
        if at != -1:
            return word[:at] + new + word[at + len(old) :]
    return _typo(rng, word, 0, 3)


def _with_first(t: dict[str, Any], names: list[str]) -> dict[str, Any]:
    return dict(t, birth_first_names=names, first_birth_first_name=names[0])


def _swap_date(rng: random.Random, t: dict[str, Any]) -> dict[str, Any]:
    y, m, d = (int(x) for x in t["birth_date"].split("-"))
    return dict(t, birth_date=date(y, d, m).isoformat())


def eligible(pattern: str, t: dict[str, Any]) -> bool:
    """Can this pattern apply to these traits (a swappable date, several first names)?"""
    if pattern == "day_month_swapped":
        _, m, d = (int(x) for x in t["birth_date"].split("-"))
        return d <= 12 and d != m
    if pattern in ("first_names_swapped", "first_names_missing"):
        return len(t["birth_first_names"]) > 1
    return True


def _married(rng: random.Random, t: dict[str, Any]) -> dict[str, Any]:
    if t["used_name"]:
        return dict(t, birth_name=t["used_name"], used_name=None)
    return dict(t, birth_name=_typo(rng, t["birth_name"]) + "E", used_name=t["birth_name"])


def _punctuation(rng: random.Random, t: dict[str, Any]) -> dict[str, Any]:
    name = t["birth_name"]
    if any(c in name for c in " -'"):
        return dict(t, birth_name=name.replace(" ", "").replace("-", " ").replace("'", ""))
    first = t["first_birth_first_name"]
    if "-" in first:
        return _with_first(t, [first.replace("-", " "), *t["birth_first_names"][1:]])
    cut = rng.randrange(2, max(3, len(name) - 1))
    return dict(t, birth_name=f"{name[:cut]}{rng.choice(' -')}{name[cut:]}")


def _neighbour(rng: random.Random, t: dict[str, Any]) -> dict[str, Any]:
    code = t["birth_place_code"]
    if code.startswith("99"):
        return dict(t, birth_place_code="99999")
    return dict(t, birth_place_code=f"{code[:2]}{(int(code[2:]) % 399) + 1:03d}")


PATTERNS: dict[str, Callable[[random.Random, dict[str, Any]], dict[str, Any]]] = {
    "exact_copy": lambda rng, t: t,
    "typo_name": lambda rng, t: dict(t, birth_name=_typo(rng, t["birth_name"])),
    "typo_first_3_letters": lambda rng, t: dict(t, birth_name=_sound_typo(rng, t["birth_name"])),
    "typo_first_name": lambda rng, t: _with_first(
        t, [_typo(rng, t["first_birth_first_name"]), *t["birth_first_names"][1:]]),
    "first_names_swapped": lambda rng, t: _with_first(
        t, [*t["birth_first_names"][1:], t["birth_first_names"][0]]),
    "first_names_missing": lambda rng, t: _with_first(t, t["birth_first_names"][:1]),
    "birth_name_as_used_name": _married,
    "punctuation_variant": _punctuation,
    "day_month_swapped": _swap_date,
    "neighbouring_place": _neighbour,
    "typo_name_and_place": lambda rng, t: _neighbour(rng, dict(
        t, birth_name=_typo(rng, t["birth_name"]))),
}  # fmt: skip


def dataset(size: int, *, seed: int = 2026, duplicate_share: float = 0.02) -> list[Person]:
    """``size`` records: originals, then injected duplicates, homonyms and twins."""
    gen = Generator(seed)
    extra = int(size * duplicate_share), int(size * 0.001), int(size * 0.002)
    originals = [Person(i, "original", gen.traits()) for i in range(size - sum(extra))]
    people = list(originals)
    names = list(PATTERNS)
    for k in range(extra[0]):
        pattern = names[k % len(names)]
        source = _source(gen, originals, pattern)
        people.append(replace(source, kind=pattern, traits=gen.variant(source.traits, pattern)))
    next_person = len(originals)
    for kind, count in (("homonym", extra[1]), ("twin", extra[2])):
        for _ in range(count):
            source = gen.rng.choice(originals)
            made = gen.homonym(source.traits) if kind == "homonym" else gen.twin(source.traits)
            people.append(Person(next_person, kind, made))
            next_person += 1
    return people


def _source(gen: Generator, people: list[Person], pattern: str) -> Person:
    source = gen.rng.choice(people)
    while not eligible(pattern, source.traits):
        source = gen.rng.choice(people)
    return source


def probes(people: list[Person], count: int, *, seed: int = 2026) -> list[Person]:
    """Probes for the check at creation, never stored: half variants of stored
    originals (one pattern each), half new persons."""
    gen = Generator(seed + 1)
    originals = [p for p in people if p.kind == "original"]
    names, out = list(PATTERNS), []
    for k in range(count):
        if k % 2 == 0:
            pattern = names[k // 2 % len(names)]
            source = _source(gen, originals, pattern)
            out.append(Person(source.person, pattern, gen.variant(source.traits, pattern)))
        else:
            out.append(Person(-1 - k, "new", gen.traits()))
    return out
