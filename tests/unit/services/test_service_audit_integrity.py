"""``identito audit verify`` / ``anchor`` as use cases (issue 12, point 4): who may
run them, and the anchor an operator keeps outside the database."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from fakes import FakeAuditLog, FakeUnitOfWork, actor_with_role
from identito.domain.errors import InvalidInput, PermissionDenied
from identito.domain.permissions import Permission, Role, role_permissions
from identito.services.audit_integrity import (
    AuditCheck,
    ChainHead,
    audit_anchor,
    parse_anchor,
    verify_audit_trail,
)
from identito.services.rules import Rules

HEADS = [ChainHead(0, 0, "0" * 64), ChainHead(3, 12, "ab" * 32), ChainHead(9, 4, "cd" * 32)]


class FakeChainedLog(FakeAuditLog):
    """The integrity side of the audit log: fixed heads, and the anchor it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[Sequence[ChainHead]] = []

    def verify(self, anchor: Sequence[ChainHead]) -> AuditCheck:
        self.anchors.append(anchor)
        return AuditCheck(rows=16, chains=2)

    def heads(self) -> list[ChainHead]:
        return list(HEADS)


@pytest.fixture
def chained(uow: FakeUnitOfWork) -> FakeUnitOfWork:
    uow.audit = FakeChainedLog()  # type: ignore[assignment]
    return uow


def test_the_anchor_lists_the_non_empty_chains_and_reads_back_as_printed(
    chained: FakeUnitOfWork, rules: Rules
) -> None:
    text = audit_anchor(uow=chained, actor=actor_with_role(Role.ADMIN), rules=rules)
    assert parse_anchor(text) == HEADS[1:]
    assert rules.now().isoformat() in text


def test_verify_passes_the_anchor_to_the_storage(chained: FakeUnitOfWork, rules: Rules) -> None:
    check = verify_audit_trail(
        uow=chained, actor=actor_with_role(Role.ADMIN), rules=rules, anchor=HEADS[1:]
    )
    assert check.intact and chained.audit.anchors == [HEADS[1:]]  # type: ignore[attr-defined]


NOT_ANCHORS = ["", "{}", '{"format": "autre", "heads": []}', "[1, 2]",
               '{"format": "identito-audit-anchor/1", "heads": [{}]}']  # fmt: skip
WITHOUT_AUDIT = [r for r in Role if Permission.AUDIT_READ not in role_permissions(r)]


@pytest.mark.parametrize("text", NOT_ANCHORS)
def test_a_text_that_is_not_an_anchor_is_refused_in_french(text: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_anchor(text)
    [error] = raised.value.errors
    assert (error.field, error.rule) == ("anchor", "anchor_format")
    assert "identito audit anchor" in error.message


@pytest.mark.parametrize("role", WITHOUT_AUDIT)
def test_only_the_roles_that_read_the_audit_trail_may_verify_or_anchor_it(
    chained: FakeUnitOfWork, rules: Rules, role: Role
) -> None:
    actor = actor_with_role(role)
    with pytest.raises(PermissionDenied):
        verify_audit_trail(uow=chained, actor=actor, rules=rules)
    with pytest.raises(PermissionDenied):
        audit_anchor(uow=chained, actor=actor, rules=rules)
