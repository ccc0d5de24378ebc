"""Helpers of the browser tests (a module name no other test folder uses)."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_support import assert_accessible
from playwright.sync_api import Page

SCREENSHOTS = Path(__file__).parent / "screenshots"


def shot(page: Page, name: str) -> None:
    """Write ``screenshots/<name>.png`` (kept in the repository, used by the user guide),
    once axe-core finds no accessibility violation on the page as it is shown: every
    state a journey pictures (a confirmation, an error, a fragment htmx brought) is checked."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    assert_accessible(page)


def tab_to(page: Page, text: str, limit: int = 80) -> None:
    """Press Tab until the focused element shows ``text`` (keyboard-only navigation)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => (document.activeElement.innerText || document.activeElement.value || '')"
        )
        if text in focused:
            return
    pytest.fail(f"« {text} » never received the focus")


def login(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def csp_reports(page: Page) -> list[str]:
    """Console messages of the page's Content-Security-Policy violations, as they come."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found
