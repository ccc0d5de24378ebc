"""What every ``identito`` command shares: the consoles, the container, the operator.

Commands only parse, call a service and render; settings come from ``IDENTITO_*``
environment variables or the TOML file named by ``IDENTITO_SETTINGS_FILE``.
"""

from __future__ import annotations

import getpass
import logging

import typer
from rich.console import Console

from identito.bootstrap import Container, bootstrap
from identito.config import Settings
from identito.domain.errors import DomainError, InvalidInput
from identito.domain.permissions import Actor, Role, role_permissions
from identito.entrypoints.logs import configure_logging
from identito.entrypoints.startup_checks import startup_refusals, startup_warnings

console = Console()
errors = Console(stderr=True)


def _container() -> Container:
    return bootstrap(Settings())


def _operator() -> Actor:
    """The operator running the CLI: audited under their system account name."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # a container's uid with no passwd entry and no $USER
        name = "inconnu"
    return Actor(f"cli:{name}", Role.ADMIN, role_permissions(Role.ADMIN))


def _fail(error: DomainError) -> None:
    if isinstance(error, InvalidInput):
        for item in error.errors:
            errors.print(f"[red]{item.field}[/red] : {item.message}")
    else:
        errors.print(f"[red]Erreur :[/red] {error.message}")
    raise typer.Exit(1)


def guard_startup(settings: Settings) -> None:
    """Before a server listens: logging configured (``logs.LOG_CONFIG``), exit 1 on a
    refusal (the simulated INSi outside test mode), each warning logged (issue 13)."""
    configure_logging()
    refusals = startup_refusals(settings)
    for message in refusals:
        errors.print(f"[red]{message}[/red]", highlight=False)
    if refusals:
        raise typer.Exit(1)
    for message in startup_warnings(settings):
        logging.getLogger("identito.startup").warning("%s", message)
