"""The side-by-side table of two identities (web): one comparison per scored trait, the
score's own, so that the table and the score's explanation never disagree (issue 16)."""

from __future__ import annotations

from typing import Any

import pytest

import identito.entrypoints.api  # noqa: F401  (loads the web package the way the app does)
from fakes import make_identity
from identito.domain.duplicates import Agreement, Trait, score_pair
from identito.entrypoints.web.duplicates_view import (
    ROW_TRAITS,
    SideBySideRow,
    marker_class,
    side_by_side_rows,
)
from identito.services.duplicates import jaro_winkler

Scored = dict[Trait, Agreement]

PAIRS = {
    "later first names missing": ({"birth_first_names": ["Claire", "Anne"],
                                   "first_birth_first_name": "Claire"},
                                  {"birth_first_names": ["Claire"],
                                   "first_birth_first_name": "Claire"}),
    "same sound": ({"birth_name": "Lefebvre"}, {"birth_name": "Lefevre"}),
    "day and month swapped": ({"birth_date": "1980-03-12"}, {"birth_date": "1980-12-03"}),
    "other place": ({"birth_place_code": "75116"}, {"birth_place_code": "69383"}),
    "same birth name, another used name": ({"used_name": "Martin"}, {"used_name": None}),
}  # fmt: skip


def _rows(left: dict[str, Any], right: dict[str, Any]) -> tuple[list[SideBySideRow], Scored]:
    one, two = make_identity(**left), make_identity(**right)
    pair = score_pair(one, two, similarity=jaro_winkler)
    rows = side_by_side_rows(one, two, show_ins=True, explanation=pair.explanation)
    return rows, {line.trait: line.agreement for line in pair.explanation}


@pytest.mark.parametrize("case", list(PAIRS), ids=list(PAIRS))
def test_a_row_showing_a_scored_trait_shows_the_agreement_of_the_score(case: str) -> None:
    rows, scored = _rows(*PAIRS[case])

    for row in rows:
        if row.field in ROW_TRAITS:
            assert row.agreement is scored[ROW_TRAITS[row.field]], row.field


def test_the_birth_name_row_shows_the_names_agreement_when_no_used_name_is_on_either_side() -> None:
    rows, scored = _rows({"birth_name": "Lefebvre"}, {"birth_name": "Lefevre"})

    birth_name = next(r for r in rows if r.field == "birth_name")
    assert birth_name.agreement is scored[Trait.NAME] is Agreement.CLOSE  # « Saisie proche »
    assert birth_name.differs


def test_with_a_used_name_the_birth_name_row_compares_the_names_it_shows() -> None:
    rows, _ = _rows({"used_name": "Martin"}, {"used_name": None})

    by_field = {r.field: r for r in rows}
    assert by_field["birth_name"].agreement is Agreement.EXACT  # the same birth name
    assert by_field["used_name"].agreement is Agreement.DIFFERENT


def test_a_row_the_score_does_not_compare_agrees_when_both_sides_show_the_same_text() -> None:
    assert SideBySideRow("status", "Statut", "A", "A").agreement is Agreement.EXACT
    assert SideBySideRow("status", "Statut", "A", "B").agreement is Agreement.DIFFERENT


def test_a_missing_value_is_marked_but_is_no_gap() -> None:
    row = SideBySideRow("ins", "Matricule INS", "—", "—", Agreement.MISSING)

    assert not row.differs and marker_class(row.agreement) == "missing"
    assert [marker_class(a) for a in (Agreement.EXACT, Agreement.CLOSE)] == ["same", "differs"]
