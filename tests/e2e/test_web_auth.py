"""Web login, sessions in the database, expiry, CSRF and secure headers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from api_support import PASSWORD, make_container
from web_support import Browser, csrf_of

from identito.adapters.database import dispose_engines
from identito.bootstrap import Container
from identito.demo import DEMO_ACCOUNTS
from identito.entrypoints.web.security import SESSION_COOKIE


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clocked(tmp_path: Path) -> Iterator[tuple[Container, Clock]]:
    """A container whose clock the test moves (idle 30 min, absolute 10 h by default)."""
    clock = Clock()
    container = make_container(tmp_path)
    yield replace(container, rules=replace(container.rules, clock=clock)), clock
    dispose_engines()


def test_the_login_page_is_in_french_and_lists_the_demo_accounts_in_test_mode(
    container: Container,
) -> None:
    page = Browser(container).get("/login")
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    assert "Connexion" in page.text and "Mot de passe" in page.text
    assert all(a.username in page.text and a.password in page.text for a in DEMO_ACCOUNTS)


def test_the_login_page_never_lists_the_demo_accounts_outside_test_mode(
    container: Container,
) -> None:
    production = replace(
        container, settings=container.settings.model_copy(update={"test_mode": False})
    )
    page = Browser(production).get("/login")
    assert DEMO_ACCOUNTS[0].password not in page.text and "démonstration" not in page.text


def test_a_user_logs_in_and_lands_on_the_first_page_of_the_role(container: Container) -> None:
    expected = {
        "admission": "/recherche",
        "care": "/recherche",
        "statistics": "/indicateurs",
        "admin": "/recherche",
    }
    for role, home in expected.items():
        response = Browser(container).login(role)
        assert response.status_code == 303
        assert response.headers["location"] == home


def test_a_wrong_password_is_refused_with_a_french_message(container: Container) -> None:
    response = Browser(container).login("admission", "mauvais-mot-de-passe")
    assert response.status_code == 401
    assert "Identifiant ou mot de passe incorrect" in response.text


def test_the_login_form_without_its_csrf_token_is_refused(container: Container) -> None:
    browser = Browser(container)
    browser.get("/login")
    response = browser.client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.cookies


def _session_cookie(response: object) -> str:
    cookies = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    return next(c for c in cookies if c.startswith(f"{SESSION_COOKIE}="))


def test_the_session_cookie_is_http_only_and_same_site(container: Container) -> None:
    cookie = _session_cookie(Browser(container).login("admin"))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie


def test_the_session_cookie_is_secure_when_configured(container: Container) -> None:
    secure = replace(
        container, settings=container.settings.model_copy(update={"cookie_secure": True})
    )
    assert "Secure" in _session_cookie(Browser(secure, "https://testserver").login("admin"))


def test_the_session_cookie_is_secure_behind_https(container: Container) -> None:
    assert "Secure" in _session_cookie(Browser(container, "https://testserver").login("admin"))


def test_pages_are_sent_with_secure_headers(browser_for: Callable[[str], Browser]) -> None:
    page = browser_for("admission").get("/recherche")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text and " style=" not in page.text


def test_a_page_without_a_session_sends_to_the_login(container: Container) -> None:
    response = Browser(container).get("/recherche")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?suite=/recherche")


def test_an_htmx_request_without_a_session_is_redirected_by_header(container: Container) -> None:
    response = Browser(container).get("/recherche", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith("/login")


def test_the_login_returns_to_the_page_asked_for_but_never_to_another_site(
    container: Container,
) -> None:
    browser = Browser(container)
    page = browser.get("/login?suite=/indicateurs")
    data = {"username": "admin", "password": PASSWORD, "csrf_token": csrf_of(page.text)}
    response = browser.client.post("/login", data={**data, "suite": "/indicateurs"})
    assert response.headers["location"] == "/indicateurs"
    other = Browser(container)
    page = other.get("/login")
    data["csrf_token"] = csrf_of(page.text)
    response = other.client.post("/login", data={**data, "suite": "//evil.example/x"})
    assert response.headers["location"] == "/recherche"


def test_logout_ends_the_session_in_the_database(browser_for: Callable[[str], Browser]) -> None:
    browser = browser_for("admission")
    token = browser.client.cookies[SESSION_COOKIE]
    response = browser.post("/logout")
    assert response.status_code == 303
    browser.client.cookies.set(SESSION_COOKIE, token)
    assert browser.get("/recherche").status_code == 303


def test_logout_without_the_csrf_token_is_refused(browser_for: Callable[[str], Browser]) -> None:
    browser = browser_for("admission")
    response = browser.client.post("/logout")
    assert response.status_code == 403
    assert "jeton anti-falsification" in response.text
    assert browser.get("/recherche").status_code == 200


def test_a_post_with_a_wrong_csrf_token_is_refused_and_changes_nothing(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("admission")
    response = browser.client.post(
        "/identites/nouvelle", data={"csrf_token": "faux", "birth_name": "X"}
    )
    assert response.status_code == 403


def test_an_htmx_post_may_carry_the_csrf_token_in_a_header(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("admin")
    response = browser.client.post(
        "/admin/utilisateurs",
        data={"username": "htmx-user", "password": "mot-de-passe-1", "role": "care"},
        headers={"X-CSRF-Token": browser.csrf, "HX-Request": "true"},
    )
    assert response.status_code == 303


def test_a_session_opened_by_one_process_is_accepted_by_another(
    container: Container, tmp_path: Path
) -> None:
    first = Browser(container)
    first.login("care")
    second = Browser(container)  # another app on the same database: another process
    second.client.cookies.set(SESSION_COOKIE, first.client.cookies[SESSION_COOKIE])
    assert second.get("/recherche").status_code == 200


def test_an_idle_session_expires(clocked: tuple[Container, Clock]) -> None:
    container, clock = clocked
    browser = Browser(container)
    browser.login("admission")
    clock.now += timedelta(minutes=20)
    assert browser.get("/recherche").status_code == 200
    clock.now += timedelta(minutes=29)  # 29 min after the last request: still alive
    assert browser.get("/recherche").status_code == 200
    clock.now += timedelta(minutes=31)
    response = browser.get("/recherche")
    assert response.status_code == 303
    assert "expiree=1" in response.headers["location"]
    assert "Votre session a expiré" in browser.get(response.headers["location"]).text


def test_a_busy_session_still_ends_at_its_absolute_limit(clocked: tuple[Container, Clock]) -> None:
    container, clock = clocked
    browser = Browser(container)
    browser.login("admission")
    for _ in range(24):  # a request every 25 minutes for 10 hours
        clock.now += timedelta(minutes=25)
        assert browser.get("/recherche").status_code == 200
    clock.now += timedelta(minutes=25)
    assert browser.get("/recherche").status_code == 303


def test_the_session_limits_are_configurable(tmp_path: Path) -> None:
    clock = Clock()
    base = make_container(tmp_path, session_idle_minutes=5)
    container = replace(base, rules=replace(base.rules, clock=clock))
    browser = Browser(container)
    browser.login("care")
    clock.now += timedelta(minutes=6)
    assert browser.get("/recherche").status_code == 303
    dispose_engines()
