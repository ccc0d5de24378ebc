"""``identito duplicates ...``: the batch scan, the review worklist, decisions, collisions.

Commands only parse, call a service and render. The operator acts as an admin
(``cli:<system account>``), so every decision is audited under that name.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import typer
from rich import box
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from identito.domain.errors import DomainError

duplicates_app = typer.Typer(
    help="Doublons potentiels : recherche, liste de travail, décisions, collisions.",
    no_args_is_help=True,
)


def _cli():  # type: ignore[no-untyped-def]
    from identito.entrypoints import cli

    return cli


def _progress(label: str) -> Progress:
    return Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=_cli().console,
    )  # fmt: skip


@duplicates_app.command("scan")
def scan(
    threshold: Annotated[
        float | None,
        typer.Option(help="Score minimal (0 à 1) ; par défaut le réglage de l'établissement."),
    ] = None,
) -> None:
    """Score the whole active base (blocking) and fill the review worklist."""
    from identito.services.duplicate_reviews import run_scan
    from identito.services.duplicate_scan import scan_pairs

    cli = _cli()
    container = cli._container()
    with _progress("Paires comparées") as progress:
        task = progress.add_task("scan", total=None)
        try:
            used, summary = run_scan(
                uow_factory=container.uow_factory,
                actor=cli._operator(),
                rules=container.rules,
                scan=scan_pairs,
                threshold=threshold,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
        except DomainError as error:
            cli._fail(error)
    cli.console.print(
        f"Seuil {used:.2f} : {summary.found} paire(s) trouvée(s), {summary.new} nouvelle(s), "
        f"{summary.reopened} à revoir (traits modifiés), {summary.refreshed} déjà en attente, "
        f"{summary.already_decided} déjà décidée(s)."
    )


@duplicates_app.command("estimate")
def estimate() -> None:
    """Estimate the model's parameters on the base (m, u, prior, name frequencies)."""
    from identito.services.duplicate_scan import estimate_model

    cli = _cli()
    container = cli._container()
    with _progress("Estimation") as progress:
        task = progress.add_task("estimate", total=None)
        parameters = estimate_model(
            container.uow_factory(),
            actor=cli._operator(),
            rules=container.rules,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    cli.console.print(f"Modèle estimé et enregistré (a priori {parameters.prior:.2f}).")


@duplicates_app.command("list")
def list_pairs(
    status: Annotated[
        str,
        typer.Option(help="pending, duplicate, not_duplicate, homonym, collision, merged, all."),
    ] = "pending",
    page: Annotated[int, typer.Option(help="Page.")] = 1,
    per_page: Annotated[int, typer.Option(help="Paires par page (100 au plus).")] = 20,
) -> None:
    """The review worklist: blocking pairs first, then the best scores."""
    from identito.services.duplicate_decisions import list_reviews

    cli = _cli()
    container = cli._container()
    try:
        found = list_reviews(status=status, page=page, per_page=per_page,
                             uow=container.uow_factory(), actor=cli._operator(),
                             rules=container.rules)  # fmt: skip
    except DomainError as error:
        cli._fail(error)
    table = Table(title=f"{found.total} paire(s), page {found.page}", box=box.SIMPLE_HEAD)
    table.add_column("paire", no_wrap=True)  # the id to pass to « decide », never cut
    for column in ("score", "identité 1", "identité 2", "statut"):
        table.add_column(column, overflow="fold", ratio=1)
    for entry in found.items:
        review = entry.review
        score = "bloquant" if review.blocking else f"{review.score:.4f}"
        table.add_row(str(review.id), score, _who(entry.first), _who(entry.second),
                      review.status.label)  # fmt: skip
    cli.console.print(table)


def _who(identity) -> str:  # type: ignore[no-untyped-def]
    t = identity.traits
    names = " / ".join(filter(None, (t.birth_name, t.used_name)))
    return f"{names} {t.first_birth_first_name} {t.birth_date.raw} {t.sex.value}"


@duplicates_app.command("decide")
def decide(
    review_id: Annotated[UUID, typer.Argument(help="Identifiant de la paire.")],
    decision: Annotated[
        str, typer.Argument(help="duplicate, not_duplicate, homonym ou collision.")
    ],
    note: Annotated[str | None, typer.Option(help="Commentaire tracé.")] = None,
    confirmed: Annotated[bool, typer.Option(help="Collision avérée (COLV), sinon COLP.")] = False,
    identity: Annotated[
        UUID | None, typer.Option(help="Collision : l'identité concernée (défaut : les deux).")
    ] = None,
) -> None:
    """Decide on a pair of the worklist (audited)."""
    from identito.services.duplicate_decisions import decide as decide_pair

    cli = _cli()
    container = cli._container()
    try:
        entry = decide_pair(review_id, decision, note=note, confirmed=confirmed,
                            collision_identity_id=identity, uow=container.uow_factory(),
                            actor=cli._operator(), rules=container.rules)  # fmt: skip
    except DomainError as error:
        cli._fail(error)
    cli.console.print(f"Paire {entry.review.id} : {entry.review.status.label}.")


@duplicates_app.command("collisions")
def collisions(
    page: Annotated[int, typer.Option(help="Page.")] = 1,
    per_page: Annotated[int, typer.Option(help="Identités par page (100 au plus).")] = 20,
) -> None:
    """The identities with a collision (COLP, COLV) to be handled by identity vigilance."""
    from identito.services.collisions import list_collisions

    cli = _cli()
    container = cli._container()
    found = list_collisions(page=page, per_page=per_page, uow=container.uow_factory(),
                            actor=cli._operator(), rules=container.rules)  # fmt: skip
    table = Table(title=f"{found.total} identité(s) en collision", box=box.SIMPLE_HEAD)
    table.add_column("identité", no_wrap=True)
    for column in ("traits", "collision"):
        table.add_column(column, overflow="fold", ratio=1)
    for identity in found.items:
        level = identity.collision.value if identity.collision else ""
        table.add_row(str(identity.id), _who(identity), level)
    cli.console.print(table)


@duplicates_app.command("settings")
def settings(
    threshold: Annotated[
        float | None, typer.Option(help="Score (0 à 1) à partir duquel une paire est à examiner.")
    ] = None,
    interval_hours: Annotated[
        int | None, typer.Option(help="Heures entre deux recherches planifiées (0 : aucune).")
    ] = None,
) -> None:
    """Show or change the review threshold and the scan interval (stored, audited)."""
    from identito.services.preferences import get_preferences, update_preferences

    cli = _cli()
    container = cli._container()
    changes: dict[str, float | int] = {}
    if threshold is not None:
        changes["duplicate_review_threshold"] = threshold
    if interval_hours is not None:
        changes["duplicate_scan_interval_hours"] = interval_hours
    try:
        if changes:
            prefs = update_preferences(changes, uow=container.uow_factory(),
                                       actor=cli._operator(), rules=container.rules)  # fmt: skip
        else:
            prefs = get_preferences(uow=container.uow_factory(), actor=cli._operator(),
                                    rules=container.rules)  # fmt: skip
    except DomainError as error:
        cli._fail(error)
    cli.console.print(
        f"Seuil d'examen : {prefs.duplicate_review_threshold:.2f} ; recherche planifiée toutes "
        f"les {prefs.duplicate_scan_interval_hours} h (0 : aucune)."
    )
