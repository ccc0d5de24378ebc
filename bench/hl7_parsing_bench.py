"""HL7 v2 reception parsing: linear in the message size (issue 12, point 5).

``python -m bench.hl7_parsing_bench [--rounds 7]``

For A28 messages with 1,000 / 10,000 / 100,000 NTE segments and with 20,000 PID-3
repetitions, times ``parse_adt`` (limits lifted: what is timed is the reading) against
a baseline measured in the same run, interleaved round by round: a plain split of the
same message into segments and fields (``str.split``), the least any reader does.
Also times, once, hl7apy's ``parse_message`` of the 10,000-segment message: how the
reception read every message before. Figures printed and written to
``bench/results/hl7_parsing.json``; the target is 10,000 segments in under a second.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.common import write_result
from identito.messages.hl7v2_ack import normalise
from identito.messages.hl7v2_limits import Hl7Limits
from identito.messages.hl7v2_reception import parse_adt

INS_NIR = "ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS"
UNBOUNDED = Hl7Limits(max_bytes=10**12, max_segments=10**9, max_repetitions=10**9)
TARGET_SECONDS = 1.0


def a28(notes: int = 0, identifiers: int = 0) -> str:
    pid3 = "IPP1^^^CHU-Y&1.2.3&ISO^PI~180032B02040123^^^" + INS_NIR
    pid3 += "".join(f"~X{i}^^^CHU-Y&1.2.3&ISO^AN" for i in range(identifiers))
    return "\r".join(
        [
            "MSH|^~\\&|GAM|CHU-Y|IDENTITO|CHU-X|20260306111154||ADT^A28^ADT_A05|M1|P|2.5",
            "EVN||20260306111154",
            f"PID|1||{pid3}||CORSE^ANTHONY^ANTHONY^^^^L||19800302|M|||^^^^^FRA^BDL^^2B020"
            "|||||||||||||||||||N||VALI",
            "PV1|1|N",
            *(f"NTE|{i}||Note de texte libre numéro {i}" for i in range(notes)),
        ]
    )


def baseline(text: str) -> int:
    """Every segment split into its fields: no reader does less."""
    return sum(len(segment.split("|")) for segment in normalise(text).split("\r"))


def _timed(call: Callable[[], object]) -> float:
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


def measure(label: str, text: str, rounds: int) -> dict[str, Any]:
    """``parse_adt`` and the baseline, alternating which goes first each round."""
    parsed: list[float] = []
    split: list[float] = []
    for round_number in range(rounds):
        pair = [
            (parsed, lambda: parse_adt(text, UNBOUNDED)),
            (split, lambda: baseline(text)),
        ]
        for samples, call in pair if round_number % 2 == 0 else reversed(pair):
            samples.append(_timed(call))
    parse_s, split_s = statistics.median(parsed), statistics.median(split)
    segments = text.count("\r") + 1
    return {
        "message": label,
        "segments": segments,
        "bytes": len(text.encode("utf-8")),
        "parse_adt_median_s": round(parse_s, 5),
        "baseline_split_median_s": round(split_s, 5),
        "ratio_to_baseline": round(parse_s / split_s, 2),
        "parse_adt_us_per_kb": round(parse_s * 1e6 / (len(text) / 1024), 2),
    }


def hl7apy_before(text: str) -> float:
    from hl7apy.parser import parse_message  # the dev extra: the former reader

    return _timed(lambda: parse_message(normalise(text), find_groups=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    messages = {f"A28 + {n:,} NTE": a28(notes=n) for n in (1_000, 10_000, 100_000)}
    messages["A28, PID-3 x 20,000"] = a28(identifiers=20_000)
    runs = [measure(label, text, args.rounds) for label, text in messages.items()]
    ten_thousand = runs[1]
    before = hl7apy_before(messages["A28 + 10,000 NTE"])
    for run in runs:
        print(
            f"{run['message']:<22} {run['segments']:>7} segments {run['bytes']:>9} B  "
            f"parse_adt {run['parse_adt_median_s'] * 1000:8.2f} ms  "
            f"split {run['baseline_split_median_s'] * 1000:8.2f} ms  "
            f"x{run['ratio_to_baseline']:<6} {run['parse_adt_us_per_kb']} µs/kB"
        )
    met = ten_thousand["parse_adt_median_s"] < TARGET_SECONDS
    print(f"hl7apy parse_message (before), 10,000 NTE: {before:.2f} s")
    print(f"target (10,000 segments < {TARGET_SECONDS} s): {'met' if met else 'NOT met'}")
    path = write_result(
        "hl7_parsing",
        {
            "target": f"10,000 segments parsed in under {TARGET_SECONDS} s, linear in size",
            "target_met": met,
            "rounds": args.rounds,
            "runs": runs,
            "hl7apy_parse_message_10000_nte_s": round(before, 3),
        },
    )
    print(f"written to {path}")


if __name__ == "__main__":
    main()
