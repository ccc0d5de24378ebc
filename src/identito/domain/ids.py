"""Time-ordered identifiers (UUID version 7, RFC 9562 §5.7).

Random version-4 UUIDs land anywhere in a B-tree index, so every insert touches
a random page; version-7 UUIDs start with the Unix time in milliseconds, so new
rows go to the right-hand end of the primary-key and foreign-key indexes. At a
million identities this keeps bulk imports and audit writes fast on SQLite and
PostgreSQL alike, and the ids still reveal nothing but a creation time.

>>> new_id().version
7
"""

from __future__ import annotations

import os
import time
from uuid import UUID

_RANDOM_BITS = (1 << 74) - 1


def new_id() -> UUID:
    """A new UUIDv7: 48 bits of milliseconds, version, 74 random bits, variant."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big") & _RANDOM_BITS
    high, low = rand >> 62, rand & ((1 << 62) - 1)
    value = (millis & ((1 << 48) - 1)) << 80 | 0x7 << 76 | high << 64 | 0b10 << 62 | low
    return UUID(int=value)
