"""Defects seen on the running application (issue 16 point 2), checked as rendered."""

from __future__ import annotations

import pytest
from browser_support import csp_reports, login
from playwright.sync_api import Page, Response, expect

from identito.bootstrap import Container
from identito.services.auth import SYSTEM
from identito.services.identities import search_identities

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
