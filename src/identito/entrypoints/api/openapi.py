"""The OpenAPI document as the application really answers (checked by schemathesis,
``tests/e2e/test_api_schema_fuzz.py``).

FastAPI documents what the routes declare; the answers that come from the edges are
added here, for every operation they concern:

* 422 is a problem document (``application/problem+json``, schema ``Problem``), not
  FastAPI's ``HTTPValidationError`` (``errors.validation_problem`` renders it);
* an operation with a request body may answer 400 (body unreadable: not UTF-8 JSON)
  and 413 (body above ``http_max_body_bytes``, ``limits.py``);
* an operation that needs a bearer token may answer 401.
"""

from __future__ import annotations

from typing import Any

from identito.entrypoints.api.errors import problem_responses

#: Operations that take no bearer token.
PUBLIC = {("/api/v1/auth/token", "post"), ("/api/v1/health", "get")}
_UNUSED = ("HTTPValidationError", "ValidationError")


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """Add the edge answers to every operation of ``document`` (in place) and return it."""
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and "responses" in operation:
                _complete_operation(path, method, operation)
    schemas = document.get("components", {}).get("schemas", {})
    for name in _UNUSED:
        schemas.pop(name, None)
    return document


def _complete_operation(path: str, method: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation["responses"]
    wanted = [422] if "422" in responses or operation.get("parameters") else []
    if "requestBody" in operation:
        wanted += [400, 413, 422]
    if (path, method) not in PUBLIC:
        wanted.append(401)
    for status, response in problem_responses(*wanted).items():
        existing = responses.get(str(status))
        if existing is None or status == 422:
            responses[str(status)] = _merged(existing, response)


def _merged(existing: dict[str, Any] | None, problem: dict[str, Any]) -> dict[str, Any]:
    """The problem document, keeping another media type the route declared (FHIR...)."""
    if existing is None:
        return problem
    content = {
        media: value
        for media, value in existing.get("content", {}).items()
        if media != "application/json"
    }
    return {**existing, "content": {**content, **problem["content"]}}
