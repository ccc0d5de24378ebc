"""Issue 16 point 3: a readable audit journal, one identity's and every row's.

French labels, old -> new values, the reason given, filters by period / user / action,
pages, consecutive reads of the matricule grouped, and ``audit:read`` checked."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from api_support import Api
from web_support import Browser, distinct_person, edit_form

from identito.bootstrap import Container
from identito.domain.events import AuditAction
from identito.services.auth import SYSTEM
from identito.services.unit_of_work import AuditEntry

BrowserFor = Callable[[str], Browser]
_ROW = re.compile(r"<tr>\s*<td>", re.S)


def _write(container: Container, *entries: AuditEntry) -> None:
    """Audit rows as the services write them, dated in the past on purpose."""
    with container.uow_factory() as uow:
        for entry in entries:
            uow.add_audit(entry)
        uow.commit(SYSTEM, datetime.now(UTC))


def _table(html: str) -> str:
    """The journal's table (the action filter lists every value and label)."""
    return html.split('id="journal"', 1)[1].split("</table>", 1)[0]


def _rows(html: str) -> int:
    return len(_ROW.findall(_table(html)))


def _identity(api: Api) -> dict[str, Any]:
    return api.create(**distinct_person())


def test_the_identity_journal_names_actions_in_french_and_shows_old_and_new_values(
    browser_for: BrowserFor, api: Api
) -> None:
    identity = _identity(api)
    changed = browser_for("admission").post(
        f"/identites/{identity['id']}/modifier", edit_form(identity, used_name="Martin")
    )
    assert changed.status_code == 303

    page = browser_for("identitovigilance").get(f"/identites/{identity['id']}/journal")

    assert page.status_code == 200
    table = _table(page.text)
    assert "Création" in table and "Modification des traits" in table
    assert f"Nom utilisé : {identity['used_name'] or '—'} → MARTIN" in table
    assert "identity.traits_changed" not in table and "identity.created" not in table


def test_the_reason_given_for_a_change_is_shown(
    browser_for: BrowserFor, api: Api, container: Container
) -> None:
    identity = _identity(api)
    at = datetime.now(UTC) - timedelta(minutes=5)
    before = {"birth_name": "DUPONT", "status": "QUAL"}
    after = {"birth_name": "DUPOND", "status": "PROV"}
    details = {"fields": ["birth_name"], "reason": "Erreur de saisie corrigée sur la pièce"}
    _write(container, AuditEntry("iv.durand", at, AuditAction.TRAITS_CHANGED,
                                 UUID(identity["id"]), before, after, details=details))  # fmt: skip

    page = browser_for("identitovigilance").get(f"/identites/{identity['id']}/journal")

    assert "Motif : Erreur de saisie corrigée sur la pièce" in page.text
    assert "Nom de naissance : DUPONT → DUPOND" in page.text
    assert "Statut : Identité qualifiée → Identité provisoire" in page.text


def test_consecutive_reads_of_the_matricule_by_one_user_are_one_line_with_a_count(
    browser_for: BrowserFor, api: Api, container: Container
) -> None:
    identity = _identity(api)
    identity_id, start = UUID(identity["id"]), datetime.now(UTC) - timedelta(hours=1)
    read = AuditAction.IDENTITY_READ
    actors = ["soin.a", "soin.a", "soin.a", "soin.b", "soin.a"]
    _write(container, *(AuditEntry(who, start + timedelta(minutes=n), read, identity_id)
                        for n, who in enumerate(actors)))  # fmt: skip

    page = browser_for("identitovigilance").get(
        f"/identites/{identity_id}/journal?action={read.value}"
    )

    assert page.status_code == 200
    assert _rows(page.text) == 3  # soin.a, soin.b, then soin.a's three reads in one line
    assert page.text.count("Lecture du matricule INS") >= 3
    assert "3 lectures" in page.text


def test_the_journal_filters_by_action_user_and_period(
    browser_for: BrowserFor, api: Api, container: Container
) -> None:
    identity = _identity(api)
    identity_id = UUID(identity["id"])
    long_ago = datetime(2024, 2, 10, 9, 0, tzinfo=UTC)
    homonym = ({"attributes": []}, {"attributes": ["HOMA"]})
    action = AuditAction.ATTRIBUTES_CHANGED
    _write(container, AuditEntry("ancien.agent", long_ago, action, identity_id, *homonym))
    browser = browser_for("identitovigilance")
    url = f"/identites/{identity_id}/journal"

    by_action = browser.get(f"{url}?action={AuditAction.ATTRIBUTES_CHANGED.value}")
    by_user = browser.get(f"{url}?utilisateur=ancien.agent")
    in_period = browser.get(f"{url}?du=09/02/2024&au=10/02/2024")
    out_of_period = browser.get(f"{url}?du=11/02/2024&au=2024-12-31")

    assert _rows(by_action.text) == 1 and "Attributs : aucun → Identité homonyme" in by_action.text
    assert _rows(by_user.text) == 1 and "Création" not in _table(by_user.text)
    assert _rows(in_period.text) == 1
    assert "Aucune ligne pour ces filtres." in out_of_period.text
    assert '<option value="ancien.agent" selected>' in by_user.text


def test_a_badly_written_date_or_an_unknown_action_is_told_in_french(
    browser_for: BrowserFor, api: Api
) -> None:
    identity = _identity(api)
    browser = browser_for("identitovigilance")

    bad_date = browser.get(f"/identites/{identity['id']}/journal?du=32/13/2024")
    bad_action = browser.get("/journal?action=identity.nope")

    assert bad_date.status_code == 422 and "La date s&#39;écrit JJ/MM/AAAA" in bad_date.text
    assert bad_action.status_code == 422 and "Action inconnue" in bad_action.text


def test_the_journal_is_paged_and_the_pages_keep_the_filters(
    browser_for: BrowserFor, api: Api, container: Container
) -> None:
    identity = _identity(api)
    identity_id, start = UUID(identity["id"]), datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
    action = AuditAction.STATUS_CHANGED
    _write(container, *(AuditEntry(f"agent.{n % 2}", start + timedelta(minutes=n), action,
                                   identity_id, {"status": "PROV"}, {"status": "VALI"})
                        for n in range(60)))  # fmt: skip
    browser = browser_for("identitovigilance")
    url = f"/identites/{identity_id}/journal?action={action.value}"

    first, second = browser.get(url), browser.get(f"{url}&page=2")

    assert _rows(first.text) == 50 and "Page 1 sur 2" in first.text
    assert f"action={action.value}&amp;page=2" in first.text
    assert _rows(second.text) == 10 and "Page 2 sur 2" in second.text
    assert "60 actions tracées" in first.text


def test_the_global_journal_lists_every_row_with_french_labels(
    browser_for: BrowserFor, api: Api
) -> None:
    identity = _identity(api)
    browser = browser_for("identitovigilance")

    page = browser.get("/journal?utilisateur=identitovigilance")
    created = browser.get(f"/journal?action={AuditAction.IDENTITY_CREATED.value}")

    assert page.status_code == 200 and "Connexion" in _table(page.text)  # session.opened
    assert "session.opened" not in _table(page.text)
    assert f'href="/identites/{identity["id"]}/journal"' in created.text
    assert '<a href="/journal">Journal</a>' in page.text  # in the menu


def test_only_the_identity_vigilance_unit_and_administrators_read_the_journal(
    browser_for: BrowserFor, api: Api
) -> None:
    identity = _identity(api)
    urls = ("/journal", f"/identites/{identity['id']}/journal")

    for role in ("admission", "care"):
        browser = browser_for(role)
        assert [browser.get(url).status_code for url in urls] == [403, 403], role
        assert '<a href="/journal">' not in browser.get("/").text
    for role in ("identitovigilance", "admin"):
        browser = browser_for(role)
        assert [browser.get(url).status_code for url in urls] == [200, 200], role


def test_the_identity_sheet_links_to_its_journal(browser_for: BrowserFor, api: Api) -> None:
    identity = _identity(api)
    sheet = browser_for("identitovigilance").get(f"/identites/{identity['id']}")
    assert f'href="/identites/{identity["id"]}/journal"' in sheet.text
