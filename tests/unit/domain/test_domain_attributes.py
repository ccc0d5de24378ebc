"""Attributes DOUT, FICT, HOMA: combinations and their effect on status and INS."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from fakes import INS_A, NOW, make_identity
from identito.domain.documents import DEFAULT_DOCUMENT_TYPES
from identito.domain.errors import InvalidInput, InvalidTransition
from identito.domain.identity import Identity
from identito.domain.status import (
    ALLOWED_COMBINATIONS,
    IdentityAttribute,
    IdentityStatus,
    check_attribute_combination,
)

DOUT, FICT, HOMA = (
    IdentityAttribute.DOUBTFUL,
    IdentityAttribute.FICTITIOUS,
    IdentityAttribute.HOMONYM,
)
BLOCKING = [DOUT, FICT]
COMBINATIONS = [
    frozenset(c) for size in (2, 3) for c in itertools.combinations(IdentityAttribute, size)
]


def validate(identity: Identity) -> None:
    identity.validate(
        "CN", date(2031, 1, 1), document_types=DEFAULT_DOCUMENT_TYPES, actor="agent", now=NOW
    )


@pytest.mark.parametrize("combination", COMBINATIONS, ids=lambda c: "+".join(sorted(c)))
def test_only_doubtful_and_homonym_may_be_combined(
    combination: frozenset[IdentityAttribute],
) -> None:
    identity = make_identity()
    if combination == {DOUT, HOMA}:
        check_attribute_combination(combination)
        identity.change_attributes(combination, (), now=NOW)
        assert identity.attributes == combination
    else:
        with pytest.raises(InvalidTransition):
            check_attribute_combination(combination)
        with pytest.raises(InvalidTransition):
            identity.change_attributes(combination, (), now=NOW)
        assert identity.attributes == frozenset()


def test_a_single_attribute_is_always_an_allowed_combination() -> None:
    for attribute in IdentityAttribute:
        assert frozenset({attribute}) in ALLOWED_COMBINATIONS


def test_fictitious_cannot_be_added_to_a_doubtful_identity_one_step_at_a_time() -> None:
    identity = make_identity()
    identity.change_attributes([DOUT], [], now=NOW)
    with pytest.raises(InvalidTransition):
        identity.change_attributes([FICT], [], now=NOW)
    identity.change_attributes([FICT], [DOUT], now=NOW)
    assert identity.attributes == {FICT}


@pytest.mark.parametrize("attribute", BLOCKING)
@pytest.mark.parametrize("status", list(IdentityStatus))
def test_doubtful_or_fictitious_forces_provisional_and_invalidates_the_matricule(
    status: IdentityStatus, attribute: IdentityAttribute
) -> None:
    identity = make_identity(status)
    identity.change_attributes([attribute], [], now=NOW)
    assert identity.status is IdentityStatus.PROVISIONAL
    assert (identity.ins, identity.validation, identity.ins_retrieved_at) == (None, None, None)
    history = [entry.ins for entry in identity.ins_history]
    assert history == ([INS_A] if status.has_ins else [])
    identity.check_invariants()


@pytest.mark.parametrize("attribute", BLOCKING)
def test_doubtful_or_fictitious_makes_validation_impossible_while_it_stays(
    attribute: IdentityAttribute,
) -> None:
    identity = make_identity()
    identity.change_attributes([attribute], [], now=NOW)
    with pytest.raises(InvalidTransition):
        validate(identity)
    identity.change_attributes([], [attribute], now=NOW)
    validate(identity)
    assert identity.status is IdentityStatus.VALIDATED


@pytest.mark.parametrize("attribute", BLOCKING)
def test_doubtful_or_fictitious_makes_insi_calls_impossible_while_it_stays(
    attribute: IdentityAttribute,
) -> None:
    identity = make_identity(IdentityStatus.QUALIFIED)
    identity.change_attributes([attribute], [], now=NOW)
    with pytest.raises(InvalidTransition):
        identity.ensure_insi_call_allowed()
    with pytest.raises(InvalidTransition):
        identity.record_ins_retrieval(INS_A, now=NOW)
    identity.change_attributes([], [attribute], now=NOW)
    identity.ensure_insi_call_allowed()
    identity.record_ins_retrieval(INS_A, now=NOW)
    assert identity.status is IdentityStatus.RETRIEVED


def test_removing_the_blocking_attribute_does_not_restore_the_previous_status() -> None:
    identity = make_identity(IdentityStatus.QUALIFIED)
    identity.change_attributes([DOUT], [], now=NOW)
    identity.change_attributes([], [DOUT], now=NOW)
    assert (identity.status, identity.ins) == (IdentityStatus.PROVISIONAL, None)


@pytest.mark.parametrize("status", list(IdentityStatus))
def test_homonym_is_allowed_at_every_status_and_changes_nothing_else(
    status: IdentityStatus,
) -> None:
    identity = make_identity(status)
    before = identity.snapshot()
    identity.change_attributes([HOMA], [], now=NOW)
    after = identity.snapshot()
    assert after.pop("attributes") == ["HOMA"]
    before.pop("attributes")
    assert after == before
    identity.ensure_insi_call_allowed()


def test_an_attribute_cannot_be_added_and_removed_at_once() -> None:
    with pytest.raises(InvalidInput):
        make_identity().change_attributes([HOMA], [HOMA], now=NOW)
