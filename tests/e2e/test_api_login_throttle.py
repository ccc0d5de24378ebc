"""Throttled API logins, locks an administrator lifts, token revocation (issue 13)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from accounts_support import TOKEN_URL, Clock, api_client, bearer, clocked_container, login
from api_support import PASSWORD

from identito.bootstrap import Container

PROBLEM = "application/problem+json"


@pytest.fixture
def clocked(tmp_path: Path) -> Iterator[tuple[Container, Clock]]:
    yield from clocked_container(tmp_path)


def test_50_wrong_api_passwords_then_the_right_one_is_refused_with_429(
    clocked: tuple[Container, Clock],
) -> None:
    container, _ = clocked
    client = api_client(container)
    statuses = [login(client, "care", f"essai-{n}").status_code for n in range(50)]
    free = container.settings.login_account_free_failures
    assert statuses == [401] * free + [429] * (50 - free)

    right = login(client, "care")

    assert right.status_code == 429
    assert right.headers["content-type"].startswith(PROBLEM)
    assert int(right.headers["retry-after"]) >= 1
    assert right.json()["retry_after"] == int(right.headers["retry-after"])
    assert "Trop de tentatives de connexion" in right.json()["detail"]


def test_a_patient_attacker_gets_the_account_locked_and_an_administrator_lifts_it(
    clocked: tuple[Container, Clock],
) -> None:
    container, clock = clocked
    attacker, admin = api_client(container), api_client(container, "10.0.0.2")
    for n in range(container.settings.login_account_lock_failures):
        assert login(attacker, "care", f"essai-{n}").status_code == 401
        clock.advance(timedelta(seconds=container.settings.login_max_delay_seconds))

    locked = login(attacker, "care")
    assert locked.status_code == 429 and "bloquée" in locked.json()["detail"]
    assert int(locked.headers["retry-after"]) > 60 * 13

    token = login(admin, "admin").json()["access_token"]
    locks = admin.get("/api/v1/auth/locks", headers=bearer(token)).json()
    assert [(lock["kind"], lock["key"]) for lock in locks] == [("account", "care")]
    lifted = admin.delete("/api/v1/auth/locks/account/care", headers=bearer(token))
    assert lifted.status_code == 204
    assert login(attacker, "care").status_code == 200
    again = admin.delete("/api/v1/auth/locks/account/care", headers=bearer(token))
    assert again.status_code == 404


def test_the_per_address_throttle_counts_every_username_tried_from_one_address(
    tmp_path: Path,
) -> None:
    settings = {"login_address_free_failures": 4, "login_address_lock_failures": 6}
    for container, _ in clocked_container(tmp_path, **settings):
        sprayer, elsewhere = api_client(container, "10.6.6.6"), api_client(container, "10.7.7.7")
        names = ["care", "admin", "inconnu-1", "inconnu-2", "admission", "statistics"]
        statuses = [login(sprayer, name, "Azerty123456").status_code for name in names]
        assert statuses == [401] * 4 + [429] * 2

        assert login(sprayer, "identitovigilance").status_code == 429  # right password
        assert login(elsewhere, "identitovigilance").status_code == 200


def test_unknown_and_known_usernames_get_the_same_answers(
    clocked: tuple[Container, Clock],
) -> None:
    container, _ = clocked
    client = api_client(container)
    for _ in range(container.settings.login_account_free_failures + 2):
        known, unknown = login(client, "care", "faux-faux-faux"), login(client, "x", "faux")
        assert known.status_code == unknown.status_code
        assert known.json() == unknown.json()


def test_delete_token_revokes_the_presented_token_and_the_next_call_is_401(
    clocked: tuple[Container, Clock],
) -> None:
    container, _ = clocked
    client = api_client(container)
    revoked, kept = (
        login(client, "care").json()["access_token"],
        login(client, "care").json()["access_token"],
    )

    response = client.delete(TOKEN_URL, headers=bearer(revoked))

    assert response.status_code == 204 and response.content == b""
    assert client.get("/api/v1/me", headers=bearer(revoked)).status_code == 401
    assert client.delete(TOKEN_URL, headers=bearer(revoked)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(kept)).status_code == 200


def test_an_administrator_revokes_every_token_of_a_user_through_the_api(
    clocked: tuple[Container, Clock],
) -> None:
    container, _ = clocked
    client = api_client(container)
    tokens = [login(client, "care").json()["access_token"] for _ in range(3)]
    admin = login(client, "admin").json()["access_token"]

    forbidden = client.delete("/api/v1/users/admin/tokens", headers=bearer(tokens[0]))
    response = client.delete("/api/v1/users/care/tokens", headers=bearer(admin))

    assert forbidden.status_code == 403
    assert response.status_code == 200 and response.json() == {"sessions": 0, "tokens": 3}
    assert all(client.get("/api/v1/me", headers=bearer(t)).status_code == 401 for t in tokens)
    assert client.get("/api/v1/me", headers=bearer(admin)).status_code == 200
    assert login(client, "care", PASSWORD).status_code == 200  # the account itself still works
    unknown = client.delete("/api/v1/users/personne/tokens", headers=bearer(admin))
    assert unknown.status_code == 404


def test_the_openapi_document_declares_the_429_and_the_token_revocation(
    clocked: tuple[Container, Clock],
) -> None:
    container, _ = clocked
    paths = api_client(container).get("/api/v1/openapi.json").json()["paths"]
    assert "429" in paths["/api/v1/auth/token"]["post"]["responses"]
    assert "204" in paths["/api/v1/auth/token"]["delete"]["responses"]
    assert "delete" in paths["/api/v1/users/{username}/tokens"]
