"""Helpers of the browser tests (a module name no other test folder uses)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

SCREENSHOTS = Path(__file__).parent / "screenshots"


def shot(page: Page, name: str) -> None:
    """Write ``screenshots/<name>.png`` (kept in the repository, used by the user guide)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
