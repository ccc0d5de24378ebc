"""The identity-vigilance worklists in Chromium (issue 16 point 6): the counter in the
menu, a filter, the CSV export, a decision on the checked entries."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from browser_support import SCREENSHOTS, login
from playwright.sync_api import Page, expect

from identito.bootstrap import Container
from identito.services.auth import SYSTEM
from identito.services.identities import create_identity
from identito.services.verification import identity_summary
from identito.services.verification_records import EntryKind, VigilanceEntry

pytestmark = pytest.mark.browser


def _queued(container: Container, name: str, **traits: Any) -> None:
    """A fictitious identity whose INSi verification came back KO (as a campaign puts it)."""
    data = {"birth_name": name, "birth_first_names": ["Maëlle"], "first_birth_first_name":
            "Maëlle", "sex": "F", "birth_place_code": "35238", "birth_date": "1968-11-23",
            **traits}  # fmt: skip
    identity = create_identity(data, uow=container.uow_factory(), actor=SYSTEM,
                               rules=container.rules)  # fmt: skip
    now = datetime.now(UTC)
    with container.uow_factory() as uow:
        summary = {**identity_summary(uow.identities.get(identity.id)),
                   "reason": "Vérification INSi KO : matricule invalidé"}  # fmt: skip
        uow.vigilance.add(VigilanceEntry(EntryKind.VERIFICATION_KO, now, summary,
                                         identity_id=identity.id))  # fmt: skip
        uow.commit(SYSTEM, now)


def test_the_unit_filters_a_worklist_exports_it_and_closes_checked_entries(
    page: Page, demo_container: Container
) -> None:
    for name, born in (("Kerbrat", "1968-11-23"), ("Kermarrec", "1969-02-14"),
                       ("Le Goff", "1970-07-01")):  # fmt: skip
        _queued(demo_container, name, birth_date=born)
    login(page, "civ", "cle-demo-vigilance")
    menu = page.locator("#menu-listes")
    expect(menu.locator(".menu-count")).to_have_text(re.compile(r"^[1-9]\d*$"))
    menu.click()
    expect(page.get_by_role("heading", name=re.compile("Vérification INSi KO"))).to_be_visible()
    page.get_by_label("Nom de naissance (début)").fill("ker")
    page.get_by_role("button", name="Filtrer").click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("table")).not_to_contain_text("LE GOFF")
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter la liste (CSV, tableur)").click()
    content = Path(download.value.path()).read_bytes()
    assert content.startswith("\ufeff".encode()) and b"KERBRAT" in content
    assert b"LE GOFF" not in content and b";" in content
    page.get_by_label(re.compile("^Cocher KERBRAT ")).check()
    page.get_by_label(re.compile("^Cocher KERMARREC ")).check()
    page.get_by_label("Décision pour les éléments cochés").select_option(label="Sans suite")
    page.get_by_label("Commentaire (obligatoire)").fill("Revu en cellule : sans suite")
    page.screenshot(path=str(SCREENSHOTS / "46-listes-de-travail-filtre-et-decision-groupee.png"),
                    full_page=True)  # fmt: skip
    page.get_by_role("button", name="Appliquer aux éléments cochés").click()
    expect(page.get_by_role("status")).to_contain_text("2 décisions enregistrées et tracées.")
    expect(page.locator("table")).not_to_contain_text("KERBRAT")
