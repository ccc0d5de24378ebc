"""Identity use cases on the fake unit of work: creation, update, search, audit."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from fakes import (
    INS_A,
    INS_B,
    NOW,
    FakePlaces,
    FakeUnitOfWork,
    actor_with_role,
    fake_rules,
    identity_input,
    make_identity,
)
from identito.domain.errors import InvalidInput, InvalidTransition, NotFound, StaleVersion
from identito.domain.events import AuditAction
from identito.domain.identifiers import Oid
from identito.domain.permissions import Role
from identito.domain.status import IdentityStatus
from identito.domain.trait_set import WarningCode
from identito.domain.traits import Sex
from identito.services import identities as uc
from identito.services.auth import SYSTEM
from identito.services.rules import Rules
from identito.services.unit_of_work import SearchCriteria

VIGILANCE = actor_with_role(Role.IDENTITY_VIGILANCE)
ADMISSION = actor_with_role(Role.ADMISSION)


def store(
    uow: FakeUnitOfWork, status: IdentityStatus = IdentityStatus.PROVISIONAL, **traits: object
) -> UUID:
    identity = make_identity(status, **traits)
    with uow:
        uow.identities.add(identity)
        uow.commit(SYSTEM, NOW)
    uow.audit.entries.clear()
    return identity.id


# -- creation ---------------------------------------------------------------------------------


def test_creation_returns_a_provisional_identity_with_its_warnings(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    data = identity_input(birth_name="Dupont", birth_date="1980-00-00")
    identity = uc.create_identity(data, uow=uow, actor=ADMISSION, rules=rules)
    assert (identity.status, identity.traits.birth_name) == (IdentityStatus.PROVISIONAL, "DUPONT")
    assert {w.code for w in identity.warnings} == {WarningCode.UNCERTAIN_BIRTH_DATE}
    assert uow.stored(identity.id).warnings == identity.warnings


def test_creation_writes_its_audit_row_in_the_same_commit(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity = uc.create_identity(identity_input(), uow=uow, actor=ADMISSION, rules=rules)
    (entry,) = uow.audit.entries
    assert (entry.actor, entry.at, entry.action, entry.identity_id, entry.before) == (
        ADMISSION.username,
        NOW,
        AuditAction.IDENTITY_CREATED.value,
        identity.id,
        None,
    )
    assert entry.after == identity.snapshot()
    assert uow.commits == 1


def test_an_invalid_creation_stores_nothing_and_audits_nothing(uow: FakeUnitOfWork) -> None:
    rules = fake_rules(places=FakePlaces(refused={"2B020"}))
    with pytest.raises(InvalidInput) as error:
        uc.create_identity(identity_input(sex="X"), uow=uow, actor=ADMISSION, rules=rules)
    assert sorted(e.field for e in error.value.errors) == ["birth_place_code", "sex"]
    assert (uow.identities.committed, uow.audit.entries) == ({}, [])


def test_creation_never_defaults_a_missing_birth_place(uow: FakeUnitOfWork, rules: Rules) -> None:
    data = identity_input()
    del data["birth_place_code"]
    with pytest.raises(InvalidInput) as error:
        uc.create_identity(data, uow=uow, actor=ADMISSION, rules=rules)
    assert [(e.field, e.rule) for e in error.value.errors] == [("birth_place_code", "required")]


# -- update -----------------------------------------------------------------------------------


def test_an_update_returns_the_next_version_and_audits_the_change(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity_id = store(uow)
    updated = uc.update_identity(
        identity_id, 1, {"used_name": "Martin"}, uow=uow, actor=ADMISSION, rules=rules
    )
    assert (updated.version, uow.stored(identity_id).version) == (2, 2)
    assert uow.stored(identity_id).traits.used_name == "MARTIN"
    (entry,) = uow.audit.entries
    assert entry.action == AuditAction.TRAITS_CHANGED.value
    assert (entry.before["used_name"], entry.after["used_name"]) == (None, "MARTIN")  # type: ignore[index]


def test_an_update_based_on_a_stale_version_is_refused_and_loses_nothing(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity_id = store(uow)
    uc.update_identity(
        identity_id, 1, {"used_name": "MARTIN"}, uow=uow, actor=ADMISSION, rules=rules
    )
    with pytest.raises(StaleVersion) as error:
        uc.update_identity(
            identity_id, 1, {"used_first_name": "JEANNOT"}, uow=uow, actor=ADMISSION, rules=rules
        )
    assert (error.value.expected, error.value.current) == (1, 2)
    stored = uow.stored(identity_id)
    assert (stored.version, stored.traits.used_name, stored.traits.used_first_name) == (
        2,
        "MARTIN",
        None,
    )
    assert len(uow.audit.entries) == 1


def test_a_concurrent_write_between_read_and_save_is_refused_by_the_repository(
    uow: FakeUnitOfWork,
) -> None:
    identity_id = store(uow)
    other = uow.sibling()
    with uow:
        mine = uow.identities.get(identity_id)
        with other:
            theirs = other.identities.get(identity_id)
            other.identities.update(theirs)
            other.commit(SYSTEM, NOW)
        with pytest.raises(StaleVersion):
            uow.identities.update(mine)


@pytest.mark.parametrize(
    "field", ["status", "version", "id", "ins_history", "validation", "nickname"]
)
def test_an_update_of_an_unknown_or_read_only_field_is_refused(
    uow: FakeUnitOfWork, rules: Rules, field: str
) -> None:
    identity_id = store(uow)
    with pytest.raises(InvalidInput) as error:
        uc.update_identity(identity_id, 1, {field: "x"}, uow=uow, actor=VIGILANCE, rules=rules)
    assert [(e.field, e.rule) for e in error.value.errors] == [(field, "unknown_field")]
    assert uow.stored(identity_id).version == 1


def test_a_refused_update_rolls_back_every_change_of_the_request(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity_id = store(uow, IdentityStatus.RETRIEVED)
    bad_ins = {"number": INS_B.number.number, "oid": "1.2.3"}
    with pytest.raises(InvalidInput):
        uc.update_identity(
            identity_id,
            1,
            {"used_name": "MARTIN", "ins": bad_ins},
            uow=uow,
            actor=VIGILANCE,
            rules=rules,
        )
    stored = uow.stored(identity_id)
    assert (stored.version, stored.traits.used_name, stored.ins) == (1, None, INS_A)
    assert uow.audit.entries == []


def test_identity_vigilance_may_correct_or_remove_the_matricule(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity_id = store(uow, IdentityStatus.QUALIFIED)
    new_ins = {"number": INS_B.number.number, "oid": Oid.NIR.value}
    uc.update_identity(identity_id, 1, {"ins": new_ins}, uow=uow, actor=VIGILANCE, rules=rules)
    assert uow.stored(identity_id).ins == INS_B
    uc.update_identity(identity_id, 2, {"ins": None}, uow=uow, actor=VIGILANCE, rules=rules)
    stored = uow.stored(identity_id)
    assert (stored.ins, stored.status) == (None, IdentityStatus.VALIDATED)
    assert [h.ins for h in stored.ins_history] == [INS_A, INS_B]


def test_a_test_oid_is_refused_in_an_update_unless_the_instance_runs_in_test_mode(
    uow: FakeUnitOfWork,
) -> None:
    identity_id = store(uow, IdentityStatus.RETRIEVED)
    test_ins = {"number": INS_B.number.number, "oid": Oid.NIR_TEST.value}
    with pytest.raises(InvalidInput):
        uc.update_identity(
            identity_id, 1, {"ins": test_ins}, uow=uow, actor=VIGILANCE, rules=fake_rules()
        )
    rules = fake_rules(allow_test_oids=True)
    uc.update_identity(identity_id, 1, {"ins": test_ins}, uow=uow, actor=VIGILANCE, rules=rules)
    assert uow.stored(identity_id).ins.oid is Oid.NIR_TEST  # type: ignore[union-attr]


def test_an_unknown_identity_is_not_found(uow: FakeUnitOfWork, rules: Rules) -> None:
    with pytest.raises(NotFound):
        uc.get_identity(uuid4(), uow=uow, actor=ADMISSION, rules=rules)
    with pytest.raises(NotFound):
        uc.update_identity(uuid4(), 1, {}, uow=uow, actor=ADMISSION, rules=rules)


# -- attributes, validation, audit ------------------------------------------------------------


def test_the_attribute_use_case_refuses_unknown_attributes(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity_id = store(uow)
    with pytest.raises(InvalidInput) as error:
        uc.change_attributes(
            identity_id, add=["HOMA", "VIP"], uow=uow, actor=VIGILANCE, rules=rules
        )
    assert [e.field for e in error.value.errors] == ["add[1]"]


def test_a_doubtful_attribute_set_through_the_use_case_downgrades_and_is_audited(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity_id = store(uow, IdentityStatus.QUALIFIED)
    uc.change_attributes(
        identity_id, add=["dout"], reason="pièce suspecte", uow=uow, actor=VIGILANCE, rules=rules
    )
    stored = uow.stored(identity_id)
    assert (stored.status, stored.ins, stored.validation) == (
        IdentityStatus.PROVISIONAL,
        None,
        None,
    )
    (entry,) = uow.audit.entries
    assert (entry.action, entry.reason) == (AuditAction.ATTRIBUTES_CHANGED.value, "pièce suspecte")


def test_the_validation_use_case_records_the_acting_user(uow: FakeUnitOfWork, rules: Rules) -> None:
    identity_id = store(uow, IdentityStatus.RETRIEVED)
    uc.validate_identity(
        identity_id,
        document_type="PA",
        document_expiry=date(2030, 1, 1),
        uow=uow,
        actor=ADMISSION,
        rules=rules,
    )
    stored = uow.stored(identity_id)
    assert stored.status is IdentityStatus.QUALIFIED
    assert stored.validation is not None and stored.validation.validated_by == ADMISSION.username


def test_the_validation_use_case_preselects_no_document(uow: FakeUnitOfWork, rules: Rules) -> None:
    identity_id = store(uow)
    with pytest.raises(InvalidInput) as error:
        uc.validate_identity(
            identity_id,
            document_type=None,
            document_expiry=date(2030, 1, 1),
            uow=uow,
            actor=ADMISSION,
            rules=rules,
        )
    assert error.value.errors[0].field == "document_type"
    assert uow.stored(identity_id).status is IdentityStatus.PROVISIONAL


def test_the_audit_trail_of_an_identity_lists_its_changes(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity = uc.create_identity(identity_input(), uow=uow, actor=ADMISSION, rules=rules)
    uc.update_identity(
        identity.id, 1, {"used_name": "MARTIN"}, uow=uow, actor=ADMISSION, rules=rules
    )
    entries = uc.identity_audit(identity.id, uow=uow, actor=VIGILANCE, rules=rules)
    assert [e.action for e in entries] == ["identity.created", "identity.traits_changed"]
    with pytest.raises(NotFound):
        uc.identity_audit(uuid4(), uow=uow, actor=VIGILANCE, rules=rules)


def test_a_doubtful_identity_refuses_validation_through_the_use_case(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity_id = store(uow)
    uc.change_attributes(identity_id, add=["DOUT"], uow=uow, actor=VIGILANCE, rules=rules)
    with pytest.raises(InvalidTransition):
        uc.validate_identity(
            identity_id,
            document_type="CN",
            document_expiry=date(2030, 1, 1),
            uow=uow,
            actor=ADMISSION,
            rules=rules,
        )


# -- anteriority search -----------------------------------------------------------------------


def search(uow: FakeUnitOfWork, rules: Rules, **fields: str) -> list[UUID]:
    found = uc.search_identities(**fields, uow=uow, actor=ADMISSION, rules=rules)  # type: ignore[arg-type]
    return [identity.id for identity in found]


def test_search_requires_a_birth_date_unless_searching_by_matricule(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    with pytest.raises(InvalidInput) as error:
        uc.search_identities(name="DUPONT", uow=uow, actor=ADMISSION, rules=rules)
    assert [(e.field, e.rule) for e in error.value.errors] == [("birth_date", "required")]
    assert (
        uc.search_identities(ins=INS_A.number.number, uow=uow, actor=ADMISSION, rules=rules) == []
    )


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"birth_date": "12/03/1980"}, ["birth_date"]),
        ({"birth_date": "1980-03-12", "sex": "X"}, ["sex"]),
        ({"birth_date": "1980-02-30", "sex": "X"}, ["birth_date", "sex"]),
        ({"ins": "18003750561"}, ["ins"]),
    ],
)
def test_faulty_search_fields_are_all_reported(fields: dict[str, str], errors: list[str]) -> None:
    with pytest.raises(InvalidInput) as error:
        uc.search_criteria(
            **{
                "birth_date": None,
                "name": None,
                "first_name": None,
                "sex": None,
                "ins": None,
                **fields,
            }
        )
    assert [e.field for e in error.value.errors] == errors


def test_search_criteria_are_built_from_accented_hyphenated_input() -> None:
    criteria = uc.search_criteria(
        birth_date="1960-00-00",
        name=" Le Gôff-d’Éon ",
        first_name="jean-chrIStophe",
        sex="f",
        ins=None,
    )
    assert criteria == SearchCriteria(
        birth_date=date(1960, 12, 31),
        name_key="LEGOFFDEON",
        first_name_key="JEANCHRISTOPHE",
        sex=Sex.FEMALE,
    )


def test_search_by_matricule_is_exact_on_the_current_or_a_previous_matricule() -> None:
    criteria = uc.search_criteria(
        birth_date=None, name=None, first_name=None, sex=None, ins="1 80 03 2b 020 401 23"
    )
    assert criteria.ins_number == INS_A.number.number


def test_anteriority_search_matches_name_prefixes_insensitive_to_accents_and_separators(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    hit = store(
        uow,
        birth_name="LE GOFF-MARTIN",
        used_name="DURAND",
        first_birth_first_name="JEAN",
        birth_first_names=["JEAN", "MARIE-CHRISTOPHE"],
        used_first_name="JEANNOT",
    )
    store(uow, birth_name="LEGRAND")
    next_day = store(uow, birth_name="LE GOFF", birth_date="1980-03-13")
    base = {"birth_date": "1980-03-12"}
    # One day off is found too (issue 16), ranked after the exact date.
    assert search(uow, rules, **base, name="légoff") == [hit, next_day]
    assert search(uow, rules, **base, name="Le Goff-Mar") == [hit]
    assert search(uow, rules, **base, name="dur") == [hit]
    # Any word of a compound or particle name (issue 16).
    assert search(uow, rules, **base, name="goff") == [hit, next_day]
    for first_name in ["Jean", "marie chris", "Jeannot", "christophe"]:
        assert search(uow, rules, **base, name="le goff", first_name=first_name)[0] == hit
    assert search(uow, rules, **base, name="le goff", sex="F") == []
    assert len(search(uow, rules, **base, name="le")) == 3


def test_anteriority_search_matches_the_completed_exceptional_date(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    hit = store(uow, birth_date="1960-00-00")
    assert search(uow, rules, birth_date="1960-12-31") == [hit]
    assert search(uow, rules, birth_date="1960-00-00") == [hit]


def test_search_by_matricule_finds_an_identity_by_its_previous_matricule(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity_id = store(uow, IdentityStatus.RETRIEVED)
    uc.update_identity(
        identity_id,
        1,
        {"ins": {"number": INS_B.number.number, "oid": Oid.NIR.value}},
        uow=uow,
        actor=VIGILANCE,
        rules=rules,
    )
    assert search(uow, rules, ins=INS_A.number.number) == [identity_id]
    assert search(uow, rules, ins=INS_B.number.number) == [identity_id]


# -- reads are audited when they return a matricule -----------------------------------------------


def test_each_read_returning_a_matricule_writes_an_identity_read_row(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    with_ins = store(uow, IdentityStatus.RETRIEVED)
    store(uow)  # same traits, no matricule
    uc.get_identity(with_ins, uow=uow, actor=ADMISSION, rules=rules)
    found = uc.search_identities(
        birth_date="1980-03-12", name="dupont", uow=uow, actor=ADMISSION, rules=rules
    )
    assert len(found) == 2
    reads = [(e.action, e.identity_id, e.actor) for e in uow.audit.entries]
    assert reads == [(AuditAction.IDENTITY_READ.value, with_ins, ADMISSION.username)] * 2


def test_reads_of_identities_without_a_matricule_write_no_audit_row(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity_id = store(uow, IdentityStatus.VALIDATED)
    uc.get_identity(identity_id, uow=uow, actor=ADMISSION, rules=rules)
    uc.search_identities(birth_date="1980-03-12", uow=uow, actor=ADMISSION, rules=rules)
    assert uow.audit.entries == []


def test_admission_may_resend_the_unchanged_matricule_with_a_complementary_change(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity_id = store(uow, IdentityStatus.QUALIFIED)
    same = {"number": INS_A.number.number, "oid": INS_A.oid.value, "kind": "NIR"}
    changes = {"used_name": "MARTIN", "ins": same}
    uc.update_identity(identity_id, 1, changes, uow=uow, actor=ADMISSION, rules=rules)
    stored = uow.stored(identity_id)
    assert (stored.status, stored.ins, stored.traits.used_name) == (
        IdentityStatus.QUALIFIED,
        INS_A,
        "MARTIN",
    )


@pytest.mark.parametrize("limit", [-5, 0, 10_000])
def test_the_number_of_results_is_bounded_for_every_kind_of_search(limit: int) -> None:
    by_ins = uc.search_criteria(
        birth_date=None, name=None, first_name=None, sex=None, ins=INS_A.number.number, limit=limit
    )
    by_traits = uc.search_criteria(
        birth_date="1980-03-12", name=None, first_name=None, sex=None, ins=None, limit=limit
    )
    assert 1 <= by_ins.limit == by_traits.limit <= 200


@pytest.mark.parametrize("field", ["name", "first_name"])
def test_a_search_name_without_any_letter_is_refused_rather_than_matching_everyone(
    field: str,
) -> None:
    fields: dict[str, str | None] = {"name": None, "first_name": None, field: "123"}
    with pytest.raises(InvalidInput) as error:
        uc.search_criteria(birth_date="1980-03-02", sex=None, ins=None, **fields)
    assert (error.value.errors[0].field, error.value.errors[0].rule) == (field, "no_letter")


def test_validation_uses_the_document_list_set_by_the_administrator() -> None:
    from identito.services.preferences import update_preferences

    uow, rules = FakeUnitOfWork(), fake_rules()
    admin = actor_with_role(Role.ADMIN)
    documents = [{"code": "LE", "label": "Livret de famille + CNI parent", "high_trust": True}]
    update_preferences({"document_types": documents}, uow=uow, actor=admin, rules=rules)
    identity_id = store(uow)
    validated = uc.validate_identity(
        identity_id, document_type="LE", document_expiry=date(2030, 1, 1),
        uow=uow, actor=ADMISSION, rules=rules,
    )  # fmt: skip
    assert validated.status is IdentityStatus.VALIDATED
    with pytest.raises(InvalidInput) as error:
        uc.validate_identity(
            store(uow), document_type="CN", document_expiry=date(2030, 1, 1),
            uow=uow, actor=ADMISSION, rules=rules,
        )  # fmt: skip
    assert error.value.errors[0].rule == "document_unknown"
