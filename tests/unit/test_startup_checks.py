"""Issue 13 point 6: what ``identito serve`` refuses and warns about, by settings."""

from __future__ import annotations

from typing import Any

import pytest

from identito.config import Settings
from identito.entrypoints.startup_checks import (
    COOKIES_NOT_SECURE,
    SIMULATOR_ALLOWED,
    SIMULATOR_REFUSED,
    startup_refusals,
    startup_warnings,
)


def _settings(**values: Any) -> Settings:
    return Settings(database_url="sqlite://", **values)


@pytest.mark.parametrize(
    ("values", "refusals", "warnings"),
    [
        ({}, [SIMULATOR_REFUSED], [SIMULATOR_ALLOWED, COOKIES_NOT_SECURE]),
        ({"insi_allow_simulator": True}, [], [SIMULATOR_ALLOWED, COOKIES_NOT_SECURE]),
        ({"insi_backend": "soap"}, [], [COOKIES_NOT_SECURE]),
        ({"insi_backend": "soap", "cookie_secure": True}, [], []),
        ({"test_mode": True}, [], []),
    ],
    ids=["defaults", "simulator allowed", "soap", "soap and secure cookies", "test mode"],
)
def test_outside_test_mode_the_simulator_is_refused_unless_allowed_and_clear_cookies_warned(
    values: dict[str, Any], refusals: list[str], warnings: list[str]
) -> None:
    settings = _settings(**values)

    assert startup_refusals(settings) == refusals
    if not refusals:
        assert startup_warnings(settings) == warnings
