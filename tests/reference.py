"""The public reference material the tests compare against.

A copy of ``../shared/reference/interop`` and ``../shared/reference/insi`` (sources and
licences in their README files) lives in ``tests/data/reference`` so that the suite
runs from any checkout, wherever ``../shared`` is.
"""

from __future__ import annotations

from pathlib import Path

REFERENCE = Path(__file__).resolve().parent / "data" / "reference"
INTEROP = REFERENCE / "interop"
INSI = REFERENCE / "insi"
