"""The INSi character profile of names and first names (issue 2, §2)."""

from __future__ import annotations

import random
import re

import pytest

from fakes import NOW, FakePlaces, identity_input
from identito.domain.errors import InvalidInput
from identito.domain.trait_set import parse_traits
from identito.domain.traits import NameKind, normalize_name

NAME, FIRST = NameKind.NAME, NameKind.FIRST_NAME

#: Regex of a CNDA-authorised client for names: what it accepts we must accept unchanged.
CNDA_NAME = re.compile(r"^[A-Z]+(?:(?:-{1,2}|[' ])[A-Z]+)*$")


def rule_of(error: pytest.ExceptionInfo[InvalidInput]) -> str:
    (only,) = error.value.errors
    return only.rule


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("dupont", "DUPONT"), ("de la Tour", "DE LA TOUR"), ("  Martin  ", "MARTIN")],
)
def test_names_are_stored_upper_case(raw: str, stored: str) -> None:
    assert normalize_name(raw, field="birth_name") == stored


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("Hélène", "HELENE"),
        ("François", "FRANCOIS"),
        ("Œdipe", "OEDIPE"),
        ("cœur", "COEUR"),
        ("Æsa", "AESA"),
        ("Lætitia", "LAETITIA"),
        ("d’Arc", "D'ARC"),
        ("Müller-Núñez", "MULLER-NUNEZ"),
        ("e\u0301lise", "ELISE"),  # decomposed accent
    ],
)
def test_diacritics_and_ligatures_are_transliterated(raw: str, stored: str) -> None:
    assert normalize_name(raw, field="birth_name") == stored


@pytest.mark.parametrize("field", ["birth_name", "used_name", "first_birth_first_name"])
@pytest.mark.parametrize(
    ("raw", "character"),
    [
        ("DUP0NT", "0"),
        ("DU_PONT", "_"),
        ("STRAßE", "ß"),
        ("林", "林"),
        ("ИВАНОВ", "И"),
        ("MARTIN.", "."),
    ],
)
def test_a_character_without_equivalent_is_rejected_naming_the_field_and_the_character(
    field: str, raw: str, character: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        normalize_name(raw, field=field, kind=FIRST if "first" in field else NAME)
    (only,) = error.value.errors
    assert (only.field, only.rule) == (field, "character_not_allowed")
    assert f"« {character} »" in only.message


@pytest.mark.parametrize("field", ["birth_name", "first_birth_first_name", "used_name"])
def test_a_character_without_equivalent_is_never_silently_dropped(field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_traits(identity_input(**{field: "DUP0NT"}), today=NOW.date(), places=FakePlaces())
    assert [e.field for e in error.value.errors] == [field]


def test_double_hyphen_is_allowed_in_a_birth_name_but_not_in_a_first_name() -> None:
    assert normalize_name("MARTIN--DUPONT", field="birth_name") == "MARTIN--DUPONT"
    with pytest.raises(InvalidInput) as error:
        normalize_name("JEAN--PIERRE", field="first_birth_first_name", kind=FIRST)
    assert rule_of(error) == "double_hyphen"


def test_more_than_two_hyphens_in_a_row_are_refused_even_in_a_name() -> None:
    with pytest.raises(InvalidInput) as error:
        normalize_name("MARTIN---DUPONT", field="birth_name")
    assert rule_of(error) == "triple_hyphen"


@pytest.mark.parametrize("kind", [NAME, FIRST])
def test_a_name_does_not_start_with_a_hyphen(kind: NameKind) -> None:
    with pytest.raises(InvalidInput) as error:
        normalize_name("-DUPONT", field="birth_name", kind=kind)
    assert rule_of(error) == "leading_separator"


@pytest.mark.parametrize("kind", [NAME, FIRST])
def test_a_leading_space_is_trimmed_so_no_stored_name_starts_with_a_space(kind: NameKind) -> None:
    assert normalize_name("\u00a0 DUPONT", field="birth_name", kind=kind) == "DUPONT"


@pytest.mark.parametrize("kind", [NAME, FIRST])
@pytest.mark.parametrize(
    ("raw", "rule"), [("DE  LA TOUR", "double_space"), ("O''NEIL", "double_apostrophe")]
)
def test_a_doubled_space_or_apostrophe_is_refused(raw: str, rule: str, kind: NameKind) -> None:
    with pytest.raises(InvalidInput) as error:
        normalize_name(raw, field="birth_name", kind=kind)
    assert rule_of(error) == rule


@pytest.mark.parametrize("kind", [NAME, FIRST])
@pytest.mark.parametrize("raw", ["D' ARC", "D 'ARC", "D ' ARC"])
def test_a_space_beside_an_apostrophe_is_refused(raw: str, kind: NameKind) -> None:
    with pytest.raises(InvalidInput) as error:
        normalize_name(raw, field="birth_name", kind=kind)
    assert rule_of(error) == "space_beside_apostrophe"


@pytest.mark.parametrize("raw", ["JEAN-", "JEAN'", "JEAN’"])
def test_a_first_name_does_not_end_with_a_hyphen_or_an_apostrophe(raw: str) -> None:
    with pytest.raises(InvalidInput) as error:
        normalize_name(raw, field="first_birth_first_name", kind=FIRST)
    assert rule_of(error) == "trailing_separator"


@pytest.mark.parametrize("raw", ["-", "'", "' -"])
def test_a_name_holds_at_least_one_letter(raw: str) -> None:
    with pytest.raises(InvalidInput):
        normalize_name(raw, field="birth_name")


@pytest.mark.parametrize("raw", ["", "   "])
def test_an_empty_name_is_a_required_error(raw: str) -> None:
    with pytest.raises(InvalidInput) as error:
        normalize_name(raw, field="birth_name")
    assert rule_of(error) == "required"


VALID_NAMES = [
    "DUPONT",
    "MARTIN-DUPONT",
    "MARTIN--DUPONT",
    "D'ARC",
    "DE LA TOUR",
    "LE GOFF",
    "O'NEIL-MAC DONALD",
    "N'DIAYE",
    "DE LA TOUR D'AUVERGNE--LAURAGUAIS",
    "Y",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
]


def _generated_names(count: int, seed: int = 20260316) -> list[str]:
    """Random words of the CNDA regex language: letters joined by -, --, ' or space."""
    rng = random.Random(seed)
    names = []
    for _ in range(count):
        parts = ["".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ", k=rng.randint(1, 8)))]
        for _ in range(rng.randint(0, 4)):
            parts += [rng.choice(["-", "--", "'", " "]), "".join(rng.choices("ABCDEZ", k=3))]
        names.append("".join(parts))
    return names


@pytest.mark.parametrize("name", VALID_NAMES + _generated_names(300))
def test_every_name_the_cnda_client_regex_accepts_is_accepted_unchanged(name: str) -> None:
    assert CNDA_NAME.match(name)
    assert normalize_name(name, field="birth_name") == name
    if "--" not in name:
        assert normalize_name(name, field="first_birth_first_name", kind=FIRST) == name


def test_a_name_longer_than_the_storage_bound_is_refused_naming_the_field() -> None:
    from identito.domain.traits import MAX_NAME_LENGTH

    assert normalize_name("A" * MAX_NAME_LENGTH, field="birth_name") == "A" * MAX_NAME_LENGTH
    with pytest.raises(InvalidInput) as error:
        normalize_name("A" * (MAX_NAME_LENGTH + 1), field="birth_name")
    assert (error.value.errors[0].field, error.value.errors[0].rule) == ("birth_name", "too_long")


def test_no_break_spaces_and_typographic_quotes_become_a_space_and_an_apostrophe() -> None:
    assert normalize_name("d\u2018Arc\u00a0Dupont", field="birth_name") == "D'ARC DUPONT"
