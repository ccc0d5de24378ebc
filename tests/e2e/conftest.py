"""The API over a real, migrated SQLite file: one database per test module.

Users are created through ``add_user`` (one per role, named after it); ``api``
sends requests as one of them. Every test runs with every logger captured at DEBUG
(identito's access log included) and fails if a matricule or a name of its test
data is found in them (issue 13 point 4, ``log_scan``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from api_support import Api, TestClient, make_container
from log_scan import identity_leaks, stored_identity_strings
from web_support import browser_for  # noqa: F401  (fixture of the web tests)

from identito.adapters.database import dispose_engines
from identito.bootstrap import Container
from identito.entrypoints.api import create_app
from identito.entrypoints.logs import install_log_redaction


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    yield make_container(tmp_path_factory.mktemp("api"))
    dispose_engines()


@pytest.fixture(scope="module")
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture(scope="module")
def api(client: TestClient) -> Api:
    return Api(client)


@pytest.fixture(autouse=True)
def no_identity_in_logs(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    install_log_redaction()  # as identito's app and CLI do; the test clients' lines too
    urls = [
        _database_url(request.getfixturevalue(n)) for n in _DATABASES if n in request.fixturenames
    ]
    caplog.set_level(logging.DEBUG)
    yield
    records = caplog.get_records("setup") + caplog.get_records("call")
    text = "\n".join(caplog.handler.format(record) for record in records)
    if not text:
        return
    known = set().union(*(stored_identity_strings(url) for url in urls))
    leaks = identity_leaks(text, known)
    assert leaks == [], f"identities in the logs: {leaks}"


#: Fixtures whose database the log scan reads for the names and matricules to look for.
_DATABASES = ("container", "cli")


def _database_url(source: Any) -> str:
    return str(getattr(source, "database_url", None) or source.settings.database_url)
