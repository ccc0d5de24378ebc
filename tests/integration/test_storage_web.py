"""Storage of the web application: sessions, indicator counters, migration 0003 backfill."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from fakes_login import LOGIN_POLICY
from identito.adapters.database import create_engine_for
from identito.adapters.migrate import alembic_config
from identito.adapters.unit_of_work import SqlUnitOfWork
from identito.domain.identity import Identity
from identito.domain.permissions import Actor
from identito.services import identities, sessions
from identito.services.auth import add_user
from identito.services.indicators import STATUS
from identito.services.login_throttle import LoginAttempt
from identito.services.rules import Rules

pytestmark = pytest.mark.postgres


def _counts_by_status(uow_factory: Callable[[], SqlUnitOfWork]) -> dict[str, int]:
    with uow_factory() as uow:
        totals: Counter[str] = Counter()
        for (_, dimension, value), delta in uow.indicators.monthly().items():
            if dimension == STATUS:
                totals[value] += delta
        rows = uow.identities.connection.execute(
            sa.text("SELECT status, count(*) FROM identities GROUP BY status")
        )
        actual = dict(rows.all())
    assert {k: v for k, v in totals.items() if v} == actual
    return actual


def _traits(make_identity: Callable[..., Identity], name: str) -> dict[str, Any]:
    return make_identity(birth_name=name).traits.as_dict()


def test_the_indicator_counters_follow_every_committed_change(
    uow_factory: Callable[[], SqlUnitOfWork],
    rules: Rules,
    vigilance: Actor,
    make_identity: Callable[..., Identity],
) -> None:
    created = [
        identities.create_identity(
            _traits(make_identity, name), uow=uow_factory(), actor=vigilance, rules=rules
        )
        for name in ("DUPONT", "DURAND", "MARTIN")
    ]
    identities.validate_identity(
        created[0].id, document_type="CN", document_expiry=date(2031, 1, 1),
        uow=uow_factory(), actor=vigilance, rules=rules,
    )  # fmt: skip
    identities.change_attributes(created[0].id, add=["DOUT"], uow=uow_factory(), actor=vigilance,
                                 rules=rules)  # fmt: skip
    assert _counts_by_status(uow_factory) == {"PROV": 3}
    identities.change_attributes(created[1].id, add=["HOMA"], uow=uow_factory(), actor=vigilance,
                                 rules=rules)  # fmt: skip
    identities.validate_identity(
        created[1].id, document_type="PA", document_expiry=date(2031, 1, 1),
        uow=uow_factory(), actor=vigilance, rules=rules,
    )  # fmt: skip
    assert _counts_by_status(uow_factory) == {"PROV": 2, "VALI": 1}


def test_web_sessions_live_in_the_database(
    uow_factory: Callable[[], SqlUnitOfWork], rules: Rules, admin: Actor, clock: Any
) -> None:
    add_user("accueil", "mot-de-passe-1", "admission", uow=uow_factory(), actor=admin, rules=rules)
    policy = sessions.SessionPolicy(idle=timedelta(minutes=30), absolute=timedelta(hours=1))
    opened = sessions.open_session(
        LoginAttempt("accueil"), "mot-de-passe-1", uow=uow_factory(), rules=rules,
        policy=policy, throttle=LOGIN_POLICY,
    )  # fmt: skip
    current = sessions.session_actor(opened.token, uow=uow_factory(), rules=rules, policy=policy)
    assert current.actor.username == "accueil" and current.csrf_token == opened.csrf_token
    sessions.close_session(opened.token, uow=uow_factory(), rules=rules)
    with pytest.raises(sessions.SessionExpired):
        sessions.session_actor(opened.token, uow=uow_factory(), rules=rules, policy=policy)


def test_migration_0003_counts_the_identities_that_already_exist(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    config = alembic_config(url)
    engine = create_engine_for(url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0002")
        with engine.begin() as connection:
            for i, (status, attributes) in enumerate(
                [("PROV", "[]"), ("QUAL", "[]"), ("PROV", '["DOUT"]')]
            ):
                connection.execute(
                    sa.text(_INSERT), {"id": f"{i:032x}", "s": status, "a": attributes}
                )
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0003")
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT month, dimension, value, delta FROM indicator_counts")
            ).all()
    finally:
        engine.dispose()
    assert sorted(rows) == [
        ("2026-02", "attribute", "DOUT", 1),
        ("2026-02", "status", "PROV", 2),
        ("2026-02", "status", "QUAL", 1),
    ]


_INSERT = """
INSERT INTO identities (id, version, status, attributes, birth_name, birth_first_names,
  first_birth_first_name, birth_date_raw, birth_date, birth_date_uncertain, sex,
  birth_place_code, warnings, name_keys, first_name_keys, created_at, updated_at)
VALUES (:id, 1, :s, :a, 'DUPONT', '[]', 'JEAN', '1980-01-01', '1980-01-01', 0, 'M', '75056',
  '[]', '|DUPONT|', '|JEAN|', '2026-02-10 10:00:00', '2026-02-10 10:00:00')
"""
