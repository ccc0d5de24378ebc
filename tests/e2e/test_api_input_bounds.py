"""No 500 from numbers out of range: pagination and campaign parameters are 422
problem documents naming the field (found by schemathesis, issue 12)."""

from __future__ import annotations

import pytest
from api_support import Api

PROBLEM = "application/problem+json"


@pytest.mark.parametrize("path", ["/api/v1/collisions", "/api/v1/duplicates"])
def test_a_huge_page_number_is_a_422_problem_naming_page(api: Api, path: str) -> None:
    response = api.get(f"{path}?page={10**30}")
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert [e["field"] for e in response.json()["errors"]] == ["page"]


def test_the_last_possible_page_is_an_empty_page(api: Api) -> None:
    response = api.get("/api/v1/collisions?page=100000")
    assert response.status_code == 200 and response.json()["items"] == []


def test_a_campaign_looking_back_48989_years_is_a_422_problem_naming_years(api: Api) -> None:
    body = {"name": "Trop loin", "perimeter": "stale", "years": 48_989}
    response = api.post("/api/v1/verification/campaigns", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert [e["field"] for e in response.json()["errors"]] == ["years"]


def test_every_422_of_the_openapi_document_is_a_problem_document(api: Api) -> None:
    document = api.client.get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            response = operation["responses"].get("422")
            if response is not None:
                assert "application/problem+json" in response["content"], (method, path)
                assert "application/json" not in response["content"], (method, path)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_operations_with_a_body_declare_their_400_413_and_401(api: Api) -> None:
    document = api.client.get("/api/v1/openapi.json").json()
    create = document["paths"]["/api/v1/identities"]["post"]["responses"]
    assert {"400", "401", "413", "422"} <= set(create)
    login = document["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert "401" in login and "413" in login
