"""``identito duplicates scan / list / decide / collisions`` on a migrated SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import Cli, text, write_csv

from identito.demo import DEMO_PAIRS
from identito.domain.duplicate_reviews import ReviewStatus
from identito.domain.events import AuditAction

ROWS = (
    ("Lefèvre", "Hélène Marie", "Hélène", "1985-03-14", "F", "75116", "Dupré", ""),
    ("Lefevre", "Hélène", "Hélène", "1985-03-14", "F", "75116", "", ""),  # the same person
    ("Œuvray", "Zoé", "Zoé", "2001-02-03", "F", "2B020", "", ""),
)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    runner = Cli(tmp_path, monkeypatch)
    runner.ok("db", "upgrade")
    runner.ok("identities", "import", write_csv(tmp_path / "base.csv", ROWS))
    yield runner
    runner.close()


def _reviews(cli: Cli):  # type: ignore[no-untyped-def]
    with cli.container().uow_factory() as uow:
        return uow.duplicate_reviews.listing(None, limit=100, offset=0)


def test_a_scan_fills_the_worklist_and_a_second_scan_counts_the_decided_pair(cli: Cli) -> None:
    first = cli.ok("duplicates", "scan", "--threshold", "0.8")

    assert "1 paire(s) trouvée(s), 1 nouvelle(s)" in text(first)
    [review] = _reviews(cli)
    listed = text(cli.ok("duplicates", "list"))
    assert str(review.id) in listed and "LEFEVRE" in listed

    decided = cli.ok("duplicates", "decide", str(review.id), "not_duplicate", "--note", "Sœurs")
    again = cli.ok("duplicates", "scan", "--threshold", "0.8")

    assert "Pas un doublon" in text(decided)
    assert "1 déjà décidée(s)" in text(again) and "0 nouvelle(s)" in text(again)
    [stored] = _reviews(cli)
    assert (stored.status, stored.note) == (ReviewStatus.NOT_DUPLICATE, "Sœurs")
    assert stored.decided_by.startswith("cli:")
    with cli.container().uow_factory() as uow:
        rows = uow.audit.for_identity(stored.first_id)
    assert AuditAction.DUPLICATE_DECIDED.value in [e.action for e in rows]


def test_a_collision_decision_is_listed_among_the_collisions(cli: Cli) -> None:
    cli.ok("duplicates", "scan")
    [review] = _reviews(cli)

    cli.ok("duplicates", "decide", str(review.id), "collision", "--confirmed",
           "--identity", str(review.first_id))  # fmt: skip
    listed = text(cli.ok("duplicates", "collisions"))

    assert "1 identité(s) en collision" in listed and "COLV" in listed


def test_bad_input_is_refused_in_french_naming_the_field(cli: Cli) -> None:
    cli.ok("duplicates", "scan")
    [review] = _reviews(cli)

    unknown = cli("duplicates", "decide", str(review.id), "peut-etre")
    threshold = cli("duplicates", "scan", "--threshold", "1.5")
    status = cli("duplicates", "list", "--status", "ouvert")

    assert unknown.exit_code == 1 and "decision" in text(unknown)
    assert "Décision inconnue" in text(unknown)
    assert threshold.exit_code == 1 and "threshold" in text(threshold)
    assert status.exit_code == 1 and "Statut inconnu" in text(status)


def test_the_review_threshold_and_the_scan_interval_are_stored_settings(cli: Cli) -> None:
    changed = cli.ok("duplicates", "settings", "--threshold", "0.9", "--interval-hours", "12")
    shown = cli.ok("duplicates", "settings")
    refused = cli("duplicates", "settings", "--interval-hours", "-1")

    assert "0.90" in text(changed) and "12 h" in text(shown)
    assert refused.exit_code == 1 and "duplicate_scan_interval_hours" in text(refused)
    with cli.container().uow_factory() as uow:
        assert uow.preferences.get_all()["duplicate_review_threshold"] == 0.9


def test_the_demo_fills_the_worklist_with_its_fictitious_pairs(cli: Cli) -> None:
    cli.ok("demo", "load", "--once", "--synthetic", "0")

    listed = text(cli.ok("duplicates", "list", "--status", "pending"))
    # the demo's own pairs, and the imported pair of ROWS found by the demo's scan
    assert f"{len(DEMO_PAIRS) + 1} paire(s)" in listed
    with cli.container().uow_factory() as uow:
        names = {
            frozenset(uow.identities.get(i).traits.birth_name for i in (r.first_id, r.second_id))
            for r in _reviews(cli)
        }
    expected = {frozenset((first[0], second[0])) for first, second in DEMO_PAIRS}
    assert expected <= names
