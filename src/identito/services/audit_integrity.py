"""Is the audit trail as it was written? ``identito audit verify`` and ``anchor``.

The storage chains every audit row to the previous one of its chain (issue 12,
point 4). ``verify_audit_trail`` walks every chain and reports, per chain, the first
row altered, missing or unlinked, rows written outside identito, and heads that do
not match; given an anchor (``audit_anchor``, printed earlier and kept elsewhere) it
also checks that each chain still holds, at the anchored position, the anchored hash,
which catches a history rewritten entirely, hashes included.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from identito.domain.errors import InvalidInput
from identito.domain.permissions import Actor, Permission
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditLog, UnitOfWork

ANCHOR_FORMAT = "identito-audit-anchor/1"


class ProblemKind(StrEnum):
    ALTERED = "altered"  # the row no longer matches its hash
    MISSING = "missing"  # rows of the chain are gone
    UNLINKED = "unlinked"  # the row does not follow the row before it (replaced)
    UNCHAINED = "unchained"  # a row no writer of identito chained
    HEAD = "head"  # the head of the chain disagrees with its last row
    ANCHOR = "anchor"  # the chain no longer holds the anchored hash


@dataclass(frozen=True)
class ChainHead:
    chain: int
    seq: int
    hash: str


@dataclass(frozen=True)
class AuditProblem:
    kind: ProblemKind
    chain: int | None
    seq: int | None
    row_id: UUID | None
    message: str  # French, names the row


@dataclass
class AuditCheck:
    rows: int = 0
    chains: int = 0
    problems: list[AuditProblem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


class IntegrityLog(AuditLog, Protocol):
    def verify(self, anchor: Sequence[ChainHead]) -> AuditCheck: ...

    def heads(self) -> list[ChainHead]: ...


class IntegrityUnitOfWork(UnitOfWork, Protocol):
    audit: IntegrityLog


def verify_audit_trail(
    *,
    uow: IntegrityUnitOfWork,
    actor: Actor,
    rules: Rules,
    anchor: Sequence[ChainHead] = (),
) -> AuditCheck:
    """Walk every chain (and check the anchor, when given)."""
    actor.require(Permission.AUDIT_READ)
    with uow:
        return uow.audit.verify(anchor)


def audit_anchor(*, uow: IntegrityUnitOfWork, actor: Actor, rules: Rules) -> str:
    """The current heads, as a text to keep outside the database."""
    actor.require(Permission.AUDIT_READ)
    with uow:
        heads = uow.audit.heads()
    return format_anchor([h for h in heads if h.seq > 0], rules.now())


def format_anchor(heads: Sequence[ChainHead], at: datetime) -> str:
    body = {"format": ANCHOR_FORMAT, "at": at.isoformat(), "heads": [asdict(h) for h in heads]}
    return json.dumps(body, indent=2)


def parse_anchor(text: str) -> list[ChainHead]:
    """Read an anchor printed by ``audit_anchor``; ``InvalidInput`` when it is not one."""
    try:
        body = json.loads(text)
        if body.get("format") != ANCHOR_FORMAT:
            raise ValueError(body.get("format"))
        return [ChainHead(int(h["chain"]), int(h["seq"]), str(h["hash"])) for h in body["heads"]]
    except (ValueError, TypeError, KeyError, AttributeError):
        raise InvalidInput.single(
            "anchor",
            "anchor_format",
            "Ancre illisible : attendu le texte de « identito audit anchor ».",
        ) from None
