"""``identito verify ...``: INS verification, unit or by campaigns (Rich progress bar);
``identito mllp serve``: the HL7 v2 MLLP listener.

A campaign run is resumable: ``identito verify campaign run ID`` after a stop (even
a killed process) continues the unfinished run where it stopped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from identito.domain.errors import DomainError

verify_app = typer.Typer(help="Vérification de l'INS (unitaire, campagnes).", no_args_is_help=True)
campaign_app = typer.Typer(help="Campagnes de vérification en masse.", no_args_is_help=True)
verify_app.add_typer(campaign_app, name="campaign")
mllp_app = typer.Typer(help="Réception HL7 v2 (MLLP).", no_args_is_help=True)


def _cli():  # type: ignore[no-untyped-def]
    from identito.entrypoints import cli

    return cli


@verify_app.command("identity")
def verify_identity(
    identity_id: Annotated[UUID, typer.Argument(help="Identifiant de l'identité.")],
) -> None:
    """Verify the INS of one identity with INSi."""
    from identito.entrypoints.cli_insi import _teleservice
    from identito.services.verification import verify_ins

    cli = _cli()
    container = cli._container()
    try:
        outcome = verify_ins(
            identity_id,
            uow=container.uow_factory(),
            actor=cli._operator(),
            rules=container.rules,
            teleservice=_teleservice(container),
        )
    except DomainError as error:
        cli._fail(error)
    cli.console.print(f"Vérification INSi : [bold]{outcome.result.value}[/bold]")
    if outcome.call.message:
        cli.console.print(outcome.call.message, highlight=False)
    if outcome.entry is not None:
        cli.console.print("INS invalidé ; la cellule d'identitovigilance est alertée.")


@campaign_app.command("create")
def campaign_create(
    name: Annotated[str, typer.Option(help="Nom de la campagne.")] = "Vérification périodique",
    perimeter: Annotated[str, typer.Option(help="stale, nia ou query.")] = "stale",
    years: Annotated[int, typer.Option(help="stale : non vérifiés depuis N ans.")] = 5,
    query: Annotated[str | None, typer.Option(help="query : with-ins, qualified...")] = None,
    every: Annotated[int | None, typer.Option(help="Fréquence en jours (vide : une fois).")] = None,
    batch_size: Annotated[int, typer.Option(help="Identités par lot.")] = 500,
    unit: Annotated[bool, typer.Option("--unit", help="Appels unitaires, pas de lots.")] = False,
    rate: Annotated[float, typer.Option(help="Appels unitaires par seconde.")] = 10.0,
) -> None:
    """Create a verification campaign (the scheduler of identito serve runs it when due)."""
    from identito.services.verification_campaigns import create_campaign

    cli = _cli()
    container = cli._container()
    try:
        campaign = create_campaign(
            name=name, perimeter=perimeter, years=years, query=query, frequency_days=every,
            batch_size=batch_size, use_batch=not unit, unit_rate=rate,
            uow=container.uow_factory(), actor=cli._operator(), rules=container.rules,
        )  # fmt: skip
    except DomainError as error:
        cli._fail(error)
    cli.console.print(f"Campagne créée : {campaign.id} ({campaign.perimeter_label}).")


@campaign_app.command("run")
def campaign_run(
    campaign_id: Annotated[UUID, typer.Argument(help="Identifiant de la campagne.")],
    poll: Annotated[float, typer.Option(help="Secondes entre deux consultations d'un lot.")] = 2.0,
) -> None:
    """Run (or resume) a campaign now, with a progress bar."""
    from identito.entrypoints.cli_insi import _teleservice
    from identito.services.verification_campaigns import (
        CampaignPaused,
        RunOptions,
        open_run,
        run_campaign,
        run_progress,
    )

    cli = _cli()
    container = cli._container()
    actor, rules, uow = cli._operator(), container.rules, container.uow_factory()
    teleservice = _teleservice(container)
    try:
        run, resumed = open_run(campaign_id, uow=uow, actor=actor, rules=rules)
        before = run_progress(run.id, uow=uow, actor=actor, rules=rules)
    except DomainError as error:
        cli._fail(error)
    if resumed:
        cli.console.print(f"Reprise du passage {run.id} : {before.done}/{run.total} déjà faites.")
    columns = (TextColumn("Vérification"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=cli.console) as progress:
        task = progress.add_task("verify", total=run.total, completed=before.done)
        try:
            final = run_campaign(
                run.id, uow=uow, actor=actor, rules=rules, teleservice=teleservice,
                options=RunOptions(
                    max_in_flight=container.settings.verification_max_in_flight,
                    poll_seconds=poll,
                ),
                on_progress=lambda n: progress.advance(task, n),
            )  # fmt: skip
        except CampaignPaused as error:
            progress.stop()
            cli.errors.print(
                f"[yellow]Interrompue :[/yellow] {error.message} ; relancez pour reprendre."
            )
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            progress.stop()
            cli.errors.print(
                "[yellow]Interrompue : relancez la même commande pour reprendre.[/yellow]"
            )
            raise typer.Exit(130) from None
    _show(final)


@campaign_app.command("status")
def campaign_status() -> None:
    """List the campaigns and the progress of their latest run."""
    from identito.services.verification_campaigns import RunProgress, list_campaigns

    cli = _cli()
    container = cli._container()
    found = list_campaigns(
        uow=container.uow_factory(), actor=cli._operator(), rules=container.rules
    )
    table = Table(title="Campagnes de vérification")
    for column in ("campagne", "périmètre", "dernier passage", "fait", "OK", "KO", "erreurs"):
        table.add_column(column)
    for item in found:
        if isinstance(item, RunProgress):
            state = "terminé" if item.finished else "en cours"
            r = item.results
            table.add_row(str(item.campaign.id), item.campaign.perimeter_label,
                          f"{item.run.id} ({state})", f"{item.done}/{item.run.total}",
                          str(r["OK"]), str(r["KO"]), str(r["error"]))  # fmt: skip
        else:
            table.add_row(str(item.id), item.perimeter_label, "jamais lancé", "", "", "", "")
    cli.console.print(table)


@campaign_app.command("report")
def campaign_report_command(
    campaign_id: Annotated[UUID, typer.Argument(help="Identifiant de la campagne.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Fichier CSV.")] = Path(
        "rapport-verification.csv"
    ),
) -> None:
    """Write the CSV report of the latest run (counts, list of KO and errors)."""
    from identito.services.verification_campaigns import campaign_report, latest_run

    cli = _cli()
    container = cli._container()
    actor, rules, uow = cli._operator(), container.rules, container.uow_factory()
    try:
        progress = latest_run(campaign_id, uow=uow, actor=actor, rules=rules)
        text = campaign_report(progress.run.id, uow=uow, actor=actor, rules=rules)
    except DomainError as error:
        cli._fail(error)
    output.write_text(text, encoding="utf-8")
    cli.console.print(f"Rapport écrit : {output}")


def _show(progress: object) -> None:
    from identito.services.verification_campaigns import RunProgress

    assert isinstance(progress, RunProgress)
    table = Table(title=f"Passage {progress.run.id}")
    table.add_column("résultat")
    table.add_column("identités", justify="right")
    for result, count in progress.results.items():
        table.add_row(result, str(count))
    _cli().console.print(table)


@mllp_app.command("serve")
def mllp_serve(
    host: Annotated[str, typer.Option(help="Adresse d'écoute.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port d'écoute (MLLP).")] = 2575,
) -> None:
    """Receive HL7 v2 ADT messages over MLLP and answer an ACK per message."""
    import asyncio

    from identito.entrypoints.cli_common import guard_startup
    from identito.entrypoints.mllp import sender_notice, serve_forever

    cli = _cli()
    container = cli._container()
    guard_startup(container.settings)
    cli.console.print(f"Réception MLLP sur {host}:{port}")
    cli.console.print(sender_notice(container), highlight=False)
    asyncio.run(serve_forever(container, host, port))
