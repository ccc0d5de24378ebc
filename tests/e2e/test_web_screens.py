"""Defects seen on the running web application (issue 16 point 2): error pages,
direct addresses of fragments, the date hint and its error, the favicon."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from api_support import Api, make_container
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from web_support import Browser, creation_form, distinct_person

from identito.adapters.database import dispose_engines
from identito.adapters.insi.simulator.teleservice import SimulatedTeleservice
from identito.entrypoints.api import create_app
from identito.entrypoints.web.rendering import WEB_DATE_FORMAT_MESSAGE
from identito.entrypoints.web.security import CSP, WebHeadersMiddleware
from identito.messages import label


def test_a_malformed_identity_address_shows_the_french_error_page_not_json(
    browser_for: Callable[[str], Browser],
) -> None:
    page = browser_for("admission").get("/identites/pas-un-id")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in page.text and "Page introuvable" in page.text
    assert "Cette page n&#39;existe pas" in page.text and '"detail"' not in page.text


def test_a_malformed_address_under_the_api_still_answers_problem_details(
    browser_for: Callable[[str], Browser],
) -> None:
    answer = browser_for("admission").get("/api/v1/identities/pas-un-id")
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_the_verification_indicators_opened_directly_are_a_full_french_page(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("admin")
    page = browser.get("/indicateurs/verification")
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    assert "<title>Vérifications de l&#39;INS par mois — identito</title>" in page.text
    assert "/static/identito.css" in page.text and 'id="indicateurs-verification"' in page.text
    fragment = browser.get("/indicateurs/verification", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and 'id="indicateurs-verification"' in fragment.text


def test_a_birth_date_written_without_slashes_is_refused_naming_the_hinted_form(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("admission")
    page = browser.post("/identites/nouvelle", creation_form(birth_date="19072007"))
    assert page.status_code == 422
    assert "JJ/MM/AAAA" in page.text  # the hint
    assert WEB_DATE_FORMAT_MESSAGE.replace("'", "&#39;") in page.text
    assert "s&#39;écrit AAAA-MM-JJ." not in page.text
    search = browser.get("/recherche?mode=traits&birth_date=19072007&name=dupont")
    assert WEB_DATE_FORMAT_MESSAGE.replace("'", "&#39;") in search.text


def test_both_written_forms_of_the_hint_are_accepted_for_a_birth_date(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("admission")
    for written in ("19/07/2007", "2007-07-19"):
        page = browser.get(f"/recherche?mode=traits&birth_date={written}&name=dupont")
        assert page.status_code == 200, written


def test_the_favicon_is_served_and_linked_from_every_page(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("admission")
    icon = browser.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO header
    svg = browser.get("/static/favicon.svg")
    assert svg.status_code == 200 and b"<svg" in svg.content
    assert 'rel="icon" href="/static/favicon.svg"' in browser.get("/recherche").text


_ROW = re.compile(
    r'<tr class="(?:same|differs|missing)"[^>]*>\s*<th scope="row">([^<]*)</th>\s*'
    r'<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td><span class="marker[^"]*">([^<]*)</span>'
)


def test_the_side_by_side_table_and_the_score_explanation_agree_on_first_names(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    person = distinct_person(sex="F", used_name=None)
    one = api.create(**{**person, "birth_name": "Lefebvre", "birth_first_names": ["Claire", "Anne"],
                        "first_birth_first_name": "Claire"})  # fmt: skip
    two = api.create(**{**person, "birth_name": "Lefevre", "birth_first_names": ["Claire"],
                        "first_birth_first_name": "Claire"})  # fmt: skip
    page = browser_for("identitovigilance").get(f"/identites/{one['id']}/comparer/{two['id']}")
    table, explanation = page.text.split("Explication du score", 1)
    shown = {label: (left, right, marker) for label, left, right, marker in _ROW.findall(table)}
    assert shown["Prénom(s) de naissance"] == ("CLAIRE ANNE", "CLAIRE", "≈ Proche")
    lines = {
        label: (left, right, marker) for label, left, right, marker in _ROW.findall(explanation)
    }
    assert lines["Prénom(s) de naissance"] == ("CLAIRE ANNE", "CLAIRE", "≈ Proche")
    both = set(shown) & set(lines)  # one comparison shown twice: the same marker
    assert {"Prénom(s) de naissance", "Date de naissance", "Sexe"} <= both
    assert {label: shown[label][2] for label in both} == {label: lines[label][2] for label in both}
    for trait, (left, right, marker) in lines.items():  # « Identique » only for equal values
        assert marker != "= Identique" or left == right, trait


def test_the_label_has_no_inline_style_and_the_policy_of_every_page(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    identity = api.create(**distinct_person())
    browser = browser_for("identitovigilance")
    answer = browser.get(f"/identites/{identity['id']}/exports/label.html")
    assert answer.status_code == 200
    assert answer.headers["content-security-policy"] == CSP
    assert "<style" not in answer.text and " style=" not in answer.text
    assert f'<link rel="stylesheet" href="{label.STYLESHEET}">' in answer.text
    stylesheet = browser.get(label.STYLESHEET)
    assert stylesheet.status_code == 200 and ".label" in stylesheet.text


def test_a_response_may_not_loosen_the_policy() -> None:
    def page(request: Request) -> PlainTextResponse:
        loose = request.query_params["csp"]
        return PlainTextResponse("x", headers={"Content-Security-Policy": loose})

    app = WebHeadersMiddleware(Starlette(routes=[Route("/", page)]))
    with TestClient(app) as client:
        for loose in (
            CSP.replace("style-src 'self'", "style-src 'self' 'sha256-abc='"),
            CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
        ):
            answer = client.get("/", params={"csp": loose})
            assert answer.headers["content-security-policy"] == CSP


def test_the_insi_simulator_is_warmed_at_start_up_without_recording_a_call(
    tmp_path: Path,
) -> None:
    container = make_container(tmp_path, insi_simulator_population=50)
    teleservice = container.teleservice
    assert isinstance(teleservice, SimulatedTeleservice) and not teleservice.warmed
    app = create_app(container)
    with TestClient(app):
        thread = app.state.insi_warm_up
        assert thread is not None and thread.daemon  # start-up does not wait for it
        thread.join(timeout=60)
        assert teleservice.warmed
        assert len(teleservice.engine.calls) == 0  # nothing sent to the simulator
    dispose_engines()


def test_a_failed_warm_up_is_logged_and_the_application_still_starts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    container = make_container(tmp_path, insi_simulator_population=50)

    def broken() -> None:
        raise RuntimeError("no reference base")

    container.teleservice.warm_up = broken  # type: ignore[union-attr]
    app = create_app(container)
    with TestClient(app) as client:
        app.state.insi_warm_up.join(timeout=60)
        assert client.get("/api/v1/health").status_code == 200
    assert "INSi warm-up failed" in caplog.text
    dispose_engines()
