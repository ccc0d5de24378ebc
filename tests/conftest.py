"""Fixtures shared by every test suite; the fakes themselves live in ``fakes.py``."""

from __future__ import annotations

import pytest

from fakes import FakePlaces, FakeUnitOfWork, FixedClock, fake_rules
from identito.services.rules import Rules


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def places() -> FakePlaces:
    return FakePlaces()


@pytest.fixture
def rules(places: FakePlaces, clock: FixedClock) -> Rules:
    return fake_rules(places=places, clock=clock)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()
