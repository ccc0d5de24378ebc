"""The search page (/recherche) on the anteriority search of issue 16."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from anteriority_support import create_people, merged_lefebvre
from api_support import Api
from web_support import Browser

from anteriority_cases import CASE_IDS, CASES


@pytest.fixture(scope="module")
def people(api: Api) -> dict[str, dict[str, Any]]:
    return create_people(api)


def _search(browser: Browser, **fields: str) -> str:
    page = browser.get("/recherche?" + urlencode({"mode": "traits", **fields}))
    assert page.status_code == 200, page.text
    return page.text


@pytest.mark.parametrize(("case", "fields", "expected"), CASES, ids=CASE_IDS)
def test_every_example_of_the_issue_finds_the_person_on_the_search_page(
    browser_for: Callable[[str], Browser],
    people: dict[str, dict[str, Any]],
    case: str,
    fields: dict[str, str],
    expected: str,
) -> None:
    text = _search(browser_for("admission"), **fields)
    assert "1 identité trouvée" in text
    assert f'href="/identites/{people[expected]["id"]}"' in text


def test_the_results_come_right_under_the_form_focused_and_announced(
    browser_for: Callable[[str], Browser], people: dict[str, dict[str, Any]]
) -> None:
    text = _search(browser_for("admission"), birth_date="12/03/1980", name="roux")
    assert text.index('id="resultats"') < text.index('id="ins-titre"')
    assert '<h2 id="resultats-titre" tabindex="-1" autofocus>' in text
    assert 'role="status">1 identité trouvée' in text


def test_the_matching_traits_are_highlighted_with_a_text_for_screen_readers(
    browser_for: Callable[[str], Browser], people: dict[str, dict[str, Any]]
) -> None:
    text = _search(browser_for("admission"), birth_date="1980-03-12", first_name="alexandre")
    assert '<mark class="match">PIERRE ALEXANDRE<span class="visually-hidden"> (correspond)' in text
    assert "prénom : identique" in text


def test_a_merged_identity_found_by_its_old_name_leads_to_its_survivor_on_the_page(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    survivor, _ = merged_lefebvre(api)
    text = _search(browser_for("admission"), birth_date="20/06/1975", name="lefebvre")
    assert f'href="/identites/{survivor["id"]}"' in text
    assert "Trouvée par les anciens traits de LEFEBVRE" in text


def test_an_unknown_birth_date_is_searched_by_year_or_period(
    browser_for: Callable[[str], Browser], people: dict[str, dict[str, Any]]
) -> None:
    browser = browser_for("admission")
    text = _search(browser, birth_year="1980", name="garnier", first_name="pierre")
    assert f'href="/identites/{people["garnier"]["id"]}"' in text
    text = _search(browser, born_from="01/01/1980", born_to="31/12/1980", name="d'auger")
    assert f'href="/identites/{people["dauger"]["id"]}"' in text
    assert "date : dans la période" in text
