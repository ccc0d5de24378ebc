"""What a user does to their own account, and an administrator's "end every access".

* ``change_password``: any user, with the current password (checked like a login:
  throttled, so a stolen session cannot guess it); the new one follows
  ``domain.passwords``; the user's other sessions and every API token end.
* ``revoke_access``: an administrator ends every session and token of a user.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from identito.domain.errors import FieldError, FieldErrors, InvalidInput, NotFound
from identito.domain.events import AuditAction
from identito.domain.login_throttle import LoginPolicy
from identito.domain.passwords import password_errors
from identito.domain.permissions import Actor, Permission
from identito.services.auth import AuthenticationFailed, authenticate, hash_password
from identito.services.login_throttle import LoginAttempt
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditEntry, UnitOfWork


@dataclass(frozen=True)
class EndedAccess:
    sessions: int
    tokens: int


def change_password(
    actor: Actor,
    current: str,
    new: str,
    confirmation: str,
    *,
    uow: UnitOfWork,
    rules: Rules,
    throttle: LoginPolicy,
    address: str | None = None,
    keep_session: str | None = None,
) -> EndedAccess:
    """Change the actor's own password; every other session (all but the hashed
    ``keep_session``) and every API token of the actor end (audited)."""
    errors = FieldErrors()
    errors.items.extend(password_errors(new, username=actor.username, field="new_password"))
    if new != confirmation:
        message = "La confirmation diffère du nouveau mot de passe."
        errors.add("confirmation", "confirmation_differs", message)
    if new and new == current:
        message = "Le nouveau mot de passe diffère de l'actuel."
        errors.add("new_password", "password_unchanged", message)
    now = rules.now()
    with uow:
        try:
            user = authenticate(
                LoginAttempt(actor.username, address), current, uow=uow, policy=throttle, now=now
            )
        except AuthenticationFailed:
            message = "Le mot de passe actuel est incorrect."
            wrong = FieldError("current_password", "password_wrong", message)
            raise InvalidInput([wrong, *errors.items]) from None
        errors.raise_if_any()
        uow.users.update(replace(user, password_hash=hash_password(new)))
        ended = EndedAccess(
            uow.sessions.delete_for_user(user.username, keep=keep_session),
            uow.users.delete_tokens(user.username),
        )
        uow.add_audit(
            AuditEntry(user.username, now, AuditAction.PASSWORD_CHANGED, None,
                       details={"sessions_ended": ended.sessions, "tokens_revoked": ended.tokens})
        )  # fmt: skip
        uow.commit(actor, now)
    return ended


def revoke_access(username: str, *, uow: UnitOfWork, actor: Actor, rules: Rules) -> EndedAccess:
    """End every web session and API token of ``username`` at once (audited)."""
    actor.require(Permission.USERS_ADMIN)
    now = rules.now()
    with uow:
        if uow.users.get(username) is None:
            raise NotFound(f"Utilisateur inconnu : {username}.")
        ended = EndedAccess(
            uow.sessions.delete_for_user(username), uow.users.delete_tokens(username)
        )
        uow.add_audit(
            AuditEntry(actor.username, now, AuditAction.ACCESS_REVOKED, None,
                       details={"username": username, "sessions_ended": ended.sessions,
                                "tokens_revoked": ended.tokens})
        )  # fmt: skip
        uow.commit(actor, now)
    return ended
