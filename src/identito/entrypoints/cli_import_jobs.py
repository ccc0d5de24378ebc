"""Import jobs on the command line: the file's digest, the resume message, the rejects
report and ``identito identities import --status`` (issue 12)."""

from __future__ import annotations

import csv
import hashlib
from datetime import datetime
from pathlib import Path

from rich import box
from rich.table import Table

from identito.bootstrap import Container
from identito.entrypoints.cli_common import _operator, console
from identito.services.import_jobs import StartedImport, import_rejects, recent_imports
from identito.services.import_records import ImportJob, ImportState

RESUME_HELP = (
    "Après une interruption (arrêt, kill -9, coupure), relancez la même commande sur le même "
    "fichier : l'import reprend après le dernier lot enregistré, sans doublon. "
    "« --status » liste les imports."
)


def file_digest(path: Path) -> str:
    """The sha256 of the file's bytes: the same file is the same job."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def announce(started: StartedImport) -> None:
    job = started.job
    if started.already_done:
        console.print(
            f"Ce fichier a déjà été importé (import terminé le {_when(job.finished_at)}) : "
            "rien n'est importé de nouveau."
        )
    elif started.resumed:
        console.print(
            f"Reprise de l'import interrompu de {job.file_name} : {job.rows_done} lignes déjà "
            f"traitées en {job.batches} lots ({job.imported} identités, {job.rejects} rejets)."
        )


def write_rejects(container: Container, job: ImportJob, path: Path) -> None:
    """The rejects report of the whole job (every run of it), one line per field error."""
    rejected = import_rejects(job, uow=container.uow_factory(), actor=_operator())
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ligne", "champ", "règle", "message"])
        for row in rejected:
            for item in row.errors:
                writer.writerow([row.line, item.field, item.rule, item.message])


def show_status(container: Container) -> None:
    """The latest jobs; fits 80 columns (file, digest and operator folded in one cell)."""
    jobs = recent_imports(uow=container.uow_factory(), actor=_operator())
    table = Table(title=f"{len(jobs)} import(s)", box=box.SIMPLE_HEAD)
    table.add_column("fichier", overflow="fold", ratio=1, min_width=12)
    table.add_column("état", no_wrap=True)
    for name in ("lignes (lots)", "identités", "rejets"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("début / fin", no_wrap=True)
    for job in jobs:
        table.add_row(
            f"{job.file_name}\n{job.file_digest[:12]}\n{job.actor}", job.state.label,
            f"{job.rows_done} ({job.batches})", str(job.imported), str(job.rejects),
            f"{_when(job.started_at)}\n{_when(job.finished_at)}",
        )  # fmt: skip
    console.print(table)
    console.print("Empreinte : début du sha256 du fichier ; heures en UTC.")
    if any(job.state is ImportState.RUNNING for job in jobs):
        console.print(RESUME_HELP)


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if at else ""
