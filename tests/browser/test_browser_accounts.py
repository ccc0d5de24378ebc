"""« Mon compte » in Chromium (issues 13 and 16): the role, its pages, the password change,
the open sessions."""

from __future__ import annotations

import pytest
from browser_support import SCREENSHOTS, shot
from playwright.sync_api import Browser, Page, expect

from identito.bootstrap import Container
from identito.services.auth import SYSTEM, add_user

pytestmark = pytest.mark.browser
OLD, NEW = "ancienne-phrase-secrete", "nouvelle-phrase-secrete"


def login(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def test_a_clerk_opens_mon_compte_from_the_header_and_changes_the_password(
    page: Page, demo_container: Container
) -> None:
    add_user("agent.compte", OLD, "admission", uow=demo_container.uow_factory(), actor=SYSTEM,
             rules=demo_container.rules)  # fmt: skip
    login(page, "agent.compte", OLD)
    page.get_by_role("link", name="agent.compte — Admission (accueil)").click()
    expect(page.get_by_role("heading", name="Mon compte", exact=True)).to_be_visible()
    expect(page.locator(".account-pages").get_by_role("link", name="Liste de travail INSi"))\
        .to_be_visible()  # fmt: skip
    page.get_by_label("Mot de passe actuel").fill(OLD)
    page.get_by_label("Nouveau mot de passe (12 caractères au moins)").fill("password")
    page.get_by_label("Confirmation du nouveau mot de passe").fill("password")
    page.get_by_role("button", name="Changer le mot de passe").click()
    expect(page.get_by_text("Le mot de passe compte au moins 12 caractères.")).to_be_visible()
    page.get_by_label("Mot de passe actuel").fill(OLD)
    page.get_by_label("Nouveau mot de passe (12 caractères au moins)").fill(NEW)
    page.get_by_label("Confirmation du nouveau mot de passe").fill(NEW)
    page.get_by_role("button", name="Changer le mot de passe").click()
    expect(page.get_by_role("status")).to_contain_text("Mot de passe changé.")
    shot(page, "29-mon-compte-mot-de-passe-change")
    page.get_by_role("button", name="Se déconnecter").click()
    login(page, "agent.compte", NEW)
    expect(page.get_by_role("heading", name="Recherche d'antériorité")).to_be_visible()


def test_a_clerk_reads_the_rights_of_the_profile_and_closes_a_forgotten_session(
    page: Page, demo_container: Container, chromium: Browser, server: str
) -> None:
    add_user("agent.sessions", OLD, "admission", uow=demo_container.uow_factory(), actor=SYSTEM,
             rules=demo_container.rules)  # fmt: skip
    other = chromium.new_context(base_url=server, locale="fr-FR")  # another workstation
    forgotten = other.new_page()
    login(forgotten, "agent.sessions", OLD)
    login(page, "agent.sessions", OLD)
    page.goto("/compte")
    expect(page.get_by_role("heading", name="Mon profil : Admission (accueil)")).to_be_visible()
    expect(page.locator(".account-rights")).to_contain_text("Créer une identité")
    sessions = page.locator(".account-sessions tbody tr")
    expect(sessions).to_have_count(2)
    expect(sessions.first).to_contain_text("(cette session)")
    page.screenshot(path=str(SCREENSHOTS / "45-mon-compte-profil-et-sessions.png"), full_page=True)
    page.get_by_role("button", name="Fermer toutes mes autres sessions").click()
    expect(page.get_by_role("status")).to_contain_text("1 autre session fermée.")
    expect(sessions).to_have_count(1)
    forgotten.goto("/recherche")
    expect(forgotten.get_by_role("heading", name="Connexion")).to_be_visible()
    other.close()
