"""Users, passwords and API tokens.

Passwords are hashed with scrypt (stdlib). Tokens are random, stored hashed in
the database with their expiry, so any ``identito serve`` process behind a load
balancer accepts them and they can be revoked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import timedelta

from identito.domain.errors import DomainError, FieldErrors, InvalidInput, NotFound
from identito.domain.permissions import Actor, Permission, Role, role_permissions
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditEntry, Token, UnitOfWork, User

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
SYSTEM = Actor("system", Role.ADMIN, role_permissions(Role.ADMIN))


class AuthenticationFailed(DomainError):
    """Unknown user, wrong password, unknown or expired token (HTTP 401)."""


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    try:
        salt_bytes = bytes.fromhex(salt)
    except ValueError:  # a corrupted stored hash is a failed login, not a crash
        return False
    candidate = hashlib.scrypt(password.encode(), salt=salt_bytes, **_SCRYPT)
    return hmac.compare_digest(candidate.hex(), digest)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(
    username: str, password: str, role: str, *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> User:
    actor.require(Permission.USERS_ADMIN)
    errors = FieldErrors()
    if not username.strip():
        errors.add("username", "required", "Le nom d'utilisateur est obligatoire.")
    if len(password) < 8:
        errors.add("password", "password_length", "Le mot de passe compte au moins 8 caractères.")
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
        uow.add_audit(AuditEntry(actor.username, now, USER_CREATED, None, None, _user_dict(user)))
        uow.commit(actor, now)
    return user


USER_CREATED = "user.created"
USER_CHANGED = "user.changed"


def _user_dict(user: User) -> dict[str, object]:
    return {"username": user.username, "role": user.role.value, "active": user.active}


def authenticate(username: str, password: str, *, uow: UnitOfWork) -> User:
    """The active user with these credentials, inside an open unit of work."""
    user = uow.users.get(username)
    if user is None or not user.active or not verify_password(password, user.password_hash):
        raise AuthenticationFailed("Identifiant ou mot de passe incorrect.")
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

    A deactivated user's web sessions end at once; an administrator cannot
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
        uow.add_audit(
            AuditEntry(
                actor.username, now, USER_CHANGED, None, _user_dict(user), _user_dict(changed)
            )
        )
        uow.commit(actor, now)
    return changed


def issue_token(
    username: str, password: str, *, uow: UnitOfWork, rules: Rules, ttl: timedelta
) -> str:
    """Check the credentials and return a new bearer token."""
    with uow:
        user = uow.users.get(username)
        if user is None or not user.active or not verify_password(password, user.password_hash):
            raise AuthenticationFailed("Identifiant ou mot de passe incorrect.")
        token = secrets.token_urlsafe(32)
        uow.users.add_token(Token(_token_hash(token), user.username, rules.now() + ttl))
        uow.commit(Actor(user.username, user.role), rules.now())
    return token


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
