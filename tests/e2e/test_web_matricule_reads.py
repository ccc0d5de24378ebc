"""Issue 13 point 5 for the web pages: every GET page is in ``PAGES`` (a new page fails
``test_every_page_is_in_the_table``); a page that shows a matricule, current or former,
has written an ``identity.read`` (or ``identity.diffused``) row on that identity."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from api_support import Api, TestClient
from fastapi.routing import APIRoute, iter_route_contexts
from reads_support import SHOWS, Seed, assert_audited_if_shown, audit_rows, make_seed
from web_support import Browser

from identito.bootstrap import Container
from identito.entrypoints.api import create_app

Url = Callable[[Seed], str]
_NONE = "00000000-0000-4000-8000-000000000000"
_ID = "/identites/{identity_id}"


def _page(suffix: str = "") -> Url:
    return lambda s: f"/identites/{s.current['id']}{suffix}"


#: (path of the page) -> (the URL to read, SHOWS or why no matricule is shown)
PAGES: dict[str, tuple[Url, str]] = {
    "/login": (lambda s: "/login", "the login form"),
    "/": (lambda s: "/", "the home page"),
    "/compte": (lambda s: "/compte", "the account"),
    "/recherche": (lambda s: f"/recherche?mode=ins&ins={s.current['ins']['number']}", SHOWS),
    "/identites/nouvelle": (lambda s: "/identites/nouvelle", "an empty form"),
    "/identites/normaliser": (lambda s: "/identites/normaliser?birth_name=Dupont", "a name"),
    "/lieux": (lambda s: "/lieux?lieu_recherche=Paris", "places"),
    "/lieux/choisir": (lambda s: "/lieux/choisir?code=75116", "a place"),
    _ID: (_page(), SHOWS),
    f"{_ID}/modifier": (_page("/modifier"), "the matricule is not an editable field here"),
    f"{_ID}/valider": (_page("/valider"), "the document form"),
    f"{_ID}/attributs": (_page("/attributs"), "the attribute form"),
    f"{_ID}/nss": (_page("/nss"), "the billing NSS form: the matricule INS is not shown"),
    "/indicateurs": (lambda s: "/indicateurs", "counts"),
    "/indicateurs-insi.csv": (lambda s: "/indicateurs-insi.csv", "counts"),
    "/indicateurs.csv": (lambda s: "/indicateurs.csv", "counts"),
    "/admin/utilisateurs": (lambda s: "/admin/utilisateurs", "accounts"),
    "/admin/parametres": (lambda s: "/admin/parametres", "settings"),
    "/admin/interfaces": (lambda s: "/admin/interfaces", "interface accounts"),
    "/favicon.ico": (lambda s: "/favicon.ico", "the icon"),
    f"{_ID}/insi": (lambda s: f"/identites/{s.twin['id']}/insi", "the recovery form"),
    f"{_ID}/insi/appels/{{call_id}}": (
        lambda s: f"/identites/{s.twin['id']}/insi/appels/{s.call_id}",
        "a verification's call: outcome only"),
    "/insi/appels/{call_id}/{which}.xml": (
        lambda s: f"/insi/appels/{s.call_id}/request.xml",
        "404: recoveries only (service audited, as the API's)"),
    "/insi/listes": (lambda s: "/insi/listes", "worklists' counts"),
    "/insi/listes/{worklist_id}": (lambda s: f"/insi/listes/{_NONE}", "a worklist's counts"),
    "/insi/creation": (lambda s: "/insi/creation", "an empty form"),
    f"{_ID}/exports/{{fmt}}": (_page("/exports/fhir"), SHOWS),
    f"{_ID}/imprimer": (
        _page("/imprimer?modele=bracelet"),
        "a compressed PDF: its diffusion row is checked in test_web_label_printing.py"),
    "/recherche/datamatrix": (lambda s: "/recherche/datamatrix", "an empty form"),
    "/verification": (lambda s: "/verification", "campaigns"),
    "/verification/passages/{run_id}/rapport.csv": (
        lambda s: f"/verification/passages/{_NONE}/rapport.csv", "see the API table"),
    "/listes-de-travail": (lambda s: "/listes-de-travail", "traits and outcome, no matricule"),
    "/doublons/export.csv": (lambda s: "/doublons/export.csv?statut=all", SHOWS),
    "/insi/listes/{worklist_id}/export.csv": (
        lambda s: f"/insi/listes/{_NONE}/export.csv", "an unknown list: 404"),
    "/collisions/export.csv": (lambda s: "/collisions/export.csv", "a collision withholds it"),
    "/listes-de-travail/export.csv": (
        lambda s: "/listes-de-travail/export.csv?liste=verification_ko",
        "the seed's identities are in no worklist; test_web_worklists checks the reads"),
    "/indicateurs/verification": (lambda s: "/indicateurs/verification", "counts"),
    f"{_ID}/doublons": (_page("/doublons"), "traits and scores, no matricule"),
    f"{_ID}/comparer/{{other_id}}": (
        lambda s: f"/identites/{s.current['id']}/comparer/{s.twin['id']}", SHOWS),
    "/doublons": (lambda s: "/doublons", "traits and scores, no matricule"),
    "/doublons/{review_id}": (lambda s: f"/doublons/{s.review_id}", SHOWS),
    "/collisions": (lambda s: "/collisions", "none declared here"),
    f"{_ID}/collision": (_page("/collision"), "the declaration form"),
    f"{_ID}/journal": (_page("/journal"), SHOWS),
    "/journal": (lambda s: "/journal", SHOWS),
}  # fmt: skip


@pytest.fixture(scope="module")
def seed(container: Container) -> Iterator[Seed]:
    with TestClient(create_app(container), base_url="http://testserver") as client:
        yield make_seed(container, Api(client))


@pytest.fixture(scope="module")
def admin(container: Container) -> Iterator[Browser]:
    browser = Browser(container)
    assert browser.login("admin").status_code == 303
    yield browser
    browser.close()


def test_every_page_is_in_the_table(container: Container) -> None:
    pages = {
        str(route.path)
        for route in iter_route_contexts(create_app(container).routes)
        if isinstance(route.original_route, APIRoute)
        and "GET" in (route.methods or ())
        and not str(route.path).startswith(("/api/", "/fhir/", "/docs/"))
    }

    assert pages == set(PAGES)


@pytest.mark.parametrize("path", list(PAGES), ids=list(PAGES))
def test_a_page_that_shows_a_matricule_writes_an_audit_row_on_its_identity(
    container: Container, admin: Browser, seed: Seed, path: str
) -> None:
    url, expected = PAGES[path]
    before = audit_rows(container)

    answer = admin.get(url(seed))

    assert answer.status_code in (200, 303, 404, 422), (answer.status_code, answer.text[:300])
    assert_audited_if_shown(container, seed, before, answer.text, expected)
