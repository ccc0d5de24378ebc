"""The identity-vigilance worklists as people work through them (issue 16 point 6):
counters in the menu, filters, CSV export (BOM, ``;``, matricule of qualified identities
only, audited), bulk decisions that are safe."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from api_support import Api, TestClient, make_container, qualify
from reads_support import audit_rows
from web_support import Browser

from identito.adapters.database import dispose_engines
from identito.bootstrap import Container
from identito.domain.permissions import Actor, Role, role_permissions
from identito.entrypoints.api import create_app
from identito.services.auth import SYSTEM
from identito.services.insi_worklist import open_worklist, run_worklist
from identito.services.insi_worklist_export import to_decide
from identito.services.verification import identity_summary
from identito.services.verification_records import EntryKind, VigilanceEntry

KO = EntryKind.VERIFICATION_KO.value


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    yield make_container(tmp_path_factory.mktemp("web-worklists"), insi_simulator_population=50)
    dispose_engines()


@pytest.fixture(scope="module")
def api(container: Container) -> Iterator[Api]:
    with TestClient(create_app(container), base_url="http://testserver") as client:
        yield Api(client)


def person(name: str, **overrides: Any) -> dict[str, Any]:
    return {"birth_name": name, "birth_first_names": ["Lou"], "first_birth_first_name": "Lou",
            "birth_date": "1975-06-21", "sex": "F", "birth_place_code": "75116",
            "used_name": None, **overrides}  # fmt: skip


def queue(container: Container, identity_id: str, kind: EntryKind = EntryKind.VERIFICATION_KO,
          at: datetime | None = None) -> UUID:  # fmt: skip
    """An entry in a worklist, as the verification would put it."""
    now = at or datetime.now(UTC)
    with container.uow_factory() as uow:
        identity = uow.identities.get(UUID(identity_id))
        entry = VigilanceEntry(kind, now, {**identity_summary(identity), "reason": "motif"},
                               identity_id=identity.id)  # fmt: skip
        uow.vigilance.add(entry)
        uow.commit(SYSTEM, now)
    return entry.id


def menu_count(html: str, anchor: str) -> int | None:
    found = re.search(rf'id="{anchor}">[^<]*<span class="menu-count">(\d+)</span>', html)
    return int(found.group(1)) if found else None


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_menu_counts_the_open_entries_and_follows_the_decisions(
    container: Container, api: Api, browser_for: Callable[[str], Browser]
) -> None:
    vigilance = browser_for("identitovigilance")
    before = menu_count(vigilance.get("/recherche").text, "menu-listes")
    assert before is not None
    entry = queue(container, api.create(**person("COMPTEUR"))["id"])
    assert menu_count(vigilance.get("/recherche").text, "menu-listes") == before + 1
    vigilance.post(f"/listes-de-travail/{entry}", {"decision": "no_action"})
    assert menu_count(vigilance.get("/recherche").text, "menu-listes") == before
    assert menu_count(vigilance.get("/recherche").text, "menu-insi") is not None
    admission = browser_for("admission").get("/recherche").text
    assert 'id="menu-listes"' not in admission  # not its worklists
    assert menu_count(admission, "menu-insi") is not None  # it calls INSi


def test_the_export_is_utf8_with_bom_semicolons_and_only_qualified_matricules(
    container: Container, api: Api, browser_for: Callable[[str], Browser]
) -> None:
    qualified = api.create(**person("EXPORTQUAL"))
    qualified = qualify(container, api, qualified["id"])
    provisional = api.create(**person("EXPORTPROV", birth_date="1976-06-21"))
    for identity in (qualified, provisional):
        queue(container, identity["id"])
    before = audit_rows(container)

    response = browser_for("identitovigilance").get(
        "/listes-de-travail/export.csv", params={"liste": KO, "nom": "export"}
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())
    header, *rows = csv_rows(response.content.decode("utf-8-sig"))
    assert header[:3] == ["liste", "depuis le", "nom de naissance"] and len(rows) == 2
    by_name = {row[2]: row for row in rows}
    assert by_name["EXPORTQUAL"][7] == qualified["ins"]["number"]
    assert by_name["EXPORTPROV"][7] == "" and by_name["EXPORTPROV"][6] == "PROV"
    assert by_name["EXPORTQUAL"][4] == "21/06/1975"
    written = [row for key, row in audit_rows(container).items() if key not in before]
    assert ("identitovigilance", "worklist.exported", None) in written
    assert ("identitovigilance", "identity.read", UUID(qualified["id"])) in written


def test_the_export_and_the_bulk_decisions_are_refused_to_other_roles(
    browser_for: Callable[[str], Browser],
) -> None:
    for role in ("admission", "care", "statistics"):
        browser = browser_for(role)
        assert browser.get("/listes-de-travail/export.csv").status_code == 403
        refused = browser.post("/listes-de-travail/decisions/groupees",
                               {"decision": "no_action", "comment": "x"})  # fmt: skip
        assert refused.status_code == 403


def test_the_filters_narrow_the_list_by_name_and_arrival_date(
    container: Container, api: Api, browser_for: Callable[[str], Browser]
) -> None:
    old = datetime(2026, 1, 5, 10, tzinfo=UTC)
    queue(container, api.create(**person("FILTREANCIEN"))["id"], at=old)
    queue(container, api.create(**person("FILTRERECENT"))["id"])
    browser = browser_for("identitovigilance")
    page = browser.get("/listes-de-travail", params={"liste": KO, "nom": "filtre"}).text
    assert "FILTREANCIEN" in page and "FILTRERECENT" in page and "COMPTEUR" not in page
    since = {"liste": KO, "nom": "filtre", "depuis": "2026-02-01"}
    page = browser.get("/listes-de-travail", params=since).text
    assert "FILTRERECENT" in page and "FILTREANCIEN" not in page
    page = browser.get("/listes-de-travail", params={"liste": KO, "jusqua": "2026-01-31"}).text
    assert "FILTREANCIEN" in page and "FILTRERECENT" not in page
    wrong = browser.get("/listes-de-travail", params={"liste": KO, "depuis": "05/01/2026"})
    assert "Date attendue au format AAAA-MM-JJ." in wrong.text


def test_a_bulk_decision_closes_the_checked_entries_each_audited(
    container: Container, api: Api, browser_for: Callable[[str], Browser]
) -> None:
    ids = [queue(container, api.create(**person(name))["id"]) for name in ("LOTUN", "LOTDEUX")]
    kept = queue(container, api.create(**person("LOTTROIS"))["id"])
    browser = browser_for("identitovigilance")
    page = browser.get("/listes-de-travail", params={"liste": KO, "nom": "lot"}).text
    assert 'action="/listes-de-travail/decisions/groupees"' in page
    assert all(f'value="{i}" form="groupee"' in page for i in [*ids, kept])
    before = audit_rows(container)
    form = {"liste": KO, "decision": "no_action", "comment": "Revu en cellule",
            "entry_id": [str(i) for i in ids]}  # fmt: skip
    response = browser.post("/listes-de-travail/decisions/groupees", form)
    assert response.status_code == 303
    assert "2 décisions enregistrées et tracées." in browser.get(response.headers["location"]).text
    page = browser.get("/listes-de-travail", params={"liste": KO, "nom": "lot"}).text
    assert "LOTTROIS" in page and "LOTUN" not in page and "LOTDEUX" not in page
    written = [row for key, row in audit_rows(container).items() if key not in before]
    assert sum(1 for _, action, _ in written if action == "vigilance.entry_resolved") == 2
    assert ("identitovigilance", "worklist.bulk_decided", None) in written


def test_a_bulk_decision_without_a_comment_or_unsafe_is_refused_in_french(
    container: Container, api: Api, browser_for: Callable[[str], Browser]
) -> None:
    entry = queue(container, api.create(**person("LOTREFUS"))["id"], EntryKind.RECEPTION)
    browser = browser_for("identitovigilance")
    page = browser.get("/listes-de-travail", params={"liste": "reception"}).text
    assert "Décision groupée" not in page  # receptions: integrate or reject, one by one
    for form, message in (
        ({"decision": "no_action", "comment": ""}, "justifiée par un commentaire"),
        ({"decision": "integrate_without_ins", "comment": "x"}, "Décisions groupées possibles"),
    ):
        answer = browser.post("/listes-de-travail/decisions/groupees",
                              {"liste": "reception", "entry_id": str(entry), **form})  # fmt: skip
        assert answer.status_code == 422 and message in answer.text
    with container.uow_factory() as uow:
        assert uow.vigilance.get(entry).open


def test_the_duplicate_review_list_is_exported_with_both_identities_side_by_side(
    container: Container, api: Api, browser_for: Callable[[str], Browser]
) -> None:
    first = api.create(**person("PAIREXPORT", birth_date="1981-02-03"))
    second = api.create(**person("PAIREXPORT", birth_date="1981-02-03", used_name="Autre"))
    first = qualify(container, api, first["id"])
    before = audit_rows(container)

    response = browser_for("identitovigilance").get("/doublons/export.csv?statut=all")

    assert response.status_code == 200 and response.content.startswith("\ufeff".encode())
    header, *rows = csv_rows(response.content.decode("utf-8-sig"))
    pair = next(r for r in rows if {first["id"], second["id"]} <= set(r))
    columns = {name: pair[i] for i, name in enumerate(header)}
    side = "(1)" if columns["identité (1)"] == first["id"] else "(2)"
    other = "(2)" if side == "(1)" else "(1)"
    assert columns[f"matricule INS {side}"] == first["ins"]["number"]
    assert columns[f"matricule INS {other}"] == ""  # PROV: never exported
    assert columns["statut de la paire"] == "À examiner"
    written = [row for key, row in audit_rows(container).items() if key not in before]
    assert ("identitovigilance", "worklist.exported", None) in written
    assert ("identitovigilance", "identity.read", UUID(first["id"])) in written
    assert browser_for("admission").get("/doublons/export.csv").status_code == 403


def test_the_collisions_are_exported_without_any_matricule(
    container: Container, api: Api, browser_for: Callable[[str], Browser]
) -> None:
    qualified = qualify(container, api, api.create(**person("COLLEXPORT"))["id"])
    browser = browser_for("identitovigilance")
    form = {"niveau": "COLP", "note": "Deux patientes", "confirmer": "1"}
    declared = browser.post(f"/identites/{qualified['id']}/collision", form)
    assert declared.status_code == 303
    response = browser.get("/collisions/export.csv")
    assert response.status_code == 200 and response.content.startswith("\ufeff".encode())
    header, *rows = csv_rows(response.content.decode("utf-8-sig"))
    assert "matricule INS" not in header
    assert any(qualified["id"] in row and "COLLEXPORT" in row for row in rows)
    assert qualified["ins"]["number"] not in response.text
    assert browser_for("care").get("/collisions/export.csv").status_code == 403


def test_an_insi_worklist_is_exported_whole_or_only_the_identities_to_decide(
    container: Container, api: Api, browser_for: Callable[[str], Browser]
) -> None:
    ids = [api.create(**person(name, birth_date="1990-09-09"))["id"]
           for name in ("INSIEXPORTUN", "INSIEXPORTDEUX")]  # fmt: skip
    actor = Actor("admin", Role.ADMIN, role_permissions(Role.ADMIN))
    worklist, _ = open_worklist(identity_ids=[UUID(i) for i in ids], uow=container.uow_factory(),
                                actor=actor, rules=container.rules)  # fmt: skip
    run_worklist(worklist.id, uow=container.uow_factory(), actor=actor, rules=container.rules,
                 teleservice=container.teleservice)  # fmt: skip
    browser = browser_for("admission")
    before = audit_rows(container)
    whole = browser.get(f"/insi/listes/{worklist.id}/export.csv")
    assert whole.status_code == 200 and whole.content.startswith("\ufeff".encode())
    header, *rows = csv_rows(whole.content.decode("utf-8-sig"))
    assert header[7] == "état"
    assert [r[-1] for r in rows] == ids and {r[7] for r in rows} == {"Traitée"}
    with container.uow_factory() as uow:
        waiting = [str(i.identity_id) for i in uow.insi_worklists.items(worklist.id)
                   if to_decide(i)]  # fmt: skip
    part = browser.get(f"/insi/listes/{worklist.id}/export.csv?a_decider=1")
    assert [r[-1] for r in csv_rows(part.content.decode("utf-8-sig"))[1:]] == waiting
    written = [row for key, row in audit_rows(container).items() if key not in before]
    assert sum(1 for _, action, _ in written if action == "worklist.exported") == 2
    assert browser_for("care").get(f"/insi/listes/{worklist.id}/export.csv").status_code == 403
