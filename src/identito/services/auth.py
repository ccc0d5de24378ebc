"""Users, passwords and API tokens.

Passwords are hashed with scrypt (stdlib). Tokens are random, stored hashed in
the database with their expiry, so any ``identito serve`` process behind a load
balancer accepts them and they can be revoked. Every check of a password goes
through ``authenticate``: throttled per account and per address
(``services.login_throttle``), one scrypt whether the user exists or not.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from identito.domain.errors import DomainError, FieldErrors, InvalidInput, NotFound
from identito.domain.events import AuditAction
from identito.domain.login_throttle import LoginPolicy
from identito.domain.passwords import password_errors
from identito.domain.permissions import Actor, Permission, Role, role_permissions
from identito.services.login_throttle import (
    LoginAttempt,
    forget_account,
    record_failure,
    refuse_if_throttled,
)
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditEntry, Token, UnitOfWork, User

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
#: Checked against when the user is unknown, inactive or its hash unreadable: every
#: login runs exactly one scrypt, so the answer time tells nothing of the account.
_DUMMY_HASH = (  # of no password anyone types; a well-formed scrypt hash of our parameters
    "scrypt$6964656e7469746f2d64756d6d792121$f7cd8999cf7cd9514eae588aa9a22a4727631af9f2599f3b"
    "03aeb1dc4442cdaf05f490ad5812edbd421f89bf95f7b8c31d607bdb5eb0bfc3701bb7fb90a313f2"
)
SYSTEM = Actor("system", Role.ADMIN, role_permissions(Role.ADMIN))


class AuthenticationFailed(DomainError):
    """Unknown user, wrong password, unknown or expired token (HTTP 401)."""


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def _parsed(stored: str) -> tuple[bytes, str] | None:
    try:
        scheme, salt, digest = stored.split("$")
        salt_bytes = bytes.fromhex(salt)
    except ValueError:  # a corrupted stored hash is a failed login, not a crash
        return None
    return (salt_bytes, digest) if scheme == "scrypt" else None


def verify_password(password: str, stored: str) -> bool:
    """Exactly one scrypt, even for a malformed ``stored`` (then False)."""
    parsed = _parsed(stored)
    salt, digest = parsed or _parsed(_DUMMY_HASH) or (b"", "")
    candidate = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return parsed is not None and hmac.compare_digest(candidate.hex(), digest)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(
    username: str, password: str, role: str, *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> User:
    actor.require(Permission.USERS_ADMIN)
    errors = FieldErrors()
    if not username.strip():
        errors.add("username", "required", "Le nom d'utilisateur est obligatoire.")
    errors.items.extend(password_errors(password, username=username.strip()))
    try:
        parsed_role = Role(role)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        errors.add("role", "role_unknown", f"Profil inconnu « {role} » ; profils : {known}.")
    errors.raise_if_any()
    user = User(username.strip(), parsed_role, hash_password(password))
    with uow:
        if uow.users.get(user.username) is not None:
            message = "Ce nom d'utilisateur existe déjà."
            raise InvalidInput.single("username", "username_taken", message)
        uow.users.add(user)
        now = rules.now()
        created = _user_dict(user)
        uow.add_audit(
            AuditEntry(actor.username, now, AuditAction.USER_CREATED, None, None, created)
        )
        uow.commit(actor, now)
    return user


def _user_dict(user: User) -> dict[str, object]:
    return {"username": user.username, "role": user.role.value, "active": user.active}


def authenticate(
    attempt: LoginAttempt, password: str, *, uow: UnitOfWork, policy: LoginPolicy, now: datetime
) -> User:
    """The active user with these credentials, inside an open unit of work.

    A throttled attempt raises ``LoginThrottled`` before any check; a failure is
    counted and committed at once, then raises ``AuthenticationFailed``; a success
    clears the failures of the account (written with the caller's commit).
    """
    refuse_if_throttled(attempt, uow=uow, policy=policy, now=now)
    user = uow.users.get(attempt.username)
    stored = user.password_hash if user is not None and user.active else _DUMMY_HASH
    if not verify_password(password, stored) or user is None or not user.active:
        record_failure(attempt, uow=uow, policy=policy, now=now)
        uow.commit(SYSTEM, now)
        raise AuthenticationFailed("Identifiant ou mot de passe incorrect.")
    forget_account(attempt, uow=uow)
    return user


def list_users(*, uow: UnitOfWork, actor: Actor) -> list[User]:
    actor.require(Permission.USERS_ADMIN)
    with uow:
        return uow.users.list()


def change_user(
    username: str,
    *,
    role: str | None = None,
    active: bool | None = None,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
) -> User:
    """Change the role of a user and/or (de)activate the account (audited).

    A deactivated user's web sessions and API tokens end at once; an administrator cannot
    change or deactivate their own account (another administrator must).
    """
    actor.require(Permission.USERS_ADMIN)
    parsed_role = None
    if role is not None:
        try:
            parsed_role = Role(role)
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise InvalidInput.single(
                "role", "role_unknown", f"Profil inconnu « {role} » ; profils : {known}."
            ) from None
    if username == actor.username:
        message = "Un administrateur ne modifie pas son propre compte : demandez à un autre."
        raise InvalidInput.single("username", "own_account", message)
    now = rules.now()
    with uow:
        user = uow.users.get(username)
        if user is None:
            raise NotFound(f"Utilisateur inconnu : {username}.")
        changed = replace(
            user,
            role=parsed_role or user.role,
            active=user.active if active is None else active,
        )
        if changed == user:
            return user
        uow.users.update(changed)
        if not changed.active:
            uow.sessions.delete_for_user(username)
            uow.users.delete_tokens(username)
        uow.add_audit(
            AuditEntry(
                actor.username, now, AuditAction.USER_CHANGED, None,
                _user_dict(user), _user_dict(changed),
            )
        )  # fmt: skip
        uow.commit(actor, now)
    return changed


def issue_token(
    attempt: LoginAttempt,
    password: str,
    *,
    uow: UnitOfWork,
    rules: Rules,
    ttl: timedelta,
    policy: LoginPolicy,
) -> str:
    """Check the credentials (throttled) and return a new bearer token."""
    now = rules.now()
    with uow:
        user = authenticate(attempt, password, uow=uow, policy=policy, now=now)
        token = secrets.token_urlsafe(32)
        uow.users.delete_tokens(user.username, expired_at=now)  # housekeeping
        uow.users.add_token(Token(_token_hash(token), user.username, now + ttl))
        uow.commit(Actor(user.username, user.role), now)
    return token


def revoke_token(token: str, *, uow: UnitOfWork, rules: Rules) -> None:
    """``DELETE /api/v1/auth/token``: the bearer ends its own token (audited)."""
    now = rules.now()
    with uow:
        stored = uow.users.get_token(_token_hash(token))
        if stored is None or not uow.users.delete_token(stored.token_hash):
            raise AuthenticationFailed("Jeton absent, inconnu ou expiré : reconnectez-vous.")
        uow.add_audit(AuditEntry(stored.username, now, AuditAction.TOKEN_REVOKED, None))
        uow.commit(SYSTEM, now)


def actor_for_token(
    token: str,
    *,
    uow: UnitOfWork,
    rules: Rules,
    role_overrides: Mapping[str, Sequence[str]] | None = None,
) -> Actor:
    with uow:
        stored = uow.users.get_token(_token_hash(token))
        if stored is None or stored.expires_at <= rules.now():
            raise AuthenticationFailed("Jeton absent, inconnu ou expiré : reconnectez-vous.")
        user = uow.users.get(stored.username)
    if user is None or not user.active:
        raise AuthenticationFailed("Compte désactivé.")
    return Actor(user.username, user.role, role_permissions(user.role, role_overrides))
