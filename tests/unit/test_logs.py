"""Issue 13 point 4: the redaction of log records (``entrypoints/logs.py``)."""

from __future__ import annotations

import doctest
import logging

from identito.entrypoints import logs
from identito.entrypoints.logs import MASK, redact_record

NUMBER = "285037505612345"


def _record(name: str, msg: str, args: tuple[object, ...], exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise LookupError(f"no identity for {NUMBER}")
        except LookupError as error:
            exc_info = (LookupError, error, error.__traceback__)
    return logging.LogRecord(name, logging.ERROR, __file__, 1, msg, args, exc_info)


def test_the_examples_of_the_logs_module_hold() -> None:
    assert doctest.testmod(logs).failed == 0


def test_a_uvicorn_access_line_keeps_the_parameter_names_only() -> None:
    args = ("10.0.0.1:5000", "GET", f"/recherche?ins={NUMBER}&name=Dupont", "1.1", 200)
    record = _record("uvicorn.access", '%s - "%s %s HTTP/%s" %d', args)

    redact_record(record)

    assert record.getMessage() == (
        f'10.0.0.1:5000 - "GET /recherche?ins={MASK}&name={MASK} HTTP/1.1" 200'
    )


def test_a_url_query_and_a_matricule_are_masked_in_any_message_and_its_traceback() -> None:
    record = _record(
        "httpx", "HTTP Request: %s %s", ("GET", "https://h/p?name=Dupont&x=1"), exc=True
    )

    redact_record(record)
    text = logging.Formatter().format(record)

    assert "Dupont" not in text and NUMBER not in text
    assert "https://h/p?name=<masqué>&x=<masqué>" in text and "LookupError" in text


def test_a_spaced_or_corsican_matricule_is_masked_too() -> None:
    record = _record("identito", "got %s and %s", ("2 85 03 75 056 123 45", "185032A05612345"))

    redact_record(record)

    assert record.getMessage() == "got <masqué> and <masqué>"
