"""The audit journal in Chromium, as the identity-vigilance unit reads it (issue 16).

The identity is created here (fictitious); its used name is changed by admission and
its matricule read four times by one care user, then once by another.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from browser_support import login, shot
from playwright.sync_api import Page, expect

from identito.bootstrap import Container
from identito.domain.events import AuditAction
from identito.domain.permissions import Actor, Role, role_permissions
from identito.services.auth import SYSTEM
from identito.services.identities import create_identity, update_identity
from identito.services.unit_of_work import AuditEntry

pytestmark = pytest.mark.browser


def _seed(container: Container) -> str:
    data = {
        "birth_name": "Journalier", "birth_first_names": ["Odile"],
        "first_birth_first_name": "Odile", "birth_date": "1963-11-21", "sex": "F",
        "birth_place_code": "69383", "used_name": "Perrin",
    }  # fmt: skip
    rules = container.rules
    identity = create_identity(data, uow=container.uow_factory(), actor=SYSTEM, rules=rules)
    admission = Actor("accueil.durand", Role.ADMISSION, role_permissions(Role.ADMISSION))
    update_identity(identity.id, identity.version, {"used_name": "Martin"},
                    uow=container.uow_factory(), actor=admission, rules=rules)  # fmt: skip
    start = rules.now() + timedelta(minutes=1)
    readers = ["soin.bernard"] * 4 + ["soin.petit"]
    with container.uow_factory() as uow:
        for minute, reader in enumerate(readers):
            at = start + timedelta(minutes=minute)
            uow.add_audit(AuditEntry(reader, at, AuditAction.IDENTITY_READ, identity.id))
        uow.commit(SYSTEM, rules.now())
    return str(identity.id)


def test_the_identity_vigilance_unit_reads_a_journal_in_french_and_filters_it(
    page: Page, demo_container: Container
) -> None:
    identity_id = _seed(demo_container)
    login(page, "civ", "cle-demo-vigilance")

    page.goto(f"/identites/{identity_id}")
    page.locator("#lien-journal").click()
    expect(page.get_by_role("heading", name="Journal : JOURNALIER Odile")).to_be_visible()
    journal = page.locator("#journal")
    expect(journal).to_contain_text("Modification des traits")
    expect(journal).to_contain_text("Nom utilisé : PERRIN → MARTIN")
    expect(journal).to_contain_text("4 lectures")
    expect(journal).not_to_contain_text("identity.")
    page.evaluate("document.getElementById('filtres-titre').scrollIntoView()")
    shot(page, "40-journal-identite")

    page.get_by_label("Action", exact=True).select_option(label="Lecture du matricule INS")
    page.get_by_label("Utilisateur").select_option("soin.petit")
    page.get_by_role("button", name="Filtrer").click()
    expect(journal.locator("tbody tr")).to_have_count(1)
    expect(journal).to_contain_text("soin.petit")

    page.get_by_role("link", name="Journal", exact=True).click()
    expect(page.get_by_role("heading", name="Journal de traçabilité")).to_be_visible()
    expect(page.locator("#journal")).to_contain_text("Connexion")
