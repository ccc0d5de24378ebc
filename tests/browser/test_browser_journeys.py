"""Journeys of admission clerks, the identity-vigilance unit and statistics, in Chromium."""

from __future__ import annotations

import re

import pytest
from browser_support import shot, tab_to
from playwright.sync_api import Page, expect

from identito.bootstrap import Container
from identito.services.auth import SYSTEM
from identito.services.identities import search_identities

pytestmark = pytest.mark.browser


def login(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def identity_id(container: Container, birth_date: str, name: str) -> str:
    found = search_identities(
        birth_date=birth_date, name=name, uow=container.uow_factory(), actor=SYSTEM,
        rules=container.rules,
    )  # fmt: skip
    assert found, (birth_date, name)
    return str(found[0].id)


def test_login_with_a_demo_account(page: Page) -> None:
    page.goto("/login")
    expect(
        page.get_by_role("heading", name="Comptes de démonstration (mode test uniquement)")
    ).to_be_visible()
    shot(page, "01-connexion")
    login(page, "accueil", "cle-demo-admission")
    expect(page.get_by_role("heading", name="Recherche d'antériorité")).to_be_visible()
    expect(page.get_by_text("accueil — Admission (accueil)")).to_be_visible()


def test_search_then_create_with_the_keyboard_only(page: Page) -> None:
    login(page, "accueil", "cle-demo-admission")
    expect(page.locator("#s-birth_date")).to_be_focused()  # autofocus: no mouse needed
    page.keyboard.type("14/03/1985")
    page.keyboard.press("Tab")
    page.keyboard.type("Lefèvre")
    page.keyboard.press("Tab")
    page.keyboard.type("Hélène")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="0 identité trouvée")).to_be_visible()
    shot(page, "02-recherche-sans-resultat")
    tab_to(page, "Créer une nouvelle identité")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Créer une identité")).to_be_visible()
    expect(page.locator("#birth_name")).to_be_focused()
    expect(page.locator("#birth_name")).to_have_value("")  # nothing carried over
    page.keyboard.type("Lefèvre-Saint-Aubin")
    expect(page.locator("#birth_name-norme")).to_contain_text("LEFEVRE-SAINT-AUBIN")
    page.keyboard.press("Tab")
    page.keyboard.type("Hélène Marie")
    page.keyboard.press("Tab")
    page.keyboard.type("Hélène")
    page.keyboard.press("Tab")
    page.keyboard.type("14/03/1985")
    page.keyboard.press("Tab")  # the sex radio group: none is checked
    page.keyboard.press("ArrowRight")  # Masculin -> Féminin
    expect(page.get_by_label("Féminin")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.type("annecy-le-vi")
    expect(page.get_by_role("button", name=re.compile("Annecy-le-Vieux.*74011"))).to_be_visible()
    shot(page, "03-creation-choix-du-lieu")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # choose the first place offered
    expect(page.locator("#birth_place_code")).to_have_value("74011")
    tab_to(page, "Créer l'identité")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Identité créée (statut provisoire).")).to_be_visible()
    expect(page.locator(".badge.status-PROV")).to_have_text("Identité provisoire")
    shot(page, "04-fiche-creee")


def test_a_creation_refused_with_french_messages(page: Page) -> None:
    login(page, "accueil", "cle-demo-admission")
    page.goto("/identites/nouvelle")
    page.locator("#birth_name").fill("Dupont$")
    page.locator("#birth_date").fill("31/02/1990")
    page.get_by_role("button", name="Créer l'identité").click()
    expect(page.locator("#birth_name-erreur")).to_contain_text("n'est pas admis")
    expect(page.locator("#birth_date-erreur")).to_contain_text("n'existe pas")
    expect(page.locator("#sex-erreur")).to_have_text("Ce champ est obligatoire.")
    expect(page.locator("#birth_place_code-erreur")).to_have_text("Ce champ est obligatoire.")
    shot(page, "05-creation-refusee")


def test_validate_with_a_document(page: Page, demo_container: Container) -> None:
    target = identity_id(demo_container, "2010-08-07", "NESSI")  # a RECUP demo person
    login(page, "accueil", "cle-demo-admission")
    page.goto(f"/identites/{target}")
    page.get_by_role("link", name="Valider l'identité (pièce contrôlée)").click()
    expect(page.get_by_label("Type de pièce d'identité contrôlée")).to_have_value("")
    page.get_by_label("Type de pièce d'identité contrôlée").select_option("PA")
    page.get_by_label("Date d'expiration de la pièce").fill("2031-05-01")
    shot(page, "06-validation")
    page.get_by_role("button", name="Enregistrer la validation").click()
    expect(page.locator(".badge.status-QUAL")).to_have_text("Identité qualifiée")
    shot(page, "07-identite-qualifiee")


def test_mark_doubtful_then_validation_is_impossible(page: Page, demo_container: Container) -> None:
    target = identity_id(demo_container, "2009-07-01", "PROVISOIRE")  # RECUP with a NIA
    login(page, "civ", "cle-demo-vigilance")
    page.goto(f"/identites/{target}")
    page.get_by_role("link", name=re.compile("^Attributs")).click()
    page.get_by_label("Identité douteuse").check()
    page.get_by_label("Motif (facultatif, tracé)").fill("Pièce présentée illisible")
    page.get_by_role("button", name="Voir les conséquences").click()
    expect(page.get_by_text("au statut « Identité provisoire »")).to_be_visible()
    expect(page.get_by_text("Le matricule INS et son OID seront invalidés")).to_be_visible()
    shot(page, "08-attribut-douteuse-consequences")
    page.get_by_role("button", name="Confirmer").click()
    expect(page.locator(".badge.attr-DOUT")).to_have_text("Identité douteuse")
    expect(
        page.get_by_text("Validation impossible : l'identité est douteuse ou fictive.")
    ).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Valider"))).to_have_count(0)
    shot(page, "09-douteuse-validation-impossible")


def test_modify_a_strict_trait_of_a_qualified_identity(
    page: Page, demo_container: Container
) -> None:
    target = identity_id(demo_container, "1936-06-21", "TCHITCHI")  # QUAL: validated + INS
    login(page, "civ", "cle-demo-vigilance")
    page.goto(f"/identites/{target}")
    page.get_by_role("link", name="Modifier les traits").click()
    page.locator("#birth_name").fill("Tchitchy")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Confirmez-vous cette modification ?")).to_be_visible()
    # matricule invalidated and document check withdrawn (issue 11 §10) ...
    expect(page.get_by_text("au statut « Identité provisoire »")).to_be_visible()
    # ... unless a document checked again is recorded in the same step
    page.get_by_label("Type de pièce contrôlée").select_option("CN")
    page.get_by_label("Date d'expiration de la pièce (JJ/MM/AAAA)").fill("01/05/2031")
    page.get_by_label("Motif de la modification").fill("Nom mal saisi, pièce contrôlée")
    shot(page, "10-modification-confirmation")
    page.get_by_role("button", name="Confirmer et dégrader le statut").click()
    expect(page.locator(".badge.status-VALI")).to_have_text("Identité validée")
    expect(page.get_by_text("Aucun matricule INS")).to_be_visible()
    shot(page, "11-modification-enregistree")


def test_indicators(page: Page) -> None:
    login(page, "stats", "cle-demo-indicateurs")
    expect(page.get_by_role("heading", name="Indicateurs de pilotage")).to_be_visible()
    expect(page.locator('svg[aria-labelledby="insi-t"]')).to_be_visible()  # INSi outcomes
    assert page.locator("svg.chart").count() >= 4  # + the reasons chart once there are some
    shot(page, "12-indicateurs")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Exporter en CSV")).click()
    assert download.value.suggested_filename == "indicateurs-identito.csv"


def test_a_statistics_user_cannot_open_an_identity(page: Page, demo_container: Container) -> None:
    target = identity_id(demo_container, "1975-12-31", "ADRUN")
    login(page, "stats", "cle-demo-indicateurs")
    page.goto(f"/identites/{target}")
    expect(page.get_by_role("heading", name=re.compile("Accès refusé"))).to_be_visible()
    expect(page.get_by_text("ADRUN")).to_have_count(0)
    shot(page, "13-statistiques-acces-refuse")


def test_the_identity_vigilance_unit_sees_the_audit_log(
    page: Page, demo_container: Container
) -> None:
    target = identity_id(demo_container, "1975-12-31", "ADRUN")
    login(page, "civ", "cle-demo-vigilance")
    page.goto(f"/identites/{target}")
    expect(page.get_by_role("heading", name="Journal de traçabilité")).to_be_visible()
    page.get_by_role("heading", name="Matricule INS").scroll_into_view_if_needed()
    shot(page, "14-fiche-qualifiee-cellule")
