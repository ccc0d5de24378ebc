"""Matricule INS, its key, its OID and its history."""

from __future__ import annotations

import pytest
from stdnum.fr import nir

from fakes import INS_A, INS_B, NOW, make_identity
from identito.domain.errors import InvalidInput
from identito.domain.identifiers import Ins, InsKind, InsNumber, Oid
from identito.domain.status import IdentityStatus

#: Synthetic 13-character bodies; their keys are computed by python-stdnum.
BODIES = ["1800375056123", "2950999126111", "2850699123456", "180032A020401", "180032B020401"]


def with_key(body: str) -> str:
    return body + nir.calc_check_digits(body)


@pytest.mark.parametrize("body", BODIES)
def test_a_matricule_has_13_characters_and_a_2_digit_key_checked_by_stdnum(body: str) -> None:
    assert InsNumber.parse(with_key(body)).number == with_key(body)


@pytest.mark.parametrize(
    "number", ["180032B02040123", with_key("180032A020401"), "180032b02040123"]
)
def test_a_corsican_matricule_with_2a_or_2b_is_accepted(number: str) -> None:
    assert InsNumber.parse(number).number == number.upper()


def test_spaces_inside_a_matricule_are_ignored() -> None:
    assert InsNumber.parse("1 80 03 2B 020 401 23").number == "180032B02040123"


@pytest.mark.parametrize("body", BODIES)
def test_a_13_character_matricule_without_its_key_is_refused(body: str) -> None:
    with pytest.raises(InvalidInput) as error:
        InsNumber.parse(body)
    assert [(e.field, e.rule) for e in error.value.errors] == [("ins.number", "ins_length")]


@pytest.mark.parametrize("body", BODIES)
def test_a_matricule_with_a_wrong_key_is_refused_giving_the_expected_key(body: str) -> None:
    key = nir.calc_check_digits(body)
    wrong = f"{(int(key) + 1) % 97:02d}"
    with pytest.raises(InvalidInput) as error:
        InsNumber.parse(body + wrong)
    (only,) = error.value.errors
    assert only.rule == "ins_key"
    assert f"attendue : {key}" in only.message


@pytest.mark.parametrize("number", ["18003750561231O", "180032C02040123", "ABCDEFGHIJKLMNO"])
def test_a_matricule_with_letters_other_than_corsica_is_refused(number: str) -> None:
    with pytest.raises(InvalidInput) as error:
        InsNumber.parse(number)
    assert error.value.errors[0].field == "ins.number"


@pytest.mark.parametrize(
    ("oid", "kind"),
    [
        ("1.2.250.1.213.1.4.8", InsKind.NIR),
        ("1.2.250.1.213.1.4.9", InsKind.NIA),
        ("1.2.250.1.213.1.4.10", InsKind.NIR_TEST),
        ("1.2.250.1.213.1.4.11", InsKind.NIR_DEMO),
    ],
)
def test_the_kind_of_matricule_is_told_by_the_oid_not_by_the_digits(
    oid: str, kind: InsKind
) -> None:
    ins = Ins.parse("180032B02040123", oid, allow_test_oids=True)
    assert (ins.kind, ins.oid.value, ins.number.number) == (kind, oid, "180032B02040123")


@pytest.mark.parametrize("oid", ["1.2.250.1.213.1.4.5", "", "1.2.250.1.213.1.4.8.1"])
def test_an_unknown_oid_is_refused(oid: str) -> None:
    with pytest.raises(InvalidInput) as error:
        Ins.parse("180032B02040123", oid, allow_test_oids=True)
    assert [(e.field, e.rule) for e in error.value.errors] == [("ins.oid", "ins_oid")]


@pytest.mark.parametrize("oid", [Oid.NIR_TEST, Oid.NIR_DEMO])
def test_test_and_demo_oids_are_refused_unless_the_instance_runs_in_test_mode(oid: Oid) -> None:
    with pytest.raises(InvalidInput) as error:
        Ins.parse("180032B02040123", oid.value)
    assert error.value.errors[0].rule == "ins_test_oid"
    assert Ins.parse("180032B02040123", oid.value, allow_test_oids=True).oid is oid


@pytest.mark.parametrize("oid", [Oid.NIR, Oid.NIA])
def test_production_oids_are_accepted_outside_test_mode(oid: Oid) -> None:
    assert Ins.parse("180032B02040123", oid.value).oid is oid


def test_previous_matricules_are_kept_as_history() -> None:
    identity = make_identity(IdentityStatus.RETRIEVED, ins=INS_A)
    identity.record_ins_retrieval(INS_B, now=NOW)
    assert identity.ins == INS_B
    assert [entry.ins for entry in identity.ins_history] == [INS_A]
    identity.invalidate_ins(reason="vérification négative", now=NOW)
    assert [entry.ins for entry in identity.ins_history] == [INS_A, INS_B]
    assert identity.ins_history[-1].reason == "vérification négative"


def test_a_retrieval_returning_the_same_matricule_adds_no_history() -> None:
    identity = make_identity(IdentityStatus.RETRIEVED, ins=INS_A)
    identity.record_ins_retrieval(INS_A, now=NOW)
    assert identity.ins_history == ()
