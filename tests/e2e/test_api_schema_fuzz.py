"""The whole API against its own OpenAPI document, with schemathesis: every operation,
valid and invalid inputs, as admin and as admission in turn, a fixed seed and a bounded number
of examples. Fails on any 5xx, and on any status code, content type, header or body
the document does not declare.

Not checked here: that the document rejects every input the rules reject (schemathesis's
``positive_data_acceptance`` / ``negative_data_rejection``): the domain rules (a valid
INSEE code, a known attribute...) are richer than a JSON schema can say.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from api_support import Api, TestClient, make_container
from hypothesis import HealthCheck, settings
from schemathesis import checks

from identito.adapters.database import dispose_engines
from identito.entrypoints.api import create_app

ROLES = ("admin", "admission")
#: Examples per operation, each sent as one of the roles in turn: reads are cheap and take
#: more (100 find a page number past SQLite's 64 bits), writes fewer; about a minute in all.
READ_EXAMPLES, WRITE_EXAMPLES = 100, 30
_TURN = itertools.count()
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


# Loaded when the module is collected (schemathesis's lazy ``from_fixture`` does not run
# under pytest 9): a container on a migrated SQLite file of its own.
_DIRECTORY = Path(tempfile.mkdtemp(prefix="identito-fuzz-"))
_APP = create_app(make_container(_DIRECTORY, insi_simulator_population=50))
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", _APP)


@pytest.fixture(scope="module")
def tokens() -> Iterator[dict[str, str]]:
    with TestClient(_APP) as client:
        yield {role: Api(client).token(role) for role in ROLES}
    dispose_engines()
    shutil.rmtree(_DIRECTORY, ignore_errors=True)


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,  # the same examples on every run: a failure is reproducible
        database=None,  # nothing written under .hypothesis/
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )


def _send(case: Any, tokens: dict[str, str]) -> None:
    role = ROLES[next(_TURN) % len(ROLES)]
    case.call_and_validate(headers={"Authorization": f"Bearer {tokens[role]}"}, checks=CHECKS)


@schema.include(method="GET").parametrize()
@_settings(READ_EXAMPLES)
def test_no_read_answers_a_5xx_or_anything_its_document_does_not_declare(case, tokens):
    _send(case, tokens)


# DELETE /auth/token revokes the very token the run sends: it would blind every later
# example (tests/e2e/test_api_login_throttle.py covers it).
@schema.exclude(method="GET").exclude(path="/api/v1/auth/token", method="DELETE").parametrize()
@_settings(WRITE_EXAMPLES)
def test_no_write_answers_a_5xx_or_anything_its_document_does_not_declare(case, tokens):
    _send(case, tokens)
