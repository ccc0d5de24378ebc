"""``identito identities import`` as a job (issue 12): an interrupted import resumes when
the same command is run again, a finished file is reported done, ``--status`` lists them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_support import Cli, report_rows, synthetic_rows, text, write_csv

import identito.entrypoints.cli_identities as cli_identities

BAD = ("Dup0nt", "Jean", "Jean", "1970-01-01", "M", "75116", "", "")


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    runner = Cli(tmp_path, monkeypatch)
    runner.ok("db", "upgrade")
    yield runner
    runner.close()


def _file(tmp_path: Path) -> Path:
    rows: list[Any] = list(synthetic_rows(60, seed=5))
    rows.insert(3, BAD)  # line 5
    rows.insert(50, BAD)  # line 52
    return write_csv(tmp_path / "patients.csv", rows)


class PowerCut(Exception):
    pass


def _interrupted_after(rows: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The next import reads ``rows`` rows, then its process dies (no clean-up runs)."""
    read = cli_identities._csv_rows

    def rows_then_cut(path: Path, *limits: int) -> Iterator[tuple[int, dict[str, Any]]]:
        for handled, row in enumerate(read(path, *limits)):
            if handled == rows:
                raise PowerCut
            yield row

    monkeypatch.setattr(cli_identities, "_csv_rows", rows_then_cut)


def test_the_same_command_after_an_interruption_resumes_and_imports_each_row_once(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, args = _file(tmp_path), ("--batch-size", "20", "--workers", "1")
    _interrupted_after(45, monkeypatch)
    with pytest.raises(PowerCut):
        cli("identities", "import", source, *args)
    assert cli.count_identities() == 39  # two batches of 20 rows, one of them rejected
    monkeypatch.undo()
    monkeypatch.setenv("IDENTITO_DATABASE_URL", cli.database_url)
    monkeypatch.setenv("IDENTITO_TEST_MODE", "true")

    result = cli.ok("identities", "import", source, *args)

    assert "Reprise de l'import interrompu de patients.csv : 40 lignes déjà traitées" in text(
        result
    )
    assert "60 identités importées, 2 lignes rejetées." in text(result)
    assert cli.count_identities() == 60
    assert [line for line, *_ in report_rows(tmp_path / "patients.rejets.csv")] == ["5", "52"]


def test_a_file_already_imported_is_reported_done_and_nothing_is_imported_again(
    cli: Cli, tmp_path: Path
) -> None:
    source = _file(tmp_path)
    cli.ok("identities", "import", source)
    (tmp_path / "patients.rejets.csv").unlink()

    again = cli.ok("identities", "import", source)

    assert "Ce fichier a déjà été importé" in text(again)
    assert "rien n'est importé de nouveau" in text(again)
    assert "60 identités importées, 2 lignes rejetées." in text(again)
    assert cli.count_identities() == 60
    assert len(report_rows(tmp_path / "patients.rejets.csv")) == 2


def test_a_changed_file_is_a_new_import(cli: Cli, tmp_path: Path) -> None:
    source = _file(tmp_path)
    cli.ok("identities", "import", source)
    write_csv(source, synthetic_rows(5, seed=77))

    result = cli.ok("identities", "import", source)

    assert "5 identités importées, 0 lignes rejetées." in text(result)
    assert cli.count_identities() == 65


def test_status_lists_the_imports_with_their_progress_and_says_how_to_resume(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli.ok("identities", "import", write_csv(tmp_path / "done.csv", synthetic_rows(3, seed=1)))
    _interrupted_after(25, monkeypatch)
    with pytest.raises(PowerCut):
        cli("identities", "import", _file(tmp_path), "--batch-size", "20", "--workers", "1")

    result = cli.ok("identities", "import", "--status")

    shown = text(result)
    assert "2 import(s)" in shown
    assert "done.csv" in shown and "terminé" in shown
    assert "patients.csv" in shown and "inachevé" in shown
    assert "20 (1) 19 1" in shown  # patients.csv: 20 lines in 1 batch, 19 identities, 1 reject
    assert "relancez la même commande" in shown


def test_the_help_of_the_import_says_how_to_resume(cli: Cli) -> None:
    result = cli.ok("identities", "import", "--help")

    assert "relancez la même commande sur le même fichier" in text(result)
    assert "--status" in text(result)


def test_an_import_without_a_file_nor_status_is_refused(cli: Cli) -> None:
    result = cli("identities", "import")

    assert result.exit_code == 1
    assert "Indiquez le fichier CSV à importer" in text(result)
