"""The start-up warm-up also walks the routing table (issue 16 point 8): FastAPI builds
each router's routes on the first request that walks it, so the first INSi call of a
fresh process would pay for the INSi routes' models and dependencies."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from api_support import make_container
from fastapi.testclient import TestClient
from reads_support import audit_rows

from identito.adapters.database import dispose_engines
from identito.entrypoints import warm_up
from identito.entrypoints.api import create_app
from identito.entrypoints.warm_up import WARM_PATH, walk_routes


def test_the_route_walk_is_one_404_through_the_router_alone(tmp_path: Path) -> None:
    app = create_app(make_container(tmp_path, insi_simulator_population=50))
    # in a thread of its own, as start-up does: a browser test may hold this thread's loop
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(lambda: asyncio.run(walk_routes(app))).result(timeout=60) == 404
    dispose_engines()


def test_the_start_up_warm_up_walks_the_routes_without_an_access_log_line_or_audit_row(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    container = make_container(tmp_path, insi_simulator_population=50)
    app = create_app(container)
    walked: list[int] = []

    async def spy(application):  # type: ignore[no-untyped-def]
        walked.append(await walk_routes(application))
        return walked[-1]

    caplog.set_level(logging.DEBUG)
    before = audit_rows(container)

    monkeypatch.setattr(warm_up, "walk_routes", spy)
    with TestClient(app) as client:
        app.state.insi_warm_up.join(timeout=60)
        assert walked == [404]
        assert client.get("/api/v1/health").status_code == 200
    assert WARM_PATH not in caplog.text  # not in the access log
    assert audit_rows(container) == before  # nothing audited
    dispose_engines()
