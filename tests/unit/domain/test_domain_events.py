"""Every change records its audit action with the identity before and after."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from fakes import INS_B, NOW, make_identity, make_traits
from identito.domain.documents import DEFAULT_DOCUMENT_TYPES
from identito.domain.events import AuditAction
from identito.domain.identity import Identity
from identito.domain.status import IdentityAttribute, IdentityStatus

P, R, V, Q = (
    IdentityStatus.PROVISIONAL,
    IdentityStatus.RETRIEVED,
    IdentityStatus.VALIDATED,
    IdentityStatus.QUALIFIED,
)
Change = Callable[[Identity], object]

CASES: list[tuple[str, IdentityStatus, Change, list[AuditAction], str]] = [
    (
        "traits",
        P,
        lambda i: i.change_traits(
            *make_traits(used_name="MARTIN"), may_change_protected=False, now=NOW
        ),
        [AuditAction.TRAITS_CHANGED],
        "used_name",
    ),
    (
        "protected-traits",
        Q,
        lambda i: i.change_traits(*make_traits(sex="F"), may_change_protected=True, now=NOW),
        [AuditAction.TRAITS_CHANGED, AuditAction.INS_INVALIDATED, AuditAction.STATUS_CHANGED],
        "sex",
    ),
    (
        "retrieval",
        P,
        lambda i: i.record_ins_retrieval(INS_B, now=NOW),
        [AuditAction.INS_RETRIEVED],
        "ins",
    ),
    (
        "ins-change",
        R,
        lambda i: i.change_ins(INS_B, may_change_protected=True, now=NOW),
        [AuditAction.INS_CHANGED],
        "ins",
    ),
    (
        "invalidation",
        R,
        lambda i: i.invalidate_ins(reason="vérification négative", now=NOW),
        [AuditAction.INS_INVALIDATED],
        "status",
    ),
    (
        "validation",
        P,
        lambda i: i.validate(
            "CN", date(2031, 1, 1), document_types=DEFAULT_DOCUMENT_TYPES, actor="a", now=NOW
        ),
        [AuditAction.IDENTITY_VALIDATED],
        "validation",
    ),
    (
        "attributes",
        Q,
        lambda i: i.change_attributes([IdentityAttribute.FICTITIOUS], [], now=NOW),
        [AuditAction.ATTRIBUTES_CHANGED],
        "attributes",
    ),
]


def test_creation_records_identity_created_with_the_new_identity() -> None:
    identity = Identity.create(*make_traits(), now=NOW)
    (event,) = identity.events
    assert (event.action, event.before) == (AuditAction.IDENTITY_CREATED, None)
    assert event.after == identity.snapshot()


@pytest.mark.parametrize(
    ("status", "operation", "actions", "key"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_every_change_records_its_audit_action_with_before_and_after(
    status: IdentityStatus, operation: Change, actions: list[AuditAction], key: str
) -> None:
    identity = make_identity(status)
    before = identity.snapshot()
    operation(identity)
    events = identity.pop_events()
    assert [e.action for e in events] == actions
    first, last = events[0], events[-1]
    assert first.before == before
    assert last.after == identity.snapshot()
    assert first.before[key] != first.after[key]  # type: ignore[index]


def test_changes_of_the_ins_or_the_status_are_marked_for_propagation() -> None:
    identity = make_identity(IdentityStatus.RETRIEVED)
    identity.change_attributes([IdentityAttribute.DOUBTFUL], [], now=NOW)
    identity.change_attributes([IdentityAttribute.HOMONYM], [], now=NOW)
    assert [e.propagate for e in identity.pop_events()] == [True, False]


@pytest.mark.parametrize(
    "operation",
    [
        lambda i: i.change_traits(*make_traits(), may_change_protected=False, now=NOW),
        lambda i: i.change_attributes([], [IdentityAttribute.HOMONYM], now=NOW),
        lambda i: i.change_ins(i.ins, may_change_protected=True, now=NOW),
    ],
    ids=["same-traits", "absent-attribute", "same-ins"],
)
def test_an_operation_that_changes_nothing_records_no_event(operation: Change) -> None:
    identity = make_identity(IdentityStatus.QUALIFIED)
    operation(identity)
    assert identity.events == []
