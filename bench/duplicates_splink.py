"""Splink (DuckDB backend) on the same records, with a model comparable to ours.

Same inputs (the stored, normalised traits read back through ``scan_records``,
with the same search keys and French phonetic keys), the same comparison levels
(exact with term-frequency adjustment, birth/used cross, phonetic, Jaro-Winkler
≥ 0.88; first-name set intersection; day-month swap; same département), the
same prediction blockings, ``u`` by random sampling and ``m`` by EM on the same
two training blockings (same birth date; same name, first name and place).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from identito.domain.duplicates import MatchRecord, departement, swapped_birth_date
from identito.domain.phonetic import phonetic_key


def _row(r: MatchRecord) -> dict[str, Any]:
    swapped = swapped_birth_date(r.born) if "-00" not in r.born_raw else None
    used = r.names[1] if len(r.names) > 1 else None
    place = None if r.place == "99999" else r.place
    return {
        "unique_id": str(r.id), "birth_key": r.birth_key, "used_key": used,
        "birth_ph": phonetic_key(r.birth_key) or None,
        "used_ph": phonetic_key(used) if used else None,
        "first_key": r.first_key, "first_ph": r.first_phonetic or None,
        "first_names": sorted(r.first_keys), "dob": r.born_raw,
        "dob_swapped": swapped.isoformat() if swapped else None,
        "dkey": f"{r.born.year}-{min(r.born.day, r.born.month)}-{max(r.born.day, r.born.month)}",
        "year": r.born.year, "day": f"{r.born.month}-{r.born.day}",
        "sex": None if r.sex == "I" else r.sex, "place": place,
        "dept": departement(place) if place else None,
    }  # fmt: skip


def _settings() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    name = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("birth_key"),
            cll.ExactMatchLevel("birth_key", term_frequency_adjustments=True),
            cll.CustomLevel(
                "birth_key_l = used_key_r OR used_key_l = birth_key_r OR used_key_l = used_key_r",
                "birth and used names crossed",
            ),
            cll.CustomLevel(
                "birth_ph_l = birth_ph_r OR birth_ph_l = used_ph_r OR used_ph_l = birth_ph_r "
                "OR used_ph_l = used_ph_r",
                "same phonetic key",
            ),
            cll.JaroWinklerLevel("birth_key", 0.88),
            cll.ElseLevel(),
        ],
    )
    first = cl.CustomComparison(
        output_column_name="first_names",
        comparison_levels=[
            cll.NullLevel("first_key"),
            cll.ExactMatchLevel("first_key", term_frequency_adjustments=True),
            cll.ArrayIntersectLevel("first_names", 1),
            cll.ExactMatchLevel("first_ph"),
            cll.JaroWinklerLevel("first_key", 0.88),
            cll.ElseLevel(),
        ],
    )
    born = cl.CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob"),
            cll.CustomLevel("dob_swapped_l = dob_r", "day and month swapped"),
            cll.ElseLevel(),
        ],
    )
    place = cl.CustomComparison(
        output_column_name="place",
        comparison_levels=[
            cll.NullLevel("place"),
            cll.ExactMatchLevel("place", term_frequency_adjustments=True),
            cll.ExactMatchLevel("dept"),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[name, first, born, cl.ExactMatch("sex"), place],
        blocking_rules_to_generate_predictions=[
            block_on("dkey", "birth_ph"),
            block_on("dkey", "first_ph"),
            "l.dkey = r.dkey AND l.used_ph = r.birth_ph",
            "l.dkey = r.dkey AND l.birth_ph = r.used_ph",
            block_on("birth_ph", "first_ph", "year"),
            block_on("birth_ph", "first_ph", "day"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def run_splink(records: Sequence[MatchRecord], *, threshold: float) -> dict[str, Any]:
    """Train and predict; the kept pairs as (id, id) strings, and the timings."""
    import pyarrow as pa
    from splink import DuckDBAPI, Linker, block_on

    started = time.perf_counter()
    rows = [_row(r) for r in records]
    table = pa.Table.from_pylist(rows)
    api = DuckDBAPI()
    linker = Linker(api.register(table), _settings(), log_level=30)
    prepared = time.perf_counter()
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on("dob", "birth_key", "first_key")], recall=0.7
    )
    training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    training.estimate_parameters_using_expectation_maximisation(
        block_on("birth_key", "first_key", "place")
    )
    trained = time.perf_counter()
    predicted = linker.inference.predict(threshold_match_probability=threshold)
    found = predicted.as_pyarrow_table().select(["unique_id_l", "unique_id_r"]).to_pylist()
    done = time.perf_counter()
    return {
        "pairs": [(p["unique_id_l"], p["unique_id_r"]) for p in found],
        "seconds": {
            "prepare": round(prepared - started, 2),
            "train": round(trained - prepared, 2),
            "predict": round(done - trained, 2),
            "total": round(done - started, 2),
        },
    }
