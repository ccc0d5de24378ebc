"""``identito audit verify`` and ``identito audit anchor``: the tamper-evident trail."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from identito.domain.errors import DomainError

audit_app = typer.Typer(help="Journal de traçabilité : intégrité et ancrage.", no_args_is_help=True)


def _cli() -> Any:
    from identito.entrypoints import cli

    return cli


@audit_app.command("verify")
def audit_verify(
    anchor: Annotated[
        Path | None,
        typer.Option(help="Ancre imprimée auparavant par « identito audit anchor » (fichier)."),
    ] = None,
) -> None:
    """Vérifier tout le journal : nomme la première ligne modifiée ou manquante de chaque
    chaîne (code de sortie 3 si le journal a été altéré)."""
    from identito.services.audit_integrity import parse_anchor, verify_audit_trail

    cli = _cli()
    container = cli._container()
    try:
        heads = parse_anchor(anchor.read_text(encoding="utf-8")) if anchor else []
        check = verify_audit_trail(
            uow=container.uow_factory(), actor=cli._operator(), rules=container.rules,
            anchor=heads,
        )  # fmt: skip
    except DomainError as error:
        cli._fail(error)
    checked = f"{check.rows} ligne(s) dans {check.chains} chaîne(s)"
    if check.intact:
        against = ", conformes à l'ancre" if anchor else ""
        cli.console.print(f"Journal intègre : {checked}{against}.")
        return
    cli.errors.print(
        f"[red]Journal altéré[/red] ({checked} lues, chaque chaîne jusqu'à son premier problème) :"
    )
    for problem in check.problems:
        cli.errors.print(f"- {problem.message}")
    raise typer.Exit(3)


@audit_app.command("anchor")
def audit_anchor_command(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Fichier à écrire (sinon affichée).")
    ] = None,
) -> None:
    """Imprimer la tête de chaque chaîne, à conserver hors de la base (verify --anchor)."""
    from identito.services.audit_integrity import audit_anchor

    cli = _cli()
    container = cli._container()
    text = audit_anchor(uow=container.uow_factory(), actor=cli._operator(), rules=container.rules)
    if output is None:
        typer.echo(text)
        return
    output.write_text(text + "\n", encoding="utf-8")
    cli.console.print(f"Ancre écrite dans {output}.")
