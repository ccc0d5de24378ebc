"""The REST API (FastAPI): routes, schemas and the mapping of errors to problem details."""

from identito.entrypoints.api.app import create_app

__all__ = ["create_app"]
