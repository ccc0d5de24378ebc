"""``identito identities import`` and ``identities search`` on a migrated SQLite file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cli_support import Cli, report_rows, synthetic_rows, text, write_csv

from identito.domain.events import AuditAction
from identito.domain.trait_set import WarningCode
from identito.services.unit_of_work import SearchCriteria

GOOD = (
    ("Lefèvre", "Hélène Marie", "Hélène", "1985-03-14", "F", "75116", "Dupré", ""),
    ("Œuvray", "Zoé", "Zoé", "2001-02-03", "F", "2B020", "", ""),
)
BAD_CHARACTER = ("Dup0nt", "Jean", "Jean", "1970-01-01", "M", "75116", "", "")
MISSING_NAME = ("", "Paul", "Paul", "1970-01-01", "M", "75116", "", "")
FUTURE_DATE = ("Martin", "Luc", "Luc", "2999-01-01", "M", "75116", "", "")
BAD_PLACE = ("Durand", "Léa", "Léa", "1990-05-05", "F", "00000", "", "")

#: (line, field, rule) of the rows above written in this order after the header.
MIXED = (GOOD[0], BAD_CHARACTER, MISSING_NAME, GOOD[1], FUTURE_DATE, BAD_PLACE)
MIXED_REJECTS = [
    ("3", "birth_name", "character_not_allowed"),
    ("4", "birth_name", "required"),
    ("6", "birth_date", "date_in_future"),
    ("7", "birth_place_code", "unknown_place_code"),
]


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    runner = Cli(tmp_path, monkeypatch)
    runner.ok("db", "upgrade")
    yield runner
    runner.close()


def test_import_keeps_the_good_rows_and_reports_each_bad_row_with_its_line_and_rule(
    cli: Cli, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "patients.csv", MIXED)

    result = cli.ok("identities", "import", source)

    assert "2 identités importées, 4 lignes rejetées." in text(result)
    rejects = report_rows(tmp_path / "patients.rejets.csv")
    assert [(line, field, rule) for line, field, rule, _ in rejects] == MIXED_REJECTS
    messages = {rule: message for _, _, rule, message in rejects}
    assert "« 0 »" in messages["character_not_allowed"]
    assert messages["required"] == "Ce champ est obligatoire."
    assert "futur" in messages["date_in_future"]
    assert "00000" in messages["unknown_place_code"]
    assert cli.count_identities() == 2


def test_a_row_with_several_faults_gets_one_report_line_per_field(cli: Cli, tmp_path: Path) -> None:
    row = ("Dup0nt", "Jean", "", "2999-01-01", "X", "75116", "", "")
    source = write_csv(tmp_path / "patients.csv", [GOOD[0], row])

    cli.ok("identities", "import", source)

    rejects = report_rows(tmp_path / "patients.rejets.csv")
    assert {line for line, *_ in rejects} == {"3"}
    fields = {field for _, field, _, _ in rejects}
    assert {"birth_name", "first_birth_first_name", "birth_date", "sex"} <= fields


def test_imported_identities_are_found_by_the_anteriority_search(cli: Cli, tmp_path: Path) -> None:
    cli.ok("identities", "import", write_csv(tmp_path / "patients.csv", MIXED))

    by_name = cli.ok("identities", "search", "--birth-date", "1985-03-14", "--name", "lefevre")
    by_used_name = cli.ok(
        "identities", "search", "--birth-date", "1985-03-14", "--name", "DUPRE", "--sex", "F"
    )
    ligature = cli.ok("identities", "search", "--birth-date", "2001-02-03", "--first-name", "zoe")

    for result in (by_name, by_used_name):
        assert "1 identité(s)" in text(result)
        assert "LEFEVRE /" in text(result)  # birth name / used name, folded at 80 columns
        assert "DUPRE" in text(result)
        assert "HELENE" in text(result)
        assert "1985-03-14" in text(result)
    assert "OEUVRAY" in text(ligature)


def test_a_semicolon_separated_file_from_excel_is_imported_the_same_way(
    cli: Cli, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "excel.csv", MIXED, delimiter=";", encoding="utf-8-sig")

    result = cli.ok("identities", "import", source)

    assert "2 identités importées, 4 lignes rejetées." in text(result)
    rejects = report_rows(tmp_path / "excel.rejets.csv")
    assert [(line, field, rule) for line, field, rule, _ in rejects] == MIXED_REJECTS
    found = cli.ok("identities", "search", "--birth-date", "1985-03-14", "--name", "lefèvre")
    assert "LEFEVRE /" in text(found)
    assert "DUPRE" in text(found)


def test_the_report_option_chooses_where_the_rejects_are_written(cli: Cli, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "patients.csv", [BAD_PLACE])
    report = tmp_path / "out" / "rejets.csv"
    report.parent.mkdir()

    result = cli.ok("identities", "import", source, "--report", report)

    assert "0 identités importées, 1 lignes rejetées." in text(result)
    assert [line for line, *_ in report_rows(report)] == ["2"]
    assert not (tmp_path / "patients.rejets.csv").exists()


def test_a_file_without_bad_rows_writes_an_empty_report(cli: Cli, tmp_path: Path) -> None:
    result = cli.ok("identities", "import", write_csv(tmp_path / "patients.csv", GOOD))

    assert "2 identités importées, 0 lignes rejetées." in text(result)
    assert report_rows(tmp_path / "patients.rejets.csv") == []


def test_a_file_that_is_not_utf8_is_refused_before_anything_is_imported(
    cli: Cli, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "latin1.csv", GOOD, encoding="cp1252")

    result = cli("identities", "import", source)

    assert result.exit_code == 1
    assert "latin1.csv, ligne 2 : le fichier doit être encodé en UTF-8" in text(result)
    assert cli.count_identities() == 0


def test_a_file_whose_header_lacks_mandatory_fields_is_refused(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "patients.csv"
    source.write_text("nom,prenom,naissance\nDUPONT,JEAN,1970-01-01\n", encoding="utf-8")

    result = cli("identities", "import", source)

    assert result.exit_code == 1
    assert "colonnes obligatoires absentes de l'en-tête : birth_name," in text(result)
    assert not (tmp_path / "patients.rejets.csv").exists()


def test_every_imported_identity_has_exactly_one_import_audit_row_naming_its_line(
    cli: Cli, tmp_path: Path
) -> None:
    cli.ok("identities", "import", write_csv(tmp_path / "patients.csv", MIXED))

    ids = cli.identity_ids()
    with cli.container().uow_factory() as uow:
        entries = {identity_id: uow.audit.for_identity(identity_id) for identity_id in ids}
        (job,) = uow.imports.recent(5)

    assert len(ids) == 2
    lines = set()
    for rows in entries.values():
        assert Counter(row.action for row in rows)[AuditAction.IDENTITY_IMPORTED.value] == 1
        imported = next(r for r in rows if r.action == AuditAction.IDENTITY_IMPORTED.value)
        assert imported.actor.startswith("cli:")
        assert imported.after is not None
        assert imported.details["import_job"] == str(job.id)
        lines.add(imported.details["line"])
    assert lines == {2, 5}


def _big_file(path: Path) -> Path:
    """About three batches of 50: synthetic identities and a few bad rows among them."""
    rows: list[Mapping[str, Any] | Sequence[str]] = list(synthetic_rows(150, seed=11))
    rows.insert(10, BAD_CHARACTER)  # line 12
    rows.insert(75, FUTURE_DATE)  # line 77
    rows.insert(140, BAD_PLACE)  # line 142
    return write_csv(path, rows)


def test_two_workers_import_exactly_what_one_worker_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = {}
    for workers in ("1", "2"):
        directory = tmp_path / f"workers-{workers}"
        directory.mkdir()
        cli = Cli(directory, monkeypatch)
        try:
            cli.ok("db", "upgrade")
            source = _big_file(directory / "patients.csv")
            args = ("--batch-size", "50", "--workers", workers)
            summary = text(cli.ok("identities", "import", source, *args))
            with cli.container().uow_factory() as uow:
                created = sum(
                    len(uow.audit.for_identity(identity_id)) for identity_id in cli.identity_ids()
                )
            results[workers] = (
                summary,
                report_rows(directory / "patients.rejets.csv"),
                cli.stored_traits(),
                created,
            )
        finally:
            cli.close()

    one, two = results["1"], results["2"]
    assert "150 identités importées, 3 lignes rejetées." in one[0]
    assert "150 identités importées, 3 lignes rejetées." in two[0]
    assert [line for line, *_ in one[1]] == ["12", "77", "142"]
    assert two[1] == one[1]
    assert len(one[2]) == 150
    assert two[2] == one[2]
    assert one[3] == two[3] == 150


def test_search_by_matricule_finds_the_identity_and_shows_it(cli: Cli) -> None:
    cli.ok("demo", "load", "--once", "--synthetic", "0")

    result = cli.ok("identities", "search", "--ins", "180032B02040123")

    assert "1 identité(s)" in text(result)
    assert "CORSE" in text(result)
    assert "1980-03-02" in text(result)
    assert "180032B02040123" in text(result)


def test_search_by_traits_on_a_narrow_terminal_never_cuts_the_date_or_the_matricule(
    cli: Cli,
) -> None:
    cli.ok("demo", "load", "--once", "--synthetic", "0")

    result = cli.ok(
        "identities", "search", "--birth-date", "1980-03-02", "--name", "corse", "--first-name",
        "anthony",
    )  # fmt: skip

    assert "1 identité(s)" in text(result)
    assert "CORSE" in text(result)
    assert "ANTHONY" in text(result)
    assert "1980-03-02" in text(result)
    assert "180032B02040123" in text(result)
    assert "…" not in result.output


def test_a_search_that_finds_nothing_says_so(cli: Cli) -> None:
    result = cli.ok("identities", "search", "--birth-date", "1901-01-01", "--name", "personne")

    assert "0 identité(s)" in text(result)


def test_a_search_without_birth_date_prints_the_french_error_and_exits_1(cli: Cli) -> None:
    result = cli("identities", "search", "--name", "corse")

    assert result.exit_code == 1
    assert "birth_date : La date de naissance est obligatoire pour chercher." in text(result)


def test_a_search_by_a_malformed_matricule_prints_the_french_error_and_exits_1(cli: Cli) -> None:
    result = cli("identities", "search", "--ins", "12345")

    assert result.exit_code == 1
    assert "Le matricule INS compte 15 caractères" in text(result)


def test_the_expired_document_tolerance_is_a_stored_setting_none_by_default(cli: Cli) -> None:
    shown = cli.ok("identities", "document-tolerance")
    changed = cli.ok("identities", "document-tolerance", "--days", "365")
    refused = cli("identities", "document-tolerance", "--days", "-3")

    assert "aucune" in text(shown) and "365 jour(s)" in text(changed)
    assert refused.exit_code == 1 and "expired_document_tolerance_days" in text(refused)
    with cli.container().uow_factory() as uow:
        assert uow.preferences.get_all()["expired_document_tolerance_days"] == 365


def test_the_import_keeps_a_row_without_birth_first_names_with_a_warning(
    cli: Cli, tmp_path: Path
) -> None:
    row = ("Lambert", "", "Paul", "1970-01-01", "M", "75116", "", "")
    source = write_csv(tmp_path / "patients.csv", [row])

    result = cli.ok("identities", "import", source)

    assert "1 identités importées, 0 lignes rejetées." in text(result)
    with cli.container().uow_factory() as uow:
        (found,) = uow.identities.search(
            SearchCriteria(birth_date=date(1970, 1, 1), name_key="LAMBERT")
        )
    assert found.traits.birth_first_names == ()
    assert WarningCode.FIRST_NAMES_MISSING in {w.code for w in found.warnings}


def test_a_row_with_a_field_above_the_import_limit_is_a_reject_line_not_a_traceback(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IDENTITO_IMPORT_MAX_FIELD_CHARS", "200")
    huge = ("A" * 200_000, "Jean", "Jean", "1970-01-01", "M", "75056", "", "")  # > csv's 128 kB
    source = write_csv(tmp_path / "patients.csv", [GOOD[0], huge, GOOD[1]])

    result = cli.ok("identities", "import", source)

    assert "2 identités importées, 1 lignes rejetées." in text(result)
    [(line, field, rule, message)] = report_rows(tmp_path / "patients.rejets.csv")
    assert (line, field, rule) == ("3", "ligne", "field_too_long")
    assert message == "Ligne illisible : un champ dépasse 200 caractères."
    assert cli.count_identities() == 2


def test_a_search_without_birth_date_finds_by_year_with_name_and_first_name(
    cli: Cli, tmp_path: Path
) -> None:
    cli.ok("identities", "import", write_csv(tmp_path / "patients.csv", MIXED))

    by_year = cli.ok("identities", "search", "--year", "1985", "--name", "lefevre",
                     "--first-name", "helene")  # fmt: skip
    by_period = cli.ok("identities", "search", "--from", "1985-01-01", "--to", "1985-12-31",
                       "--name", "dupre")  # fmt: skip

    for result in (by_year, by_period):
        assert "LEFEVRE" in text(result) and "1985-03-14" in text(result)
