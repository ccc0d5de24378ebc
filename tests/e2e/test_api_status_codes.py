"""Issue 13 point 7: the right status for every API and FHIR route, walked from the
OpenAPI document so that a new route is tested without being listed here.

* without a valid token: 401 with ``WWW-Authenticate: Bearer`` and a problem document
  (an ``OperationOutcome`` under ``/fhir/``), never a redirect to ``/login``;
* a role that lacks a write route's permission gets 403 whatever the body (empty,
  not an object, not JSON): the permission is checked before the body is validated.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from api_support import Api, TestClient
from fastapi.routing import APIRoute, iter_route_contexts

from identito.bootstrap import Container
from identito.entrypoints.api import create_app
from identito.entrypoints.api.deps import Requires
from identito.entrypoints.api.fhir import FHIR_PREFIX

#: Routes anyone may call (no token).
PUBLIC = {("post", "/api/v1/auth/token"), ("get", "/api/v1/health")}
#: Routes every authenticated user may call, whatever the role (no permission to check).
OWN_ACCOUNT = {("delete", "/api/v1/auth/token")}  # revoking the token presented
#: Routes of the FHIR read API (a mounted application, absent from the OpenAPI document).
FHIR_READS = [("get", "/fhir/Patient/{id}"), ("get", "/fhir/Patient")]
BAD_BODIES = {
    "empty": {"content": b""},
    "empty object": {"json": {}},
    "not an object": {"json": [1, 2]},
    "not JSON": {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
}
_PARAM = re.compile(r"\{([^}]+)\}")
_VALUES = {"fmt": "fhir", "which": "request"}


def _document_routes(client: TestClient) -> list[tuple[str, str]]:
    document = client.get("/api/v1/openapi.json").json()
    routes = [
        (method, path)
        for path, operations in document["paths"].items()
        for method in operations
        if (method, path) not in PUBLIC
    ]
    return routes + FHIR_READS


def _url(path: str) -> str:
    return _PARAM.sub(
        lambda m: _VALUES.get(m.group(1), "0b6a3c0e-5d1f-4c5a-9a52-3f1f3f1f3f1f"), path
    )


def _dependencies(route: Any) -> list[Any]:
    return list(route.original_route.dependant.dependencies)


def _checks_a_permission(method: str, path: str) -> bool:
    return _is_write(method) and (method, path) not in OWN_ACCOUNT


def _is_write(method: str) -> bool:
    return method in ("post", "put", "patch", "delete")


def _assert_unauthenticated(response: Any, path: str) -> None:
    assert response.status_code == 401, (path, response.status_code, response.text[:200])
    assert response.headers["www-authenticate"] == "Bearer"
    kind = response.headers["content-type"]
    if path.startswith(FHIR_PREFIX + "/"):
        assert kind.startswith("application/fhir+json"), (path, kind)
        assert response.json()["resourceType"] == "OperationOutcome"
    else:
        assert kind.startswith("application/problem+json"), (path, kind)
        assert response.json()["status"] == 401


def test_every_api_and_fhir_route_without_a_token_is_a_401_never_a_redirect(
    client: TestClient,
) -> None:
    routes = _document_routes(client)
    assert ("post", "/fhir/Patient") in routes and len(routes) > 40

    for method, path in routes:
        response = client.request(method.upper(), _url(path), follow_redirects=False)

        _assert_unauthenticated(response, path)


@pytest.mark.parametrize("token", ["", "not-a-token"], ids=["no token", "unknown token"])
def test_every_write_route_with_a_body_and_no_valid_token_is_a_401(
    client: TestClient, token: str
) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    for method, path in _document_routes(client):
        if not _is_write(method):
            continue
        response = client.request(
            method.upper(), _url(path), json={"x": 1}, headers=headers, follow_redirects=False
        )

        _assert_unauthenticated(response, path)


@pytest.mark.parametrize("body", list(BAD_BODIES), ids=list(BAD_BODIES))
def test_a_role_without_the_permission_gets_403_on_every_write_whatever_the_body(
    api: Api, body: str
) -> None:
    for method, path in _document_routes(api.client):
        if not _checks_a_permission(method, path):
            continue
        response = api.request(method.upper(), _url(path), "statistics", **BAD_BODIES[body])

        assert response.status_code == 403, (method, path, response.status_code, response.text)


def test_every_write_route_declares_the_permission_it_checks_first(container: Container) -> None:
    writes = [
        route
        for route in iter_route_contexts(create_app(container).routes)
        if isinstance(route.original_route, APIRoute)
        and str(route.path).startswith(("/api/", "/fhir/"))
        and any(_is_write(m.lower()) for m in route.methods or ())
        and (min(route.methods or ()).lower(), route.path) not in PUBLIC | OWN_ACCOUNT
    ]
    undeclared = [
        (sorted(route.methods or ()), route.path)
        for route in writes
        if not any(isinstance(d.call, Requires) for d in _dependencies(route))
    ]

    assert len(writes) > 20 and undeclared == []


def test_an_unauthenticated_fhir_patient_post_is_a_401_outcome_not_a_login_redirect(
    client: TestClient,
) -> None:
    response = client.post("/fhir/Patient", follow_redirects=False)

    assert response.status_code == 401
    assert "location" not in response.headers
    assert response.json()["issue"][0]["code"] == "login"
