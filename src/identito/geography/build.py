"""Build the shipped data set from the INSEE COG 2026 files and ``communes.json``.

Usage::

    python -m identito.geography.build SOURCE_COG_DIR SOURCE_COMMUNES_JSON [--out DIR]

Sources: "Source : Insee, Code officiel géographique 2026" (Licence Ouverte 2.0) and
``@etalab/decoupage-administratif`` 6.0.0 ``communes.json`` for the postal codes.
See ``docs/geography.md`` and ``dataset.py`` for the output layout.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from identito.geography import dataset
from identito.geography.dataset import DataSetError
from identito.geography.names import name_key

COMMUNES = "v_commune_depuis_1943.csv"
OUTREMER = "v_commune_outremer_depuis_1943.csv"
TERRITORIES = "v_tom_depuis_1943.csv"
COUNTRIES = "v_pays_et_territoire_depuis_1943.csv"
EXTENSIONS = "v_codes_extension_2026.csv"
EVENTS = "v_mvt_commune_2026.csv"

_PERIOD = ("LIBELLE", "NCCENR", "DATE_DEBUT", "DATE_FIN")
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    COMMUNES: ("COM", *_PERIOD),
    OUTREMER: ("COM_COMER", *_PERIOD),
    TERRITORIES: ("COMER", *_PERIOD),
    COUNTRIES: ("COG", "LIBCOG", "LIBENR", "DATE_DEBUT", "DATE_FIN"),
    EXTENSIONS: ("CODE_EXT", "CODE_GEO", "LIBGEO"),
    EVENTS: ("MOD", "DATE_EFF", "COM_AV", "LIBELLE_AV", "NCCENR_AV", "TYPECOM_AP", "COM_AP"),
}
# merger, commune nouvelle, association, association -> merger, code changes
_TAKEOVER_EVENTS = {"31", "32", "33", "34", "41", "50"}

Row = dict[str, str]


def read_cog(path: Path) -> list[Row]:
    """Rows of one COG CSV; checks the required columns and that there are rows."""
    if not path.is_file():
        raise DataSetError(f"missing source file {path}")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(REQUIRED_COLUMNS[path.name]) - set(reader.fieldnames or ())
        if missing:
            raise DataSetError(f"{path.name}: missing columns {sorted(missing)}")
        rows = list(reader)
    if not rows:
        raise DataSetError(f"{path.name}: no rows")
    return rows


def _keys(label: str, other: str) -> tuple[str, str]:
    key, alt = name_key(label), name_key(other)
    return key, ("" if alt == key else alt)


def place_rows(sources: dict[str, list[Row]]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for tag, name, code_column in (
        ("M", COMMUNES, "COM"),
        ("O", OUTREMER, "COM_COMER"),
        ("T", TERRITORIES, "COMER"),
    ):
        for r in sources[name]:
            key, alt = _keys(r["LIBELLE"], r["NCCENR"])
            period = (r["DATE_DEBUT"], r["DATE_FIN"])
            rows.append((tag, r[code_column], r["LIBELLE"], key, alt, *period))
    for r in sources[COUNTRIES]:
        key, alt = _keys(r["LIBCOG"], r["LIBENR"])
        rows.append(("P", r["COG"], r["LIBCOG"], key, alt, r["DATE_DEBUT"], r["DATE_FIN"]))
    order = {"M": 0, "O": 1, "T": 2, "P": 3}
    return sorted(rows, key=lambda row: (order[row[0]], row[1], row[5], row[6]))


def merged_name_rows(events: list[Row], communes: list[Row]) -> list[tuple[str, ...]]:
    """Names of vanished communes pointing to their successor, one row per step."""
    takeovers: dict[str, list[tuple[str, str]]] = {}
    names: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for e in events:
        if _is_takeover(e):
            takeovers.setdefault(e["COM_AV"], []).append((e["DATE_EFF"], e["COM_AP"]))
            vanished = (e["COM_AV"], e["DATE_EFF"])
            names.setdefault(vanished, set()).add((e["LIBELLE_AV"], e["NCCENR_AV"]))
    starts: dict[str, list[str]] = {}
    for r in communes:
        starts.setdefault(r["COM"], []).append(r["DATE_DEBUT"])
    rows: set[tuple[str, ...]] = set()
    for old, steps in takeovers.items():
        for since, first in steps:
            comeback = min((s for s in starts.get(old, ()) if s > since), default="")
            for label, other in names[old, since]:
                key, alt = _keys(label, other)
                for code, start, end in _successors(first, since, comeback, takeovers):
                    rows.add((key, alt, label, code, start, end))
    return sorted(rows)


def _is_takeover(event: Row) -> bool:
    """A commune vanishes into another one (another code) that goes on."""
    return (
        event["MOD"] in _TAKEOVER_EVENTS
        and event["TYPECOM_AP"] == "COM"
        and event["COM_AV"] != event["COM_AP"]
    )


def _successors(
    first: str, since: str, comeback: str, takeovers: dict[str, list[tuple[str, str]]]
) -> Iterator[tuple[str, str, str]]:
    """Chain of (successor, from, to) of a commune that vanished on ``since``.

    The chain stops when the vanished code comes back (re-establishment): from then
    on the name is its own again.
    """
    current, start = first, since
    for _ in range(10):
        later = sorted(t for t in takeovers.get(current, ()) if t[0] > start)
        end = later[0][0] if later else ""
        if comeback and (not end or comeback < end):
            end = comeback
        yield current, start, end
        if not later or end == comeback:
            return
        start, current = later[0]


def postal_code_rows(communes_json: Path, places: list[tuple[str, ...]]) -> list[tuple[str, str]]:
    current = {row[1] for row in places if row[0] in "MO" and not row[6]}
    try:
        items = json.loads(communes_json.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DataSetError(f"{communes_json}: unreadable ({error})") from error
    if not isinstance(items, list) or not items:
        raise DataSetError(f"{communes_json}: expected a non-empty JSON array")
    postal: dict[str, set[str]] = {}
    for item in items:
        kept = item.get("type") in ("commune-actuelle", "arrondissement-municipal")
        if kept and item.get("code") in current and item.get("codesPostaux"):
            postal.setdefault(item["code"], set()).update(item["codesPostaux"])
    if not postal:
        raise DataSetError(f"{communes_json}: no postal codes (key codesPostaux)")
    return [(code, " ".join(sorted(codes))) for code, codes in sorted(postal.items())]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(source_cog_dir: Path, communes_json: Path, out: Path) -> dict[str, int]:
    """Read and check the sources, write every table into ``out``; returns row counts."""
    sources = {name: read_cog(source_cog_dir / name) for name in REQUIRED_COLUMNS}
    places = place_rows(sources)
    extensions = [(r["CODE_EXT"], r["CODE_GEO"], r["LIBGEO"]) for r in sources[EXTENSIONS]]
    tables: dict[str, Sequence[Sequence[str]]] = {
        dataset.PLACES: places,
        dataset.POSTAL_CODES: postal_code_rows(communes_json, places),
        dataset.EXTENSION_CODES: sorted(extensions),
        dataset.MERGED_NAMES: merged_name_rows(sources[EVENTS], sources[COMMUNES]),
    }
    counts = {name: dataset.write_table(out / name, rows) for name, rows in tables.items()}
    manifest = {
        "source": "Insee, Code officiel géographique 2026; @etalab/decoupage-administratif 6.0.0",
        "licence": "Licence Ouverte / Open Licence 2.0 (Etalab)",
        "counts": counts,
        "sha256": {name: _sha256(source_cog_dir / name) for name in sorted(REQUIRED_COLUMNS)}
        | {communes_json.name: _sha256(communes_json)},
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    (out / dataset.MANIFEST).write_text(text, encoding="utf-8")
    return counts


def validate(directory: Path) -> dict[str, int]:
    """Re-read every table of a built data set: headers present and rows > 0."""
    counts = {}
    for name in dataset.TABLES:
        rows = dataset.read_table(directory / name)
        if not rows:
            raise DataSetError(f"{name}: no rows")
        counts[name] = len(rows)
    return counts


def reload_from(source_cog_dir: Path, communes_json: Path, target_dir: Path) -> dict[str, int]:
    """Rebuild the data set from new source files and swap it into ``target_dir``.

    The new tables are built and validated in a temporary directory first; the data
    in ``target_dir`` is only replaced (file by file with ``os.replace``, each
    replacement atomic) when everything is valid. Raises ``DataSetError`` otherwise,
    leaving ``target_dir`` untouched. Clears the ``get_reference`` cache.
    """
    target_dir = Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".reload-", dir=target_dir))
    try:
        build(Path(source_cog_dir), Path(communes_json), staging)
        counts = validate(staging)
        for name in (*dataset.TABLES, dataset.MANIFEST):
            os.replace(staging / name, target_dir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    from identito.geography.reference import get_reference

    get_reference.cache_clear()
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m identito.geography.build")
    parser.add_argument("source_cog_dir", type=Path)
    parser.add_argument("communes_json", type=Path)
    parser.add_argument("--out", type=Path, default=dataset.DEFAULT_DATA_DIR)
    args = parser.parse_args(argv)
    counts = reload_from(args.source_cog_dir, args.communes_json, args.out)
    for name, count in counts.items():
        print(f"{name}: {count} rows")


if __name__ == "__main__":
    main()
