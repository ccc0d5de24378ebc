"""The examples of issue 16 (a search that finds the person), shared by the domain,
storage, web and API tests: synthetic people and the searches that must find them."""

from __future__ import annotations

from typing import Any

BORN = "1980-03-12"

#: Synthetic people, by nickname: fields over ``tests.fakes.IDENTITY_INPUT``.
PEOPLE: dict[str, dict[str, Any]] = {
    "le_roux": {"birth_name": "LE ROUX", "birth_first_names": ["MARC"],
                "first_birth_first_name": "MARC"},
    "dauger": {"birth_name": "D'AUGER", "birth_first_names": ["LUC"],
               "first_birth_first_name": "LUC"},
    "martin_aubert": {"birth_name": "MARTIN-AUBERT", "birth_first_names": ["ANNE"],
                      "first_birth_first_name": "ANNE", "sex": "F"},
    "fernandez": {"birth_name": "FERNANDEZ", "birth_first_names": ["ROSA"],
                  "first_birth_first_name": "ROSA", "sex": "F"},
    "garnier": {"birth_name": "GARNIER", "birth_first_names": ["PIERRE", "ALEXANDRE"],
                "first_birth_first_name": "PIERRE"},
    "blanc": {"birth_name": "BLANC", "used_name": "NOIR", "birth_first_names": ["CLAIRE"],
              "first_birth_first_name": "CLAIRE", "sex": "F"},
}  # fmt: skip

#: (case id, typed fields, the nickname found first and alone).
CASES: list[tuple[str, dict[str, str], str]] = [
    ("le_rux_finds_le_roux_by_sound", {"birth_date": BORN, "name": "LE RUX"}, "le_roux"),
    ("roux_second_word_of_a_name", {"birth_date": BORN, "name": "roux"}, "le_roux"),
    ("auger_without_the_particle", {"birth_date": BORN, "name": "auger"}, "dauger"),
    ("aubert_second_part_of_a_hyphenated_name", {"birth_date": BORN, "name": "aubert"},
     "martin_aubert"),
    ("fernandes_finds_fernandez", {"birth_date": BORN, "name": "fernandes"}, "fernandez"),
    ("alexandre_the_second_first_name", {"birth_date": BORN, "first_name": "alexandre"},
     "garnier"),
    ("the_used_name", {"birth_date": BORN, "name": "noir"}, "blanc"),
    ("a_birth_date_one_day_off", {"birth_date": "1980-03-13", "name": "garnier"}, "garnier"),
    ("day_and_month_swapped", {"birth_date": "1980-12-03", "name": "garnier"}, "garnier"),
    ("no_birth_date_name_first_name_and_year",
     {"birth_year": "1980", "name": "garnier", "first_name": "alexandre"}, "garnier"),
    ("no_birth_date_a_date_range",
     {"born_from": "1980-01-01", "born_to": "1980-06-30", "name": "fernandes"}, "fernandez"),
]  # fmt: skip

CASE_IDS = [case[0] for case in CASES]
