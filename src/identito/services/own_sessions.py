"""A user's own web sessions, as « Mon compte » lists them, and closing the others.

Sessions live in the database (``SessionStore``), so the list is the same whichever
``identito serve`` process answers. A session is shown by a short reference (the start
of the hash of its cookie: the cookie itself is never stored); the session of the
request is marked as the current one and is never closed from this page (« Se
déconnecter » does that).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from identito.domain.errors import NotFound
from identito.domain.events import AuditAction
from identito.domain.permissions import Actor
from identito.services.rules import Rules
from identito.services.sessions import SessionPolicy
from identito.services.unit_of_work import AuditEntry, UnitOfWork, WebSession

#: Characters of the session hash shown as its reference (64 bits: no two sessions of
#: one user share it in practice; a clash only closes both, never someone else's).
REFERENCE_LENGTH = 16


@dataclass(frozen=True)
class ActiveSession:
    reference: str
    created_at: datetime
    last_seen_at: datetime
    current: bool


def _live(session: WebSession, now: datetime, policy: SessionPolicy) -> bool:
    return now - session.last_seen_at <= policy.idle and now - session.created_at <= policy.absolute


def active_sessions(
    actor: Actor, *, current: str, uow: UnitOfWork, rules: Rules, policy: SessionPolicy
) -> list[ActiveSession]:
    """The live sessions of the actor (``current``: the hash of the request's cookie),
    the current one first, then the most recently used."""
    now = rules.now()
    with uow:
        stored = uow.sessions.for_user(actor.username)
    listed = [
        ActiveSession(s.token_hash[:REFERENCE_LENGTH], s.created_at, s.last_seen_at,
                      s.token_hash == current)
        for s in stored if _live(s, now, policy) or s.token_hash == current
    ]  # fmt: skip
    listed.sort(key=lambda s: s.last_seen_at, reverse=True)
    listed.sort(key=lambda s: not s.current)
    return listed


def close_other_sessions(
    actor: Actor,
    *,
    current: str,
    uow: UnitOfWork,
    rules: Rules,
    reference: str | None = None,
) -> int:
    """Close the actor's sessions other than ``current``: all of them, or the one whose
    reference is ``reference``. Audited (``session.own_closed``); the number closed."""
    now = rules.now()
    with uow:
        others = [s for s in uow.sessions.for_user(actor.username) if s.token_hash != current]
        if reference is not None:
            others = [s for s in others if s.token_hash[:REFERENCE_LENGTH] == reference]
            if not others:
                raise NotFound("Cette session est déjà fermée.")
        for session in others:
            uow.sessions.delete(session.token_hash)
        uow.add_audit(
            AuditEntry(actor.username, now, AuditAction.OWN_SESSIONS_CLOSED, None,
                       details={"sessions_ended": len(others), "one": reference is not None})
        )  # fmt: skip
        uow.commit(actor, now)
    return len(others)
