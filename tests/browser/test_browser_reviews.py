"""The review worklist and collisions in Chromium, as the identity-vigilance unit uses them.

The identities are created here (fictitious, birth dates no demo person has); creating
the second one records the pair in the worklist, as at the reception desk.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

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


def _create(container: Container, **traits: Any) -> UUID:
    data = {
        "birth_first_names": ["Claire", "Anne"], "first_birth_first_name": "Claire",
        "sex": "F", "birth_place_code": "69383", **traits,
    }  # fmt: skip
    identity = create_identity(
        data, uow=container.uow_factory(), actor=SYSTEM, rules=container.rules
    )
    return identity.id


def test_review_a_pair_confirm_the_duplicate_and_merge(
    page: Page, demo_container: Container
) -> None:
    _create(demo_container, birth_name="Rousseau", birth_date="1957-05-09")
    _create(demo_container, birth_name="Rousseaux", birth_date="1957-05-09")
    _create(demo_container, birth_name="Marchand", birth_date="1971-04-08")
    _create(demo_container, birth_name="Marchand", birth_date="1971-08-04")  # day/month swapped
    login(page, "civ", "cle-demo-vigilance")

    menu = page.locator("#menu-doublons")
    expect(menu.locator(".menu-count")).to_have_text(re.compile(r"^\d+$"))
    menu.click()
    expect(page.get_by_role("heading", name="Doublons à examiner", exact=True)).to_be_visible()
    current = page.get_by_role("link", name="À examiner", exact=True)
    expect(current).to_have_attribute("aria-current", "page")
    row = page.locator("tr", has_text="ROUSSEAUX")
    expect(row).to_contain_text("Nom de naissance")
    shot(page, "22-doublons-a-examiner")

    row.get_by_role("link", name=re.compile("^Examiner")).click()
    expect(page.get_by_role("heading", name="Examen d'un doublon potentiel")).to_be_visible()
    expect(page.locator('tr[data-field="birth_name"]')).to_have_class("differs")
    expect(page.locator('tr[data-field="birth_date"]')).to_have_class("same")
    shot(page, "23-examen-paire")
    page.get_by_label("Note (facultative)").fill("Même patiente, nom mal orthographié")
    shot(page, "24-examen-decision")

    page.get_by_role("button", name="Doublon avéré (DOUA)…").click()
    expect(page.locator("#decision-confirmation")).to_contain_text("Confirmez-vous la décision")
    safe = page.locator("#decision-confirmation").get_by_role("link", name="Annuler")
    expect(safe).to_be_focused()  # the default is the safe choice (issue 16 §4)
    page.keyboard.press("Shift+Tab")  # the keyboard reaches the decision one step back
    expect(page.get_by_role("button", name=re.compile("^Confirmer : Doublon"))).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("#decision-enregistree")).to_contain_text("Doublon avéré (DOUA)")
    expect(page.locator("#statut-paire")).to_have_text("Doublon avéré (à fusionner)")
    merge = page.locator("#fusion")
    expect(merge.get_by_role("radio", name=re.compile("ROUSSEAU CLAIRE"))).to_be_checked()
    shot(page, "25-doublon-confirme-fusion")
    merge.get_by_role("button", name="Fusionner…").click()
    expect(page.locator("#fusion-confirmation")).to_contain_text("Confirmez-vous la fusion ?")
    expect(page.get_by_role("heading", name="Examen d'un doublon potentiel")).to_be_visible()
    page.get_by_role("button", name="Confirmer la fusion").click()

    expect(page.locator("#decision-enregistree")).to_contain_text("Fusion enregistrée")
    expect(page.locator("#statut-paire")).to_have_text("Fusionné")
    done = page.locator("#fusion-faite")
    expect(done.get_by_role("link", name="ROUSSEAUX CLAIRE")).to_be_visible()
    shot(page, "28-paire-fusionnee")
    done.get_by_role("link", name="ROUSSEAU CLAIRE").click()
    expect(page.locator("#identites-fusionnees")).to_contain_text("ROUSSEAUX CLAIRE")


def test_declare_a_collision_from_the_sheet_then_find_it_in_the_collisions_list(
    page: Page, demo_container: Container
) -> None:
    identity = _create(demo_container, birth_name="Vasseur", birth_date="1949-10-17")
    login(page, "civ", "cle-demo-vigilance")
    page.goto(f"/identites/{identity}")

    page.get_by_role("link", name="Déclarer une collision…").click()
    page.get_by_label("Collision potentielle (COLP)").check()
    page.get_by_label("Note (facultative)").fill("Deux patientes sur un même dossier")
    page.get_by_role("button", name="Déclarer…").click()
    expect(page.locator("#collision-confirmation")).to_contain_text("L'INS n'est plus diffusé")
    page.get_by_role("button", name="Confirmer la déclaration").click()

    banner = page.locator("#collision")
    expect(banner).to_contain_text("Collision potentielle (COLP)")
    expect(banner).to_contain_text("L'INS n'est plus diffusé")
    expect(banner.get_by_role("button", name="Résoudre la collision…")).to_be_visible()
    shot(page, "26-fiche-collision")

    menu = page.locator("#menu-collisions")
    expect(menu.locator(".menu-count")).to_have_text(re.compile(r"^[1-9]\d*$"))
    menu.click()
    row = page.locator("tr", has_text="VASSEUR CLAIRE")
    expect(row).to_contain_text("Collision potentielle (COLP)")
    shot(page, "27-collisions")
    row.get_by_role("link", name=re.compile("^Confirmer ou résoudre")).click()
    page.get_by_role("button", name="Résoudre la collision…").click()
    page.get_by_role("button", name="Confirmer la résolution").click()
    expect(page.get_by_text("Collision résolue")).to_be_visible()
    expect(page.locator("#collision")).to_have_count(0)
