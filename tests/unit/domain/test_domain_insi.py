"""Integration of an INSi answer into an identity: one test per rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from fakes import INS_A, INS_B, NOW, make_identity
from identito.domain.errors import InvalidInput, InvalidTransition
from identito.domain.events import AuditAction
from identito.domain.identifiers import Ins, Oid
from identito.domain.insi import (
    CollectionMethod,
    IncompleteInsiAnswer,
    InsiAnswer,
    ReceivedIns,
    check_complete,
    received_traits,
)
from identito.domain.status import IdentityAttribute, IdentityStatus
from identito.domain.trait_set import RECEIVED_ENTRY, WarningCode

CALLED = NOW - timedelta(minutes=1)
ANSWER = InsiAnswer(
    birth_name="DUPONT",
    first_names="JEAN CHRISTOPHE PIERRE",
    sex="M",
    birth_date="1980-03-12",
    birth_place_code="2B020",
    ins_number=INS_A.number.number,
    oid=Oid.NIR.value,
    history=(
        ReceivedIns("209076322083439", Oid.NIR.value, "2019-03-01", "2019-02-28"),
        ReceivedIns("180032B02040123", Oid.NIR.value),
    ),
)


def integrate(identity, answer=ANSWER, **kwargs):
    kwargs.setdefault("allow_test_oids", False)
    return identity.integrate_insi(answer, called_at=CALLED, now=NOW, **kwargs)


def test_integration_replaces_the_strict_traits_with_the_insi_traits_as_received():
    identity = make_identity(
        birth_name="Dupond", birth_first_names=["Jean"], birth_date="1980-03-11"
    )
    answer = replace(ANSWER, first_names="JEAN-MARIE D'ARC", birth_date="1980-00-00")

    integrate(identity, answer)

    traits = identity.traits
    assert traits.birth_name == "DUPONT"
    assert traits.birth_first_names == ("JEAN-MARIE", "D'ARC")
    assert traits.birth_date.raw == "1980-00-00" and traits.birth_date.uncertain
    assert (traits.sex.value, traits.birth_place_code) == ("M", "2B020")


def test_integration_never_fills_the_used_name_or_used_first_name():
    identity = make_identity(used_name="MARTIN")

    integrate(identity)

    assert (identity.traits.used_name, identity.traits.used_first_name) == ("MARTIN", None)


def test_integration_stores_the_matricule_with_its_oid_and_the_insi_history_as_received():
    identity = make_identity()

    integrate(identity)

    assert identity.ins == INS_A
    assert identity.insi_history == ANSWER.history
    assert identity.insi_history[0].end == "2019-02-28"  # kept even when before DateDeb


def test_integration_sets_the_collection_method_to_insi_with_the_call_date():
    identity = make_identity()

    integrate(identity)

    assert identity.ins_collection_method is CollectionMethod.INSI
    assert identity.ins_retrieved_at == CALLED


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (IdentityStatus.PROVISIONAL, IdentityStatus.RETRIEVED),
        (IdentityStatus.VALIDATED, IdentityStatus.QUALIFIED),
        (IdentityStatus.RETRIEVED, IdentityStatus.RETRIEVED),
        (IdentityStatus.QUALIFIED, IdentityStatus.QUALIFIED),
    ],
)
def test_integration_moves_the_status_as_the_transition_table_says(before, after):
    identity = make_identity(before)

    integrate(identity)

    assert identity.status is after
    identity.check_invariants()


@pytest.mark.parametrize("attribute", [IdentityAttribute.DOUBTFUL, IdentityAttribute.FICTITIOUS])
def test_integration_is_refused_for_a_doubtful_or_fictitious_identity(attribute):
    identity = make_identity()
    identity.change_attributes([attribute], [], now=NOW)
    identity.pop_events()
    before = identity.snapshot()

    with pytest.raises(InvalidTransition):
        integrate(identity)

    assert identity.snapshot() == before and identity.events == []


def test_a_local_first_birth_first_name_agreeing_with_the_received_list_is_kept():
    identity = make_identity(first_birth_first_name="Jean Christophe")

    notes = integrate(identity)

    assert identity.traits.first_birth_first_name == "JEAN CHRISTOPHE"
    assert notes == ()


def test_a_local_first_birth_first_name_disagreeing_with_the_list_is_replaced_with_a_note():
    identity = make_identity(first_birth_first_name="Christophe", entry=RECEIVED_ENTRY)

    notes = integrate(identity)

    assert identity.traits.first_birth_first_name == "JEAN"
    assert len(notes) == 1 and "CHRISTOPHE" in notes[0]
    assert WarningCode.FIRST_NAME_DISAGREES not in {w.code for w in identity.warnings}


@pytest.mark.parametrize("field", ["birth_name", "first_names", "sex"])
@pytest.mark.parametrize("empty", ["", "   "])
def test_an_answer_with_an_empty_name_first_names_or_sex_is_never_integrated(field, empty):
    identity = make_identity()
    before = identity.snapshot()

    with pytest.raises(IncompleteInsiAnswer):
        integrate(identity, replace(ANSWER, **{field: empty}))

    assert identity.snapshot() == before and identity.events == []


@pytest.mark.parametrize(
    "changes",
    [
        {"birth_date": ""},
        {"birth_place_code": None},
        {"ins_number": ""},
        {"ins_number": "1800320204"},
        {"oid": ""},
        {"sex": "I"},
        {"birth_name": "dupont"},
        {"birth_date": "1980-13-45"},
    ],
    ids=str,
)
def test_an_incomplete_or_malformed_answer_is_refused_naming_the_problem(changes):
    with pytest.raises(IncompleteInsiAnswer) as raised:
        received_traits(replace(ANSWER, **changes), None)
    assert raised.value.problems


def test_a_complete_answer_passes_the_completeness_check():
    check_complete(ANSWER)


def test_a_matricule_whose_key_fails_mod_97_is_kept_as_received_with_a_warning():
    identity = make_identity()
    answer = replace(ANSWER, ins_number="181036322045660")  # CNDA HERMANN GATIEN

    notes = integrate(identity, answer)

    assert identity.ins is not None and identity.ins.number.number == "181036322045660"
    assert WarningCode.INS_KEY in {w.code for w in identity.warnings}
    assert any("76" in note for note in notes)


def test_a_strictly_parsed_matricule_still_refuses_a_wrong_key():
    with pytest.raises(InvalidInput):
        Ins.parse("181036322045660", Oid.NIR.value)


def test_a_test_oid_from_insi_is_refused_outside_test_mode():
    identity = make_identity()
    answer = replace(ANSWER, oid=Oid.NIR_TEST.value)

    with pytest.raises(InvalidInput):
        integrate(identity, answer)
    integrate(identity, answer, allow_test_oids=True)

    assert identity.ins is not None and identity.ins.oid is Oid.NIR_TEST


def test_a_new_matricule_archives_the_previous_one():
    identity = make_identity(IdentityStatus.RETRIEVED, ins=INS_B)

    integrate(identity)

    assert identity.ins == INS_A
    assert [h.ins for h in identity.ins_history] == [INS_B]


def test_integration_records_one_propagated_event_with_the_changed_fields_and_history():
    identity = make_identity(birth_name="Dupond")

    integrate(identity, details={"call_id": "c-1"})

    [event] = identity.pop_events()
    assert event.action is AuditAction.INS_RETRIEVED and event.propagate
    assert event.before["birth_name"] == "DUPOND" and event.after["birth_name"] == "DUPONT"
    assert event.details["call_id"] == "c-1"
    assert event.details["fields"] == ["birth_name"]
    assert event.details["method"] == "INSI"
    assert len(event.details["insi_history"]) == 2


def test_invalidating_the_ins_clears_the_collection_method_and_the_insi_history():
    identity = make_identity()
    integrate(identity)

    identity.invalidate_ins(reason="test", now=NOW)

    assert (identity.ins_collection_method, identity.insi_history) == (None, ())


def test_marking_doubtful_clears_the_collection_method_and_the_insi_history():
    identity = make_identity()
    integrate(identity)

    identity.change_attributes([IdentityAttribute.DOUBTFUL], [], now=NOW)

    assert (identity.ins_collection_method, identity.insi_history) == (None, ())


def test_an_insi_answer_pierre_alain_replaces_a_local_first_name_pierre():
    identity = make_identity(
        first_birth_first_name="PIERRE",
        birth_first_names=["PIERRE-ALAIN", "MURIEL"],
        entry=RECEIVED_ENTRY,
    )

    notes = integrate(identity, replace(ANSWER, first_names="PIERRE-ALAIN MURIEL"))

    assert identity.traits.first_birth_first_name == "PIERRE-ALAIN"
    assert len(notes) == 1 and "PIERRE" in notes[0]


@pytest.mark.parametrize("code", ["75056", "99100"])
def test_an_insi_birth_place_refused_when_typed_is_kept_as_received(code):
    identity = make_identity()

    integrate(identity, replace(ANSWER, birth_place_code=code))

    assert identity.traits.birth_place_code == code
