"""Deterministic synthetic French identities for demo data and benchmarks.

Names come from Faker's ``fr_FR`` lists, drawn with our own seeded generator
(fast and reproducible): compound names, apostrophes, married women with a used
name, homonyms, exceptional dates, foreign birth places. Every identity is
fictitious; the birth places are valid at every date since 1943.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

#: Communes valid from 1943 to today (checked by a test) and foreign countries.
COMMUNES = (
    "75101 75104 75108 75112 75113 75114 75115 75116 75117 75118 75120 13055 69123 33063 "
    "31555 59350 67482 44109 35238 06088 34172 21231 63113 76540 29019 37261 45234 87085 "
    "86194 80021 51454 57463 54395 25056 38185 42218 30189 66136 64445 17300 49007 72181 "
    "14118"
).split()
COUNTRIES = "99134 99127 99139 99131 99350 99351 99352 99212 99216 99401".split()
_VOWELS = frozenset("AEIOU")


def _pools() -> tuple[list[str], list[str], list[str]]:
    from faker.providers.person.fr_FR import Provider

    def clean(names: Any) -> list[str]:
        return sorted({str(n).upper() for n in names})

    return (
        clean(Provider.last_names),
        clean(Provider.first_names_male),
        clean(Provider.first_names_female),
    )


def synthetic_identities(count: int, *, seed: int = 2026) -> Iterator[dict[str, Any]]:
    """Yield ``count`` raw identities (API input shape), the same ones for a given seed."""
    rng = random.Random(seed)
    last, male, female = _pools()
    start, span = date(1930, 1, 1), (date(2025, 12, 31) - date(1930, 1, 1)).days
    for _ in range(count):
        sex = rng.choice("MF")
        firsts = male if sex == "M" else female
        birth_name = _name(rng, last)
        given = [_first_name(rng, firsts) for _ in range(rng.choice((1, 1, 2, 2, 3)))]
        birth = start + timedelta(days=rng.randrange(span))
        raw_date = birth.isoformat()
        if rng.random() < 0.002:
            raw_date = f"{birth.year}-00-00"
        identity: dict[str, Any] = {
            "birth_name": birth_name,
            "birth_first_names": given,
            "first_birth_first_name": given[0],
            "birth_date": raw_date,
            "sex": sex,
            "birth_place_code": rng.choice(COUNTRIES if rng.random() < 0.08 else COMMUNES),
            "used_name": None,
            "used_first_name": None,
        }
        if sex == "F" and birth.year < 2000 and rng.random() < 0.5:
            identity["used_name"] = _name(rng, last)
        if rng.random() < 0.05:
            identity["used_first_name"] = _first_name(rng, firsts)
        yield identity


def _name(rng: random.Random, pool: list[str]) -> str:
    name = rng.choice(pool)
    roll = rng.random()
    if roll < 0.05:
        return f"{name}-{rng.choice(pool)}"
    if roll < 0.07 and name[0] in _VOWELS:
        return f"D'{name}"
    return name


def _first_name(rng: random.Random, pool: list[str]) -> str:
    name = rng.choice(pool)
    if rng.random() < 0.06:
        return f"{rng.choice(pool)}-{name}"
    return name
