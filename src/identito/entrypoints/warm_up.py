"""Warm the INSi backend and the routing table at start-up, in a background thread.

The in-process simulator builds its reference base, loads the contract XSDs and makes
its test card on first use; the SOAP client builds its TLS contexts and signs its first
assertion: without a warm-up the first INSi call of the day pays for all of it. FastAPI
also builds the route table of each router on the first request that walks it (the
INSi routes' dependencies and models included). The application's lifespan starts
``warm_up`` in a daemon thread, so the server answers at once; it warms the teleservice,
then sends one request for an unknown path straight to the router (no middleware:
nothing logged, nothing audited), which walks every router. A failure is logged, never
fatal (the first call then builds what is missing itself). Each process warms its own
objects: nothing is shared between ``identito serve`` processes.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable, MutableMapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI

from identito.bootstrap import Container

logger = logging.getLogger(__name__)


#: A path no route has: the request walks every router, then gets a 404.
WARM_PATH = "/__identito-warm-up__"


async def walk_routes(app: FastAPI) -> int:
    """One GET of ``WARM_PATH`` through the router alone; its HTTP status (404)."""
    scope: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": WARM_PATH, "raw_path": WARM_PATH.encode(), "root_path": "",
        "query_string": b"", "headers": [], "client": None, "server": None,
    }  # fmt: skip
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app.router(scope, receive, send)
    return statuses[0] if statuses else 0


def start_warm_up(container: Container, app: FastAPI | None = None) -> threading.Thread | None:
    """A started thread warming the teleservice (and the routes of ``app``); None when
    there is nothing to warm."""
    warm: Callable[[], None] | None = getattr(container.teleservice, "warm_up", None)
    if warm is None and app is None:
        return None

    def run() -> None:
        try:
            if warm is not None:
                warm()
        except Exception:  # the first call will build what is missing
            logger.exception("INSi warm-up failed")
        try:
            if app is not None:
                asyncio.run(walk_routes(app))
        except Exception:  # the first request will build the routes
            logger.exception("routes warm-up failed")

    thread = threading.Thread(target=run, name="insi-warm-up", daemon=True)
    thread.start()
    return thread


def install_warm_up(app: FastAPI) -> None:
    """Wrap the app's lifespan: start the warm-up at start-up (``app.state.insi_warm_up``)."""
    inner: Callable[[FastAPI], AbstractAsyncContextManager[Any]] = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[Any]:
        application.state.insi_warm_up = start_warm_up(application.state.container, application)
        async with inner(application) as state:
            yield state

    app.router.lifespan_context = lifespan
