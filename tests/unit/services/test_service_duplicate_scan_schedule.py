"""The scheduled duplicate scan: due once per interval across processes, or never."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fakes import FakeUnitOfWork, FixedClock, actor_with_role, fake_rules, make_identity
from identito.domain.duplicates import ScoredPair
from identito.domain.errors import InvalidInput
from identito.domain.permissions import Role
from identito.services.duplicate_reviews import run_scan
from identito.services.scheduler import DUPLICATES_LEASE, duplicates_tick

ADMIN = actor_with_role(Role.ADMIN)


class FabricatedScan:
    """A ``scan_pairs`` stand-in: one pair, and the thresholds it was asked for."""

    def __init__(self, pair: ScoredPair) -> None:
        self.pair, self.thresholds = pair, []

    def __call__(self, uow, *, threshold, progress=None):  # type: ignore[no-untyped-def]
        self.thresholds.append(threshold)
        if progress is not None:
            progress(1, 1)
        yield self.pair


def _setup():  # type: ignore[no-untyped-def]
    a, b = sorted((make_identity(), make_identity(birth_name="DUPOND")), key=lambda i: i.id)
    uow = FakeUnitOfWork()
    uow.identities.committed.update({a.id: a, b.id: b})
    return uow, FabricatedScan(ScoredPair(a.id, b.id, 0.95, False, ()))


def test_the_scheduled_scan_runs_once_per_interval_whatever_the_process():
    uow, scan = _setup()
    clock = FixedClock()
    rules = fake_rules(clock=clock)

    first = duplicates_tick(holder="a", uow_factory=lambda: uow, actor=ADMIN, rules=rules,
                            scan=scan)  # fmt: skip
    clock.advance(timedelta(minutes=1))
    same = duplicates_tick(holder="a", uow_factory=lambda: uow, actor=ADMIN, rules=rules,
                           scan=scan)  # fmt: skip
    other = duplicates_tick(holder="b", uow_factory=lambda: uow, actor=ADMIN, rules=rules,
                            scan=scan)  # fmt: skip
    clock.advance(timedelta(hours=24))
    next_day = duplicates_tick(holder="b", uow_factory=lambda: uow, actor=ADMIN, rules=rules,
                               scan=scan)  # fmt: skip

    assert first is not None and first.new == 1
    assert same is None and other is None
    assert next_day is not None and next_day.refreshed == 1
    assert scan.thresholds == [0.8, 0.8]
    assert DUPLICATES_LEASE in uow.leases.leases


def test_an_interval_of_zero_hours_turns_the_scheduled_scan_off():
    uow, scan = _setup()
    uow.preferences.values["duplicate_scan_interval_hours"] = 0

    ran = duplicates_tick(holder="a", uow_factory=lambda: uow, actor=ADMIN, rules=fake_rules(),
                          scan=scan)  # fmt: skip

    assert ran is None and scan.thresholds == []


def test_a_scan_uses_the_stored_threshold_unless_one_is_given_and_refuses_a_bad_one():
    uow, scan = _setup()
    uow.preferences.values["duplicate_review_threshold"] = 0.9

    used, summary = run_scan(uow_factory=lambda: uow, actor=ADMIN, rules=fake_rules(), scan=scan)
    given, _ = run_scan(uow_factory=lambda: uow, actor=ADMIN, rules=fake_rules(), scan=scan,
                        threshold=0.5)  # fmt: skip

    assert (used, given, summary.new) == (0.9, 0.5, 1)
    with pytest.raises(InvalidInput) as raised:
        run_scan(uow_factory=lambda: uow, actor=ADMIN, rules=fake_rules(), scan=scan,
                 threshold=1.5)  # fmt: skip
    assert raised.value.errors[0].field == "threshold"
