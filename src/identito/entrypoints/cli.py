"""The operators' command line: ``identito --help``.

Commands only parse, call a service and render; settings come from ``IDENTITO_*``
environment variables or the TOML file named by ``IDENTITO_SETTINGS_FILE``. This
module holds the ``app`` and the top-level commands; the command groups live in
``cli_*.py`` modules, which share ``cli_common`` (re-exported here for them).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from identito.config import Settings
from identito.entrypoints.cli_audit import audit_app
from identito.entrypoints.cli_common import (
    _container,
    _fail,
    _operator,
    console,
    errors,
    guard_startup,
)
from identito.entrypoints.cli_diffusion import export, outbox_app
from identito.entrypoints.cli_duplicates import duplicates_app
from identito.entrypoints.cli_identities import identities_app
from identito.entrypoints.cli_insi import insi_app
from identito.entrypoints.cli_senders import senders_app
from identito.entrypoints.cli_setup import db_app, demo_app, geography_app
from identito.entrypoints.cli_users import user_app
from identito.entrypoints.cli_verify import mllp_app, verify_app
from identito.entrypoints.logs import install_log_redaction

__all__ = ["_container", "_fail", "_operator", "app", "console", "errors"]

app = typer.Typer(help="identito : référentiel d'identités conforme INS.", no_args_is_help=True)


@app.callback()
def main() -> None:
    """identito : référentiel d'identités conforme INS."""
    install_log_redaction()  # no matricule in any log line of any command (issue 13)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Adresse d'écoute.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port d'écoute.")] = 8000,
    workers: Annotated[int, typer.Option(help="Processus de travail.")] = 1,
    scheduler: Annotated[
        bool, typer.Option(help="Planificateur des vérifications (campagnes, NIA).")
    ] = True,
) -> None:
    """Start the web application and the API (and the verification scheduler)."""
    import uvicorn

    from identito.adapters.migrate import schema_is_current
    from identito.entrypoints.logs import LOG_CONFIG

    settings = Settings()
    guard_startup(settings)
    if not schema_is_current(settings.database_url):
        errors.print("[red]Schéma de base absent ou ancien : lancez « identito db upgrade ».[/red]")
        raise typer.Exit(1)
    console.print(f"identito sur [bold]http://{host}:{port}/[/bold] (API : /api/docs)")
    if scheduler:  # read by each worker's settings; one process at a time works (DB lease)
        os.environ.setdefault("IDENTITO_SCHEDULER_ENABLED", "true")
    uvicorn.run(
        "identito.entrypoints.api.app:app_from_settings",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=LOG_CONFIG,
        access_log=False,  # identito's own access log masks the query values
    )


@app.command("insi-simulator")
def insi_simulator(
    host: Annotated[str, typer.Option(help="Adresse d'écoute.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port d'écoute (HTTPS).")] = 8443,
    population: Annotated[
        int | None, typer.Option(help="Taille de la population synthétique.")
    ] = None,
    certs_dir: Annotated[
        Path, typer.Option(help="Dossier des certificats de test (créés au premier démarrage).")
    ] = Path("var/insi-simulator"),
) -> None:
    """Start the INSi simulator: SOAP over HTTPS with mutual TLS (test certificates)."""
    import uvicorn

    from identito.adapters.insi.simulator.certs import ensure_certificates
    from identito.adapters.insi.simulator.server import (
        PATH,
        client_environment,
        server_config,
        trusted_ca,
    )
    from identito.adapters.insi.simulator.teleservice import engine_from_settings

    settings = Settings()
    if population is not None:
        settings = settings.model_copy(update={"insi_simulator_population": population})
    certs = ensure_certificates(certs_dir)
    engine = engine_from_settings(settings, trusted_ca=trusted_ca(certs))
    url = f"https://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}{PATH}"
    console.print(f"Simulateur INSi : {len(engine.base)} personnes, {url} (TLS mutuel)")
    console.print("Réglages du client identito :")
    for name, value in client_environment(certs, url).items():
        console.print(f"  export {name}={value}", highlight=False, soft_wrap=True)
    uvicorn.Server(server_config(engine, certs, host, port)).run()


# The order of registration is the order of ``identito --help``.
app.command("export")(export)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(demo_app, name="demo")
app.add_typer(identities_app, name="identities")
app.add_typer(geography_app, name="geography")
app.add_typer(insi_app, name="insi")
app.add_typer(verify_app, name="verify")
app.add_typer(mllp_app, name="mllp")
app.add_typer(senders_app, name="senders")
app.add_typer(outbox_app, name="outbox")
app.add_typer(duplicates_app, name="duplicates")
app.add_typer(audit_app, name="audit")
