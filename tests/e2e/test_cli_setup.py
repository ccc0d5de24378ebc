"""``identito db upgrade``, ``user add``, ``demo load`` and ``serve`` on a temporary SQLite file."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cli_support import Cli, text

from identito.adapters.migrate import current_revision, head_revision
from identito.bootstrap import Container
from identito.demo import DEMO_ACCOUNTS
from identito.services.auth import AuthenticationFailed, issue_token
from identito.services.login_throttle import LoginAttempt

TTL = timedelta(minutes=5)


def token_for(container: Container, username: str, password: str) -> str:
    return issue_token(
        LoginAttempt(username), password, uow=container.uow_factory(), rules=container.rules,
        ttl=TTL, policy=container.login_policy,
    )  # fmt: skip


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    runner = Cli(tmp_path, monkeypatch)
    yield runner
    runner.close()


@pytest.fixture
def migrated(cli: Cli) -> Cli:
    cli.ok("db", "upgrade")
    return cli


def test_db_upgrade_creates_the_schema_at_the_latest_revision(cli: Cli) -> None:
    result = cli.ok("db", "upgrade")

    assert "Schéma de la base à jour" in text(result)
    assert current_revision(cli.database_url) == head_revision()
    assert cli.count_identities() == 0


def test_db_upgrade_run_twice_changes_nothing_the_second_time(migrated: Cli) -> None:
    migrated.ok("user", "add", "alice", "--role", "admission", input="un-long-secret\n")

    migrated.ok("db", "upgrade")

    assert current_revision(migrated.database_url) == head_revision()
    container = migrated.container()
    token = token_for(container, "alice", "un-long-secret")
    assert token


def test_user_add_reads_the_password_from_stdin_and_the_user_can_get_a_token(
    migrated: Cli,
) -> None:
    result = migrated.ok("user", "add", "alice", "--role", "admission", input="s3cret-de-test\n")

    assert "Compte alice créé (profil admission)" in text(result)
    container = migrated.container()
    token = token_for(container, "alice", "s3cret-de-test")
    assert len(token) >= 32
    with pytest.raises(AuthenticationFailed):
        token_for(container, "alice", "autre-secret")


def test_user_add_refuses_an_unknown_role_in_french_and_creates_nobody(migrated: Cli) -> None:
    result = migrated("user", "add", "alice", "--role", "chef", input="s3cret-de-test\n")

    assert result.exit_code != 0
    assert "Profil inconnu « chef »" in text(result)
    assert "admission" in text(result)
    container = migrated.container()
    with container.uow_factory() as uow:
        assert uow.users.get("alice") is None


@pytest.mark.parametrize(
    ("password", "message"),
    [("court-11car", "password : Le mot de passe compte au moins 12 caractères."),
     ("Password2024!", "password : Ce mot de passe figure dans la liste des mots de passe")],
)  # fmt: skip
def test_user_add_refuses_a_short_or_common_password_in_french(
    migrated: Cli, password: str, message: str
) -> None:
    result = migrated("user", "add", "alice", "--role", "care", input=f"{password}\n")

    assert result.exit_code != 0
    assert message in text(result)
    with migrated.container().uow_factory() as uow:
        assert uow.users.get("alice") is None


def test_user_add_refuses_an_existing_name(migrated: Cli) -> None:
    migrated.ok("user", "add", "alice", "--role", "care", input="s3cret-de-test\n")

    result = migrated("user", "add", "alice", "--role", "admin", input="s3cret-de-test\n")

    assert result.exit_code == 1
    assert "Ce nom d'utilisateur existe déjà." in text(result)


def test_the_cli_runs_for_an_operator_without_a_system_account_name(
    migrated: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_account() -> str:
        raise KeyError("getpwuid(): uid not found: 12345")

    monkeypatch.setattr(getpass, "getuser", no_account)

    result = migrated("user", "add", "alice", "--role", "care", input="s3cret-de-test\n")

    assert result.exit_code == 0, text(result)


def test_demo_load_refuses_to_run_outside_test_mode(
    migrated: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IDENTITO_TEST_MODE", "false")

    result = migrated("demo", "load")

    assert result.exit_code == 1
    assert "IDENTITO_TEST_MODE=true" in text(result)
    assert migrated.count_identities() == 0


def test_demo_load_once_twice_loads_once_and_prints_the_demo_accounts_both_times(
    migrated: Cli,
) -> None:
    first = migrated.ok("demo", "load", "--once")
    loaded = migrated.count_identities()
    second = migrated.ok("demo", "load", "--once")

    assert loaded > 500  # the CNDA persons and 500 synthetic identities
    assert migrated.count_identities() == loaded
    assert "Données de démonstration chargées." in text(first)
    assert "chargées" not in text(second)
    for output in (text(first), text(second)):
        for account in DEMO_ACCOUNTS:
            assert f"{account.username} │ {account.password} │ {account.role.value}" in output


def test_the_demo_accounts_can_get_a_token(migrated: Cli) -> None:
    migrated.ok("demo", "load", "--once", "--synthetic", "0")
    container = migrated.container()

    for account in DEMO_ACCOUNTS:
        assert token_for(container, account.username, account.password)


def test_demo_load_without_once_on_a_loaded_database_only_warns(migrated: Cli) -> None:
    migrated.ok("demo", "load", "--synthetic", "0")
    loaded = migrated.count_identities()

    result = migrated.ok("demo", "load", "--synthetic", "0")

    assert "Données de démonstration déjà chargées." in text(result)
    assert migrated.count_identities() == loaded


def test_serve_refuses_to_start_on_a_database_that_is_not_migrated(cli: Cli) -> None:
    result = cli("serve", "--port", "8799")

    assert result.exit_code == 1
    assert "identito db upgrade" in text(result)


def test_serve_refuses_to_start_on_a_database_at_an_older_revision(
    migrated: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from identito.adapters import migrate

    monkeypatch.setattr(migrate, "head_revision", lambda: "a-newer-revision")

    result = migrated("serve", "--port", "8799")

    assert result.exit_code == 1
    assert "identito db upgrade" in text(result)
