"""The billing NSS (issue 17 point 1): R-TR-20 keeps it apart from the INS, R-TR-19
gives its OIDs, R-AS-04 searches it exactly."""

from __future__ import annotations

import pytest

from fakes import NOW, make_identity
from identito.domain.errors import InvalidInput, InvalidTransition
from identito.domain.events import AuditAction
from identito.domain.nss import Nss, NssHolder, NssOid, parse_optional, search_number
from identito.domain.status import IdentityStatus

NUMBER = "279035121518989"  # valid key; also usable as a matricule INS (synthetic)


def test_an_nss_is_parsed_with_the_nir_oid_by_default_and_its_holder() -> None:
    nss = Nss.parse("2 79 03 51 215 189 89", None, "ouvrant_droit")
    assert nss == Nss(NUMBER, NssOid.NIR, NssHolder.OUVRANT_DROIT)
    assert Nss.parse(NUMBER, "urn:oid:1.2.250.1.213.1.4.14", "patient").oid is NssOid.NIA


def test_the_nss_oids_are_those_of_fr_core_and_not_the_ins_ones() -> None:
    assert {o.value for o in NssOid} == {"1.2.250.1.213.1.4.13", "1.2.250.1.213.1.4.14"}


def test_an_ins_oid_given_to_an_nss_is_refused_in_french() -> None:
    with pytest.raises(InvalidInput) as caught:
        Nss.parse(NUMBER, "1.2.250.1.213.1.4.8", "patient")
    assert caught.value.errors[0].rule == "nss_oid"
    assert "jamais un matricule INS" in caught.value.errors[0].message


def test_whose_nss_it_is_must_be_said_and_every_faulty_field_is_reported_at_once() -> None:
    with pytest.raises(InvalidInput) as caught:
        Nss.parse("27903512151898", "9.9", None)
    assert {e.field for e in caught.value.errors} == {"nss.number", "nss.oid", "nss.holder"}


def test_a_wrong_key_names_the_expected_one() -> None:
    with pytest.raises(InvalidInput) as caught:
        Nss.parse("279035121518988", None, "patient")
    assert caught.value.errors[0].message == "La clé du NSS est fausse (attendue : 89)."


def test_an_nss_is_removed_by_none_and_a_searched_nss_is_compacted() -> None:
    assert parse_optional(None) is None
    assert search_number(" 2 79 03 5 2a ") == "2790352A"


def test_a_nir_typed_as_nss_never_gives_an_ins_nor_a_status() -> None:
    identity = make_identity(IdentityStatus.PROVISIONAL)
    assert identity.change_nss(Nss(NUMBER, NssOid.NIR, NssHolder.PATIENT), now=NOW)
    assert identity.ins is None and identity.status is IdentityStatus.PROVISIONAL
    (event,) = identity.pop_events()
    assert event.action is AuditAction.NSS_CHANGED and event.propagate
    assert event.after is not None and event.after["nss"]["holder"] == "patient"
    assert event.after["ins"] is None
    identity.check_invariants()


def test_the_nss_of_a_qualified_identity_changes_nothing_of_its_ins() -> None:
    identity = make_identity(IdentityStatus.QUALIFIED)
    ins = identity.ins
    identity.change_nss(Nss(NUMBER, NssOid.NIR, NssHolder.OUVRANT_DROIT), now=NOW)
    identity.change_nss(None, now=NOW)
    assert identity.ins == ins and identity.status is IdentityStatus.QUALIFIED
    assert identity.nss is None
    assert [e.action for e in identity.pop_events()] == [AuditAction.NSS_CHANGED] * 2


def test_the_same_nss_again_changes_nothing_and_a_merged_identity_refuses_it() -> None:
    identity = make_identity()
    nss = Nss(NUMBER, NssOid.NIR, NssHolder.PATIENT)
    identity.change_nss(nss, now=NOW)
    identity.pop_events()
    assert not identity.change_nss(nss, now=NOW) and not identity.events
    identity.active = False
    with pytest.raises(InvalidTransition):
        identity.change_nss(None, now=NOW)
