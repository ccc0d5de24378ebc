"""``identito user locks / unlock / revoke`` (issue 13) on a temporary SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts_support import api_client, bearer, login
from cli_support import Cli, text

from identito.bootstrap import Container

PASSWORD = "mot-de-passe-de-test"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    runner = Cli(tmp_path, monkeypatch)
    monkeypatch.setenv("IDENTITO_LOGIN_ACCOUNT_FREE_FAILURES", "0")
    monkeypatch.setenv("IDENTITO_LOGIN_ACCOUNT_LOCK_FAILURES", "2")
    monkeypatch.setenv("IDENTITO_LOGIN_FIRST_DELAY_SECONDS", "0.001")
    runner.ok("db", "upgrade")
    runner.ok("user", "add", "alice", "--role", "care", input=f"{PASSWORD}\n")
    yield runner
    runner.close()


def locked_out(container: Container, username: str, address: str = "10.0.0.1") -> None:
    client = api_client(container, address)
    for _ in range(3):
        login(client, username, "pas-le-bon-mot")
    assert login(client, username, PASSWORD).status_code == 429


def test_user_locks_lists_the_lock_and_user_unlock_lifts_it(cli: Cli) -> None:
    container = cli.container()  # its settings read the IDENTITO_LOGIN_* variables too
    locked_out(container, "alice")

    listed = cli.ok("user", "locks")
    assert "identifiant" in text(listed) and "alice" in text(listed)

    assert "Blocage levé : identifiant alice." in text(cli.ok("user", "unlock", "alice"))
    assert login(api_client(container), "alice", PASSWORD).status_code == 200
    assert "Aucun identifiant ni aucune adresse bloqué." in text(cli.ok("user", "locks"))
    again = cli("user", "unlock", "alice")
    assert again.exit_code == 1 and "Aucun échec de connexion enregistré" in text(again)


def test_user_unlock_with_address_lifts_the_lock_of_an_address(cli: Cli) -> None:
    cli.monkeypatch.setenv("IDENTITO_LOGIN_ADDRESS_FREE_FAILURES", "0")
    cli.monkeypatch.setenv("IDENTITO_LOGIN_ADDRESS_LOCK_FAILURES", "2")
    container = cli.container()  # its settings read the IDENTITO_LOGIN_* variables too
    client = api_client(container, "10.9.9.9")
    for name in ("x1", "x2"):
        login(client, name, "pas-le-bon-mot")
    assert login(client, "alice", PASSWORD).status_code == 429

    result = cli.ok("user", "unlock", "--address", "10.9.9.9")

    assert "Blocage levé : adresse 10.9.9.9." in text(result)
    assert login(client, "alice", PASSWORD).status_code == 200


def test_user_revoke_ends_every_token_of_a_user(cli: Cli) -> None:
    client = api_client(cli.container())
    tokens = [login(client, "alice", PASSWORD).json()["access_token"] for _ in range(2)]

    result = cli.ok("user", "revoke", "alice")

    assert "alice : 0 session(s) fermée(s), 2 jeton(s) révoqué(s)." in text(result)
    assert all(client.get("/api/v1/me", headers=bearer(t)).status_code == 401 for t in tokens)
    unknown = cli("user", "revoke", "personne")
    assert unknown.exit_code == 1 and "Utilisateur inconnu" in text(unknown)
