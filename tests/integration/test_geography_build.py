import os
import shutil
from pathlib import Path

import pytest

from identito.geography import dataset
from identito.geography.build import build, reload_from
from identito.geography.dataset import DataSetError

SOURCES = Path("/work/shared/reference/cog")
COG_DIR = SOURCES / "insee-cog-2026"
COMMUNES_JSON = SOURCES / "decoupage-administratif-6.0.0" / "communes.json"

needs_sources = pytest.mark.skipif(
    not COG_DIR.is_dir(), reason="the COG source files in /work/shared are not present"
)


@needs_sources
def test_the_build_reproduces_the_shipped_files_byte_for_byte(tmp_path):
    build(COG_DIR, COMMUNES_JSON, tmp_path)
    for name in (*dataset.TABLES, dataset.MANIFEST):
        shipped = (dataset.DEFAULT_DATA_DIR / name).read_bytes()
        assert (tmp_path / name).read_bytes() == shipped, name


def _linked_copy(target: Path) -> Path:
    target.mkdir()
    for source in COG_DIR.iterdir():
        os.symlink(source, target / source.name)
    return target


@needs_sources
def test_reload_from_replaces_the_data_and_returns_the_counts(tmp_path):
    counts = reload_from(COG_DIR, COMMUNES_JSON, tmp_path / "data")
    assert counts[dataset.PLACES] > 40_000
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == sorted(
        (*dataset.TABLES, dataset.MANIFEST)
    )


@needs_sources
def test_reload_from_refuses_a_file_without_its_columns_and_keeps_the_old_data(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(dataset.DEFAULT_DATA_DIR, target, ignore=shutil.ignore_patterns("__*"))
    before = (target / dataset.PLACES).read_bytes()
    broken = _linked_copy(tmp_path / "cog")
    (broken / "v_commune_depuis_1943.csv").unlink()
    (broken / "v_commune_depuis_1943.csv").write_text('"COM","LIBELLE"\n"01001","X"\n')
    with pytest.raises(DataSetError, match="missing columns"):
        reload_from(broken, COMMUNES_JSON, target)
    assert (target / dataset.PLACES).read_bytes() == before
    assert not [p for p in target.iterdir() if p.name.startswith(".reload-")]


@needs_sources
def test_reload_from_refuses_a_source_file_without_rows(tmp_path):
    broken = _linked_copy(tmp_path / "cog")
    (broken / "v_codes_extension_2026.csv").unlink()
    (broken / "v_codes_extension_2026.csv").write_text('"CODE_EXT","CODE_GEO","LIBGEO"\n')
    with pytest.raises(DataSetError, match="no rows"):
        reload_from(broken, COMMUNES_JSON, tmp_path / "data")


def test_a_data_file_with_a_wrong_header_is_refused(tmp_path):
    path = tmp_path / dataset.EXTENSION_CODES
    dataset.write_table(path, [("75201", "75101", "Paris 1er Arrondissement")])
    assert dataset.read_table(path) == [["75201", "75101", "Paris 1er Arrondissement"]]
    path.write_bytes(b"not gzip")
    with pytest.raises(DataSetError):
        dataset.read_table(path)


def test_get_reference_falls_back_to_the_shipped_data_for_an_empty_directory(tmp_path):
    from datetime import date

    from identito.geography import get_reference

    reference = get_reference(tmp_path)
    assert reference is get_reference(tmp_path)
    assert reference.lookup("2A004", date(1980, 1, 1)).place.label == "Ajaccio"
