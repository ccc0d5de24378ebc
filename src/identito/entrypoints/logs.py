"""No identity in the logs (issue 13 point 4).

* The access log is identito's own (``AccessLogMiddleware``, logger ``identito.access``),
  the same under ``identito serve`` and under the tests' client: the query string keeps
  its parameter names only (``/recherche?birth_date=<masqué>&name=<masqué>``), so no
  trait or matricule searched for is ever written. ``identito serve`` turns uvicorn's
  own access log off (``LOG_CONFIG``).
* Defence in depth, for every record of every logger once ``install_log_redaction`` ran
  (``identito serve``, ``identito mllp serve``, and ``create_app``): numbers shaped like a
  NIR or NIA (13 or 15 digits, first digit 1, 2, 3, 4, 7 or 8, spaces allowed, Corsican
  2A/2B) are masked in the message, the traceback and the stack; the query values of a
  URL in a message (an HTTP client's line) and of a ``uvicorn.access`` record (uvicorn
  run by hand) are masked too.
* SQL parameters are never in an error message (``hide_parameters`` on every engine,
  ``adapters/database.py``); the ``DETAIL`` line of a PostgreSQL error, which quotes
  the failing row, is masked in the logs.
"""

from __future__ import annotations

import logging
import logging.config
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MASK = "<masqué>"
ACCESS_LOGGER = "identito.access"
#: sex/kind, year, month, department (2A/2B), commune, order, then the 2-digit key or not.
NIR_SHAPED = re.compile(
    r"(?<![0-9A-Za-z])[123478](?:[ .]?[0-9]{2}){2}[ .]?(?:[0-9]{2}|2[AaBb])"
    r"(?:[ .]?[0-9]{3}){2}(?:[ .]?[0-9]{2})?(?![0-9A-Za-z])"
)
_PG_DETAIL = re.compile(r"^(DETAIL:\s*).*$", re.MULTILINE)
_NAME = re.compile(r"[A-Za-z0-9_.\-\[\]]{1,40}")
_URL_WITH_QUERY = re.compile(r"https?://[^\s\"'<>?]+\?[^\s\"'<>]*")


def redact(text: str) -> str:
    """``text`` with every NIR-shaped number masked, and the ``DETAIL`` of a PostgreSQL
    error (it quotes the failing row or key: traits, matricules) masked whole.

    >>> print(redact("NotNullViolation\\nDETAIL:  Failing row contains (null, DUPONT)."))
    NotNullViolation
    DETAIL:  <masqué>

    >>> redact("matricule 285037505612345 et 1 85 03 2A 056 123")
    'matricule <masqué> et <masqué>'
    >>> redact("identité 0b6a3c0e-5d1f-4c5a-9a52-3f1f3f1f3f1f, 14 digits 28503750561234")
    'identité 0b6a3c0e-5d1f-4c5a-9a52-3f1f3f1f3f1f, 14 digits 28503750561234'
    """
    return NIR_SHAPED.sub(MASK, _PG_DETAIL.sub(rf"\1{MASK}", text))


def mask_query(target: str) -> str:
    """A request target with the values of its query string masked.

    >>> mask_query("/api/v1/identities?ins=285037505612345&limit=5")
    '/api/v1/identities?ins=<masqué>&limit=<masqué>'
    >>> mask_query("/recherche?Lef%C3%A8vre")
    '/recherche?<masqué>'
    """
    path, sep, query = target.partition("?")
    if not sep:
        return redact(path)
    masked = []
    for part in query.split("&"):
        name, has_value, _ = part.partition("=")
        masked.append(f"{name}={MASK}" if has_value and _NAME.fullmatch(name) else MASK)
    return f"{redact(path)}?{'&'.join(masked)}"


def _request_target(scope: Scope) -> str:
    path = str(scope.get("root_path", "")) + str(scope.get("path", ""))
    query = scope.get("query_string", b"")
    return path + ("?" + query.decode("latin-1") if query else "")


class AccessLogMiddleware:
    """One line per HTTP request on ``identito.access``, the query values masked:
    ``127.0.0.1:50000 - "GET /api/v1/identities?ins=<masqué> HTTP/1.1" 200 4ms``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.logger = logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            client = scope.get("client") or ("-", 0)
            self.logger.info(
                '%s:%s - "%s %s HTTP/%s" %d %dms',
                client[0],
                client[1],
                scope.get("method"),
                mask_query(_request_target(scope)),
                scope.get("http_version", "1.1"),
                status,
                round((time.perf_counter() - started) * 1000),
            )


def redact_record(record: logging.LogRecord) -> None:
    """Mask what ``record`` would print: message, traceback, stack."""
    if record.name == "uvicorn.access" and isinstance(record.args, tuple) and record.args[2:]:
        args = list(record.args)
        args[2] = mask_query(str(args[2]))
        record.args = tuple(args)
    else:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a broken format: printed as is by logging
            message = str(record.msg)
        redacted = redact(_URL_WITH_QUERY.sub(lambda url: mask_query(url.group(0)), message))
        if redacted != message:
            record.msg, record.args = redacted, None
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def install_log_redaction() -> None:
    """Mask NIR-shaped numbers in every record this process creates (idempotent)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "redacting", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        redact_record(record)
        return record

    factory.redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def _handler(formatter: str) -> dict[str, Any]:
    return {"formatter": formatter, "class": "logging.StreamHandler", "stream": "ext://sys.stderr"}


#: ``uvicorn.run(log_config=...)`` of ``identito serve``: uvicorn's lines and identito's
#: own (access log included) on standard error.
LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "default": {
            "()": "uvicorn.logging.DefaultFormatter",
            "fmt": "%(levelprefix)s %(message)s",
            "use_colors": None,
        },
        "identito": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"default": _handler("default"), "identito": _handler("identito")},
    "loggers": {
        "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
        "uvicorn.access": {"handlers": ["default"], "level": "INFO", "propagate": False},
        "identito": {"handlers": ["identito"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["identito"], "level": "WARNING"},
}


def configure_logging() -> None:
    """``LOG_CONFIG`` and the redaction, for a long-running command (``mllp serve``)."""
    install_log_redaction()
    logging.config.dictConfig(LOG_CONFIG)
