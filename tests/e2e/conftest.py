"""The API over a real, migrated SQLite file: one database per test module.

Users are created through ``add_user`` (one per role, named after it); ``api``
sends requests as one of them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_support import Api, TestClient, make_container
from web_support import browser_for  # noqa: F401  (fixture of the web tests)

from identito.adapters.database import dispose_engines
from identito.bootstrap import Container
from identito.entrypoints.api import create_app


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
