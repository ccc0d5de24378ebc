"""Constants and helpers of the INSi unit tests."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from identito.adapters.insi.envelope import SoftwareContext
from reference import INSI

REFERENCE = INSI
SAMPLES = REFERENCE / "samples"
GOLDEN = Path(__file__).resolve().parents[2] / "data" / "insi"
SOFTWARE = SoftwareContext("CNDA-TEST-0001", "identito", "0.1.0", "instance-42", "751234567")
FIXED_TIME = datetime(2026, 3, 2, 9, 30, 0, tzinfo=UTC)


def counter_ids() -> Callable[[], str]:
    """Deterministic identifiers: 00000000-0000-4000-8000-000000000001, ...2, ..."""
    numbers = itertools.count(1)
    return lambda: f"00000000-0000-4000-8000-{next(numbers):012d}"
