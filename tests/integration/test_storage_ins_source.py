"""The source and confirmation of the matricule on SQLite and PostgreSQL (issue 11):
stored and read back, and migration 0012 maps the rows stored before it."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from typer.testing import CliRunner

from identito.adapters.database import create_engine_for, dispose_engines
from identito.adapters.migrate import alembic_config
from identito.adapters.orm import audit_log, identities
from identito.domain.identifiers import Ins, Oid
from identito.domain.ins_source import InsSource
from identito.domain.status import IdentityStatus
from identito.entrypoints.cli import app as cli_app
from identito.services.reception import (
    ReceivedIdentity,
    Reception,
    Sender,
    TransmittedIns,
    receive_identity,
)
from identito.services.verification_records import EntryKind
from identito.services.vigilance import queue_ins_verification

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
INS = Ins.parse("180032B02040123", Oid.NIR_TEST.value, allow_test_oids=True)


def test_a_typed_matricule_and_its_source_come_back_unconfirmed(uow_factory, make_identity, admin):
    identity = make_identity()
    identity.change_ins(INS, may_change_protected=True, now=START)
    with uow_factory() as uow:
        uow.identities.add(identity)
        uow.commit(admin, START)
    with uow_factory() as uow:
        loaded = uow.identities.get(identity.id)
    assert loaded == identity
    assert (loaded.status, loaded.ins_source, loaded.ins_confirmed) == (
        IdentityStatus.PROVISIONAL,
        InsSource.TYPED,
        False,
    )
    assert loaded.ins_to_verify
    loaded.check_invariants()


def test_a_matricule_from_insi_comes_back_confirmed(uow_factory, make_identity, admin):
    identity = make_identity()
    identity.record_ins_retrieval(INS, now=START)
    with uow_factory() as uow:
        uow.identities.add(identity)
        uow.commit(admin, START)
    with uow_factory() as uow:
        loaded = uow.identities.get(identity.id)
    assert (loaded.status, loaded.ins_source, loaded.ins_confirmed) == (
        IdentityStatus.RETRIEVED,
        InsSource.INSI,
        True,
    )


# -- migration 0012 -----------------------------------------------------------------------


#: (status, ins_collection_method, birth_date_raw, sex, has INS) of rows stored before 0012.
OLD_ROWS = {
    "insi": ("QUAL", "INSI", "1980-01-01", "M", True),
    "domain": ("QUAL", None, "1980-01-01", "F", True),
    "uncertain": ("QUAL", "INSI", "1980-00-00", "M", True),
    "sex_i": ("RECUP", "INSI", "1980-01-01", "I", True),
    "none": ("PROV", None, "1980-01-01", "M", False),
}
EXPECTED = {
    "insi": ("QUAL", "INSI", True),
    "domain": ("QUAL", "DOMAIN", True),
    "uncertain": ("VALI", "INSI", False),
    "sex_i": ("PROV", "INSI", False),
    "none": ("PROV", None, False),
}


def _old_row(key: str) -> dict[str, object]:
    status, method, raw, sex, has_ins = OLD_ROWS[key]
    return {
        "id": uuid.uuid5(uuid.NAMESPACE_URL, key),
        "version": 1,
        "status": status,
        "attributes": [],
        "birth_name": "DUPONT",
        "birth_first_names": ["JEAN"],
        "first_birth_first_name": "JEAN",
        "birth_date_raw": raw,
        "birth_date": datetime(1980, 12, 31 if raw.endswith("00") else 1).date(),
        "birth_date_uncertain": raw.endswith("00"),
        "sex": sex,
        "birth_place_code": "63220",
        "ins_number": INS.number.number if has_ins else None,
        "ins_oid": INS.oid.value if has_ins else None,
        "ins_collection_method": method,
        "warnings": [],
        "name_keys": "|DUPONT|",
        "first_name_keys": "|JEAN|",
        "created_at": START,
        "updated_at": START,
    }


def _upgrade(engine: sa.Engine, url: str, revision: str) -> None:
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_migration_0012_maps_the_stored_matricules_and_downgrades_unconfirmable_ones(
    fresh_url: str,
) -> None:
    engine = create_engine_for(fresh_url)
    try:
        _upgrade(engine, fresh_url, "0010")
        with engine.begin() as connection:  # only the columns that exist at 0010
            connection.execute(identities.insert(), [_old_row(key) for key in OLD_ROWS])
        _upgrade(engine, fresh_url, "0012")
        i = identities.c
        with engine.connect() as connection:
            rows = connection.execute(sa.select(i.id, i.status, i.ins_source, i.ins_confirmed))
            found = {row.id: (row.status, row.ins_source, row.ins_confirmed) for row in rows}
            audited = [  # 0011 before it audits the COLP of the rows sharing INS
                row
                for row in connection.execute(
                    sa.select(audit_log.c.identity_id, audit_log.c.after, audit_log.c.details)
                )
                if row.details.get("migration") == "0012"
            ]
    finally:
        engine.dispose()
    assert {key: found[uuid.uuid5(uuid.NAMESPACE_URL, key)] for key in OLD_ROWS} == EXPECTED
    assert sorted((str(r.identity_id), r.after["status"]) for r in audited) == sorted(
        (str(uuid.uuid5(uuid.NAMESPACE_URL, key)), EXPECTED[key][0])
        for key in ("uncertain", "sex_i")
    )


def _qualified_sex_i_row() -> dict[str, object]:
    """A QUAL identity of sex I as stored before 0012 (its INS was diffused then)."""
    return {
        **_old_row("sex_i"),
        "id": uuid.uuid5(uuid.NAMESPACE_URL, "qual-sex-i"),
        "status": "QUAL",
        "document_type": "CN",
        "document_expiry": datetime(2031, 1, 1).date(),
        "validated_at": START,
        "validated_by": "agent",
    }


def _cli(*args: str) -> str:
    result = CliRunner().invoke(cli_app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_the_downgrade_of_a_qualified_sex_i_identity_by_0012_is_propagated_as_an_a47(
    fresh_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in os.environ if n.startswith("IDENTITO_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("IDENTITO_DATABASE_URL", fresh_url)
    monkeypatch.setenv("IDENTITO_TEST_MODE", "true")
    monkeypatch.setenv("IDENTITO_HL7_RECEIVERS", f'["file://{tmp_path}/hl7"]')
    engine = create_engine_for(fresh_url)
    try:
        _upgrade(engine, fresh_url, "0010")
        with engine.begin() as connection:
            connection.execute(identities.insert(), [_qualified_sex_i_row()])
    finally:
        engine.dispose()
    try:
        _cli("db", "upgrade")
        sent = _cli("outbox", "send")
        again = _cli("outbox", "send")
    finally:
        dispose_engines()
    assert "1 message(s) envoyé(s)" in sent and "0 ligne(s) traitée(s)" in again
    (message,) = [p.read_bytes() for p in (tmp_path / "hl7").iterdir()]
    assert b"ADT^A47" in message
    assert f"MRG|{INS.number.number}^^^".encode() in message


def test_an_own_domain_reception_confirming_a_typed_matricule_closes_its_entry(
    uow_factory, make_identity, admin, rules
) -> None:
    identity = make_identity()
    identity.change_ins(INS, may_change_protected=True, now=START)
    with uow_factory() as uow:
        uow.identities.add(identity)
        assert queue_ins_verification(identity, uow=uow, now=START)
        uow.commit(admin, START)
    traits = {"birth_name": "DUPONT", "first_birth_first_name": "JEAN",
              "birth_first_names": "JEAN PIERRE", "birth_date": "1980-03-01", "sex": "M",
              "birth_place_code": "75116"}  # fmt: skip
    received = ReceivedIdentity(
        traits, TransmittedIns(INS.number.number, INS.oid.value), "VALI", local_id="IPP7"
    )
    reception = Reception("hl7v2", "MSH|...", Sender("OWNAPP", "CHU-X"), "A28", "1", received)
    result = receive_identity(reception, own_domain=["OWNAPP^*"], uow=uow_factory(), actor=admin,
                              rules=rules, teleservice=None)  # fmt: skip
    assert result.identity_id == identity.id
    with uow_factory() as uow:
        assert uow.identities.get(identity.id).status is IdentityStatus.QUALIFIED
        assert uow.vigilance.open_for(EntryKind.INS_TO_VERIFY, identity.id) is None
        [closed] = uow.vigilance.entries(EntryKind.INS_TO_VERIFY, open_only=False)
    assert closed.resolved_by == admin.username
