"""Diffusion throughput: exports per second per format, PDF labels per second.

Renders the pure generators on synthetic identities (a qualified one, so every
format carries the matricule and the DataMatrix), in one process, no I/O: this
measures the generators, not the database or HTTP.

Targets (issue 6): >= 5,000 FHIR or HL7 exports/s, >= 20 PDF labels/s.

    .venv/bin/python -m bench.diffusion_bench --seconds 1
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench.common import write_result

TARGETS = {"fhir_per_s": 5000, "hl7v2_per_s": 5000, "label.pdf_per_s": 20}


def _views() -> list:  # type: ignore[type-arg]
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from diffusion_cases import CASES
    from identito.domain.diffusion import diffusion_view

    return [diffusion_view(CASES[c](), may_read_ins=True) for c in ("qual", "nia", "corsica")]


def rate(render, views, context, seconds: float) -> float:  # type: ignore[no-untyped-def]
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for view in views:
            render(view, context)
        count += len(views)
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0, help="per format")
    parser.add_argument("--name", default="diffusion")
    args = parser.parse_args()
    views = _views()
    from diffusion_cases import CONTEXT
    from identito.messages.exports import RENDERERS

    figures = {}
    for fmt, renderer in RENDERERS.items():
        figures[f"{fmt.value}_per_s"] = round(
            rate(renderer.render, views, CONTEXT, args.seconds), 1
        )
        print(f"{fmt.value:16} {figures[f'{fmt.value}_per_s']:>10,.1f} /s")
    met = {k: figures[k] >= v for k, v in TARGETS.items()}
    path = write_result(args.name, {"targets": TARGETS, "per_second": figures, "met": met})
    print(f"-> {path}")


if __name__ == "__main__":
    main()
