"""Issue 13 point 4: a failing statement never prints the traits it was sent
(``hide_parameters`` on every engine); what the database itself quotes back in its
message (PostgreSQL's ``DETAIL: Failing row contains (...)``) is masked by the log
redaction (``entrypoints/logs.py``)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from identito.adapters.database import engine_for
from identito.entrypoints.logs import install_log_redaction

NAME, NUMBER = "OUDINOT-LEFEVRE", "285037505612345"


def test_a_failing_statement_prints_no_parameter_and_its_log_line_no_matricule(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    install_log_redaction()
    statement = text("INSERT INTO users (username, role) VALUES (:name, :number)")

    with pytest.raises(DBAPIError) as error, engine_for(database_url).begin() as connection:
        connection.execute(statement, {"name": NAME, "number": NUMBER})
    logging.getLogger("identito.test").error("write failed: %s", error.value)

    assert "parameters hidden" in str(error.value)
    assert NUMBER not in caplog.text and NAME not in caplog.text  # PostgreSQL's DETAIL quotes both
