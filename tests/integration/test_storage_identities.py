"""The identity repository on SQLite and PostgreSQL: round trip, locking, bulk."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from uuid import uuid4

import pytest
from sqlalchemy import func, select

from identito.adapters.orm import audit_log, identities
from identito.domain.documents import DEFAULT_DOCUMENT_TYPES
from identito.domain.errors import NotFound, StaleVersion
from identito.domain.identifiers import Ins, Oid
from identito.domain.ins_source import InsSource
from identito.domain.status import IdentityAttribute, IdentityStatus
from identito.domain.trait_set import WarningCode

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

FIRST_INS = Ins.parse("180032B02040123", Oid.NIR_TEST.value, allow_test_oids=True)
SECOND_INS = Ins.parse("295109912611193", Oid.NIR_TEST.value, allow_test_oids=True)


def _qualified_with_history(make_identity):
    identity = make_identity(
        birth_name="D'ARC-LEBRUN",
        first_birth_first_name="MARIE-CLAIRE",
        birth_first_names="MARIE CLAIRE ANNE",
        birth_date="1960-00-00",
        sex="F",
        birth_place_code="99999",
        used_name="DURAND",
        used_first_name="CLAIRE",
    )
    identity.record_ins_retrieval(FIRST_INS, now=START + timedelta(minutes=1))
    identity.validate(
        "CN",
        date(2031, 5, 4),
        document_types=DEFAULT_DOCUMENT_TYPES,
        actor="iv.martin",
        now=START + timedelta(minutes=2),
    )
    identity.change_ins(SECOND_INS, may_change_protected=True, now=START + timedelta(minutes=3))
    identity.change_attributes([IdentityAttribute.HOMONYM], [], now=START + timedelta(minutes=4))
    return identity


def test_an_identity_with_every_field_comes_back_unchanged(uow_factory, make_identity, admin):
    identity = _qualified_with_history(make_identity)
    assert identity.traits.birth_date.uncertain
    assert {w.code for w in identity.warnings} >= {
        WarningCode.UNCERTAIN_BIRTH_DATE,
        WarningCode.UNKNOWN_BIRTH_PLACE,
    }
    with uow_factory() as uow:
        uow.identities.add(identity)
        uow.commit(admin, START)

    with uow_factory() as uow:
        loaded = uow.identities.get(identity.id)

    assert loaded == identity
    # Issue 11: a typed matricule on an identity with an exceptional date is held, VALI.
    assert loaded.status is IdentityStatus.VALIDATED
    assert (loaded.ins_source, loaded.ins_confirmed) == (InsSource.TYPED, False)
    assert loaded.traits.birth_date.raw == "1960-00-00"
    assert loaded.traits.birth_date.value == date(1960, 12, 31)
    assert loaded.ins == SECOND_INS
    assert [entry.ins for entry in loaded.ins_history] == [FIRST_INS]
    assert loaded.validation is not None and loaded.validation.document_type == "CN"
    assert loaded.attributes == frozenset({IdentityAttribute.HOMONYM})
    loaded.check_invariants()


def test_datetimes_come_back_timezone_aware_in_utc(uow_factory, make_identity, admin):
    identity = make_identity()
    paris = timezone(timedelta(hours=2))
    identity.record_ins_retrieval(FIRST_INS, now=datetime(2026, 6, 1, 12, 0, tzinfo=paris))
    with uow_factory() as uow:
        uow.identities.add(identity)
        uow.commit(admin, START)

    with uow_factory() as uow:
        loaded = uow.identities.get(identity.id)

    assert loaded.ins_retrieved_at == datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    assert loaded.ins_retrieved_at.tzinfo is UTC
    assert loaded.created_at.tzinfo is UTC


def test_getting_an_unknown_identity_raises_not_found(uow_factory):
    missing = uuid4()
    with uow_factory() as uow, pytest.raises(NotFound, match=f"Identité inconnue : {missing}."):
        uow.identities.get(missing)


def test_an_identity_added_then_updated_in_one_unit_of_work_is_stored_once(
    uow_factory, make_identity, admin
):
    identity = make_identity()
    with uow_factory() as uow:
        uow.identities.add(identity)
        identity.record_ins_retrieval(FIRST_INS, now=START)
        uow.identities.update(identity)
        uow.commit(admin, START)

    with uow_factory() as uow:
        loaded = uow.identities.get(identity.id)
        audit = uow.audit.for_identity(identity.id)
    assert loaded.ins == FIRST_INS and loaded.version == 1
    assert [e.action for e in audit] == ["identity.created", "identity.ins_retrieved"]


def test_an_update_raises_the_version_and_rewrites_the_ins_history(
    uow_factory, make_identity, admin
):
    identity = make_identity()
    identity.record_ins_retrieval(FIRST_INS, now=START)
    with uow_factory() as uow:
        uow.identities.add(identity)
        uow.commit(admin, START)

    with uow_factory() as uow:
        loaded = uow.identities.get(identity.id)
        loaded.change_ins(SECOND_INS, may_change_protected=True, now=START)
        uow.identities.update(loaded)
        uow.commit(admin, START)
    assert loaded.version == 2

    with uow_factory() as uow:
        again = uow.identities.get(identity.id)
    assert again.version == 2
    assert again.ins == SECOND_INS
    assert [entry.ins for entry in again.ins_history] == [FIRST_INS]


def test_an_update_based_on_a_stale_version_is_refused_and_loses_nothing(
    uow_factory, make_identity, admin
):
    identity = make_identity()
    with uow_factory() as uow:
        uow.identities.add(identity)
        uow.commit(admin, START)

    first, second = uow_factory(), uow_factory()
    with first, second:
        mine = first.identities.get(identity.id)
        theirs = second.identities.get(identity.id)
        mine.change_attributes([IdentityAttribute.HOMONYM], [], now=START)
        first.identities.update(mine)
        first.commit(admin, START)
        theirs.change_attributes([IdentityAttribute.DOUBTFUL], [], now=START)
        with pytest.raises(StaleVersion) as refused:
            second.identities.update(theirs)
    assert (refused.value.expected, refused.value.current) == (1, 2)

    with uow_factory() as uow:
        stored = uow.identities.get(identity.id)
    assert stored.version == 2
    assert stored.attributes == frozenset({IdentityAttribute.HOMONYM})


def test_updating_an_identity_that_was_never_stored_raises_not_found(
    uow_factory, make_identity, admin
):
    identity = make_identity()
    with uow_factory() as uow, pytest.raises(NotFound):
        uow.identities.update(identity.with_version(1))


def test_a_bulk_import_writes_every_identity_and_its_audit_row_in_one_commit(
    uow_factory, make_identity, admin
):
    batch = [make_identity(birth_name=f"IMPORT{chr(65 + i % 26)}") for i in range(1500)]
    with uow_factory() as uow:
        for identity in batch:
            uow.identities.add(identity)
        uow.commit(admin, START)
        count = uow.identities.connection.scalar(select(func.count()).select_from(identities))
        audited = uow.identities.connection.scalar(select(func.count()).select_from(audit_log))
    assert (count, audited) == (1500, 1500)
