"""Identifiers are UUIDv7: time-ordered, so new rows append to the indexes."""

from __future__ import annotations

import time

from identito.domain.identity import Identity
from identito.domain.ids import new_id


def test_new_identifiers_are_version_7_uuids_ordered_by_creation_time() -> None:
    first = new_id()
    time.sleep(0.002)
    second = new_id()
    assert (first.version, second.version) == (7, 7)
    assert first.variant == second.variant == "specified in RFC 4122"
    assert first < second
    assert abs((first.int >> 80) - time.time_ns() // 1_000_000) < 1000


def test_a_new_identity_gets_a_time_ordered_identifier() -> None:
    from fakes import NOW, make_traits

    identity = Identity.create(*make_traits(), now=NOW)
    assert identity.id.version == 7
