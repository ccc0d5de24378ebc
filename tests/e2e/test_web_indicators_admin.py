"""Steering indicators, administration of users and settings (web)."""

from __future__ import annotations

import re
from collections.abc import Callable

from api_support import PASSWORD, Api
from web_support import Browser

from identito.bootstrap import Container


def test_statistics_sees_the_indicators_as_charts_and_tables(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    api.create()
    page = browser_for("statistics").get("/indicateurs")
    assert page.status_code == 200
    # statuses, attributes, months, INSi outcomes (+ INSi reasons once there are some)
    assert page.text.count("<svg") == 4 and "Identité provisoire" in page.text
    assert "Identité douteuse" in page.text and "Mois par mois" in page.text
    assert "après le premier appel INSi, par motif" in page.text  # the INSi module's place


def test_the_indicators_show_duplicates_found_pending_resolved_and_collisions(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    first = api.create(birth_date="1962-06-06")
    api.create(birth_date="1962-06-06")  # the same person again: a pending pair
    assert api.post(f"/api/v1/identities/{first['id']}/collision", json={}).status_code == 200

    page = browser_for("statistics").get("/indicateurs")

    assert "Doublons et collisions" in page.text
    figures = {
        name: int(re.search(rf'id="{name}">(\d+)<', page.text).group(1))  # type: ignore[union-attr]
        for name in ("doublons-trouves", "doublons-en-attente", "doublons-resolus", "collisions")
    }
    assert figures["doublons-trouves"] >= figures["doublons-en-attente"] >= 1
    assert figures["collisions"] >= 1


def test_the_indicators_export_as_csv(browser_for: Callable[[str], Browser], api: Api) -> None:
    api.create()
    response = browser_for("statistics").get("/indicateurs.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("mois;total;PROV nombre;PROV part (%)")
    assert len(lines) == 13
    assert int(lines[-1].split(";")[1]) >= 1


def test_admission_has_no_indicators(browser_for: Callable[[str], Browser]) -> None:
    assert browser_for("admission").get("/indicateurs").status_code == 403


def test_an_administrator_creates_a_user_who_can_log_in(
    browser_for: Callable[[str], Browser], container: Container
) -> None:
    admin = browser_for("admin")
    response = admin.post(
        "/admin/utilisateurs", {"username": "nouvel-agent", "password": PASSWORD, "role": "care"}
    )
    assert response.status_code == 303
    assert "nouvel-agent" in admin.get("/admin/utilisateurs").text
    assert Browser(container).login("nouvel-agent").status_code == 303


def test_a_user_creation_with_errors_is_explained_next_to_the_fields(
    browser_for: Callable[[str], Browser],
) -> None:
    page = browser_for("admin").post(
        "/admin/utilisateurs", {"username": "", "password": "court", "role": ""}
    )
    assert page.status_code == 422
    assert "Le nom d&#39;utilisateur est obligatoire." in page.text
    assert "au moins 12 caractères" in page.text


def test_an_administrator_changes_a_role_and_deactivates_an_account(
    browser_for: Callable[[str], Browser], container: Container
) -> None:
    admin = browser_for("admin")
    admin.post("/admin/utilisateurs", {"username": "agent-b", "password": PASSWORD, "role": "care"})
    agent = Browser(container)
    agent.login("agent-b")
    assert agent.get("/indicateurs").status_code == 403
    admin.post("/admin/utilisateurs/agent-b", {"action": "role", "role": "statistics"})
    assert agent.get("/indicateurs").status_code == 200  # the new role applies at once
    admin.post("/admin/utilisateurs/agent-b", {"action": "desactiver"})
    assert agent.get("/indicateurs").status_code == 303  # its session is over
    assert Browser(container).login("agent-b").status_code == 401
    assert "désactivé" in admin.get("/admin/utilisateurs").text


def test_only_an_administrator_reaches_the_administration(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("identitovigilance")
    assert browser.get("/admin/utilisateurs").status_code == 403
    assert browser.get("/admin/parametres").status_code == 403
    response = browser.post(
        "/admin/utilisateurs", {"username": "x", "password": PASSWORD, "role": "admin"}
    )
    assert response.status_code == 403


def test_an_administrator_changes_the_settings_and_the_document_list(
    browser_for: Callable[[str], Browser], api: Api
) -> None:
    admin = browser_for("admin")
    page = admin.get("/admin/parametres")
    assert 'name="similarity_threshold"' in page.text and "Passeport" in page.text
    form = {
        "similarity_threshold": "0,9",
        "doc_count": "2",
        "doc-0-code": "CN", "doc-0-label": "Carte nationale d'identité", "doc-0-high_trust": "1",
        "doc-1-code": "PC", "doc-1-label": "Permis de conduire",
        "doc-2-code": "LV", "doc-2-label": "Livret de famille",
    }  # fmt: skip
    response = admin.post("/admin/parametres", form)
    assert response.status_code == 303
    page = admin.get("/admin/parametres")
    assert 'value="0.9"' in page.text and "Livret de famille" in page.text
    assert 'name="allow_insi_for_provisional" value="1" checked' not in page.text
    identity = api.create()
    validation = admin.get(f"/identites/{identity['id']}/valider")
    assert 'value="CN"' in validation.text and 'value="PA"' not in validation.text


def test_a_settings_error_is_explained(browser_for: Callable[[str], Browser]) -> None:
    page = browser_for("admin").post(
        "/admin/parametres", {"similarity_threshold": "3", "doc_count": "0"}
    )
    assert page.status_code == 422
    assert "Le seuil est un nombre entre 0 et 1." in page.text
