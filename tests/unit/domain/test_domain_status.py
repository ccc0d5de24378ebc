"""The status machine: one table, walked in full, and invariants under random operations."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from datetime import date

import pytest

from fakes import INS_A, INS_B, NOW, make_identity, make_traits
from identito.domain.documents import DEFAULT_DOCUMENT_TYPES
from identito.domain.errors import DomainError, InvalidTransition
from identito.domain.identity import Identity
from identito.domain.status import (
    TRANSITIONS,
    IdentityAttribute,
    IdentityStatus,
    StatusAction,
    next_status,
    status_of,
)

PAIRS = list(itertools.product(IdentityStatus, StatusAction))


@pytest.mark.parametrize(("status", "action"), PAIRS, ids=[f"{s}-{a}" for s, a in PAIRS])
def test_every_status_action_pair_reaches_the_table_target_or_is_refused(
    status: IdentityStatus, action: StatusAction
) -> None:
    if (status, action) in TRANSITIONS:
        assert next_status(status, action) is TRANSITIONS[(status, action)]
    else:
        with pytest.raises(InvalidTransition):
            next_status(status, action)


@pytest.mark.parametrize(
    ("ins_confirmed", "document_checked", "status"),
    [
        (False, False, IdentityStatus.PROVISIONAL),
        (True, False, IdentityStatus.RETRIEVED),
        (False, True, IdentityStatus.VALIDATED),
        (True, True, IdentityStatus.QUALIFIED),
    ],
)
def test_the_status_is_a_pure_function_of_ins_confirmation_and_document_check(
    ins_confirmed: bool, document_checked: bool, status: IdentityStatus
) -> None:
    assert status_of(ins_confirmed=ins_confirmed, document_checked=document_checked) is status
    assert (status.has_ins, status.document_checked) == (ins_confirmed, document_checked)


def test_every_transition_target_agrees_with_the_status_function() -> None:
    for (status, action), target in TRANSITIONS.items():
        ins = {
            StatusAction.RETRIEVE_INS: True,
            StatusAction.HOLD_INS: False,
            StatusAction.INVALIDATE_INS: False,
            StatusAction.FORCE_PROVISIONAL: False,
        }.get(action, status.has_ins)
        document = {
            StatusAction.CHECK_DOCUMENT: True,
            StatusAction.FORCE_PROVISIONAL: False,
            StatusAction.WITHDRAW_DOCUMENT_CHECK: False,
        }.get(action, status.document_checked)
        assert target is status_of(ins_confirmed=ins, document_checked=document), (status, action)


def test_a_new_identity_is_provisional_without_matricule_or_validation() -> None:
    identity = Identity.create(*make_traits(), now=NOW)
    assert (identity.status, identity.ins, identity.validation) == (
        IdentityStatus.PROVISIONAL,
        None,
        None,
    )


# -- random walk over the aggregate's operations -------------------------------------------

Operation = Callable[[Identity, random.Random], None]

_A = list(IdentityAttribute)


def _retrieve(identity: Identity, rng: random.Random) -> None:
    identity.record_ins_retrieval(rng.choice([INS_A, INS_B]), now=NOW)


def _validate(identity: Identity, rng: random.Random) -> None:
    identity.validate(
        rng.choice(["CN", "PA", "PC", None, "XX"]),
        rng.choice([date(2030, 1, 1), None]),
        document_types=DEFAULT_DOCUMENT_TYPES,
        actor="walker",
        now=NOW,
    )


def _attributes(identity: Identity, rng: random.Random) -> None:
    add = rng.sample(_A, rng.randint(0, 2))
    remove = rng.sample(_A, rng.randint(0, 2))
    identity.change_attributes(add, remove, now=NOW)


def _traits(identity: Identity, rng: random.Random) -> None:
    changes = rng.choice(
        [
            {"used_name": rng.choice(["MARTIN", None])},
            {"birth_name": rng.choice(["DUPONT", "DUPOND"])},
            {"first_birth_first_name": rng.choice(["JEAN", "JEAN-CHRISTOPHE", "PIERRE"])},
            {"sex": rng.choice("MFI")},
            {"birth_date": rng.choice(["1980-03-12", "1980-00-00", "1980-03-00"])},
        ]
    )
    identity.change_traits(
        *make_traits(**changes), may_change_protected=rng.random() < 0.5, now=NOW
    )


def _change_ins(identity: Identity, rng: random.Random) -> None:
    identity.change_ins(
        rng.choice([INS_A, INS_B]), may_change_protected=rng.random() < 0.5, now=NOW
    )


def _invalidate(identity: Identity, rng: random.Random) -> None:
    identity.invalidate_ins(reason="marche aléatoire", now=NOW)


def _verified(identity: Identity, rng: random.Random) -> None:
    identity.record_verification_ok(called_at=NOW, now=NOW)


OPERATIONS: list[Operation] = [
    _retrieve,
    _validate,
    _attributes,
    _traits,
    _change_ins,
    _invalidate,
    _verified,
]


@pytest.mark.parametrize("seed", range(40))
def test_the_status_always_matches_its_facts_after_any_sequence_of_operations(seed: int) -> None:
    rng = random.Random(seed)
    identity = Identity.create(*make_traits(), now=NOW)
    for _ in range(60):
        before = identity.snapshot()
        try:
            rng.choice(OPERATIONS)(identity, rng)
        except DomainError:
            assert identity.snapshot() == before, "a refused operation changed the identity"
        identity.check_invariants()
        assert identity.status is status_of(
            ins_confirmed=identity.ins_confirmed,
            document_checked=identity.validation is not None,
        )
        if identity.blocks_ins:
            assert identity.status is IdentityStatus.PROVISIONAL
        if identity.status.has_ins:  # RECUP/QUAL: never typed, never uncertain, never sex I
            assert identity.ins is not None and not identity.ins_to_verify
            assert not identity.traits.birth_date.uncertain
            assert identity.traits.sex.value in ("M", "F")


@pytest.mark.parametrize("status", list(IdentityStatus))
def test_the_identity_builder_reaches_each_status_through_domain_operations(
    status: IdentityStatus,
) -> None:
    identity = make_identity(status)
    identity.check_invariants()
    assert identity.status is status
