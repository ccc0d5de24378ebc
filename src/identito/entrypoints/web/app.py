"""Mounts the web application on the FastAPI app built by ``api.app.create_app``."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from identito.entrypoints.web import (
    pages_admin,
    pages_auth,
    pages_changes,
    pages_collisions,
    pages_diffusion,
    pages_duplicates,
    pages_identities,
    pages_indicators,
    pages_insi,
    pages_insi_lists,
    pages_interfaces,
    pages_journal,
    pages_nss,
    pages_reviews,
    pages_verification,
    pages_worklists,
)
from identito.entrypoints.web.errors import install_web_error_handlers
from identito.entrypoints.web.rendering import HERE
from identito.entrypoints.web.security import WebHeadersMiddleware


def install_web(app: FastAPI) -> None:
    """Pages, static files, secure headers and French error pages (outside ``/api/``)."""
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_api_route("/favicon.ico", _favicon, include_in_schema=False)
    for module in (pages_auth, pages_identities, pages_changes, pages_indicators, pages_admin):
        app.include_router(module.router)
    app.include_router(pages_interfaces.router)  # interface accounts (declared senders)
    for module in (pages_insi, pages_insi_lists):
        app.include_router(module.router)
    app.include_router(pages_diffusion.router)  # printing, exports, DataMatrix scan
    app.include_router(pages_verification.router)  # INS verification, vigilance worklists
    app.include_router(pages_worklists.router)  # worklist page: filters, CSV export, bulk
    app.include_router(pages_duplicates.router)  # potential duplicates, comparison, merge
    app.include_router(pages_reviews.router)  # duplicate review worklist and decisions
    app.include_router(pages_collisions.router)  # collisions: list, declare, resolve
    app.include_router(pages_nss.router)  # the billing NSS (issue 17)
    app.include_router(pages_journal.router)  # the audit journal: one identity's, every row
    install_web_error_handlers(app)
    app.add_middleware(WebHeadersMiddleware)


def _favicon() -> FileResponse:
    """Browsers ask ``/favicon.ico`` on their own: the icon, public, cacheable a day."""
    headers = {"Cache-Control": "public, max-age=86400"}
    return FileResponse(HERE / "static" / "favicon.ico", media_type="image/x-icon", headers=headers)
