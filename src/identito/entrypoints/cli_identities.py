"""Identity commands: ``identito identities import`` (CSV) and ``identito identities search``."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from identito.bootstrap import Container
from identito.domain.errors import DomainError, FieldError
from identito.domain.trait_set import MANDATORY_FIELDS
from identito.entrypoints.cli_common import _container, _fail, _operator, console, errors
from identito.entrypoints.cli_import_jobs import (
    RESUME_HELP,
    announce,
    file_digest,
    show_status,
    write_rejects,
)
from identito.services.import_jobs import StartedImport, finish_import, start_import
from identito.services.imports import ImportReport, UnreadableRow

identities_app = typer.Typer(help="Identités.", no_args_is_help=True)


def _csv_rows(path: Path, max_field_chars: int) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rows of the file; a row with a field above ``max_field_chars`` comes as an
    ``UnreadableRow`` (a reject line), the reader going on with the next line."""
    csv.field_size_limit(max_field_chars)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle, delimiter=_sniff_delimiter(path))
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error:
                yield reader.line_num + 1, UnreadableRow(_too_long(max_field_chars))
                continue
            yield reader.line_num, {k.strip(): (v or "").strip() for k, v in row.items() if k}


def _too_long(max_field_chars: int) -> FieldError:
    message = f"Ligne illisible : un champ dépasse {max_field_chars} caractères."
    return FieldError("ligne", "field_too_long", message)


def _sniff_delimiter(path: Path) -> str:
    with path.open(encoding="utf-8-sig") as handle:
        header = handle.readline()
    return ";" if header.count(";") > header.count(",") else ","


def _count_lines(path: Path) -> int:
    """Data rows (lines after the header); refuses a file that is not UTF-8 before importing."""
    number = 0
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                errors.print(
                    f"[red]{path.name}, ligne {number} : le fichier doit être encodé en UTF-8"
                    " (enregistrez-le au format « CSV UTF-8 »).[/red]"
                )
                raise typer.Exit(1) from None
    return max(number - 1, 0)


def _check_header(path: Path) -> None:
    """Refuse a file whose header lacks mandatory fields (every row would be rejected)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle, delimiter=_sniff_delimiter(path)), [])
    missing = [name for name in MANDATORY_FIELDS if name not in {h.strip() for h in header}]
    if missing:
        errors.print(
            f"[red]{path.name} : colonnes obligatoires absentes de l'en-tête : "
            f"{', '.join(missing)}.[/red]"
        )
        raise typer.Exit(1)


@identities_app.command("import", help=f"Import identities from a CSV file. {RESUME_HELP}")
def identities_import(
    file: Annotated[
        Path | None, typer.Argument(exists=True, dir_okay=False, help="Fichier CSV.")
    ] = None,
    report: Annotated[Path | None, typer.Option(help="Rapport des lignes rejetées.")] = None,
    batch_size: Annotated[int | None, typer.Option(help="Lignes par transaction.")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Processus d'import (défaut : un par cœur).")
    ] = None,
    status: Annotated[bool, typer.Option("--status", help="Lister les imports.")] = False,
) -> None:
    """Import identities from a CSV file (header: the trait field names)."""
    container = _container()
    if status:
        show_status(container)
        return
    if file is None:
        errors.print("[red]Indiquez le fichier CSV à importer (ou --status).[/red]")
        raise typer.Exit(1)
    report_path = report or file.with_name(f"{file.stem}.rejets.csv")
    total = _count_lines(file)
    _check_header(file)
    try:
        started = start_import(file_digest(file), file.name, uow=container.uow_factory(),
                               actor=_operator(), rules=container.rules)  # fmt: skip
        announce(started)
        job = started.job
        if not started.already_done:
            _import_with_progress(container, file, started, total, batch_size, workers)
            job = finish_import(job, uow=container.uow_factory(), actor=_operator(),
                                rules=container.rules)  # fmt: skip
    except DomainError as error:
        _fail(error)
    write_rejects(container, job, report_path)
    console.print(f"{job.imported} identités importées, {job.rejects} lignes rejetées.")
    if job.rejects:
        console.print(f"Rapport des rejets : {report_path}")


def _import_with_progress(
    container: Container,
    file: Path,
    started: StartedImport,
    total: int,
    batch_size: int | None,
    workers: int | None,
) -> None:
    batch = batch_size or container.settings.import_batch_size
    columns = (TextColumn("Import"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("import", total=total, completed=started.job.rows_done)
        _run_import(
            container,
            _csv_rows(file, container.settings.import_max_field_chars),
            started,
            batch_size=batch,
            workers=workers or _default_workers(total - started.job.rows_done, batch),
            on_progress=lambda n: progress.advance(task, n),
        )


def _default_workers(rows: int, batch_size: int) -> int:
    """One process per core (at most 4) when the file spans several batches."""
    return min(os.cpu_count() or 1, 4) if rows > 2 * batch_size else 1


def _run_import(
    container: Container,
    rows: Iterator[tuple[int, dict[str, Any]]],
    started: StartedImport,
    *,
    batch_size: int,
    workers: int,
    on_progress: Callable[[int], None],
) -> ImportReport:
    from identito.bootstrap import worker_context
    from identito.services.imports import import_identities, import_identities_in_parallel

    if workers <= 1:
        return import_identities(
            rows,
            uow_factory=container.uow_factory,
            actor=_operator(),
            rules=container.rules,
            batch_size=batch_size,
            on_progress=on_progress,
            job=started.job,
            committed=started.committed,
        )
    return import_identities_in_parallel(
        rows,
        setup=partial(worker_context, container.settings),
        actor=_operator(),
        workers=workers,
        batch_size=batch_size,
        on_progress=on_progress,
        job=started.job,
        committed=started.committed,
    )


@identities_app.command("search")
def identities_search(
    birth_date: Annotated[str | None, typer.Option(help="Date de naissance AAAA-MM-JJ.")] = None,
    name: Annotated[str | None, typer.Option(help="Nom de naissance ou utilisé.")] = None,
    first_name: Annotated[str | None, typer.Option(help="Prénom.")] = None,
    sex: Annotated[str | None, typer.Option(help="Sexe M, F ou I.")] = None,
    ins: Annotated[str | None, typer.Option(help="Matricule INS.")] = None,
    year: Annotated[
        str | None, typer.Option(help="Année de naissance, date inconnue (avec nom et prénom).")
    ] = None,
    born_from: Annotated[
        str | None, typer.Option("--from", help="Début de période AAAA-MM-JJ (date inconnue).")
    ] = None,
    born_to: Annotated[
        str | None, typer.Option("--to", help="Fin de période AAAA-MM-JJ (date inconnue).")
    ] = None,
) -> None:
    """Anteriority search (separate fields, closest first), or search by matricule INS."""
    from identito.services.identities import search_identities

    container = _container()
    try:
        found = search_identities(
            birth_date=birth_date,
            name=name,
            first_name=first_name,
            sex=sex,
            ins=ins,
            uow=container.uow_factory(),
            actor=_operator(),
            rules=container.rules,
            birth_year=year,
            born_from=born_from,
            born_to=born_to,
        )
    except DomainError as error:
        _fail(error)
    # Six columns fit 80-column terminals: names fold, dates and matricules are never cut.
    table = Table(title=f"{len(found)} identité(s)", box=box.SIMPLE_HEAD)
    table.add_column("nom de naissance / utilisé", overflow="fold", ratio=1)
    table.add_column("1er prénom / utilisé", overflow="fold", ratio=1)
    table.add_column("né(e) le", no_wrap=True)
    table.add_column("sexe", no_wrap=True)
    table.add_column("statut")
    table.add_column("matricule INS", no_wrap=True)
    for identity in found:
        t = identity.traits
        table.add_row(
            " / ".join(filter(None, (t.birth_name, t.used_name))),
            " / ".join(filter(None, (t.first_birth_first_name, t.used_first_name))),
            t.birth_date.raw,
            t.sex.value,
            " ".join([identity.status.value, *sorted(a.value for a in identity.attributes)]),
            str(identity.ins.number) if identity.ins else "",
        )
    console.print(table)


@identities_app.command("document-tolerance")
def document_tolerance(
    days: Annotated[
        int | None,
        typer.Option(help="Jours après l'expiration où une pièce valide encore (0 : aucun)."),
    ] = None,
) -> None:
    """Show or set the tolerance for expired identity documents (stored, audited)."""
    from identito.services.preferences import get_preferences, update_preferences

    container = _container()
    try:
        if days is not None:
            changes = {"expired_document_tolerance_days": days}
            prefs = update_preferences(changes, uow=container.uow_factory(),
                                       actor=_operator(), rules=container.rules)  # fmt: skip
        else:
            prefs = get_preferences(uow=container.uow_factory(), actor=_operator(),
                                    rules=container.rules)  # fmt: skip
    except DomainError as error:
        _fail(error)
    tolerance = prefs.expired_document_tolerance_days
    shown = f"{tolerance} jour(s) après l'expiration" if tolerance else "aucune"
    console.print(f"Tolérance pour une pièce d'identité expirée : {shown}.")
