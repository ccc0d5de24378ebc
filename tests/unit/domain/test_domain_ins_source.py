"""Only a confirmed matricule makes RECUP or QUAL (issue 11, points 3, 5 and 7).

Confirmed: from INSi or an own-domain qualified reception (never typed, R-ST-07),
with a certain birth date (R-TR-11, R-TR-12) and a sex M or F (R-TR-14).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from fakes import INS_A, INS_B, NOW, make_identity, make_traits
from identito.domain.diffusion import WithheldReason, diffusion_view
from identito.domain.documents import DEFAULT_DOCUMENT_TYPES, DOMAIN_CHECK, Validation
from identito.domain.errors import InvalidInput
from identito.domain.events import AuditAction
from identito.domain.identity import Identity
from identito.domain.ins_source import InsSource, check_insi_sex, confirmation_obstacles
from identito.domain.insi import CollectionMethod, InsiAnswer
from identito.domain.status import IdentityStatus

P, R, V, Q = (
    IdentityStatus.PROVISIONAL,
    IdentityStatus.RETRIEVED,
    IdentityStatus.VALIDATED,
    IdentityStatus.QUALIFIED,
)
TYPED_AT = NOW + timedelta(hours=2)
CALLED_AT = NOW + timedelta(days=1)


def _answer(birth_date: str = "1980-03-12", sex: str = "M") -> InsiAnswer:
    return InsiAnswer(
        "DUPONT",
        "JEAN CHRISTOPHE PIERRE",
        sex,
        birth_date,
        "2B020",
        INS_A.number.number,
        INS_A.oid.value,
    )


def _validate(identity: Identity) -> None:
    identity.validate(
        "CN", date(2031, 1, 1), document_types=DEFAULT_DOCUMENT_TYPES, actor="iv", now=NOW
    )


@pytest.mark.parametrize(("status", "after"), [(P, P), (R, P), (V, V), (Q, V)])
def test_a_typed_matricule_never_makes_the_identity_retrieved_or_qualified(
    status: IdentityStatus, after: IdentityStatus
) -> None:
    identity = make_identity(status, ins=INS_A)
    identity.change_ins(INS_B, may_change_protected=True, now=TYPED_AT)
    assert (identity.status, identity.ins, identity.ins_source) == (after, INS_B, InsSource.TYPED)
    assert identity.ins_to_verify and not identity.ins_confirmed
    assert "INS saisi, à vérifier" in identity.ins_not_confirmed_because[0]
    identity.check_invariants()


def test_a_typed_matricule_tells_its_real_source_manual_entry_dated_when_typed() -> None:
    identity = make_identity(Q, ins=INS_A)
    identity.change_ins(INS_B, may_change_protected=True, now=TYPED_AT)
    assert identity.ins_collection_method is CollectionMethod.MANUAL
    assert identity.ins_retrieved_at == TYPED_AT
    assert [entry.ins for entry in identity.ins_history] == [INS_A]
    view = diffusion_view(identity, may_read_ins=True)
    assert (view.ins, view.withheld) == (None, WithheldReason.NOT_QUALIFIED)
    assert (view.collection_method, view.insi_called_at) == (CollectionMethod.MANUAL, TYPED_AT)


def test_an_insi_verification_ok_confirms_a_typed_matricule_with_the_call_date() -> None:
    identity = make_identity(Q, ins=INS_A)
    identity.change_ins(INS_B, may_change_protected=True, now=TYPED_AT)
    identity.pop_events()
    assert identity.record_verification_ok(called_at=CALLED_AT, now=CALLED_AT)
    assert (identity.status, identity.ins, identity.ins_source) == (Q, INS_B, InsSource.INSI)
    assert identity.ins_collection_method is CollectionMethod.INSI
    assert identity.ins_retrieved_at == CALLED_AT
    assert not identity.ins_to_verify
    [event] = identity.pop_events()
    assert event.action is AuditAction.INS_CONFIRMED and event.propagate
    identity.check_invariants()


def test_a_verification_ok_of_a_confirmed_matricule_changes_nothing_in_the_domain() -> None:
    identity = make_identity(Q, ins=INS_A)
    assert not identity.record_verification_ok(called_at=CALLED_AT, now=CALLED_AT)
    assert (identity.status, identity.ins_retrieved_at, identity.events) == (Q, NOW, [])


def test_a_verification_ko_removes_the_typed_matricule_and_keeps_the_status() -> None:
    identity = make_identity(V)
    identity.change_ins(INS_B, may_change_protected=True, now=TYPED_AT)
    identity.invalidate_ins(reason="vérification INSi KO", now=CALLED_AT)
    assert (identity.status, identity.ins, identity.ins_source) == (V, None, None)
    assert identity.ins_collection_method is None and identity.ins_retrieved_at is None
    identity.check_invariants()


@pytest.mark.parametrize(("status", "after"), [(P, P), (V, V)])
def test_an_insi_answer_with_an_exceptional_date_is_held_not_retrieved(
    status: IdentityStatus, after: IdentityStatus
) -> None:
    identity = make_identity(status)
    notes = identity.integrate_insi(
        _answer(birth_date="1980-00-00"), called_at=CALLED_AT, now=CALLED_AT, allow_test_oids=False
    )
    assert (identity.status, identity.ins, identity.ins_source) == (after, INS_A, InsSource.INSI)
    assert not identity.ins_confirmed and not identity.ins_to_verify
    assert any("R-TR-11" in note for note in notes)
    assert identity.ins_collection_method is CollectionMethod.INSI
    view = diffusion_view(identity, may_read_ins=True)
    assert view.ins is None
    identity.check_invariants()


def test_a_verification_ok_does_not_confirm_a_matricule_held_for_an_exceptional_date() -> None:
    identity = make_identity(V)
    identity.integrate_insi(
        _answer(birth_date="1980-03-00"), called_at=CALLED_AT, now=CALLED_AT, allow_test_oids=False
    )
    assert not identity.record_verification_ok(called_at=CALLED_AT, now=CALLED_AT)
    assert identity.status is V


def test_a_retrieval_for_an_identity_of_sex_i_is_held_not_retrieved() -> None:
    identity = make_identity(P, sex="I")
    identity.record_ins_retrieval(INS_A, now=NOW)
    assert (identity.status, identity.ins, identity.ins_confirmed) == (P, INS_A, False)
    assert any("R-TR-14" in reason for reason in identity.ins_not_confirmed_because)
    identity.check_invariants()


@pytest.mark.parametrize("changes", [{"birth_date": "1980-00-00"}, {"sex": "I"}])
def test_an_own_domain_reception_with_uncertain_traits_validates_but_never_qualifies(
    changes: dict[str, str],
) -> None:
    identity = make_identity(P, **changes)
    identity.qualify_in_domain(INS_A, Validation(DOMAIN_CHECK, None, NOW, "domaine : X"), now=NOW)
    assert (identity.status, identity.ins, identity.ins_source) == (V, INS_A, InsSource.DOMAIN)
    assert not identity.ins_confirmed
    identity.check_invariants()


def test_validating_a_retrieved_identity_with_an_uncertain_date_gives_validated_not_qualified() -> (
    None
):
    # A row stored before issue 11 (or made uncertain by a correction indicator).
    stored = make_identity(R)
    traits, _ = make_traits(birth_date="1980-03-00")
    identity = replace(stored, traits=traits)
    _validate(identity)
    assert (identity.status, identity.ins, identity.ins_confirmed) == (V, INS_A, False)
    actions = [e.action for e in identity.pop_events()]
    assert actions == [AuditAction.STATUS_CHANGED, AuditAction.IDENTITY_VALIDATED]
    identity.check_invariants()


def test_insi_calls_sending_traits_refuse_sex_i_naming_the_field_and_the_rule() -> None:
    identity = make_identity(P, sex="I")
    with pytest.raises(InvalidInput) as raised:
        identity.ensure_insi_traits_call_allowed()
    [error] = raised.value.errors
    assert (error.field, error.rule) == ("sex", "insi_sex_m_or_f")
    assert "R-TR-14" in error.message and "M ou F" in error.message
    check_insi_sex("M")


def test_the_confirmation_obstacles_name_the_field_and_the_rule() -> None:
    traits, _ = make_traits(birth_date="1980-00-12", sex="I")
    rules = {(o.field, o.rule) for o in confirmation_obstacles(traits)}
    assert rules == {("birth_date", "ins_birth_date_uncertain"), ("sex", "ins_sex_undetermined")}
    assert confirmation_obstacles(make_traits()[0]) == ()
