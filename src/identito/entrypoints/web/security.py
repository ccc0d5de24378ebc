"""Secure headers of the web pages and the cookies of the web application."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from identito.config import Settings

SESSION_COOKIE = "identito_session"
LOGIN_CSRF_COOKIE = "identito_login_csrf"

#: No inline script or style anywhere: htmx and the CSS (the label's too) are files
#: under /static.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)

_WEB_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class WebHeadersMiddleware:
    """CSP and friends on every page outside ``/api/`` (Swagger keeps its own needs);
    pages are never cached (they show patient data)."""

    def __init__(self, app: ASGIApp, api_prefix: str = "/api/") -> None:
        self.app = app
        self.api_prefix = api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or path.startswith(self.api_prefix):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _WEB_HEADERS.items():  # no response loosens them
                    headers[name] = value
                if not path.startswith("/static/") and path != "/favicon.ico":
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def set_cookie(
    response: Response, request: Request, settings: Settings, name: str, value: str
) -> None:
    """HttpOnly, SameSite from the settings, Secure behind HTTPS (or when configured)."""
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite=settings.cookie_samesite,
        secure=settings.cookie_secure or request.url.scheme == "https",
        path="/",
    )


def delete_cookie(response: Response, request: Request, settings: Settings, name: str) -> None:
    response.delete_cookie(
        name,
        httponly=True,
        samesite=settings.cookie_samesite,
        secure=settings.cookie_secure or request.url.scheme == "https",
        path="/",
    )
