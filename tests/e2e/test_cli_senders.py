"""``identito senders``: declaring, listing, changing and disabling interface accounts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import Cli, text
from sqlalchemy import select

from identito.adapters.database import engine_for
from identito.adapters.orm import audit_log
from identito.domain.events import AuditAction
from identito.services.auth import issue_token
from identito.services.login_throttle import LoginAttempt


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    runner = Cli(tmp_path, monkeypatch)
    runner.ok("db", "upgrade")
    yield runner
    runner.close()


def audit_actions(cli: Cli) -> list[str]:
    with engine_for(cli.database_url).connect() as connection:
        return list(connection.execute(select(audit_log.c.action)).scalars())


def test_senders_add_declares_a_sender_that_list_shows_and_the_audit_records(cli: Cli) -> None:
    added = cli.ok("senders", "add", "labo", "--domain", "LABO^CHU-X", "--address", "10.1.2.0/24",
                   "--certificate-subject", "CN=LABO,O=CHU-X")  # fmt: skip
    listed = cli.ok("senders", "list")

    assert "Compte d'interface labo déclaré (actif)" in text(added)
    assert "LABO^CHU-X" in text(listed) and "10.1.2.0/24" in text(listed)
    assert "CN=LABO,O=CHU-X" in text(listed)
    assert AuditAction.INTERFACE_ACCOUNT_DECLARED in audit_actions(cli)


def test_senders_add_refuses_a_bad_address_and_fingerprint_in_french_and_declares_nothing(
    cli: Cli,
) -> None:
    result = cli("senders", "add", "labo", "--domain", "LABO", "--address", "10.0.0.300",
                 "--certificate-sha256", "1234")  # fmt: skip

    assert result.exit_code == 1
    assert "adresse IP ou réseau CIDR attendu" in text(result)
    assert "64 chiffres hexadécimaux" in text(result)
    assert "labo" not in text(cli.ok("senders", "list"))


def test_a_sender_added_with_a_password_gets_an_api_token(cli: Cli) -> None:
    cli.ok("senders", "add", "dpi", "--domain", "DPI", "--password-stdin",
           input="un-secret-assez-long\n")  # fmt: skip

    container = cli.container()
    token = issue_token(LoginAttempt("dpi", "127.0.0.1"), "un-secret-assez-long",
                        uow=container.uow_factory(), rules=container.rules,
                        ttl=container.token_ttl, policy=container.login_policy)  # fmt: skip
    assert token


def test_a_sender_password_meets_the_rules_of_every_password(cli: Cli) -> None:
    refused = cli("senders", "add", "lab", "--domain", "LAB", "--password-stdin",
                  input="password1234\n")  # fmt: skip

    assert refused.exit_code != 0 and "mot de passe" in text(refused).lower()


def test_senders_disable_then_enable_are_audited_and_shown(cli: Cli) -> None:
    cli.ok("senders", "add", "labo", "--domain", "LABO", "--address", "127.0.0.1")

    disabled = cli.ok("senders", "disable", "labo")
    assert "désactivé" in text(disabled) and "désactivé" in text(cli.ok("senders", "list"))
    cli.ok("senders", "enable", "labo")

    assert "actif" in text(cli.ok("senders", "list"))
    assert audit_actions(cli).count(AuditAction.INTERFACE_ACCOUNT_CHANGED) == 2


def test_senders_change_of_an_unknown_sender_fails_in_french(cli: Cli) -> None:
    result = cli("senders", "disable", "inconnu")

    assert result.exit_code == 1 and "Compte d'interface inconnu : inconnu" in text(result)


def test_demo_load_declares_the_demo_interface_account_of_this_machine(cli: Cli) -> None:
    cli.ok("demo", "load", "--once", "--synthetic", "0")

    listed = text(cli.ok("senders", "list"))

    assert "interface" in listed and "127.0.0.1/32" in listed and "::1/128" in listed


def test_demo_load_once_on_a_demo_loaded_before_interface_accounts_declares_it(cli: Cli) -> None:
    cli.ok("user", "add", "admin", "--role", "admin", input="cle-demo-gestion\n")  # loaded

    result = cli.ok("demo", "load", "--once", "--synthetic", "0")

    assert "Compte d'interface de démonstration déclaré." in text(result)
    assert cli.count_identities() == 0  # nothing else loaded again
    assert "127.0.0.1/32" in text(cli.ok("senders", "list"))
