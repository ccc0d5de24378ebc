"""The anteriority search as rendered (issue 16 point 1): results under the form,
focused and announced, matching traits highlighted, at 1366×900."""

from __future__ import annotations

import pytest
from browser_support import csp_reports, login, shot
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_a_search_one_day_off_by_a_second_first_name_shows_the_person_under_the_form_focused(
    page: Page,
) -> None:
    reports = csp_reports(page)
    login(page, "accueil", "cle-demo-admission")
    expect(page.get_by_role("heading", name="Recherche d'antériorité")).to_be_visible()
    page.get_by_label("Date de naissance").fill("18/05/1984")
    page.get_by_label("Prénom", exact=True).fill("anne")
    page.get_by_role("button", name="Rechercher", exact=True).click()

    heading = page.locator("#resultats-titre")
    expect(heading).to_have_text("1 identité trouvée")
    expect(heading).to_be_focused()
    expect(page.get_by_role("status")).to_contain_text("1 identité trouvée")
    box = heading.bounding_box()
    assert box is not None and box["y"] + box["height"] < 900  # above the fold
    row = page.locator(".results tbody tr").first
    expect(row).to_contain_text("LEFEBVRE")
    expect(row.locator("mark.match").first).to_be_visible()
    expect(row).to_contain_text("date : à un jour près")
    shot(page, "recherche-anteriorite")
    assert reports == []
