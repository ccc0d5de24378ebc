"""The billing NSS screen in Chromium (issue 17 point 1, R-TR-20): whose NSS it is must
be chosen, and the NSS shows on the sheet apart from the matricule INS."""

from __future__ import annotations

import pytest
from browser_support import login, shot
from playwright.sync_api import Page, expect

from identito.bootstrap import Container
from identito.services.auth import SYSTEM
from identito.services.identities import search_identities

pytestmark = pytest.mark.browser
NSS = "180037511600178"  # synthetic, valid key


def test_a_clerk_records_the_ouvrant_droits_nss_of_a_patient(
    page: Page, demo_container: Container
) -> None:
    (identity,) = search_identities(
        birth_date="1975-12-31", name="ADRUN", uow=demo_container.uow_factory(), actor=SYSTEM,
        rules=demo_container.rules,
    )[:1]  # fmt: skip
    login(page, "accueil", "cle-demo-admission")
    page.goto(f"/identites/{identity.id}")
    page.get_by_role("link", name="Saisir le NSS").click()
    expect(page.get_by_text("Ce n'est pas le matricule INS")).to_be_visible()
    page.get_by_label("Numéro de sécurité sociale (15 caractères, clé comprise)").fill(NSS)
    page.get_by_role("button", name="Enregistrer le NSS").click()
    expect(page.get_by_text("Précisez à qui appartient ce NSS")).to_be_visible()
    page.get_by_label("L'ouvrant droit (assuré dont le patient est ayant droit)").check()
    shot(page, "30-nss-facturation")
    page.get_by_role("button", name="Enregistrer le NSS").click()
    expect(page.get_by_role("status")).to_contain_text("NSS de facturation enregistré")
    expect(page.locator("#nss code.nss")).to_have_text(NSS)
    expect(page.locator("#nss")).to_contain_text("L'ouvrant droit")
