"""ASGI entry point: ``uvicorn --factory identito.entrypoints.asgi:app_from_environment``.

Each worker process builds its own container from the environment; no state is
kept in a process (sessions, tokens and locks live in the database).
"""

from __future__ import annotations

from fastapi import FastAPI

from identito.bootstrap import bootstrap
from identito.config import Settings
from identito.entrypoints.api.app import create_app


def app_from_environment() -> FastAPI:
    return create_app(bootstrap(Settings()))
