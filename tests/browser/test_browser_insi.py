"""INSi journey in Chromium: call INSi from the search results, compare, accept.

The server uses its default teleservice, the in-process INSi simulator, whose
CNDA test person ECETINSI (fictitious) is typed here with one birth first name
missing, so that INSi's answer differs and the comparison window shows.
"""

from __future__ import annotations

import re

import pytest
from browser_support import shot
from playwright.sync_api import Page, expect

from identito.bootstrap import Container
from identito.services.auth import SYSTEM
from identito.services.identities import create_identity

pytestmark = pytest.mark.browser


def login(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def test_call_insi_see_the_comparison_and_accept(page: Page, demo_container: Container) -> None:
    create_identity(
        {
            "birth_name": "ECETINSI", "birth_first_names": ["PIERRE-ALAIN", "MURIEL"],
            "first_birth_first_name": "PIERRE-ALAIN", "birth_date": "2009-07-14", "sex": "M",
            "birth_place_code": "63220",
        },
        uow=demo_container.uow_factory(), actor=SYSTEM, rules=demo_container.rules,
    )  # fmt: skip
    login(page, "accueil", "cle-demo-admission")
    page.locator("#s-birth_date").fill("14/07/2009")
    page.locator("#s-name").fill("ecetinsi")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    row = page.locator("tr").filter(has_text="Identité provisoire").filter(has_text="ECETINSI")
    expect(row).to_have_count(1)
    shot(page, "15-recherche-appel-insi")
    row.get_by_role("link", name=re.compile("^Appel INSi")).click()

    expect(page.get_by_role("heading", name="Par les traits de la fiche")).to_be_visible()
    expect(page.get_by_text("Identité provisoire : contrôlez une pièce")).to_be_visible()
    page.get_by_role("button", name="Appeler INSi par les traits").click()

    expect(page.locator("#insi-resultat")).to_have_text("00 — identité trouvée")
    window = page.locator("#comparaison")
    expect(window.get_by_role("heading", name=re.compile("Comparaison des traits"))).to_be_visible()
    differing = window.locator("tr.differs")
    expect(differing).to_have_count(1)
    expect(differing).to_contain_text("Prénom(s) de naissance")
    expect(differing).to_contain_text("PIERRE-ALAIN MURIEL FLORIANT")
    expect(differing).to_contain_text("≠ Différent")
    expect(page.locator("#ressemblance")).to_have_text(re.compile(r"^\d+,\d %$"))
    expect(page.locator("#insi-prov")).to_contain_text("pièce d'identité à haut niveau")
    window.scroll_into_view_if_needed()
    shot(page, "16-insi-comparaison")

    page.get_by_role("button", name="Accepter l'identité INSi").click()

    expect(
        page.get_by_text("Identité INSi acceptée : traits et matricule INS intégrés.")
    ).to_be_visible()
    expect(page.locator(".badge.status-RECUP")).to_have_text("Identité récupérée")
    expect(page.locator("code.ins")).to_have_text("109076322083489")
    history = page.locator("#historique-insi")
    expect(history).to_contain_text("00 — identité trouvée")
    expect(history).to_contain_text("Acceptée et intégrée")
    history.scroll_into_view_if_needed()
    shot(page, "17-insi-acceptee-historique")
