"""The simulator's reference base: CNDA test persons, designated persons, synthetic ones.

* the public CNDA test persons (``data/cnda-test-persons.json``, transcribed from
  the reference): compound first names, Corsica, NIA, INS history, keys that fail
  mod 97 kept as the test service returns them; those with a public sample answer
  with the sample's exact bytes;
* persons designated by identito for tests and demonstrations (``DESIGNATED``):
  homonyms told apart by their birth place only, a Vitale card with two
  beneficiaries;
* a deterministic synthetic population built from ``identito.synthetic`` with a
  valid NIR (or NIA) computed from sex, birth year, month and place, some INS
  history, used names different from birth names, exceptional dates, foreign
  birth places and homonyms.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stdnum.fr import nir

from identito.domain.identifiers import Oid
from identito.domain.traits import NameKind, normalize_name
from identito.services.teleservice import InsiHistoryEntry
from identito.synthetic import synthetic_identities

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Person:
    birth_name: str
    birth_first_names: str  # ListePrenom: space-separated, compound names keep "-"
    sex: str
    birth_date: str
    birth_place_code: str | None
    ins_number: str  # 15 characters
    oid: str
    history: tuple[InsiHistoryEntry, ...] = ()
    used_name: str | None = None
    card_holder: str | None = None  # 13-character NIR of the Vitale card holder; None: own
    rank: int = 1
    sample: str | None = None  # public sample answered verbatim
    calls: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @property
    def holder(self) -> str:
        return self.card_holder or self.ins_number[:13]


def cnda_persons() -> list[Person]:
    """The CNDA test persons that have an INS (HOUILLES has none: every call gives 01)."""
    data = json.loads((DATA / "cnda-test-persons.json").read_text(encoding="utf-8"))
    return [_cnda(p) for p in data["persons"] if p.get("ins")]


def cnda_calls() -> list[tuple[dict[str, Any], str, str]]:
    """Every documented call of the CNDA test persons: (person, first name, code)."""
    data = json.loads((DATA / "cnda-test-persons.json").read_text(encoding="utf-8"))
    return [(p, c["first_name"], c["code"]) for p in data["persons"] for c in p.get("calls", ())]


def _cnda(raw: dict[str, Any]) -> Person:
    history = tuple(
        InsiHistoryEntry(h["ins"], h["oid"], h.get("start"), h.get("end"))
        for h in raw.get("history", ())
    )
    calls = tuple((c["first_name"], c["code"]) for c in raw.get("calls", ()))
    return Person(
        raw["birth_name"],
        raw["birth_first_names"],
        raw["sex"],
        raw["birth_date"],
        raw.get("birth_place_code"),
        raw["ins"],
        raw["oid"],
        history,
        sample=raw.get("sample"),
        calls=calls,
    )


def _ins(prefix: str) -> str:
    return prefix + nir.calc_check_digits(prefix)


#: Persons designated by identito (docs/insi.md): homonyms and a Vitale card.
DESIGNATED = (
    Person(
        "HOMONYME", "JEAN LUC", "M", "1970-05-05", "13055", _ins("1700513055001"), Oid.NIR.value
    ),
    Person("HOMONYME", "JEAN", "M", "1970-05-05", "69123", _ins("1700569123002"), Oid.NIR.value),
    Person("CARTE", "LUCIE", "F", "1985-02-14", "75114", _ins("2850275114003"), Oid.NIR.value),
    Person(
        "CARTE",
        "LEO NOE",
        "M",
        "2016-09-30",
        "75114",
        _ins("1160975114004"),
        Oid.NIR.value,
        card_holder="2850275114003",
        rank=2,
    ),
)


def _matricule(sex: str, birth_date: str, place: str, serial: int) -> str:
    year, month = birth_date[2:4], birth_date[5:7]
    month = "20" if month == "00" else month  # unknown month (INSEE rule)
    return _ins(f"{1 if sex == 'M' else 2}{year}{month}{place}{serial % 1000:03d}")


def synthetic_persons(count: int, *, seed: int = 2026) -> Iterator[Person]:
    """``count`` persons (plus a homonym for about one in 400), the same for a seed."""
    rng = random.Random(seed)
    used: set[str] = set()
    for index, raw in enumerate(synthetic_identities(count, seed=seed)):
        person = _synthetic(raw, index, rng, used)
        yield person
        if rng.random() < 0.0025:  # homonym: same traits, another place, another NIR
            other = "13055" if person.birth_place_code != "13055" else "69123"
            number = _unique(person.sex, person.birth_date, other, index + 500, used)
            yield Person(
                person.birth_name,
                person.birth_first_names,
                person.sex,
                person.birth_date,
                other,
                number,
                Oid.NIR.value,
            )


def _unique(sex: str, birth_date: str, place: str, serial: int, used: set[str]) -> str:
    number = _matricule(sex, birth_date, place, serial)
    while number in used:
        serial += 7
        number = _matricule(sex, birth_date, place, serial)
    used.add(number)
    return number


def _synthetic(raw: dict[str, Any], index: int, rng: random.Random, used: set[str]) -> Person:
    place = raw["birth_place_code"]
    number = _unique(raw["sex"], raw["birth_date"], place, index, used)
    oid, history = Oid.NIR, ()
    if place.startswith("99"):
        roll = rng.random()
        if roll < 0.3:  # not yet registered: a NIA
            oid = Oid.NIA
        elif roll < 0.5:  # registered after a NIA: the NIA stays in the history
            old = _unique(raw["sex"], raw["birth_date"], place, index + 1, used)
            history = (InsiHistoryEntry(old, Oid.NIA.value),)
    names = " ".join(
        normalize_name(f, field="first_name", kind=NameKind.FIRST_NAME)
        for f in raw["birth_first_names"]
    )
    used_name = raw.get("used_name")
    return Person(
        normalize_name(raw["birth_name"], field="birth_name"),
        names,
        raw["sex"],
        raw["birth_date"],
        place,
        number,
        oid.value,
        history,
        used_name=normalize_name(used_name, field="used_name") if used_name else None,
    )
