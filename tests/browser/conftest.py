"""Browser tests: Playwright drives Debian's Chromium against a real ``uvicorn`` server.

The server runs in a subprocess on a free port, on a fresh migrated SQLite file
loaded with the demo data. No browser is ever downloaded: the tests use
``/usr/bin/chromium`` (``.ci/run`` installs it) and fail loudly without it.
Screenshots of each journey are written to ``tests/browser/screenshots/``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from identito.adapters.database import dispose_engines
from identito.adapters.migrate import upgrade_database
from identito.bootstrap import Container, bootstrap
from identito.config import Settings
from identito.demo import load_demo

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
VIEWPORT = {"width": 1366, "height": 768}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def demo_container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'identito.sqlite3'}"
    upgrade_database(url)
    container = bootstrap(Settings(database_url=url, test_mode=True))
    load_demo(container, synthetic=80)
    yield container
    dispose_engines()


@pytest.fixture(scope="session")
def server(demo_container: Container) -> Iterator[str]:
    """Base URL of a real uvicorn server on the demo database."""
    port = _free_port()
    env = {
        **os.environ,
        "IDENTITO_DATABASE_URL": demo_container.settings.database_url,
        "IDENTITO_TEST_MODE": "true",
    }
    command = [
        sys.executable, "-m", "uvicorn", "--factory",
        "identito.entrypoints.api.app:app_from_settings",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the uvicorn server did not start")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium (see .ci/run).")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(chromium: Browser, server: str) -> Iterator[Page]:
    context = chromium.new_context(base_url=server, viewport=VIEWPORT, locale="fr-FR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
