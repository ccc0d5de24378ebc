"""The web side of issue 13: throttled login form, « Mon compte », ending a user's access."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from accounts_support import Clock, api_client, bearer, clocked_container, login
from api_support import PASSWORD
from web_support import Browser

from identito.bootstrap import Container
from identito.entrypoints.web.security import SESSION_COOKIE

NEW = "trois-pommes-vertes-2026"


@pytest.fixture
def clocked(tmp_path: Path) -> Iterator[tuple[Container, Clock]]:
    yield from clocked_container(tmp_path)


def logged_in(container: Container, username: str, password: str = PASSWORD) -> Browser:
    browser = Browser(container)
    response = browser.login(username, password)
    assert response.status_code == 303, response.text
    return browser


def test_30_wrong_web_passwords_then_the_right_one_is_refused_in_french(
    clocked: tuple[Container, Clock],
) -> None:
    container, _ = clocked
    browser = Browser(container)
    statuses = [browser.login("admission", f"essai-{n}").status_code for n in range(30)]
    free = container.settings.login_account_free_failures
    assert statuses == [401] * free + [429] * (30 - free)

    right = browser.login("admission")

    assert right.status_code == 429 and SESSION_COOKIE not in right.cookies
    assert int(right.headers["retry-after"]) >= 1
    assert "Trop de tentatives de connexion échouées" in right.text
    assert browser.get("/recherche").status_code == 303  # still not logged in


def test_an_administrator_sees_the_lock_on_the_users_page_and_lifts_it(
    clocked: tuple[Container, Clock],
) -> None:
    container, clock = clocked
    attacker = Browser(container)
    for n in range(container.settings.login_account_lock_failures):
        assert attacker.login("admission", f"essai-{n}").status_code == 401
        clock.advance(timedelta(seconds=container.settings.login_max_delay_seconds))
    assert "connexion bloquée" in attacker.login("admission").text

    admin = logged_in(container, "admin")
    page = admin.get("/admin/utilisateurs")
    assert "Connexions bloquées" in page.text and "Lever le blocage de admission" in page.text
    lifted = admin.post("/admin/blocages", {"kind": "account", "key": "admission"})
    assert lifted.status_code == 303
    assert "Blocage levé." in admin.get(lifted.headers["location"]).text
    assert attacker.login("admission").status_code == 303


@pytest.mark.parametrize(
    ("role", "pages", "absent"),
    [("admission", ["/recherche", "/insi/listes"], ["/admin/utilisateurs", "/indicateurs"]),
     ("statistics", ["/indicateurs"], ["/recherche", "/admin/utilisateurs"]),
     ("admin", ["/admin/utilisateurs", "/admin/parametres", "/recherche"], [])],
)  # fmt: skip
def test_mon_compte_lists_the_pages_the_role_may_open(
    container: Container, role: str, pages: list[str], absent: list[str]
) -> None:
    page = logged_in(container, role).get("/compte")
    listed = re.findall(r'<ul class="account-pages">(.*?)</ul>', page.text, re.S)[0]
    assert all(f'href="{href}"' in listed for href in pages)
    assert not any(f'href="{href}"' in listed for href in absent)
    assert "aucune page" not in page.text
    assert 'action="/compte/mot-de-passe"' in page.text


def test_the_password_change_page_changes_the_password_and_ends_the_other_sessions_and_tokens(
    clocked: tuple[Container, Clock],
) -> None:
    container, _ = clocked
    here, elsewhere = logged_in(container, "care"), logged_in(container, "care")
    client = api_client(container)
    token = login(client, "care").json()["access_token"]

    form = {"current_password": PASSWORD, "new_password": NEW, "confirmation": NEW}
    response = here.post("/compte/mot-de-passe", form)

    assert response.status_code == 303
    assert "Mot de passe changé" in here.get(response.headers["location"]).text
    assert here.get("/recherche").status_code == 200  # this session goes on
    assert elsewhere.get("/recherche").status_code == 303  # the other one ended
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert Browser(container).login("care", PASSWORD).status_code == 401
    assert Browser(container).login("care", NEW).status_code == 303


@pytest.mark.parametrize(
    ("form", "message"),
    [({"current_password": PASSWORD, "new_password": "password", "confirmation": "password"},
      "au moins 12 caractères"),
     ({"current_password": PASSWORD, "new_password": "Password2024!",
       "confirmation": "Password2024!"}, "liste des mots de passe courants"),
     ({"current_password": PASSWORD, "new_password": NEW, "confirmation": NEW + "x"},
      "La confirmation diffère"),
     ({"current_password": "pas-le-bon", "new_password": NEW, "confirmation": NEW},
      "Le mot de passe actuel est incorrect.")],
)  # fmt: skip
def test_the_password_change_page_explains_each_refusal_in_french(
    clocked: tuple[Container, Clock], form: dict[str, str], message: str
) -> None:
    container, _ = clocked
    browser = logged_in(container, "care")
    response = browser.post("/compte/mot-de-passe", form)
    assert response.status_code == 422
    assert message in response.text.replace("&#39;", "'")
    assert Browser(container).login("care", PASSWORD).status_code == 303  # unchanged


def test_the_password_change_form_without_its_csrf_token_is_refused(container: Container) -> None:
    browser = logged_in(container, "care")
    form = {"current_password": PASSWORD, "new_password": NEW, "confirmation": NEW}
    response = browser.client.post("/compte/mot-de-passe", data=form)
    assert response.status_code == 403
    assert Browser(container).login("care", PASSWORD).status_code == 303


def test_disabling_a_user_refuses_its_session_cookie_and_its_token_at_once(
    clocked: tuple[Container, Clock],
) -> None:
    container, _ = clocked
    victim, client = logged_in(container, "admission"), api_client(container)
    token = login(client, "admission").json()["access_token"]
    assert victim.get("/recherche").status_code == 200

    admin = logged_in(container, "admin")
    response = admin.post("/admin/utilisateurs/admission", {"action": "desactiver"})

    assert response.status_code == 303
    assert victim.get("/recherche").status_code == 303
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert login(client, "admission").status_code == 401


def test_the_admin_button_disconnects_a_user_everywhere(clocked: tuple[Container, Clock]) -> None:
    container, _ = clocked
    victim, client = logged_in(container, "admission"), api_client(container)
    token = login(client, "admission").json()["access_token"]
    admin = logged_in(container, "admin")
    assert "Déconnecter admission partout" in admin.get("/admin/utilisateurs").text

    response = admin.post("/admin/utilisateurs/admission", {"action": "revoquer"})

    assert response.status_code == 303
    assert "Sessions fermées et jetons" in admin.get(response.headers["location"]).text
    assert victim.get("/recherche").status_code == 303
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert Browser(container).login("admission").status_code == 303  # the account still works
