"""Helpers of the account tests (issue 13): a container whose clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
from api_support import PASSWORD, TestClient, make_container

from identito.adapters.database import dispose_engines
from identito.bootstrap import Container
from identito.entrypoints.api import create_app

TOKEN_URL = "/api/v1/auth/token"


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def clocked_container(directory: Path, **settings: Any) -> Iterator[tuple[Container, Clock]]:
    clock = Clock()
    container = make_container(directory, **settings)
    yield replace(container, rules=replace(container.rules, clock=clock)), clock
    dispose_engines()


def api_client(container: Container, address: str = "10.0.0.1") -> TestClient:
    return TestClient(create_app(container), client=(address, 40000))


def login(client: TestClient, username: str, password: str = PASSWORD) -> httpx.Response:
    return client.post(TOKEN_URL, json={"username": username, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
