"""``identito insi ...``: INS recovery from the command line, worklists with a progress bar.

Commands only parse, call a service and render. The teleservice is the one the
settings choose (``IDENTITO_INSI_BACKEND``: the simulator by default).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from identito.domain.errors import DomainError
from identito.domain.insi import InsiOutcome
from identito.services.insi_records import Decision
from identito.services.teleservice import CallMode

if TYPE_CHECKING:
    from identito.bootstrap import Container
    from identito.services.insi import RecoveryResult
    from identito.services.insi_worklist import WorklistProgress
    from identito.services.teleservice import Teleservice

insi_app = typer.Typer(help="Téléservice INSi : récupération de l'INS.", no_args_is_help=True)


def _cli():  # type: ignore[no-untyped-def]
    from identito.entrypoints import cli

    return cli


def _teleservice(container: Container) -> Teleservice:
    if container.teleservice is None:
        _cli().errors.print("[red]Aucun téléservice INSi n'est configuré.[/red]")
        raise typer.Exit(1)
    return container.teleservice


@insi_app.command("recover")
def recover(
    identity_id: Annotated[UUID, typer.Argument(help="Identifiant de l'identité.")],
    mode: Annotated[str, typer.Option(help="traits ou card (carte Vitale).")] = "traits",
    nir: Annotated[str | None, typer.Option(help="NIR du titulaire de la carte.")] = None,
    birth_date: Annotated[str | None, typer.Option(help="Date de naissance (carte).")] = None,
    rank: Annotated[int | None, typer.Option(help="Rang du bénéficiaire (carte).")] = None,
) -> None:
    """Recover the INS of one identity and show the comparison."""
    from identito.services.insi import recover_ins

    cli = _cli()
    container = cli._container()
    card = {"nir": nir, "birth_date": birth_date, "rank": rank} if mode == CallMode.CARD else None
    try:
        result = recover_ins(
            identity_id,
            mode=mode,
            card=card,
            uow=container.uow_factory(),
            actor=cli._operator(),
            rules=container.rules,
            teleservice=_teleservice(container),
        )
    except DomainError as error:
        cli._fail(error)
    _show(result, identity_id)


@insi_app.command("accept")
def accept(
    identity_id: Annotated[UUID, typer.Argument(help="Identifiant de l'identité.")],
    call_id: Annotated[UUID, typer.Argument(help="Identifiant de l'appel INSi.")],
) -> None:
    """Integrate the INSi traits of a call waiting for confirmation."""
    from identito.services.insi import accept_insi_call

    cli = _cli()
    container = cli._container()
    try:
        result = accept_insi_call(
            identity_id,
            call_id,
            uow=container.uow_factory(),
            actor=cli._operator(),
            rules=container.rules,
        )
    except DomainError as error:
        cli._fail(error)
    status = result.identity.status.value if result.identity else "?"
    cli.console.print(f"Traits INSi intégrés : statut {status}.")


@insi_app.command("reject")
def reject(
    identity_id: Annotated[UUID, typer.Argument(help="Identifiant de l'identité.")],
    call_id: Annotated[UUID, typer.Argument(help="Identifiant de l'appel INSi.")],
    reason: Annotated[str | None, typer.Option(help="Motif du refus.")] = None,
) -> None:
    """Refuse the INSi identity of a call waiting for confirmation."""
    from identito.services.insi import reject_insi_call

    cli = _cli()
    container = cli._container()
    try:
        reject_insi_call(
            identity_id,
            call_id,
            reason=reason,
            uow=container.uow_factory(),
            actor=cli._operator(),
            rules=container.rules,
        )
    except DomainError as error:
        cli._fail(error)
    cli.console.print("Identité INSi refusée ; rien n'est intégré.")


def _show(result: RecoveryResult, identity_id: UUID) -> None:
    console = _cli().console
    call = result.call
    console.print(
        f"Résultat INSi : [bold]{call.outcome.label}[/bold], {len(result.calls)} appel(s)."
    )
    if call.message and call.outcome is not InsiOutcome.FOUND:
        code = f" [{call.error_code}]" if call.error_code else ""
        console.print(f"{call.message}{code}", highlight=False)
    if result.comparison is not None:
        table = Table(title=f"Comparaison (ressemblance {result.comparison.similarity:.2f})")
        for column in ("trait", "local", "INSi", ""):
            table.add_column(column)
        for field in result.comparison.fields:
            mark = "[red]différent[/red]" if field.differs else ""
            table.add_row(field.field, field.local or "", field.insi or "", mark)
        console.print(table)
    for warning in result.warnings:
        console.print(f"[yellow]Attention :[/yellow] {warning}", highlight=False)
    if call.applied:
        status = result.identity.status.value if result.identity else ""
        console.print(f"Traits INSi intégrés : statut {status}.")
    elif call.decision is not None and call.decision is Decision.PENDING:
        console.print(
            "En attente de confirmation : "
            f"identito insi accept {identity_id} {call.id} (ou reject).",
            highlight=False,
        )


def _read_ids(path: Path) -> list[UUID]:
    """Identity ids from the first column (or the ``id`` column) of a CSV file."""
    ids, bad = [], []
    for line, cell in _data_rows(path):
        try:
            ids.append(UUID(cell))
        except ValueError:
            bad.append(line)
    if bad:
        shown = ", ".join(map(str, bad[:10]))
        _cli().errors.print(f"[red]{path.name} : identifiant invalide ligne(s) {shown}.[/red]")
        raise typer.Exit(1)
    return ids


def _data_rows(path: Path) -> list[tuple[int, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        sample = handle.readline()
        handle.seek(0)
        reader = csv.reader(handle, delimiter=";" if sample.count(";") > sample.count(",") else ",")
        rows = [(reader.line_num, row) for row in reader if row and any(c.strip() for c in row)]
    if not rows:
        return []
    header = [c.strip().lower() for c in rows[0][1]]
    column = header.index("id") if "id" in header else 0
    start = 1 if header and not _is_uuid(rows[0][1][column]) else 0
    return [(line, row[column].strip()) for line, row in rows[start:]]


def _is_uuid(value: str) -> bool:
    try:
        UUID(value.strip())
    except ValueError:
        return False
    return True


@insi_app.command("worklist")
def worklist(
    file: Annotated[
        Path | None,
        typer.Argument(exists=True, dir_okay=False, help="CSV des identifiants (colonne id)."),
    ] = None,
    query: Annotated[
        str | None, typer.Option(help="Requête enregistrée : without-ins (PROV/VALI sans INS).")
    ] = None,
    label: Annotated[str | None, typer.Option(help="Libellé de la liste.")] = None,
) -> None:
    """Recover the INS of a list of identities, one by one; rerun to resume after a stop."""
    from identito.services.insi_worklist import open_worklist, run_worklist, worklist_progress

    cli = _cli()
    if (file is None) == (query is None):
        cli.errors.print("[red]Donnez soit un fichier CSV, soit --query.[/red]")
        raise typer.Exit(1)
    container = cli._container()
    actor, rules, uow = cli._operator(), container.rules, container.uow_factory()
    teleservice = _teleservice(container)
    ids = _read_ids(file) if file is not None else None
    try:
        opened, resumed = open_worklist(
            identity_ids=ids, query=query, label=label, uow=uow, actor=actor, rules=rules
        )
        before = worklist_progress(opened.id, uow=uow, actor=actor, rules=rules)
    except DomainError as error:
        cli._fail(error)
    if resumed:
        cli.console.print(
            f"Reprise de la liste « {opened.label} » : "
            f"{before.processed}/{opened.total} déjà traitées."
        )
    with Progress(
        TextColumn("INSi"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=cli.console,
    ) as progress:
        task = progress.add_task("insi", total=opened.total, completed=before.processed)
        try:
            final = run_worklist(
                opened.id,
                uow=uow,
                actor=actor,
                rules=rules,
                teleservice=teleservice,
                on_item=lambda item: progress.advance(task),
            )
        except KeyboardInterrupt:
            progress.stop()
            cli.errors.print(
                "[yellow]Interrompu : relancez la même commande pour reprendre "
                "(aucune identité déjà traitée ne sera rappelée).[/yellow]"
            )
            raise typer.Exit(130) from None
        except DomainError as error:
            cli._fail(error)
    _summary(final)


def _summary(progress: WorklistProgress) -> None:
    console = _cli().console
    table = Table(title=f"Liste de travail {progress.worklist.id}")
    table.add_column("résultat")
    table.add_column("identités", justify="right")
    for outcome, count in sorted(progress.outcomes.items()):
        table.add_row(InsiOutcome(outcome).label, str(count))
    failed = progress.states.get("failed", 0)
    if failed:
        table.add_row("refusées avant appel", str(failed))
    table.add_row("INS intégrés", str(progress.applied))
    console.print(table)
