"""Issue 11 conformance review, domain seams: an INSi answer with an exceptional date
and a compound first name onto a local PIERRE."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from fakes import NOW, make_identity
from identito.domain.identifiers import Oid
from identito.domain.insi import InsiAnswer
from identito.domain.status import IdentityStatus
from identito.domain.trait_set import RECEIVED_ENTRY

ANSWER = InsiAnswer(
    birth_name="ECETINSI",
    first_names="PIERRE-ALAIN MURIEL",
    sex="M",
    birth_date="1980-00-00",
    birth_place_code="2B020",
    ins_number="180032B02040123",
    oid=Oid.NIR.value,
    history=(),
)


def test_an_insi_answer_with_a_00_date_and_pierre_alain_onto_a_local_pierre_is_held_not_retrieved():
    identity = make_identity(
        IdentityStatus.VALIDATED,
        birth_name="ECETINSI",
        first_birth_first_name="PIERRE",
        birth_first_names=["PIERRE-ALAIN", "MURIEL"],
        birth_date="1980-03-02",
        entry=RECEIVED_ENTRY,
    )

    identity.integrate_insi(
        replace(ANSWER), called_at=NOW - timedelta(minutes=1), now=NOW, allow_test_oids=False
    )

    assert identity.traits.first_birth_first_name == "PIERRE-ALAIN"
    assert identity.traits.birth_date.uncertain
    assert identity.ins is not None and identity.ins.number.number == ANSWER.ins_number
    assert identity.ins_confirmed is False
    assert identity.status not in (IdentityStatus.RETRIEVED, IdentityStatus.QUALIFIED)
