"""The tamper-evident audit trail on SQLite and PostgreSQL (issue 12, point 4): rows
are hash-chained, the application cannot update or delete them, and a forgery made
by someone who can bypass the triggers is detected and the row named."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Connection, make_url, select, text
from sqlalchemy.exc import DatabaseError
from typer.testing import CliRunner

from identito.adapters.audit_chain import CHAINS, chain_of, row_digest
from identito.adapters.database import create_engine_for, dispose_engines, engine_for
from identito.adapters.migrate import alembic_config
from identito.adapters.orm import audit_chain_heads, audit_log
from identito.adapters.unit_of_work import SqlUnitOfWork, sql_uow_factory
from identito.domain.events import AuditAction
from identito.domain.identity import Identity
from identito.domain.permissions import Actor
from identito.entrypoints.cli import app as cli_app
from identito.services.audit_integrity import (
    ProblemKind,
    audit_anchor,
    parse_anchor,
    verify_audit_trail,
)
from identito.services.identities import identity_audit
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditEntry

Factory = Callable[[], SqlUnitOfWork]
SQLITE_TRIGGERS = ("audit_log_no_update", "audit_log_no_delete")


def _history(uow_factory: Factory, make_identity, admin: Actor, rules: Rules) -> Identity:
    """An identity created, then changed twice: three audit rows on its chain."""
    identity = make_identity()
    now = rules.now()
    with uow_factory() as uow:
        uow.identities.add(identity)
        uow.commit(admin, now)
    for step, name in enumerate(("MARTIN", "DURAND"), start=1):
        with uow_factory() as uow:
            loaded = uow.identities.get(identity.id)
            traits = replace(loaded.traits, used_name=name)
            loaded.change_traits(traits, (), may_change_protected=False, now=now)
            uow.identities.update(loaded)
            uow.commit(admin, now + timedelta(minutes=step))
    return identity


def _rows(url: str, identity_id: UUID) -> list[sa.RowMapping]:
    t = audit_log.c
    query = select(audit_log).where(t.identity_id == identity_id).order_by(t.seq)
    with engine_for(url).connect() as connection:
        return list(connection.execute(query).mappings())


@contextmanager
def _bypassing_the_triggers(url: str) -> Iterator[Connection]:
    """What a database superuser (PostgreSQL) or the owner of the file (SQLite) can do."""
    with engine_for(url).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            for name in SQLITE_TRIGGERS:
                connection.execute(text(f"DROP TRIGGER {name}"))
        yield connection


def _verify(uow_factory: Factory, admin: Actor, rules: Rules, anchor: str | None = None):
    heads = parse_anchor(anchor) if anchor else []
    return verify_audit_trail(uow=uow_factory(), actor=admin, rules=rules, anchor=heads)


def test_the_rows_written_by_identito_are_chained_and_verify_intact(
    uow_factory: Factory, database_url: str, make_identity, admin: Actor, rules: Rules
) -> None:
    identity = _history(uow_factory, make_identity, admin, rules)
    rows = _rows(database_url, identity.id)
    assert [r["seq"] for r in rows] == [1, 2, 3]
    assert {r["chain"] for r in rows} == {chain_of(identity.id)}
    assert rows[0]["prev_hash"] == "0" * 64
    assert [r["prev_hash"] for r in rows[1:]] == [r["hash"] for r in rows[:-1]]
    check = _verify(uow_factory, admin, rules)
    assert check.intact and check.rows == 3 and check.chains == 1


def test_the_application_role_can_neither_update_nor_delete_an_audit_row(
    uow_factory: Factory, database_url: str, make_identity, admin: Actor, rules: Rules
) -> None:
    identity = _history(uow_factory, make_identity, admin, rules)
    row_id = _rows(database_url, identity.id)[0]["id"]
    for statement in (
        sa.update(audit_log).where(audit_log.c.id == row_id).values(actor="quelqu'un d'autre"),
        sa.delete(audit_log).where(audit_log.c.id == row_id),
        sa.delete(audit_chain_heads),
        sa.update(audit_chain_heads).values(seq=0),
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            engine_for(database_url).begin() as connection,
        ):
            connection.execute(statement)
    assert _rows(database_url, identity.id)[0]["actor"] == admin.username


def test_a_forged_actor_is_detected_named_and_flagged_by_the_history(
    uow_factory: Factory, database_url: str, make_identity, admin: Actor, rules: Rules
) -> None:
    identity = _history(uow_factory, make_identity, admin, rules)
    forged = _rows(database_url, identity.id)[1]
    with _bypassing_the_triggers(database_url) as connection:
        connection.execute(
            sa.update(audit_log).where(audit_log.c.id == forged["id"]).values(actor="mallory")
        )
    check = _verify(uow_factory, admin, rules)
    [problem] = check.problems
    assert (problem.kind, problem.seq, problem.row_id) == (ProblemKind.ALTERED, 2, forged["id"])
    assert str(forged["id"]) in problem.message and "mallory" in problem.message
    history = identity_audit(identity.id, uow=uow_factory(), actor=admin, rules=rules)
    assert [(e.actor, e.intact) for e in history] == [
        (admin.username, True),
        ("mallory", False),
        (admin.username, True),
    ]


def test_a_deleted_row_is_detected_and_the_gap_named(
    uow_factory: Factory, database_url: str, make_identity, admin: Actor, rules: Rules
) -> None:
    identity = _history(uow_factory, make_identity, admin, rules)
    rows = _rows(database_url, identity.id)
    with _bypassing_the_triggers(database_url) as connection:
        connection.execute(sa.delete(audit_log).where(audit_log.c.id == rows[1]["id"]))
    [problem] = _verify(uow_factory, admin, rules).problems
    assert (problem.kind, problem.seq, problem.row_id) == (ProblemKind.MISSING, 2, rows[2]["id"])
    assert "n° 2 manquante" in problem.message


def test_deleting_the_last_rows_is_detected_by_the_head(
    uow_factory: Factory, database_url: str, make_identity, admin: Actor, rules: Rules
) -> None:
    identity = _history(uow_factory, make_identity, admin, rules)
    last = _rows(database_url, identity.id)[-1]
    with _bypassing_the_triggers(database_url) as connection:
        connection.execute(sa.delete(audit_log).where(audit_log.c.id == last["id"]))
    [problem] = _verify(uow_factory, admin, rules).problems
    assert (problem.kind, problem.seq) == (ProblemKind.MISSING, 3)
    assert "fin de chaîne supprimée" in problem.message


def test_a_history_rewritten_with_its_hashes_is_caught_by_the_anchor_only(
    uow_factory: Factory, database_url: str, make_identity, admin: Actor, rules: Rules
) -> None:
    identity = _history(uow_factory, make_identity, admin, rules)
    anchor = audit_anchor(uow=uow_factory(), actor=admin, rules=rules)
    rows = [dict(r) for r in _rows(database_url, identity.id)]
    rows[0]["actor"] = "mallory"
    prev = "0" * 64
    with _bypassing_the_triggers(database_url) as connection:
        for row in rows:  # the forger recomputes every hash of the chain and its head
            row["prev_hash"], row["hash"] = prev, row_digest(row, prev)
            prev = row["hash"]
            values = {k: row[k] for k in ("actor", "prev_hash", "hash")}
            connection.execute(
                sa.update(audit_log).where(audit_log.c.id == row["id"]).values(values)
            )
        heads = audit_chain_heads.c
        connection.execute(
            sa.update(audit_chain_heads).where(heads.chain == rows[0]["chain"]).values(hash=prev)
        )
    assert _verify(uow_factory, admin, rules).intact  # consistent without the anchor
    [problem] = _verify(uow_factory, admin, rules, anchor).problems
    assert (problem.kind, problem.seq, problem.row_id) == (ProblemKind.ANCHOR, 3, rows[2]["id"])


def test_a_row_inserted_outside_identito_is_reported(
    uow_factory: Factory, database_url: str, make_identity, admin: Actor, rules: Rules
) -> None:
    identity = _history(uow_factory, make_identity, admin, rules)
    row = {**_rows(database_url, identity.id)[0]}
    row.update(id=UUID(int=7), chain=None, seq=None, prev_hash=None, hash=None, actor="mallory")
    with engine_for(database_url).begin() as connection:
        connection.execute(sa.insert(audit_log).values(row))
    [problem] = _verify(uow_factory, admin, rules).problems
    assert (problem.kind, problem.row_id) == (ProblemKind.UNCHAINED, UUID(int=7))


def test_rows_spread_over_several_chains_each_verify(
    uow_factory: Factory, make_identity, admin: Actor, rules: Rules
) -> None:
    with uow_factory() as uow:
        for _ in range(3 * CHAINS):
            uow.identities.add(make_identity())
        uow.commit(admin, rules.now())
    check = _verify(uow_factory, admin, rules)
    assert check.intact and check.rows == 3 * CHAINS and check.chains > 1


def _cli(url: str, monkeypatch: pytest.MonkeyPatch, *args: str):
    for name in [n for n in os.environ if n.startswith("IDENTITO_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("IDENTITO_DATABASE_URL", url)
    monkeypatch.setenv("IDENTITO_TEST_MODE", "true")
    try:
        return CliRunner().invoke(cli_app, list(args))
    finally:
        dispose_engines()


def test_the_cli_verifies_anchors_and_names_the_forged_row(
    uow_factory: Factory,
    database_url: str,
    make_identity,
    admin: Actor,
    rules: Rules,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    identity = _history(uow_factory, make_identity, admin, rules)
    anchor = tmp_path / "ancre.json"
    assert _cli(database_url, monkeypatch, "audit", "anchor", "-o", str(anchor)).exit_code == 0
    intact = _cli(database_url, monkeypatch, "audit", "verify", "--anchor", str(anchor))
    assert intact.exit_code == 0 and "Journal intègre : 3 ligne(s)" in intact.output
    forged = _rows(database_url, identity.id)[0]
    with _bypassing_the_triggers(database_url) as connection:
        connection.execute(
            sa.update(audit_log).where(audit_log.c.id == forged["id"]).values(reason="rien")
        )
    result = _cli(database_url, monkeypatch, "audit", "verify", "--anchor", str(anchor))
    assert result.exit_code == 3
    assert "Journal altéré" in result.output and str(forged["id"]) in result.output


def test_the_cli_names_the_row_after_a_deleted_one(
    uow_factory: Factory,
    database_url: str,
    make_identity,
    admin: Actor,
    rules: Rules,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    identity = _history(uow_factory, make_identity, admin, rules)
    rows = _rows(database_url, identity.id)
    with _bypassing_the_triggers(database_url) as connection:
        connection.execute(sa.delete(audit_log).where(audit_log.c.id == rows[0]["id"]))
    result = _cli(database_url, monkeypatch, "audit", "verify")
    output = " ".join(result.output.split())
    assert result.exit_code == 3
    assert "ligne(s) n° 1 manquante(s)" in output and str(rows[1]["id"]) in output


def test_concurrent_writers_on_the_same_chains_keep_every_chain_whole(
    uow_factory: Factory, make_identity, admin: Actor, rules: Rules
) -> None:
    def write(worker: int) -> None:
        for step in range(5):
            with uow_factory() as uow:
                uow.identities.add(make_identity())
                uow.add_audit(  # no identity: chain 0, shared by every writer
                    AuditEntry(admin.username, rules.now(), AuditAction.SETTINGS_CHANGED, None,
                               details={"worker": worker, "step": step})
                )  # fmt: skip
                uow.commit(admin, rules.now())

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(write, range(6)))
    check = _verify(uow_factory, admin, rules)
    assert check.intact and check.rows == 6 * 5 * 2


def _upgrade(url: str, revision: str) -> None:
    engine = create_engine_for(url)
    try:
        config = alembic_config(url)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def test_migration_0015_chains_the_rows_stored_before_it_in_their_order(
    fresh_url: str, admin: Actor, rules: Rules
) -> None:
    _upgrade(fresh_url, "0013")
    old = sa.table(
        "audit_log",
        sa.column("id", sa.Uuid()),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("position", sa.Integer()),
        sa.column("actor", sa.String()),
        sa.column("action", sa.String()),
        sa.column("identity_id", sa.Uuid()),
        sa.column("after", sa.JSON()),
        sa.column("details", sa.JSON()),
    )
    start = rules.now().replace(tzinfo=None)
    rows = [
        {"id": UUID(int=n + 1), "at": start + timedelta(minutes=n // 2), "position": n % 2,
         "actor": "agent", "action": "identity.created", "identity_id": UUID(int=100 + n % 3),
         "after": {"status": "PROV"}, "details": {}}
        for n in range(6)
    ]  # fmt: skip
    engine = create_engine_for(fresh_url)
    try:
        with engine.begin() as connection:
            connection.execute(old.insert(), rows)
    finally:
        engine.dispose()
    _upgrade(fresh_url, "head")
    try:
        check = _verify(sql_uow_factory(fresh_url), admin, rules)
        with engine_for(fresh_url).connect() as connection:
            t = audit_log.c
            chained = connection.execute(select(t.id, t.chain, t.seq).order_by(t.at, t.position))
            seqs = [(row.chain, row.seq) for row in chained]
    finally:
        dispose_engines()
    assert check.intact and check.rows == 6
    assert sorted({c for c, _ in seqs}) == [100 % CHAINS, 101 % CHAINS, 102 % CHAINS]
    for chain in {c for c, _ in seqs}:  # each identity's two rows, in the order written
        assert [s for c, s in seqs if c == chain] == [1, 2]


GRANTS = """
GRANT CONNECT ON DATABASE "{database}" TO {role};
GRANT USAGE ON SCHEMA public TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {role};
REVOKE DELETE, TRUNCATE ON audit_chain_heads FROM {role};
"""  # docs/storage.md, "PostgreSQL roles"


@pytest.mark.parametrize(  # roles and grants are PostgreSQL's
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_the_documented_application_role_cannot_bypass_the_triggers_either(
    database_url: str, uow_factory: Factory, make_identity, admin: Actor, rules: Rules
) -> None:
    postgres_url = database_url
    identity = _history(uow_factory, make_identity, admin, rules)
    role = f"identito_app_{secrets.token_hex(3)}"
    owner = engine_for(postgres_url)
    with owner.begin() as connection:
        database = connection.execute(text("SELECT current_database()")).scalar_one()
        connection.execute(text(f"CREATE ROLE {role} LOGIN"))
        connection.execute(text(GRANTS.format(database=database, role=role)))
    app_url = make_url(postgres_url).set(username=role, password=None)
    app = create_engine_for(app_url)
    try:
        with app.begin() as connection:  # the application's work goes on
            assert connection.execute(select(sa.func.count()).select_from(audit_log)).scalar()
        for statement in (
            "TRUNCATE audit_log",
            "SET session_replication_role = replica",
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
            f"UPDATE audit_log SET actor = 'mallory' WHERE identity_id = '{identity.id}'",
            "DELETE FROM audit_log",
        ):
            with pytest.raises(DatabaseError, match=r"denied|must be owner"), app.begin() as c:
                c.execute(text(statement))
    finally:
        app.dispose()
        with owner.begin() as connection:
            connection.execute(text(f"DROP OWNED BY {role}"))
            connection.execute(text(f"DROP ROLE {role}"))
    assert _verify(uow_factory, admin, rules).intact
