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
STATES = {ImportState.RUNNING: "interrompu ou en cours", ImportState.DONE: "terminé"}


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
    jobs = recent_imports(uow=container.uow_factory(), actor=_operator())
    table = Table(title=f"{len(jobs)} import(s)", box=box.SIMPLE_HEAD)
    for name in ("fichier", "empreinte", "état", "lots", "lignes", "importées", "rejets"):
        table.add_column(name, overflow="fold")
    for name in ("début", "fin", "par"):
        table.add_column(name, overflow="fold")
    for job in jobs:
        table.add_row(
            job.file_name, job.file_digest[:12], STATES[job.state], str(job.batches),
            str(job.rows_done), str(job.imported), str(job.rejects), _when(job.started_at),
            _when(job.finished_at), job.actor,
        )  # fmt: skip
    console.print(table)
    if any(job.state is ImportState.RUNNING for job in jobs):
        console.print(RESUME_HELP)


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S UTC") if at else ""
