"""``identito user``: create accounts, end a user's sessions and tokens, lift login locks."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer
from rich.table import Table

from identito.domain.errors import DomainError
from identito.domain.login_throttle import ThrottleKind
from identito.domain.permissions import Role
from identito.entrypoints.cli_common import _container, _fail, _operator, console, errors

user_app = typer.Typer(help="Comptes utilisateurs.", no_args_is_help=True)


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Nom d'utilisateur.")],
    role: Annotated[str, typer.Option(help=f"Profil : {', '.join(r.value for r in Role)}.")],
) -> None:
    """Create an account; the password is read from standard input."""
    from identito.services.auth import add_user

    if sys.stdin.isatty():
        password = getpass.getpass("Mot de passe : ")
        if getpass.getpass("Confirmation : ") != password:
            errors.print("[red]Les deux saisies diffèrent.[/red]")
            raise typer.Exit(1)
    else:
        password = sys.stdin.readline().rstrip("\n")
    container = _container()
    try:
        add_user(
            name,
            password,
            role,
            uow=container.uow_factory(),
            actor=_operator(),
            rules=container.rules,
        )
    except DomainError as error:
        _fail(error)
    console.print(f"Compte [bold]{name}[/bold] créé (profil {role}).")


@user_app.command("revoke")
def user_revoke(name: Annotated[str, typer.Argument(help="Nom d'utilisateur.")]) -> None:
    """End every web session and revoke every API token of a user (audited)."""
    from identito.services.accounts import revoke_access

    container = _container()
    try:
        ended = revoke_access(name, uow=container.uow_factory(), actor=_operator(),
                              rules=container.rules)  # fmt: skip
    except DomainError as error:
        _fail(error)
    console.print(
        f"{name} : {ended.sessions} session(s) fermée(s), {ended.tokens} jeton(s) révoqué(s)."
    )


@user_app.command("locks")
def user_locks() -> None:
    """List the usernames and addresses locked after too many failed logins."""
    from identito.services.login_throttle import list_locks

    container = _container()
    locks = list_locks(uow=container.uow_factory(), actor=_operator(), rules=container.rules)
    if not locks:
        console.print("Aucun identifiant ni aucune adresse bloqué.")
        return
    table = Table(title="Connexions bloquées")
    for column in ("type", "identifiant ou adresse", "échecs", "bloqué jusqu'à (UTC)"):
        table.add_column(column)
    for lock in locks:
        until = lock.locked_until.strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(lock.kind.label, lock.key, str(lock.failures), until)
    console.print(table)


@user_app.command("unlock")
def user_unlock(
    key: Annotated[str, typer.Argument(help="Identifiant (tel que saisi) ou adresse.")],
    address: Annotated[bool, typer.Option("--address", help="KEY est une adresse.")] = False,
) -> None:
    """Lift the lock of a username (or, with --address, of a client address); audited."""
    from identito.services.login_throttle import lift_lock

    kind = ThrottleKind.ADDRESS if address else ThrottleKind.ACCOUNT
    container = _container()
    try:
        lift_lock(kind, key, uow=container.uow_factory(), actor=_operator(), rules=container.rules)
    except DomainError as error:
        _fail(error)
    console.print(f"Blocage levé : {kind.label} {key}.")
