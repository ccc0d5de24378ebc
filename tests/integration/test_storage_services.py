"""The identity use cases on real storage (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest

from identito.domain.errors import InvalidInput, StaleVersion
from identito.domain.identifiers import Ins, Oid
from identito.domain.status import IdentityStatus
from identito.services.identities import (
    change_attributes,
    create_identity,
    get_identity,
    identity_audit,
    search_identities,
    update_identity,
    validate_identity,
)

CORSICAN = {
    "birth_name": "Orsini",
    "first_birth_first_name": "Paul-Marie",
    "birth_first_names": ["Paul-Marie", "Ange"],
    "birth_date": "1980-03-01",
    "sex": "M",
    "birth_place_code": "2B020",
    "used_name": "Santoni",
}
INS = Ins.parse("180032B02040123", Oid.NIR_TEST.value, allow_test_oids=True)


def test_a_created_identity_is_found_by_the_anteriority_search(uow_factory, rules, vigilance):
    created = create_identity(CORSICAN, uow=uow_factory(), actor=vigilance, rules=rules)

    def search(**fields):
        return search_identities(uow=uow_factory(), actor=vigilance, rules=rules, **fields)

    assert search(birth_date="1980-03-01", name="orsini", first_name="paul marie") == [created]
    assert search(birth_date="1980-03-01", name="SANT", first_name="ANGE", sex="M") == [created]
    assert search(birth_date="1980-03-01", name="ORSINI", sex="F") == []


def test_a_birth_place_refused_by_the_geography_stores_nothing(uow_factory, rules, vigilance):
    with pytest.raises(InvalidInput):
        create_identity(
            {**CORSICAN, "birth_place_code": "00000"},
            uow=uow_factory(),
            actor=vigilance,
            rules=rules,
        )
    assert (
        search_identities(birth_date="1980-03-01", uow=uow_factory(), actor=vigilance, rules=rules)
        == []
    )


def test_the_life_of_an_identity_is_stored_and_audited(uow_factory, rules, vigilance):
    created = create_identity(CORSICAN, uow=uow_factory(), actor=vigilance, rules=rules)
    with uow_factory() as uow:
        identity = uow.identities.get(created.id)
        identity.record_ins_retrieval(INS, now=rules.now())
        uow.identities.update(identity)
        uow.commit(vigilance, rules.now())

    validate_identity(
        created.id,
        document_type="CN",
        document_expiry=date(2030, 1, 1),
        uow=uow_factory(),
        actor=vigilance,
        rules=rules,
    )
    updated = update_identity(
        created.id, 3, {"used_first_name": "Paulo"}, uow=uow_factory(), actor=vigilance, rules=rules
    )
    read = get_identity(created.id, uow=uow_factory(), actor=vigilance, rules=rules)

    assert read == updated
    assert (read.version, read.status) == (4, IdentityStatus.QUALIFIED)
    actions = [
        e.action
        for e in identity_audit(created.id, uow=uow_factory(), actor=vigilance, rules=rules)
    ]
    assert actions == [
        "identity.created",
        "identity.ins_retrieved",
        "identity.validated",
        "identity.traits_changed",
        "identity.read",
    ]


def test_an_update_on_an_outdated_version_is_refused(uow_factory, rules, vigilance):
    created = create_identity(CORSICAN, uow=uow_factory(), actor=vigilance, rules=rules)
    change_attributes(created.id, add=["HOMA"], uow=uow_factory(), actor=vigilance, rules=rules)

    with pytest.raises(StaleVersion):
        update_identity(
            created.id, 1, {"used_name": "Autre"}, uow=uow_factory(), actor=vigilance, rules=rules
        )
    stored = get_identity(created.id, uow=uow_factory(), actor=vigilance, rules=rules)
    assert stored.traits.used_name == "SANTONI"


def test_a_search_returning_a_matricule_audits_the_read(uow_factory, rules, vigilance):
    created = create_identity(CORSICAN, uow=uow_factory(), actor=vigilance, rules=rules)
    with uow_factory() as uow:
        identity = uow.identities.get(created.id)
        identity.record_ins_retrieval(INS, now=rules.now())
        uow.identities.update(identity)
        uow.commit(vigilance, rules.now())

    found = search_identities(
        ins="1 80 03 2B 020 401 23", uow=uow_factory(), actor=vigilance, rules=rules
    )

    assert [i.id for i in found] == [created.id]
    audit = identity_audit(created.id, uow=uow_factory(), actor=vigilance, rules=rules)
    assert audit[-1].action == "identity.read"
