"""Issue 11 in the web application: the sheet says "INS saisi, à vérifier" and why a
held matricule does not qualify (R-ST-07); sex I is refused before any INSi call with
the rule on the page (R-TR-14)."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from api_support import Api, make_container
from web_support import Browser

from fakes import other_ins
from identito.adapters.database import dispose_engines
from identito.bootstrap import Container

IDENTITIES = "/api/v1/identities"
LUCIE_TRAITS = {
    "birth_name": "CARTE",
    "birth_first_names": ["LUCIE"],
    "first_birth_first_name": "LUCIE",
    "birth_date": "1985-02-14",
    "sex": "F",
    "birth_place_code": "75114",
    "used_name": None,
}


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    yield make_container(tmp_path_factory.mktemp("web-ins-source"), insi_simulator_population=10)
    dispose_engines()


def _typed(api: Api, serial: int, **changes: Any) -> dict[str, Any]:
    """An identity with a typed matricule of its own (one active holder each, R-DU-03)."""
    created = api.create(**{**LUCIE_TRAITS, **changes})
    etag = api.get(f"{IDENTITIES}/{created['id']}").headers["etag"]
    typed = other_ins(serial)
    ins = {"number": typed.number.number, "oid": typed.oid.value}
    response = api.patch(
        f"{IDENTITIES}/{created['id']}", json={"ins": ins}, headers={"If-Match": etag}
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_the_sheet_of_a_typed_matricule_says_it_is_to_verify_and_why(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    typed = _typed(api, 1, used_name="SAISIE")
    page = html.unescape(browser_for("identitovigilance").get(f"/identites/{typed['id']}").text)
    assert 'id="ins-non-confirme"' in page
    assert "INS saisi, à vérifier" in page and "R-ST-07" in page
    assert "au statut « Identité provisoire »" in page


def test_an_identity_of_sex_i_shows_why_insi_is_refused_and_a_call_is_refused(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    created = api.create(**{**LUCIE_TRAITS, "sex": "I", "used_name": "INDETERMINE"})
    browser = browser_for("admission")
    sheet = html.unescape(browser.get(f"/identites/{created['id']}").text)
    assert 'id="insi-sexe"' in sheet and "R-TR-14" in sheet

    response = browser.post(f"/identites/{created['id']}/insi", {"mode": "traits"})

    assert response.status_code == 422
    page = html.unescape(response.text)
    assert "L'appel n'a pas été fait" in page and "M ou F" in page
    calls = api.get(f"{IDENTITIES}/{created['id']}/insi/calls").json()["items"]
    assert calls == []


def test_verifying_an_identity_of_sex_i_from_the_sheet_shows_the_rule(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    typed = _typed(api, 2, sex="I", used_name="VERIF")
    browser = browser_for("identitovigilance")

    response = browser.post(f"/identites/{typed['id']}/verifier-ins", {})

    assert response.status_code == 422
    assert "R-TR-14" in html.unescape(response.text)


def test_a_typed_matricule_waits_in_the_worklist_of_matricules_to_verify(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    typed = _typed(api, 3, used_name="LISTE")
    browser = browser_for("identitovigilance")

    page = html.unescape(browser.get("/listes-de-travail?liste=ins_to_verify").text)

    assert "INS saisis, à vérifier" in page
    assert typed["id"] in page and "INS saisi : à vérifier par INSi" in page
