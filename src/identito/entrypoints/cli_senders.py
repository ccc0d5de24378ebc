"""``identito senders``: the interface accounts (comptes d'interface) that may send messages.

``add`` declares one (and creates its user, role ``interface``, when there is none:
with a password read from standard input if ``--password-stdin``, for API tokens);
``change`` replaces what it is given; ``disable``/``enable``; ``list``.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from identito.domain.errors import DomainError
from identito.domain.interface_accounts import InterfaceAccount
from identito.entrypoints.cli_common import _container, _fail, _operator, console
from identito.services.interface_accounts import (
    change_interface_account,
    declare_interface_account,
    list_interface_accounts,
)

senders_app = typer.Typer(
    help="Comptes d'interface : émetteurs HL7 v2 / FHIR déclarés.", no_args_is_help=True
)

Domains = Annotated[
    list[str] | None,
    typer.Option("--domain", help="Domaine revendiqué MSH-3^MSH-4 (ex. DPI^CHU-X ; * : tout)."),
]
Addresses = Annotated[
    list[str] | None,
    typer.Option("--address", help="Adresse IP ou réseau CIDR source des connexions MLLP."),
]
Fingerprint = Annotated[
    str | None,
    typer.Option("--certificate-sha256", help="Empreinte SHA-256 du certificat client TLS."),
]
Name = Annotated[str, typer.Argument(help="Nom du compte d'interface.")]
Subject = Annotated[
    str | None,
    typer.Option("--certificate-subject", help="Sujet du certificat client (CN=…,O=…)."),
]


def _show(account: InterfaceAccount, verb: str) -> None:
    state = "actif" if account.active else "désactivé"
    console.print(
        f"Compte d'interface [bold]{account.username}[/bold] {verb} ({state}) : domaines "
        f"{', '.join(account.domains)} ; adresses {', '.join(account.addresses) or 'toutes'}.",
        highlight=False,
    )


@senders_app.command("add")
def senders_add(
    name: Name,
    domain: Domains = None,
    address: Addresses = None,
    certificate_sha256: Fingerprint = None,
    certificate_subject: Subject = None,
    password_stdin: Annotated[
        bool, typer.Option(help="Lire un mot de passe (jetons d'API) sur l'entrée standard.")
    ] = False,
) -> None:
    """Declare a sender: its domains, source addresses and/or client certificate."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    container = _container()
    try:
        account = declare_interface_account(
            name, domains=domain or [], addresses=address or [],
            certificate_sha256=certificate_sha256, certificate_subject=certificate_subject,
            password=password, uow=container.uow_factory(), actor=_operator(),
            rules=container.rules,
        )  # fmt: skip
    except DomainError as error:
        _fail(error)
    _show(account, "déclaré")


@senders_app.command("change")
def senders_change(
    name: Name,
    domain: Domains = None,
    address: Addresses = None,
    certificate_sha256: Fingerprint = None,
    certificate_subject: Subject = None,
    any_address: Annotated[
        bool, typer.Option(help="Retirer les adresses (le certificat seul identifie).")
    ] = False,
) -> None:
    """Replace the given parts of a declaration ("" removes a certificate)."""
    _change(
        name,
        domains=domain,
        addresses=[] if any_address else address,
        certificate_sha256=certificate_sha256,
        certificate_subject=certificate_subject,
    )


@senders_app.command("disable")
def senders_disable(
    name: Name,
) -> None:
    """Refuse every message of this sender from now on (MLLP and HTTP)."""
    _change(name, active=False)


@senders_app.command("enable")
def senders_enable(name: Name) -> None:
    """Accept this sender's messages again."""
    _change(name, active=True)


def _change(name: str, **changes: object) -> None:
    container = _container()
    try:
        account = change_interface_account(
            name, uow=container.uow_factory(), actor=_operator(), rules=container.rules,
            **changes,  # type: ignore[arg-type]
        )  # fmt: skip
    except DomainError as error:
        _fail(error)
    _show(account, "modifié")


@senders_app.command("list")
def senders_list() -> None:
    """The declared senders."""
    container = _container()
    try:
        accounts = list_interface_accounts(uow=container.uow_factory(), actor=_operator())
    except DomainError as error:
        _fail(error)
    table = Table(title="Comptes d'interface")
    for column in ("compte", "domaines", "adresses", "certificat", "état"):
        table.add_column(column)
    for a in accounts:
        certificate = a.certificate_subject or a.certificate_sha256 or "—"
        table.add_row(
            a.username, ", ".join(a.domains), ", ".join(a.addresses) or "toutes",
            certificate, "actif" if a.active else "désactivé",
        )  # fmt: skip
    console.print(table)
