"""Diffusion commands: ``identito export`` and ``identito outbox send``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer

from identito.domain.diffusion import ExportFormat
from identito.domain.errors import DomainError

outbox_app = typer.Typer(help="Propagation HL7 v2 (A47, A31, A40, A28).", no_args_is_help=True)
CLI_FORMATS = ", ".join(f.value.replace(".", "-") for f in ExportFormat)


def _cli() -> Any:
    from identito.entrypoints import cli

    return cli


def export(
    identity_id: Annotated[UUID, typer.Argument(help="Identifiant de l'identité")],
    fmt: Annotated[str, typer.Option("--format", "-f", help=CLI_FORMATS)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Fichier à écrire")],
) -> None:
    """Exporter une identité (le matricule INS seulement si elle est qualifiée)."""
    from identito.messages.exports import RENDERERS
    from identito.services.diffusion import export_identity

    cli = _cli()
    container = cli._container()
    try:
        result = export_identity(
            identity_id,
            ExportFormat.parse(fmt),
            uow=container.uow_factory(),
            actor=cli._operator(),
            rules=container.rules,
            renderers=RENDERERS,
            destination=f"cli:{output.name}",
        )
    except DomainError as error:
        cli._fail(error)
        return
    output.write_bytes(result.content)
    withheld = result.view.withheld
    note = "avec le matricule INS" if withheld is None else f"sans matricule ({withheld.value})"
    size = len(result.content)
    cli.console.print(f"{output} écrit ({size} octets, {result.media_type}, {note}).")


@outbox_app.command("send")
def outbox_send(
    limit: Annotated[int, typer.Option(help="Lignes traitées au plus")] = 500,
) -> None:
    """Envoyer aux récepteurs (IDENTITO_HL7_RECEIVERS) les messages en attente."""
    from identito.bootstrap import build_hl7_receivers
    from identito.messages.hl7v2 import propagation_messages
    from identito.services.propagation import send_outbox

    cli = _cli()
    container = cli._container()
    receivers = build_hl7_receivers(container.settings)
    if not receivers:
        cli.errors.print("Aucun récepteur configuré (IDENTITO_HL7_RECEIVERS).")
        raise typer.Exit(1)
    report = send_outbox(
        uow=container.uow_factory(),  # type: ignore[arg-type]  (the SQL unit of work has an outbox)
        actor=cli._operator(),
        rules=container.rules,
        receivers=receivers,
        build=propagation_messages,
        limit=limit,
    )
    cli.console.print(f"{report.rows} ligne(s) traitée(s), {report.sent} message(s) envoyé(s).")
    for failure in report.failures:
        cli.errors.print(f"[red]Échec :[/red] {failure}")
    if report.failures:
        raise typer.Exit(2)
