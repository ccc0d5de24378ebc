"""Declaring interface accounts (comptes d'interface): the senders of HL7 v2 and FHIR messages.

An administrator (``users:admin``) declares, changes, lists and disables them; each
change is audited (``interface_account.declared`` / ``.changed``, before and after).
Declaring a sender that has no user yet creates it, role ``interface``: with a
password when it will ask for API tokens (HTTP, FHIR), else with none (MLLP only:
no login is possible). The rules of a declaration are ``domain.interface_accounts``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from identito.domain.errors import FieldErrors, InvalidInput, NotFound
from identito.domain.events import AuditAction
from identito.domain.interface_accounts import InterfaceAccount
from identito.domain.passwords import password_errors
from identito.domain.permissions import Actor, Permission, Role
from identito.services.auth import hash_password
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditEntry, UnitOfWork, User

#: The password hash of an account that never logs in (``verify_password`` refuses it).
NO_PASSWORD = "none$$"
#: ``None``: unchanged; ``""``: removed (a certificate); a value: replaced.
Unchanged = None


def declare_interface_account(
    username: str,
    *,
    domains: Sequence[str],
    addresses: Sequence[str] = (),
    certificate_sha256: str | None = None,
    certificate_subject: str | None = None,
    password: str | None = None,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
) -> InterfaceAccount:
    actor.require(Permission.USERS_ADMIN)
    username = username.strip()
    if not username:
        raise InvalidInput.single("username", "required", "Le nom du compte est obligatoire.")
    if password is not None:  # the rules of every password (length, common ones)
        errors = FieldErrors()
        errors.items.extend(password_errors(password, username=username))
        errors.raise_if_any()
    account = InterfaceAccount.declare(
        username,
        domains=domains,
        addresses=addresses,
        certificate_sha256=certificate_sha256,
        certificate_subject=certificate_subject,
    )
    now = rules.now()
    with uow:
        user = uow.users.get(username)
        if user is not None and user.role is not Role.INTERFACE:
            message = (
                f"Le compte « {username} » a le profil {user.role.value} : un compte "
                f"d'interface a le profil {Role.INTERFACE.value} (réception seulement)."
            )
            raise InvalidInput.single("username", "role_not_interface", message)
        if uow.interface_accounts.get(username) is not None:
            message = f"Le compte d'interface « {username} » est déjà déclaré : modifiez-le."
            raise InvalidInput.single("username", "already_declared", message)
        if user is None:
            hashed = hash_password(password) if password is not None else NO_PASSWORD
            uow.users.add(User(username, Role.INTERFACE, hashed))
        uow.interface_accounts.save(account, by=actor.username, at=now)
        uow.add_audit(
            AuditEntry(
                actor.username,
                now,
                AuditAction.INTERFACE_ACCOUNT_DECLARED,
                None,
                None,
                account_dict(account),
            )
        )
        uow.commit(actor, now)
    return account


def change_interface_account(
    username: str,
    *,
    domains: Sequence[str] | None = Unchanged,
    addresses: Sequence[str] | None = Unchanged,
    certificate_sha256: str | None = Unchanged,
    certificate_subject: str | None = Unchanged,
    active: bool | None = Unchanged,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
) -> InterfaceAccount:
    """Change what is given (``""`` removes a certificate); disabling (``active=False``)
    refuses the sender's next message, over MLLP and HTTP alike."""
    actor.require(Permission.USERS_ADMIN)
    now = rules.now()
    with uow:
        before = uow.interface_accounts.get(username)
        if before is None:
            raise NotFound(f"Compte d'interface inconnu : {username}.")
        after = InterfaceAccount.declare(
            username,
            domains=before.domains if domains is None else domains,
            addresses=before.addresses if addresses is None else addresses,
            certificate_sha256=_kept(before.certificate_sha256, certificate_sha256),
            certificate_subject=_kept(before.certificate_subject, certificate_subject),
            active=before.active if active is None else active,
        )
        if after == before:
            return before
        uow.interface_accounts.save(after, by=actor.username, at=now)
        action = AuditAction.INTERFACE_ACCOUNT_CHANGED
        before_dict, after_dict = account_dict(before), account_dict(after)
        uow.add_audit(AuditEntry(actor.username, now, action, None, before_dict, after_dict))
        uow.commit(actor, now)
    return after


def disable_interface_account(
    username: str, *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> InterfaceAccount:
    return change_interface_account(username, active=False, uow=uow, actor=actor, rules=rules)


def list_interface_accounts(*, uow: UnitOfWork, actor: Actor) -> list[InterfaceAccount]:
    actor.require(Permission.USERS_ADMIN)
    with uow:
        return uow.interface_accounts.list()


def account_dict(account: InterfaceAccount) -> dict[str, object]:
    data = asdict(account)
    data["domains"], data["addresses"] = list(account.domains), list(account.addresses)
    return data


def _kept(current: str | None, given: str | None) -> str | None:
    if given is None:
        return current
    return given or None
