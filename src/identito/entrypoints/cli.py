"""The operators' command line: ``identito --help``.

Commands only parse, call a service and render; settings come from ``IDENTITO_*``
environment variables or the TOML file named by ``IDENTITO_SETTINGS_FILE``.
"""

from __future__ import annotations

import csv
import getpass
import os
import sys
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from identito.bootstrap import Container, bootstrap
from identito.config import Settings
from identito.domain.errors import DomainError, InvalidInput
from identito.domain.permissions import Actor, Role, role_permissions
from identito.domain.trait_set import MANDATORY_FIELDS
from identito.services.imports import ImportReport

app = typer.Typer(help="identito : référentiel d'identités conforme INS.", no_args_is_help=True)
db_app = typer.Typer(help="Base de données.", no_args_is_help=True)
user_app = typer.Typer(help="Comptes utilisateurs.", no_args_is_help=True)
demo_app = typer.Typer(help="Données de démonstration.", no_args_is_help=True)
identities_app = typer.Typer(help="Identités.", no_args_is_help=True)
geography_app = typer.Typer(help="Référentiel géographique INSEE.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(demo_app, name="demo")
app.add_typer(identities_app, name="identities")
app.add_typer(geography_app, name="geography")
console = Console()
errors = Console(stderr=True)


def _container() -> Container:
    return bootstrap(Settings())


def _operator() -> Actor:
    """The operator running the CLI: audited under their system account name."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # a container's uid with no passwd entry and no $USER
        name = "inconnu"
    return Actor(f"cli:{name}", Role.ADMIN, role_permissions(Role.ADMIN))


def _fail(error: DomainError) -> None:
    if isinstance(error, InvalidInput):
        for item in error.errors:
            errors.print(f"[red]{item.field}[/red] : {item.message}")
    else:
        errors.print(f"[red]Erreur :[/red] {error.message}")
    raise typer.Exit(1)


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

    if not schema_is_current(Settings().database_url):
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
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    from identito.adapters.migrate import upgrade_database

    settings = Settings()
    upgrade_database(settings.database_url)
    console.print("Schéma de la base à jour.")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Nom d'utilisateur.")],
    role: Annotated[str, typer.Option(help=f"Profil : {', '.join(r.value for r in Role)}.")],
) -> None:
    """Create an account; the password is read from standard input."""
    from identito.services.auth import add_user

    if sys.stdin.isatty():
        password = getpass.getpass("Mot de passe : ")
        if getpass.getpass("Confirmation : ") != password:
            errors.print("[red]Les deux saisies diffèrent.[/red]")
            raise typer.Exit(1)
    else:
        password = sys.stdin.readline().rstrip("\n")
    container = _container()
    try:
        add_user(
            name,
            password,
            role,
            uow=container.uow_factory(),
            actor=_operator(),
            rules=container.rules,
        )
    except DomainError as error:
        _fail(error)
    console.print(f"Compte [bold]{name}[/bold] créé (profil {role}).")


@demo_app.command("load")
def demo_load(
    once: Annotated[bool, typer.Option(help="Ne rien faire si déjà chargé.")] = False,
    synthetic: Annotated[int, typer.Option(help="Identités synthétiques.")] = 500,
) -> None:
    """Load demo accounts and fictitious identities (test mode required)."""
    from identito.demo import DEMO_ACCOUNTS, demo_loaded, load_demo

    container = _container()
    if not container.settings.test_mode:
        errors.print("[red]Les données de démonstration exigent IDENTITO_TEST_MODE=true.[/red]")
        raise typer.Exit(1)
    if demo_loaded(container):
        if not once:
            errors.print("[yellow]Données de démonstration déjà chargées.[/yellow]")
    else:
        load_demo(container, synthetic=synthetic)
        console.print("Données de démonstration chargées.")
    table = Table(title="Comptes de démonstration")
    for column in ("utilisateur", "mot de passe", "profil"):
        table.add_column(column)
    for account in DEMO_ACCOUNTS:
        table.add_row(account.username, account.password, account.role.value)
    console.print(table)


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle, delimiter=_sniff_delimiter(path))
        for row in reader:
            yield reader.line_num, {k.strip(): (v or "").strip() for k, v in row.items() if k}


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


@identities_app.command("import")
def identities_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Fichier CSV.")],
    report: Annotated[Path | None, typer.Option(help="Rapport des lignes rejetées.")] = None,
    batch_size: Annotated[int | None, typer.Option(help="Lignes par transaction.")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Processus d'import (défaut : un par cœur).")
    ] = None,
) -> None:
    """Import identities from a CSV file (header: the trait field names)."""
    container = _container()
    report_path = report or file.with_name(f"{file.stem}.rejets.csv")
    batch = batch_size or container.settings.import_batch_size
    total = _count_lines(file)
    _check_header(file)
    with Progress(
        TextColumn("Import"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("import", total=total)
        try:
            result = _run_import(
                container,
                _csv_rows(file),
                batch_size=batch,
                workers=workers or _default_workers(total, batch),
                on_progress=lambda n: progress.advance(task, n),
            )
        except DomainError as error:
            _fail(error)
    with report_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ligne", "champ", "règle", "message"])
        for rejected in result.rejected:
            for item in rejected.errors:
                writer.writerow([rejected.line, item.field, item.rule, item.message])
    console.print(f"{result.imported} identités importées, {len(result.rejected)} lignes rejetées.")
    if result.rejected:
        console.print(f"Rapport des rejets : {report_path}")


def _default_workers(rows: int, batch_size: int) -> int:
    """One process per core (at most 4) when the file spans several batches."""
    return min(os.cpu_count() or 1, 4) if rows > 2 * batch_size else 1


def _run_import(
    container: Container,
    rows: Iterator[tuple[int, dict[str, Any]]],
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
        )
    return import_identities_in_parallel(
        rows,
        setup=partial(worker_context, container.settings),
        actor=_operator(),
        workers=workers,
        batch_size=batch_size,
        on_progress=on_progress,
    )


@identities_app.command("search")
def identities_search(
    birth_date: Annotated[str | None, typer.Option(help="Date de naissance AAAA-MM-JJ.")] = None,
    name: Annotated[str | None, typer.Option(help="Nom de naissance ou utilisé.")] = None,
    first_name: Annotated[str | None, typer.Option(help="Prénom.")] = None,
    sex: Annotated[str | None, typer.Option(help="Sexe M, F ou I.")] = None,
    ins: Annotated[str | None, typer.Option(help="Matricule INS.")] = None,
) -> None:
    """Anteriority search (separate fields), or search by matricule INS."""
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


from identito.entrypoints.cli_insi import insi_app  # noqa: E402  (it imports this module lazily)

app.add_typer(insi_app, name="insi")

from identito.entrypoints.cli_verify import mllp_app, verify_app  # noqa: E402

app.add_typer(verify_app, name="verify")
app.add_typer(mllp_app, name="mllp")

from identito.entrypoints.cli_diffusion import export, outbox_app  # noqa: E402
from identito.entrypoints.cli_duplicates import duplicates_app  # noqa: E402

app.command("export")(export)
app.add_typer(outbox_app, name="outbox")
app.add_typer(duplicates_app, name="duplicates")
