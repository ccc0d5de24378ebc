"""Defects seen on the running application (issue 16 point 2), checked as rendered."""

from __future__ import annotations

import re

import pytest
from axe_support import assert_accessible
from browser_support import csp_reports, login
from playwright.sync_api import Page, Response, expect

from identito.bootstrap import Container
from identito.services.auth import SYSTEM
from identito.services.identities import create_identity, search_identities

pytestmark = pytest.mark.browser

#: The rendered size of every chart text: font size times the SVG's scale on screen.
CHART_TEXT_SIZES = """() => [...document.querySelectorAll('svg.chart text')].map(t => {
  const svg = t.ownerSVGElement;
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return parseFloat(getComputedStyle(t).fontSize) * scale;
})"""


def test_the_printable_label_is_styled_under_the_application_csp(
    page: Page, demo_container: Container
) -> None:
    found = search_identities(
        birth_date="1984-05-17", name="LEFEBVRE", uow=demo_container.uow_factory(),
        actor=SYSTEM, rules=demo_container.rules,
    )  # fmt: skip
    reports = csp_reports(page)
    login(page, "civ", "cle-demo-vigilance")
    answer = page.goto(f"/identites/{found[0].id}/exports/label.html")
    assert answer is not None and answer.ok
    policy = answer.headers["content-security-policy"]
    assert "'sha256-" not in policy and "unsafe-inline" not in policy  # no exception
    expect(page.locator('link[rel="stylesheet"]')).to_have_attribute("href", "/static/label.css")
    label = page.locator(".label")
    expect(label).to_have_css("display", "flex")
    expect(label).to_have_css("border-top-width", "1px")
    expect(page.locator("th").first).to_have_css("font-weight", "400")
    assert reports == []


def test_every_page_has_a_favicon_and_no_request_ends_in_404(page: Page) -> None:
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    login(page, "accueil", "cle-demo-admission")
    expect(page.get_by_role("heading", name="Recherche d'antériorité")).to_be_visible()
    icon = page.locator('link[rel="icon"]').first.get_attribute("href")
    assert icon is not None
    for url in (icon, "/favicon.ico"):
        fetched: Response = page.request.get(url)
        assert fetched.ok and fetched.headers["content-type"].startswith("image/"), url
    assert missing == []


def test_chart_text_is_at_least_12_px_as_rendered(page: Page) -> None:
    reports = csp_reports(page)
    login(page, "stats", "cle-demo-indicateurs")
    expect(page.get_by_role("heading", name="Indicateurs de pilotage")).to_be_visible()
    sizes = page.evaluate(CHART_TEXT_SIZES)
    assert sizes and min(sizes) >= 12, sorted(sizes)[:5]
    overflowing = page.evaluate(
        "() => [...document.querySelectorAll('.chart-wrap')]"
        ".filter(w => w.scrollWidth > w.clientWidth).length"
    )
    assert overflowing == 0  # at 1366 px wide, every chart fits its column unshrunk
    assert reports == []


def test_the_verification_indicators_opened_directly_are_a_styled_french_page(
    page: Page,
) -> None:
    login(page, "stats", "cle-demo-indicateurs")
    page.goto("/indicateurs/verification")
    expect(page).to_have_title("Vérifications de l'INS par mois — identito")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifications de l'INS par mois")
    expect(page.locator(".site-header")).to_have_css("color", "rgb(255, 255, 255)")
    expect(page.get_by_role("link", name="Tous les indicateurs de pilotage")).to_be_visible()


@pytest.mark.parametrize(
    "url", ["/identites/pas-un-id", "/identites/pas-un-id/comparer/autre", "/doublons/pas-un-id"]
)
def test_a_malformed_address_shows_the_french_error_page_not_json(page: Page, url: str) -> None:
    login(page, "civ", "cle-demo-vigilance")
    answer = page.goto(url)

    assert answer is not None and answer.status == 404
    assert answer.headers["content-type"].startswith("text/html")
    expect(page).to_have_title("Page introuvable — identito")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Page introuvable")
    expect(page.get_by_role("alert")).to_have_text("Cette page n'existe pas. Revenez à l'accueil.")
    expect(page.locator(".site-header")).to_have_css("color", "rgb(255, 255, 255)")
    assert '"detail"' not in page.content()
    assert_accessible(page)


def _date_field_texts(page: Page) -> tuple[str, str]:
    hint = page.locator("#birth_date-aide").inner_text()
    error = page.locator("#birth_date-erreur")
    return hint, error.inner_text() if error.count() else ""


def test_the_birth_date_hint_and_its_error_name_the_same_written_form(page: Page) -> None:
    login(page, "accueil", "cle-demo-admission")
    page.goto("/identites/nouvelle")
    page.locator("#birth_name").fill("Datedemo")
    page.locator("#birth_first_names").fill("Agathe")
    page.locator("#first_birth_first_name").fill("Agathe")
    page.get_by_label("Féminin").check()
    page.locator("#birth_date").fill("19072007")
    page.get_by_role("button", name="Créer l'identité").click()

    hint, error = _date_field_texts(page)
    assert hint.startswith("JJ/MM/AAAA")
    assert error == "La date de naissance s'écrit JJ/MM/AAAA (ou AAAA-MM-JJ)."
    expect(page.locator("#birth_date")).to_have_attribute("aria-invalid", "true")
    described = page.locator("#birth_date").get_attribute("aria-describedby") or ""
    assert {"birth_date-aide", "birth_date-erreur"} <= set(described.split())

    page.locator("#birth_date").fill("19/07/2007")  # as the hint says
    page.get_by_role("button", name="Créer l'identité").click()
    expect(page.locator("#birth_date-erreur")).to_have_count(0)  # only the place is missing
    expect(page.locator("#birth_place_code-erreur")).to_be_visible()


def test_the_search_accepts_the_date_as_its_hint_writes_it_and_names_it_when_refused(
    page: Page,
) -> None:
    login(page, "accueil", "cle-demo-admission")
    expect(page.locator("#s-date-aide")).to_have_text("JJ/MM/AAAA ou AAAA-MM-JJ")
    page.locator("#s-birth_date").fill("19072007")
    page.locator("#s-name").fill("dupont")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    refused = page.locator("#resultats").get_by_role("alert")
    expect(refused).to_contain_text(
        "Date de naissance : La date de naissance s'écrit JJ/MM/AAAA (ou AAAA-MM-JJ)."
    )
    for written in ("19/07/2007", "2007-07-19"):
        page.locator("#s-birth_date").fill(written)
        page.get_by_role("button", name="Rechercher", exact=True).click()
        expect(refused).to_have_count(0)
        expect(page.locator("#resultats")).to_contain_text(  # the search ran
            re.compile(r"\d+ identités? trouvées?")
        )


def _markers(page: Page, rows: str) -> dict[str, tuple[str, str, str]]:
    """label -> (left, right, marker) of the rows of one table, as shown."""
    found: dict[str, tuple[str, str, str]] = {}
    for row in page.locator(rows).all():
        cells = [c.inner_text().strip() for c in row.locator("th, td").all()]
        found[cells[0]] = (cells[1], cells[2], cells[3].split("\n")[0].strip())
    return found


def test_the_side_by_side_table_and_the_score_explanation_show_one_comparison(
    page: Page, demo_container: Container
) -> None:
    pair = []
    for name, first_names in (("Lefebvre", ["Claire", "Anne"]), ("Lefevre", ["Claire"])):
        traits = {
            "birth_name": name, "birth_first_names": first_names,
            "first_birth_first_name": "Claire", "birth_date": "1966-03-21", "sex": "F",
            "birth_place_code": "69383",
        }  # fmt: skip
        created = create_identity(
            traits, uow=demo_container.uow_factory(), actor=SYSTEM, rules=demo_container.rules
        )
        pair.append(created.id)
    login(page, "civ", "cle-demo-vigilance")
    page.goto(f"/identites/{pair[0]}/comparer/{pair[1]}")

    table = _markers(page, ".side-by-side-table tbody tr")
    explained = _markers(page, ".explanation tbody tr")
    assert table["Prénom(s) de naissance"] == ("CLAIRE ANNE", "CLAIRE", "≈ Proche")
    assert explained["Prénom(s) de naissance"] == ("CLAIRE ANNE", "CLAIRE", "≈ Proche")
    same_trait = {  # table row -> explanation line showing the same values
        "Nom de naissance": "Nom (de naissance / utilisé)",
        "Prénom(s) de naissance": "Prénom(s) de naissance",
        "Date de naissance": "Date de naissance",
        "Sexe": "Sexe",
    }
    for row, line in same_trait.items():
        assert table[row] == explained[line], row
    place = table["Lieu de naissance (code INSEE)"]
    assert place[2] == explained["Lieu de naissance"][2] == "= Identique"
    assert not [m for left, right, m in explained.values() if m == "= Identique" and left != right]
    expect(page.locator('tr[data-field="birth_first_names"]')).to_have_class("differs")
    assert_accessible(page)
