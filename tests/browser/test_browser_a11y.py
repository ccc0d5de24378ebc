"""Accessibility (issue 16): axe-core reports 0 violations on every HTML page of the web
UI, opened by each demo account that may use it, and on the fragments htmx brings in.

``PAGES`` lists every GET route that answers HTML, ``NOT_PAGES`` the others with the
reason; ``test_every_get_route_of_the_web_is_walked_or_excluded_with_a_reason`` fails
when a new route is in neither, so that no page escapes the check.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import pytest
from axe_support import assert_accessible, axe_violations, describe
from browser_support import login
from fastapi.routing import APIRoute, iter_route_contexts
from playwright.sync_api import Browser, Page, expect

from identito.bootstrap import Container
from identito.demo import DEMO_ACCOUNTS
from identito.entrypoints.api import create_app
from identito.services.auth import SYSTEM
from identito.services.identities import search_identities

pytestmark = pytest.mark.browser

PASSWORDS = {account.username: account.password for account in DEMO_ACCOUNTS}
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@dataclass(frozen=True)
class Seed:
    """Addresses of demo records the pages need (found once per module)."""

    qualified: str  # TCHITCHI: validated, with its INS (QUAL)
    retrieved: str  # CORSE: INS retrieved, not validated (RECUP)
    lefebvre: str  # LEFEBVRE and LEFEVRE: a demo pair of potential duplicates
    lefevre: str
    review: str  # /doublons/<id> of a pending pair
    call: str  # /identites/<id>/insi/appels/<id> of an INSi call on CORSE
    worklist: str  # /insi/listes/<id> of an opened INSi worklist


Urls = Callable[[Seed], tuple[str, ...]]  # the addresses of one route to check


@dataclass(frozen=True)
class Visit:
    urls: Urls
    accounts: tuple[str, ...]  # the demo accounts whose role may use the page
    status: int = 200
    disabled: Mapping[str, str] = field(default_factory=dict)  # axe rule id -> why it is off
    fixed_width: str = ""  # why the page may be wider than a 320 px screen


ADMIN, CIV, ACCUEIL, SOIGNANT, STATS, INTERFACE = (a.username for a in DEMO_ACCOUNTS)
EVERYONE = (ADMIN, CIV, ACCUEIL, SOIGNANT, STATS, INTERFACE)
READERS = (ADMIN, CIV, ACCUEIL, SOIGNANT)  # search and read identities
EDITORS = (ADMIN, CIV, ACCUEIL)  # create, change, validate, call INSi
VIGILANCE = (ADMIN, CIV)  # duplicates, collisions, protected changes
INDICATORS = (ADMIN, CIV, STATS)
_ID = "/identites/{identity_id}"


def _on(*which: str, suffix: str = "") -> Urls:
    return lambda s: tuple(f"/identites/{getattr(s, w)}{suffix}" for w in which)


def _fixed(url: str) -> Urls:
    return lambda s: (url,)


def _seeded(which: str) -> Urls:
    return lambda s: (getattr(s, which),)


#: Every GET route that answers an HTML page -> how to open it, and by whom.
PAGES: dict[str, Visit] = {
    "/login": Visit(_fixed("/login"), ()),  # anonymous: see test_the_login_page_...
    "/": Visit(_fixed("/"), EVERYONE),
    "/compte": Visit(_fixed("/compte"), EVERYONE),
    "/recherche": Visit(_fixed("/recherche?mode=traits&birth_date=17/05/1984&name=lefebvre"),
                        READERS),
    # a scan that is no DataMatrix INS: the search page and its error (a good one redirects)
    "/recherche/datamatrix": Visit(_fixed("/recherche/datamatrix?datamatrix=x"), READERS, 422),
    "/identites/nouvelle": Visit(_fixed("/identites/nouvelle"), EDITORS),
    _ID: Visit(_on("qualified", "lefebvre"), READERS),  # LEFEBVRE: its duplicates shown
    f"{_ID}/modifier": Visit(_on("lefebvre", suffix="/modifier"), EDITORS),
    f"{_ID}/valider": Visit(_on("lefebvre", suffix="/valider"), EDITORS),
    f"{_ID}/attributs": Visit(_on("lefebvre", suffix="/attributs"), EDITORS),
    f"{_ID}/nss": Visit(_on("lefebvre", suffix="/nss"), EDITORS),  # the billing NSS
    f"{_ID}/journal": Visit(_on("lefebvre", suffix="/journal"), VIGILANCE),  # audit journal
    "/journal": Visit(_fixed("/journal"), VIGILANCE),
    f"{_ID}/exports/{{fmt}}": Visit(
        _on("qualified", suffix="/exports/label.html"), READERS,
        fixed_width="a sticker of 90 mm (340 px) wide: its printed size"),
    f"{_ID}/insi": Visit(_on("retrieved", suffix="/insi"), EDITORS),
    f"{_ID}/insi/appels/{{call_id}}": Visit(_seeded("call"), EDITORS),
    "/insi/listes": Visit(_fixed("/insi/listes"), EDITORS),
    "/insi/listes/{worklist_id}": Visit(_seeded("worklist"), EDITORS),
    "/insi/creation": Visit(_fixed("/insi/creation"), EDITORS),
    "/verification": Visit(_fixed("/verification"), EDITORS),
    "/listes-de-travail": Visit(_fixed("/listes-de-travail"), VIGILANCE),
    f"{_ID}/doublons": Visit(_on("lefebvre", suffix="/doublons"), VIGILANCE),
    f"{_ID}/comparer/{{other_id}}": Visit(
        lambda s: (f"/identites/{s.lefebvre}/comparer/{s.lefevre}",), VIGILANCE),
    "/doublons": Visit(_fixed("/doublons"), VIGILANCE),
    "/doublons/{review_id}": Visit(_seeded("review"), VIGILANCE),
    "/collisions": Visit(_fixed("/collisions"), VIGILANCE),
    f"{_ID}/collision": Visit(_on("lefebvre", suffix="/collision"), VIGILANCE),
    "/indicateurs": Visit(_fixed("/indicateurs"), INDICATORS),
    "/indicateurs/verification": Visit(_fixed("/indicateurs/verification"), INDICATORS),
    "/admin/utilisateurs": Visit(_fixed("/admin/utilisateurs"), (ADMIN,)),
    "/admin/interfaces": Visit(_fixed("/admin/interfaces"), (ADMIN,)),
    "/admin/parametres": Visit(_fixed("/admin/parametres"), (ADMIN,)),
}  # fmt: skip

_FRAGMENT = "an htmx fragment, checked inside the creation form (test_the_fragments_...)"
#: GET routes that answer no HTML page, and why.
NOT_PAGES: dict[str, str] = {
    "/favicon.ico": "the icon (an image)",
    "/identites/{identity_id}/imprimer": "a PDF to print (label, wristband or A4 sheet)",
    "/indicateurs.csv": "a CSV download",
    "/listes-de-travail/export.csv": "a CSV download",
    "/doublons/export.csv": "a CSV download",
    "/collisions/export.csv": "a CSV download",
    "/insi/listes/{worklist_id}/export.csv": "a CSV download",
    "/indicateurs-insi.csv": "a CSV download",
    "/verification/passages/{run_id}/rapport.csv": "a CSV download",
    "/insi/appels/{call_id}/{which}.xml": "a SOAP message download (XML)",
    "/identites/normaliser": _FRAGMENT,
    "/lieux": _FRAGMENT,
    "/lieux/choisir": _FRAGMENT,
}


#: The rendered size of every SVG text of the page: font size times the SVG's scale.
SVG_TEXT_SIZES = """() => [...document.querySelectorAll('svg text')].map(t => {
  const svg = t.ownerSVGElement, box = svg.viewBox.baseVal;
  const scale = box && box.width ? svg.getBoundingClientRect().width / box.width : 1;
  return parseFloat(getComputedStyle(t).fontSize) * scale;
})"""


#: WCAG 1.4.10: 320 CSS px wide (1280 px at 400 % zoom).
NARROW = {"width": 320, "height": 800}
#: The elements that make the page scroll sideways (none when it does not), innermost.
WIDER_THAN_THE_SCREEN = """() => {
  const root = document.documentElement, width = root.clientWidth + 1;
  if (root.scrollWidth <= root.clientWidth) return [];
  const clipped = e => {
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    return false;
  };
  return [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > width && !clipped(e))
    .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > width))
    .slice(0, 4).map(e => e.outerHTML.slice(0, 100));
}"""


def _settled(page: Page) -> None:
    """Wait for the page and what htmx loads on it (« hx-trigger=load »), swapped and
    settled (``static/identito.js`` then marks what scrolls sideways)."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def _login(page: Page, username: str) -> None:
    login(page, username, PASSWORDS[username])
    page.wait_for_url(lambda url: "/login" not in url)


def _identity(container: Container, birth_date: str, name: str) -> str:
    found = search_identities(
        birth_date=birth_date, name=name, uow=container.uow_factory(), actor=SYSTEM,
        rules=container.rules,
    )  # fmt: skip
    return str(found[0].id)


def _first_link(page: Page, url: str, pattern: str) -> str:
    page.goto(url)
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    found = [h for h in hrefs if re.fullmatch(pattern, h)]
    assert found, f"no link like {pattern} on {url}"
    return str(found[0])


@pytest.fixture(scope="module")
def seed(chromium: Browser, server: str, demo_container: Container) -> Iterator[Seed]:
    context = chromium.new_context(base_url=server, locale="fr-FR")
    page = context.new_page()
    _login(page, ADMIN)
    retrieved = _identity(demo_container, "1980-03-02", "CORSE")
    page.goto(f"/identites/{retrieved}/insi")
    page.get_by_role("button", name="Appeler INSi par les traits").click()
    page.wait_for_url(re.compile(f"/insi/appels/{_UUID}$"))
    call = page.url.removeprefix(server)
    page.goto("/insi/listes")
    page.get_by_role("button", name="Créer ou reprendre la liste").first.click()
    page.wait_for_url(re.compile(f"/insi/listes/{_UUID}"))
    worklist = page.url.removeprefix(server).split("?")[0]
    yield Seed(
        qualified=_identity(demo_container, "1936-06-21", "TCHITCHI"),
        retrieved=retrieved,
        lefebvre=_identity(demo_container, "1984-05-17", "LEFEBVRE"),
        lefevre=_identity(demo_container, "1984-05-17", "LEFEVRE"),
        review=_first_link(page, "/doublons", f"/doublons/{_UUID}"),
        call=call,
        worklist=worklist,
    )
    context.close()


def test_every_get_route_of_the_web_is_walked_or_excluded_with_a_reason(
    demo_container: Container,
) -> None:
    routes = {
        str(route.path)
        for route in iter_route_contexts(create_app(demo_container).routes)
        if isinstance(route.original_route, APIRoute)
        and "GET" in (route.methods or ())
        and not str(route.path).startswith(("/api/", "/fhir/", "/docs/"))
    }

    assert not set(PAGES) & set(NOT_PAGES)
    assert routes - set(PAGES) - set(NOT_PAGES) == set(), "add the new page to PAGES"
    assert (set(PAGES) | set(NOT_PAGES)) - routes == set(), "a listed route no longer exists"
    assert all(reason.strip() for reason in NOT_PAGES.values())


def _walk(page: Page, seed: Seed, username: str, *, reflow: bool = False) -> list[str]:
    """Open every page ``username`` may use; what is wrong on each, readable (``reflow``:
    also what makes the page itself wider than the screen)."""
    missing: list[str] = []  # the favicon, a stylesheet...: nothing a page asks is absent
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    _login(page, username)
    found: list[str] = []
    for visit in PAGES.values():
        if username not in visit.accounts:
            continue
        for url in visit.urls(seed):
            answer = page.goto(url)
            status = answer and answer.status
            assert status == visit.status, (url, status)
            _settled(page)
            violations = axe_violations(page, visit.disabled)
            if violations:
                found.append(f"{url}:\n{describe(violations)}")
            sizes = page.evaluate(SVG_TEXT_SIZES)
            if sizes and min(sizes) < 12:
                found.append(f"{url}: SVG text under 12 px as rendered {sorted(sizes)[:3]}")
            if reflow and not visit.fixed_width and (wider := page.evaluate(WIDER_THAN_THE_SCREEN)):
                found.append(f"{url}: wider than the screen: {wider}")
    return found + [f"404: {url}" for url in missing]


@pytest.mark.parametrize("username", EVERYONE)
def test_every_page_an_account_may_open_has_no_axe_violation(
    page: Page, seed: Seed, username: str
) -> None:
    found = _walk(page, seed, username)

    assert not found, "\n".join(found)


def test_on_a_narrow_screen_every_page_has_no_axe_violation_and_no_sideways_scroll(
    chromium: Browser, server: str, seed: Seed
) -> None:
    """WCAG 1.4.10 (reflow at 320 CSS px): wide tables and charts scroll inside their own
    region, which the keyboard reaches; the page itself never scrolls sideways."""
    context = chromium.new_context(base_url=server, viewport=NARROW, locale="fr-FR")
    page = context.new_page()
    try:
        found = _walk(page, seed, ADMIN, reflow=True)
    finally:
        context.close()

    assert not found, "\n".join(found)


def test_axe_reports_what_it_finds_readably(page: Page) -> None:
    page.goto("/login")
    page.evaluate("() => document.querySelector('main').append(document.createElement('img'))")

    violations = axe_violations(page)

    assert [v["id"] for v in violations] == ["image-alt"]
    assert "image-alt" in describe(violations) and "<img>" in describe(violations)


def test_the_login_page_has_no_axe_violation_blank_or_refused(page: Page) -> None:
    page.goto("/login")
    assert_accessible(page)
    page.get_by_label("Identifiant").fill("personne")
    page.get_by_label("Mot de passe").fill("pas-le-bon-mot-de-passe")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("#login-erreur")).to_be_visible()
    assert_accessible(page)


def test_the_error_pages_have_no_axe_violation(page: Page) -> None:
    _login(page, STATS)
    for url, status in (("/identites/pas-un-id", 404), ("/recherche", 403), ("/nulle-part", 404)):
        answer = page.goto(url)
        assert answer is not None and answer.status == status, url
        assert_accessible(page)


def test_the_fragments_of_the_creation_form_have_no_axe_violation(page: Page) -> None:
    _login(page, ACCUEIL)
    page.goto("/identites/nouvelle")
    page.locator("#birth_name").fill("Lefèbvre-d'Aubigné")  # the normalised preview
    page.locator("#birth_date").fill("17/05/1984")
    page.locator("#lieu_recherche").fill("Lyon")  # the places found
    expect(page.locator("#lieux-resultats .place-choice").first).to_be_visible()
    _settled(page)
    assert_accessible(page)
    page.locator("#lieux-resultats .place-choice").first.click()  # the place chosen
    _settled(page)
    assert_accessible(page)


def test_a_refused_creation_shows_its_errors_without_axe_violation(page: Page) -> None:
    _login(page, ACCUEIL)
    page.goto("/identites/nouvelle")
    page.locator("#birth_date").fill("19072007")
    page.get_by_role("button", name="Créer l'identité").click()
    expect(page.get_by_text("JJ/MM/AAAA").first).to_be_visible()
    _settled(page)
    assert_accessible(page)


def test_search_results_brought_by_htmx_have_no_axe_violation(page: Page) -> None:
    _login(page, SOIGNANT)
    page.locator("#s-birth_date").fill("17/05/1984")
    page.locator("#s-name").fill("lefebvre")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page.locator("#resultats tr").filter(has_text="LEFEBVRE").first).to_be_visible()
    _settled(page)
    assert_accessible(page)
