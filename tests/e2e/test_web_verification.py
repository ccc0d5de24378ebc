"""Verification in the web application: the sheet's action, campaigns, worklists."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from api_support import Api, TestClient, make_container
from web_support import Browser, csrf_of

from identito.adapters.database import dispose_engines
from identito.bootstrap import Container
from identito.entrypoints.api import create_app

CORSE = {
    "birth_name": "CORSE",
    "birth_first_names": ["ANTHONY"],
    "first_birth_first_name": "ANTHONY",
    "birth_date": "1980-03-02",
    "sex": "M",
    "birth_place_code": "2B020",
    "used_name": None,
}


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    yield make_container(tmp_path_factory.mktemp("web-verification"), insi_simulator_population=50)
    dispose_engines()


@pytest.fixture(scope="module")
def api(container: Container) -> Iterator[Api]:
    with TestClient(create_app(container), base_url="http://testserver") as client:
        yield Api(client)


def test_verify_the_ins_from_the_sheet(browser_for: Callable[[str], Browser], api: Api) -> None:
    created = api.create(**CORSE)
    api.post(f"/api/v1/identities/{created['id']}/insi/recover", json={"mode": "traits"})
    browser = browser_for("admission")
    sheet = browser.get(f"/identites/{created['id']}")
    assert "Vérifier l'INS" in sheet.text
    result = browser.post(
        f"/identites/{created['id']}/verifier-ins", {"csrf_token": csrf_of(sheet.text)}
    )
    assert result.status_code == 200 and "INS confirmé (OK)" in result.text


def test_campaigns_page_creates_runs_and_shows_progress(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("admin")
    page = browser.get("/verification")
    assert page.status_code == 200 and "Nouvelle campagne" in page.text
    form = {
        "csrf_token": csrf_of(page.text), "name": "Web", "perimeter": "query",
        "query": "with-ins", "years": "5", "frequency_days": "0", "batch_size": "50",
        "unit_rate": "10",
    }  # fmt: skip
    assert browser.post("/verification/campagnes", form).status_code in (200, 303)
    page = browser.get("/verification")
    assert "Web" in page.text and "jamais lancée" in page.text


def test_worklists_are_for_the_vigilance_unit(browser_for: Callable[[str], Browser]) -> None:
    page = browser_for("identitovigilance").get("/listes-de-travail?liste=reception")
    assert page.status_code == 200 and "Identités reçues à traiter" in page.text
    assert browser_for("admission").get("/listes-de-travail").status_code == 403
    fragment = browser_for("statistics").get("/indicateurs/verification")
    assert "Vérifications de l'INS par mois" in fragment.text
