"""Blocking of the batch duplicate scan: which pairs of records are compared.

Never all pairs. Each record gets block keys; two records are compared when
they share one. The rules (docs/duplicates.md, « Blocking of the batch scan »):

- ``date+name``: same birth date or the day-month-swapped one, and a name
  (birth or used, cross-compared) with the same French phonetic key;
- ``date+first``: same or swapped birth date, and a first name (any of them)
  with the same phonetic key: catches any name error, typo in the first
  letters, birth name entered as used name, the married-name swap;
- ``name+first+year`` and ``name+first+day``: a name and a first name with the
  same phonetic keys, and the same birth year, or the same day and month: catches
  a birth-date error in the day or month, or in the year (not in both);
- ``ins``: the same active matricule INS (a blocking duplicate, always found).

A block of more than ``BLOCK_CAP`` records (a very common name and first name)
is not expanded to all its pairs: it is sorted by birth date and each record is
compared with its ``WINDOW`` next neighbours (sorted neighbourhood), so the
cost stays linear. ``ins`` blocks are never capped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from random import Random

from identito.domain.duplicates import MatchRecord
from identito.domain.phonetic import phonetic_key

BLOCK_CAP = 1000
WINDOW = 50
RULES = ("date+name", "date+first", "name+first+year", "name+first+day", "ins")


@dataclass
class BlockingReport:
    """How many blocks each rule formed, how many were capped, pairs compared."""

    blocks: dict[str, int]
    capped: int = 0
    pairs: int = 0


def _first_sounds(record: MatchRecord) -> set[str]:
    return {phonetic_key(k) for k in record.first_keys} | {record.first_phonetic}


def _date_key(record: MatchRecord) -> tuple[int, int, int]:
    born = record.born
    return born.year, min(born.day, born.month), max(born.day, born.month)


def block_keys(rule: str, record: MatchRecord) -> Iterator[object]:
    """The block keys of a record under one rule (several when it has several names)."""
    if rule == "ins":
        if record.ins:
            yield record.ins
        return
    names = {s for s in record.phonetics if s}
    firsts = {s for s in _first_sounds(record) if s}
    if rule == "date+name":
        day = _date_key(record)
        yield from ((day, n) for n in names)
    elif rule == "date+first":
        day = _date_key(record)
        yield from ((day, f) for f in firsts)
    elif rule == "name+first+year":
        year = record.born.year
        yield from ((n, f, year) for n in names for f in firsts)
    elif rule == "name+first+day":
        day_month = (record.born.month, record.born.day)
        yield from ((n, f, day_month) for n in names for f in firsts)


def blocks(rule: str, records: Sequence[MatchRecord]) -> list[list[int]]:
    """Blocks of at least two record indexes under a rule."""
    found: dict[object, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        for block in block_keys(rule, record):
            found[block].append(index)
    return [members for members in found.values() if len(members) > 1]


def block_pairs(
    members: list[int], records: Sequence[MatchRecord], *, capped: bool
) -> Iterator[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, of one block; a capped block by sorted neighbourhood."""
    if not capped:
        for position, i in enumerate(members):
            for j in members[position + 1 :]:
                yield (i, j) if i < j else (j, i)
        return
    ordered = sorted(members, key=lambda i: (records[i].born, records[i].birth_key, i))
    for position, i in enumerate(ordered):
        for j in ordered[position + 1 : position + 1 + WINDOW]:
            yield (i, j) if i < j else (j, i)


def candidate_pairs(
    records: Sequence[MatchRecord], *, rules: Iterable[str] = RULES
) -> tuple[list[int], BlockingReport]:
    """Every pair sharing a block under any rule, once, packed as ``i * n + j``."""
    n = len(records)
    seen: set[int] = set()
    report = BlockingReport({})
    for rule in rules:
        found = blocks(rule, records)
        report.blocks[rule] = len(found)
        for members in found:
            capped = rule != "ins" and len(members) > BLOCK_CAP
            report.capped += capped
            seen.update(i * n + j for i, j in block_pairs(members, records, capped=capped))
    pairs = sorted(seen)
    report.pairs = len(pairs)
    return pairs, report


def sampled_pairs(
    found: list[list[int]], records: Sequence[MatchRecord], *, limit: int, rng: Random
) -> tuple[list[tuple[int, int]], int]:
    """At most ``limit`` pairs drawn from whole blocks (for estimation), and the total."""
    total = sum(len(m) * (len(m) - 1) // 2 for m in found)
    keep = min(1.0, limit / total) if total else 1.0
    pairs: list[tuple[int, int]] = []
    for members in found:
        if len(members) > BLOCK_CAP or rng.random() >= keep:
            continue
        pairs.extend(block_pairs(members, records, capped=False))
    return pairs, total


def exact_blocks(
    records: Sequence[MatchRecord], block: Callable[[MatchRecord], object]
) -> list[list[int]]:
    """Blocks of records sharing one exact value (training blocks of the estimation)."""
    found: dict[object, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        found[block(record)].append(index)
    return [members for members in found.values() if len(members) > 1]
