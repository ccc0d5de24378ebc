"""Helpers of the API tests: a container on a migrated SQLite file, a client per role
(the ``interface`` user is declared as an interface account of this machine)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx2 as httpx
from fastapi.testclient import TestClient
from stdnum.fr import nir

from identito.adapters.migrate import upgrade_database
from identito.bootstrap import Container, bootstrap
from identito.config import Settings
from identito.domain.identifiers import Ins, Oid
from identito.domain.permissions import Role
from identito.services.auth import SYSTEM, add_user
from identito.services.interface_accounts import declare_interface_account

PASSWORD = "mot-de-passe-de-test"
LOOPBACK = ["127.0.0.1/32", "::1/128"]
ROLES = tuple(role.value for role in Role)


def database_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'identito.sqlite3'}"


def make_container(directory: Path, **settings: Any) -> Container:
    url = database_url(directory)
    upgrade_database(url)
    container = bootstrap(Settings(database_url=url, test_mode=True, **settings))
    for role in ROLES:
        uow, rules = container.uow_factory(), container.rules
        add_user(role, PASSWORD, role, uow=uow, actor=SYSTEM, rules=rules)
    declare_interface_account(  # the MLLP tests' sender: this machine, any domain
        Role.INTERFACE.value, domains=["*"], addresses=LOOPBACK,
        uow=container.uow_factory(), actor=SYSTEM, rules=container.rules,
    )  # fmt: skip
    return container


class Api:
    """Sends requests with the bearer token of a role."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.tokens: dict[str, str] = {}

    def token(self, role: str) -> str:
        if role not in self.tokens:
            response = self.client.post(
                "/api/v1/auth/token", json={"username": role, "password": PASSWORD}
            )
            assert response.status_code == 200, response.text
            self.tokens[role] = response.json()["access_token"]
        return self.tokens[role]

    def request(self, method: str, url: str, role: str = "admin", **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token(role)}", **kwargs.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kwargs)

    def get(self, url: str, role: str = "admin", **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, role, **kwargs)

    def post(self, url: str, role: str = "admin", **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, role, **kwargs)

    def patch(self, url: str, role: str = "admin", **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", url, role, **kwargs)

    def create(self, role: str = "admin", **overrides: Any) -> dict[str, Any]:
        """An identity with the synthetic traits; created anyway (« Créer quand même »,
        issue 12) as the tests of one module share a database and often this person."""
        body = {"create_anyway": True, **identity_payload(), **overrides}
        response = self.post("/api/v1/identities", role, json=body)
        assert response.status_code == 201, response.text
        return response.json()


def identity_payload(**overrides: Any) -> dict[str, Any]:
    """A synthetic person (no real one), as a clerk might type it."""
    return {
        "birth_name": "Lefèvre-Saint-Aubin",
        "birth_first_names": ["Hélène", "Marie"],
        "first_birth_first_name": "hélène",
        "birth_date": "1985-03-14",
        "sex": "f",
        "birth_place_code": "75116",
        "used_name": "Dupré",
        "used_first_name": None,
        **overrides,
    }


_serial = iter(range(100, 1000))


def new_ins_number() -> str:
    """A fresh matricule with a valid key (synthetic; sent with the test OID)."""
    body = f"2850375056{next(_serial):03d}"
    return body + nir.calc_check_digits(body)


def qualify(container: Container, api: Api, identity_id: str) -> dict[str, Any]:
    """Make a QUAL identity: INS retrieved (as INSi would), then a document checked."""
    number = new_ins_number()
    now = datetime.now(UTC)
    with container.uow_factory() as uow:
        identity = uow.identities.get(UUID(identity_id))
        ins = Ins.parse(number, Oid.NIR_TEST.value, allow_test_oids=True)
        identity.record_ins_retrieval(ins, now=now)
        uow.identities.update(identity)
        uow.commit(SYSTEM, now)
    body = {"document_type": "CN", "document_expiry": "2031-05-01"}
    response = api.post(f"/api/v1/identities/{identity_id}/validation", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "QUAL"
    return response.json()
