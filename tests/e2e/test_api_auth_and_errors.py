"""Authentication, problem details, security headers and the OpenAPI document."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from api_support import PASSWORD, Api, TestClient, make_container, qualify

from identito.bootstrap import Container
from identito.entrypoints.api import create_app
from identito.services.unit_of_work import UnitOfWork

PROBLEM = "application/problem+json"
IDENTITIES = "/api/v1/identities"


def test_a_json_login_returns_a_bearer_token(client: TestClient) -> None:
    response = client.post("/api/v1/auth/token", json={"username": "care", "password": PASSWORD})

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert len(body["access_token"]) >= 32


def test_a_form_encoded_login_works_for_oauth2_tooling(client: TestClient) -> None:
    form = {"grant_type": "password", "username": "admission", "password": PASSWORD}

    response = client.post("/api/v1/auth/token", data=form)

    assert response.status_code == 200
    me = client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {response.json()['access_token']}"}
    )
    assert me.json()["username"] == "admission"


def test_a_wrong_password_is_a_401_problem_with_www_authenticate(client: TestClient) -> None:
    response = client.post("/api/v1/auth/token", json={"username": "care", "password": "faux!"})

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"].startswith(PROBLEM)


def test_a_login_without_password_is_a_422_naming_the_field(client: TestClient) -> None:
    response = client.post("/api/v1/auth/token", json={"username": "care"})

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["password"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic YWRtaW46YWRtaW4="}],
    ids=["without token", "unknown token", "not a bearer"],
)
def test_requests_without_a_valid_token_are_401_problems(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.get(f"{IDENTITIES}?birth_date=1985-03-14", headers=headers)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert body["type"].endswith("unauthenticated") and body["title"] and body["detail"]


def test_me_returns_the_user_role_and_permissions(api: Api) -> None:
    response = api.get("/api/v1/me", "care")

    assert response.status_code == 200
    assert response.json() == {
        "username": "care",
        "role": "care",
        "permissions": ["identity:read", "identity:search", "ins:read", "places:read"],
    }


def test_health_needs_no_token_and_checks_the_database(client: TestClient) -> None:
    response = client.get("/api/v1/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_is_a_503_problem_when_the_database_is_unreachable(container: Container) -> None:
    def unreachable() -> UnitOfWork:
        raise OSError("database down")

    broken = dataclasses.replace(container, uow_factory=unreachable)
    with TestClient(create_app(broken)) as client:
        response = client.get("/api/v1/health")

    assert response.status_code == 503
    assert response.headers["content-type"].startswith(PROBLEM)


def test_unknown_routes_and_methods_are_problems(api: Api) -> None:
    unknown = api.get("/api/v1/nothing-here")
    method = api.request("DELETE", IDENTITIES)

    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith(PROBLEM)
    assert method.status_code == 405
    assert method.headers["content-type"].startswith(PROBLEM)


def test_every_api_response_carries_the_security_headers(api: Api) -> None:
    for response in (api.get("/api/v1/me"), api.get("/api/v1/nothing-here")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"


def test_the_openapi_document_lists_the_integration_paths(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()

    assert set(document["paths"]) >= {
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/health",
        "/api/v1/identities",
        "/api/v1/identities/{identity_id}",
        "/api/v1/identities/{identity_id}/attributes",
        "/api/v1/identities/{identity_id}/validation",
        "/api/v1/identities/{identity_id}/audit",
        "/api/v1/places",
        "/api/v1/places/{code}",
    }
    assert client.get("/api/docs").status_code == 200


def test_every_reference_of_the_openapi_document_resolves(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]

    def references(node: object) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
            return found + [r for value in node.values() for r in references(value)]
        if isinstance(node, list):
            return [r for value in node for r in references(value)]
        return []

    names = {ref.removeprefix("#/components/schemas/") for ref in references(document)}
    assert names and names <= set(schemas)
    problem = document["paths"]["/api/v1/identities/{identity_id}"]["patch"]["responses"]["412"]
    assert set(problem["content"]) == {"application/problem+json"}


def test_the_matricule_is_hidden_from_a_role_configured_without_ins_read(tmp_path: Path) -> None:
    restricted = {"care": ["identity:search", "identity:read"]}
    container = make_container(tmp_path, role_permissions=restricted)
    with TestClient(create_app(container)) as client:
        local = Api(client)
        created = local.create()
        qualify(container, local, created["id"])

        as_care = local.get(f"{IDENTITIES}/{created['id']}", "care").json()
        as_admin = local.get(f"{IDENTITIES}/{created['id']}", "admin").json()

    assert as_care["status"] == "QUAL"
    assert as_care["ins"] is None and as_care["ins_history"] == []
    assert as_admin["ins"]["kind"] == "NIR_TEST"
