"""Web sessions: login, the actor of a session cookie, logout.

Sessions live in the database (``SessionStore``), so several ``identito serve``
processes behind a load balancer share them. A session ends after
``policy.idle`` without a request or ``policy.absolute`` after the login, whichever
comes first. Only the SHA-256 of the cookie value is stored; the CSRF token is
random, bound to the session and compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from identito.domain.events import AuditAction
from identito.domain.login_throttle import LoginPolicy
from identito.domain.permissions import Actor, Role, role_permissions
from identito.services.auth import AuthenticationFailed, authenticate
from identito.services.login_throttle import LoginAttempt
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditEntry, UnitOfWork, WebSession


class SessionExpired(AuthenticationFailed):
    """No session, an unknown one, or one past its idle or absolute limit."""


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    absolute: timedelta

    @property
    def touch_every(self) -> timedelta:
        """``last_seen_at`` is written at most this often (one write per minute, not per page)."""
        return min(timedelta(minutes=1), self.idle / 10)


@dataclass(frozen=True)
class CurrentSession:
    actor: Actor
    csrf_token: str


@dataclass(frozen=True)
class OpenedSession(CurrentSession):
    token: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    attempt: LoginAttempt,
    password: str,
    *,
    uow: UnitOfWork,
    rules: Rules,
    policy: SessionPolicy,
    throttle: LoginPolicy,
    role_overrides: Mapping[str, Sequence[str]] | None = None,
) -> OpenedSession:
    """Check the credentials (throttled) and open a session (audited)."""
    now = rules.now()
    with uow:
        user = authenticate(attempt, password, uow=uow, policy=throttle, now=now)
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        uow.sessions.delete_idle(now - policy.idle)  # housekeeping of abandoned sessions
        uow.sessions.add(WebSession(token_hash(token), user.username, csrf, now, now))
        uow.add_audit(AuditEntry(user.username, now, AuditAction.SESSION_OPENED, None))
        actor = Actor(user.username, user.role, role_permissions(user.role, role_overrides))
        uow.commit(actor, now)
    return OpenedSession(actor, csrf, token)


def session_actor(
    token: str,
    *,
    uow: UnitOfWork,
    rules: Rules,
    policy: SessionPolicy,
    role_overrides: Mapping[str, Sequence[str]] | None = None,
) -> CurrentSession:
    """The actor of a live session; an expired one is deleted and refused."""
    now = rules.now()
    hashed = token_hash(token)
    with uow:
        session = uow.sessions.get(hashed)
        if session is None:
            raise SessionExpired("Session absente ou expirée : reconnectez-vous.")
        user = uow.users.get(session.username)
        idle = now - session.last_seen_at > policy.idle
        too_old = now - session.created_at > policy.absolute
        if idle or too_old or user is None or not user.active:
            uow.sessions.delete(hashed)
            uow.commit(Actor(session.username, user.role) if user else _nobody(), now)
            raise SessionExpired("Votre session a expiré : reconnectez-vous.")
        actor = Actor(user.username, user.role, role_permissions(user.role, role_overrides))
        if now - session.last_seen_at >= policy.touch_every:
            uow.sessions.touch(hashed, now)
            uow.commit(actor, now)
    return CurrentSession(actor, session.csrf_token)


def close_session(token: str, *, uow: UnitOfWork, rules: Rules) -> None:
    """Log out: the session row is deleted (audited when it existed)."""
    now = rules.now()
    hashed = token_hash(token)
    with uow:
        session = uow.sessions.get(hashed)
        if session is None:
            return
        uow.sessions.delete(hashed)
        uow.add_audit(AuditEntry(session.username, now, AuditAction.SESSION_CLOSED, None))
        uow.commit(_nobody(), now)


def csrf_matches(expected: str, received: str | None) -> bool:
    return bool(received) and hmac.compare_digest(expected.encode(), (received or "").encode())


def _nobody() -> Actor:
    """The committer of a housekeeping write (no identity event, so never audited)."""
    return Actor("anonymous", Role.CARE)
