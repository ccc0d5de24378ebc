"""Duplicates in Chromium: the check at creation, the sheet, side by side, merge and unmerge.

The identities are created here (fictitious, birth dates no demo person has), so the
journeys do not depend on the demo data.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from browser_support import shot, tab_to
from playwright.sync_api import Page, expect

from identito.bootstrap import Container
from identito.services.auth import SYSTEM
from identito.services.identities import create_identity, search_identities, validate_identity

pytestmark = pytest.mark.browser


def login(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def _create(container: Container, **traits: Any) -> UUID:
    data = {
        "birth_first_names": ["Paul", "Louis"], "first_birth_first_name": "Paul", "sex": "M",
        "birth_place_code": "75116", **traits,
    }  # fmt: skip
    identity = create_identity(
        data, uow=container.uow_factory(), actor=SYSTEM, rules=container.rules
    )
    return identity.id


def _count(container: Container, birth_date: str) -> int:
    found = search_identities(
        birth_date=birth_date, uow=container.uow_factory(), actor=SYSTEM, rules=container.rules
    )
    return len(found)


def test_a_creation_shows_its_potential_duplicates_before_saving(
    page: Page, demo_container: Container
) -> None:
    _create(demo_container, birth_name="Garnier", birth_date="1962-07-21")
    login(page, "accueil", "cle-demo-admission")
    page.locator("#s-birth_date").fill("21/07/1962")
    page.locator("#s-name").fill("granier")  # letters swapped: the search finds nobody
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="0 identité trouvée")).to_be_visible()
    page.get_by_role("link", name="Créer une nouvelle identité").click()
    page.locator("#birth_name").fill("Granier")
    page.locator("#birth_first_names").fill("Paul Louis")
    page.locator("#first_birth_first_name").fill("Paul")
    page.locator("#birth_date").fill("21/07/1962")
    page.get_by_label("Masculin").check()
    page.locator("#birth_place_code").fill("75116")
    page.get_by_role("button", name="Créer l'identité").click()

    expect(page.get_by_role("heading", name=re.compile("^1 doublon potentiel"))).to_be_visible()
    first = page.locator("#doublon-1")
    expect(first.get_by_role("link", name=re.compile("Ouvrir la fiche existante"))).to_be_focused()
    expect(first.locator(".score")).to_have_text(re.compile(r"^\d+,\d %$"))
    expect(first.locator("tr.differs")).to_contain_text("Saisie proche")
    expect(first).to_contain_text("GARNIER")
    shot(page, "18-creation-doublons-potentiels")
    assert _count(demo_container, "1962-07-21") == 1  # nothing saved yet

    tab_to(page, "Créer quand même")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Identité créée (statut provisoire).")).to_be_visible()
    section = page.locator("#doublons-potentiels")  # loaded by htmx after the sheet
    expect(section.get_by_role("link", name="GARNIER PAUL", exact=True)).to_be_visible()
    expect(section.get_by_role("link", name=re.compile("^Côte à côte"))).to_be_visible()
    section.scroll_into_view_if_needed()
    shot(page, "19-fiche-doublons-potentiels")
    assert _count(demo_container, "1962-07-21") == 2


def test_compare_side_by_side_merge_then_undo_the_merge(
    page: Page, demo_container: Container
) -> None:
    kept = _create(demo_container, birth_name="Berthelot", birth_date="1958-02-11")
    validate_identity(
        kept, document_type="CN", document_expiry=date(2031, 5, 1),
        uow=demo_container.uow_factory(), actor=SYSTEM, rules=demo_container.rules,
    )  # fmt: skip
    duplicate = _create(demo_container, birth_name="Bertelot", birth_date="1958-02-11")
    login(page, "civ", "cle-demo-vigilance")
    page.goto(f"/identites/{duplicate}")
    page.locator("#doublons-potentiels").get_by_role(
        "link", name=re.compile("^Côte à côte")
    ).click()

    expect(page.get_by_role("heading", name="Comparaison de deux identités")).to_be_visible()
    name_row = page.locator('tr[data-field="birth_name"]')
    expect(name_row).to_have_class("differs")
    expect(name_row).to_contain_text("≈ Même prononciation")  # the score's own agreement
    expect(page.locator('tr[data-field="birth_date"]')).to_have_class("same")
    expect(page.get_by_role("radio", name=re.compile("BERTHELOT"))).to_be_checked()  # VALI
    shot(page, "20-comparaison-cote-a-cote")
    page.get_by_role("button", name="Fusionner…").click()
    expect(page.get_by_role("heading", name="Confirmez-vous la fusion ?")).to_be_visible()
    safe = page.locator("#fusion-confirmation").get_by_role("link", name="Annuler")
    expect(safe).to_be_focused()  # the default is the safe choice (issue 16 §4)
    page.keyboard.press("Shift+Tab")  # the keyboard reaches the merge one step back
    expect(page.get_by_role("button", name="Confirmer la fusion")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_text("Fusion enregistrée")).to_be_visible()
    merged = page.locator("#identites-fusionnees")
    merged.get_by_role("link", name="BERTELOT PAUL", exact=True).click()
    expect(page.locator("#identite-fusionnee")).to_contain_text("Identité fusionnée dans")
    expect(page.locator("#lien-survivante")).to_have_text("BERTHELOT PAUL")
    expect(page.get_by_role("link", name="Modifier les traits")).to_have_count(0)
    shot(page, "21-identite-fusionnee")

    page.get_by_role("button", name="Annuler la fusion").click()
    expect(
        page.get_by_role("heading", name=re.compile("annulation de cette fusion"))
    ).to_be_visible()
    page.get_by_role("button", name="Confirmer l'annulation de la fusion").click()
    expect(page.get_by_text("Fusion annulée")).to_be_visible()
    expect(page.locator("#identite-fusionnee")).to_have_count(0)
    expect(page.get_by_role("link", name="Modifier les traits")).to_be_visible()
