"""``identito geography reload`` from the INSEE COG 2026 files and ``communes.json``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import Cli, text

from identito.geography import dataset, get_reference

SHARED_COG = Path("/work/shared/reference/cog")
COG_DIR = SHARED_COG / "insee-cog-2026"
COMMUNES_JSON = SHARED_COG / "decoupage-administratif-6.0.0" / "communes.json"
needs_sources = pytest.mark.skipif(
    not (COG_DIR.is_dir() and COMMUNES_JSON.is_file()),
    reason=f"the INSEE source files are not available here ({SHARED_COG} is absent)",
)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    runner = Cli(tmp_path, monkeypatch)
    yield runner
    runner.close()
    get_reference.cache_clear()


@pytest.fixture
def sources(tmp_path: Path) -> tuple[Path, Path]:
    """Stand-ins that exist (the command checks its arguments before the setting)."""
    cog, communes = tmp_path / "cog", tmp_path / "communes.json"
    cog.mkdir()
    communes.write_text("[]", encoding="utf-8")
    return cog, communes


def test_reload_without_a_geography_dir_fails_clearly(cli: Cli, sources: tuple[Path, Path]) -> None:
    result = cli("geography", "reload", *sources)

    assert result.exit_code == 1
    assert "Définissez IDENTITO_GEOGRAPHY_DIR" in text(result)


def test_reload_from_incomplete_sources_fails_clearly_and_leaves_the_data_untouched(
    cli: Cli, sources: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "geographie"
    monkeypatch.setenv("IDENTITO_GEOGRAPHY_DIR", str(target))

    result = cli("geography", "reload", *sources)

    assert result.exit_code == 1
    assert "Rechargement refusé, données inchangées" in text(result)
    assert "v_commune_depuis_1943.csv" in "".join(result.output.split())  # a folded path
    assert not (target / dataset.PLACES).exists()


@needs_sources
def test_reload_rebuilds_the_reference_in_the_geography_dir_and_prints_the_counts(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "geographie"
    monkeypatch.setenv("IDENTITO_GEOGRAPHY_DIR", str(target))

    result = cli.ok("geography", "reload", COG_DIR, COMMUNES_JSON)

    counts = dict(line.split(" : ") for line in result.output.splitlines() if " : " in line)
    assert set(counts) == set(dataset.TABLES)
    assert all(int(count) > 0 for count in counts.values())
    assert int(counts[dataset.PLACES]) > 40_000  # communes since 1943, countries, territories
    for name in (*dataset.TABLES, dataset.MANIFEST):
        assert (target / name).is_file()
    reloaded = get_reference(target)
    assert reloaded is not get_reference(None)
