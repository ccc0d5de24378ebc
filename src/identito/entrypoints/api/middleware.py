"""Security headers on every response (pure ASGI, streaming-safe); HSTS on every answer
to an HTTPS request (``hsts_max_age_seconds``; a proxy's ``X-Forwarded-Proto`` counts
when uvicorn trusts it, ``FORWARDED_ALLOW_IPS``)."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


class SecurityHeadersMiddleware:
    """Adds hardening headers; API responses (``/api/``) are never cached."""

    def __init__(self, app: ASGIApp, api_prefix: str = "/api/", hsts_max_age: int = 0) -> None:
        self.app = app
        self.api_prefix = api_prefix
        self.hsts = f"max-age={hsts_max_age}" if hsts_max_age > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_api = str(scope.get("path", "")).startswith(self.api_prefix)
        hsts = self.hsts if scope.get("scheme") == "https" else None

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _ALWAYS.items():
                    headers.setdefault(name, value)
                if is_api:
                    headers["Cache-Control"] = "no-store"
                if hsts:
                    headers["Strict-Transport-Security"] = hsts
            await send(message)

        await self.app(scope, receive, send_with_headers)
