"""Setting an instance up: ``identito db``, ``demo`` and ``geography`` commands
(``user`` lives in ``cli_users``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from identito.config import Settings
from identito.entrypoints.cli_common import _container, console, errors

db_app = typer.Typer(help="Base de données.", no_args_is_help=True)
demo_app = typer.Typer(help="Données de démonstration.", no_args_is_help=True)
geography_app = typer.Typer(help="Référentiel géographique INSEE.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    from identito.adapters.migrate import upgrade_database

    settings = Settings()
    upgrade_database(settings.database_url)
    console.print("Schéma de la base à jour.")


@demo_app.command("load")
def demo_load(
    once: Annotated[bool, typer.Option(help="Ne rien faire si déjà chargé.")] = False,
    synthetic: Annotated[int, typer.Option(help="Identités synthétiques.")] = 500,
) -> None:
    """Load demo accounts and fictitious identities (test mode required)."""
    from identito.demo import DEMO_ACCOUNTS, declare_demo_sender, demo_loaded, load_demo

    container = _container()
    if not container.settings.test_mode:
        errors.print("[red]Les données de démonstration exigent IDENTITO_TEST_MODE=true.[/red]")
        raise typer.Exit(1)
    if demo_loaded(container):
        if not once:
            errors.print("[yellow]Données de démonstration déjà chargées.[/yellow]")
        if declare_demo_sender(container):
            console.print("Compte d'interface de démonstration déclaré.")
    else:
        load_demo(container, synthetic=synthetic)
        console.print("Données de démonstration chargées.")
    table = Table(title="Comptes de démonstration")
    for column in ("utilisateur", "mot de passe", "profil"):
        table.add_column(column)
    for account in DEMO_ACCOUNTS:
        table.add_row(account.username, account.password, account.role.value)
    console.print(table)


@geography_app.command("reload")
def geography_reload(
    cog_dir: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="Fichiers COG.")],
    communes_json: Annotated[Path, typer.Argument(exists=True, help="communes.json (La Poste).")],
) -> None:
    """Reload newer INSEE files into the configured geography directory."""
    from identito.geography.build import reload_from
    from identito.geography.dataset import DataSetError

    settings = Settings()
    if settings.geography_dir is None:
        errors.print("[red]Définissez IDENTITO_GEOGRAPHY_DIR (dossier des données).[/red]")
        raise typer.Exit(1)
    try:
        counts = reload_from(cog_dir, communes_json, settings.geography_dir)
    except DataSetError as error:
        errors.print(f"[red]Rechargement refusé, données inchangées :[/red] {error}")
        raise typer.Exit(1) from None
    for kind, count in counts.items():
        console.print(f"{kind} : {count}")
