"""Pages of a worklist: numbers held within what the database can count (a page number
from a URL can be any size; ``OFFSET`` is a 64-bit integer)."""

from __future__ import annotations

#: The last page anyone may ask for (100 items a page at most: 10 million items).
MAX_PAGE = 100_000
MAX_PER_PAGE = 100


def bounded(page: int, per_page: int) -> tuple[int, int]:
    """``page`` within 1..MAX_PAGE and ``per_page`` within 1..MAX_PER_PAGE."""
    return max(1, min(page, MAX_PAGE)), max(1, min(per_page, MAX_PER_PAGE))
