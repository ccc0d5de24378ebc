"""Issue 12, point 4, through the API and the web: a row of the audit trail forged in the
database (by someone able to bypass the triggers) is no longer served as genuine."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from api_support import Api, TestClient, make_container
from sqlalchemy import text
from web_support import Browser

from identito.adapters.database import dispose_engines, engine_for
from identito.bootstrap import Container
from identito.entrypoints.api import create_app

IDENTITIES = "/api/v1/identities"


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    yield make_container(tmp_path_factory.mktemp("api-audit-integrity"))
    dispose_engines()


@pytest.fixture(scope="module")
def api(container: Container) -> Iterator[Api]:
    with TestClient(create_app(container), base_url="http://testserver") as client:
        yield Api(client)


def test_the_history_flags_a_row_whose_actor_was_forged_in_the_database(
    api: Api, container: Container, browser_for: Callable[[str], Browser]
) -> None:
    created = api.create(birth_date="1962-07-14")
    url = f"{IDENTITIES}/{created['id']}"
    api.post(f"{url}/attributes", json={"add": ["HOMA"]})
    genuine = api.get(f"{url}/audit").json()["items"]
    assert [e["intact"] for e in genuine] == [True, True]

    with engine_for(container.settings.database_url).begin() as connection:
        connection.execute(text("DROP TRIGGER audit_log_no_update"))  # the file's owner can
        connection.execute(
            text("UPDATE audit_log SET actor = 'mallory' WHERE id = :id"),
            {"id": genuine[0]["id"].replace("-", "")},
        )

    served = api.get(f"{url}/audit").json()["items"]
    # the first read of the trail is in it now (issue 13: a read of matricules is audited)
    assert [(e["actor"], e["action"], e["intact"]) for e in served] == [
        ("mallory", "identity.created", False),
        ("admin", "identity.attributes_changed", True),
        ("admin", "identity.read", True),
    ]
    page = browser_for("identitovigilance").get(f"/identites/{created['id']}")
    assert page.text.count("Ligne altérée") == 1
