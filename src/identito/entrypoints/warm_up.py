"""Warm the INSi backend at start-up, in a background thread.

The in-process simulator builds its reference base, loads the contract XSDs and makes
its test card on first use: without a warm-up the first INSi call of the day pays for
all of it. The application's lifespan starts ``warm_up`` in a daemon thread, so the
server answers at once; a failure is logged, never fatal (the first call then builds
what is missing itself).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI

from identito.bootstrap import Container

logger = logging.getLogger(__name__)


def start_warm_up(container: Container) -> threading.Thread | None:
    """A started thread warming the teleservice; None when it has nothing to warm."""
    warm: Callable[[], None] | None = getattr(container.teleservice, "warm_up", None)
    if warm is None:
        return None

    def run() -> None:
        try:
            warm()
        except Exception:  # the first call will build what is missing
            logger.exception("INSi warm-up failed")

    thread = threading.Thread(target=run, name="insi-warm-up", daemon=True)
    thread.start()
    return thread


def install_warm_up(app: FastAPI) -> None:
    """Wrap the app's lifespan: start the warm-up at start-up (``app.state.insi_warm_up``)."""
    inner: Callable[[FastAPI], AbstractAsyncContextManager[Any]] = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[Any]:
        application.state.insi_warm_up = start_warm_up(application.state.container)
        async with inner(application) as state:
            yield state

    app.router.lifespan_context = lifespan
