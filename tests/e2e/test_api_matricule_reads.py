"""Issue 13 point 5: every read of a matricule is audited.

``READS`` names every GET route of the API (its OpenAPI document) and of FHIR: a new
route fails ``test_every_read_route_is_in_the_table`` until it is added. Each route is
called on seeded identities (a current matricule, a former one only, a duplicate):
when its answer holds a matricule, current or former, the same request must have
written an ``identity.read`` (or ``identity.diffused``) row on that identity.
Routes marked ``SHOWS`` must show one (so the check is not vacuous); the others say
why they show none, and are checked to show none.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

import pytest
from api_support import Api, TestClient
from reads_support import SHOWS, Seed, assert_audited_if_shown, audit_rows, make_seed

from identito.bootstrap import Container


@pytest.fixture(scope="module")
def seed(container: Container, api: Api) -> Seed:
    return make_seed(container, api)


Url = Callable[[Seed], str]
_NONE = "00000000-0000-4000-8000-000000000000"

#: (path of the route) -> (the URL to read, SHOWS or why no matricule is shown)
READS: dict[str, tuple[Url, str]] = {
    "/api/v1/me": (lambda s: "/api/v1/me", "the user"),
    "/api/v1/auth/locks": (lambda s: "/api/v1/auth/locks", "usernames and addresses locked"),
    "/api/v1/identities": (lambda s: f"/api/v1/identities?ins={_current(s)}", SHOWS),
    "/api/v1/identities/{identity_id}": (lambda s: f"/api/v1/identities/{_id(s)}", SHOWS),
    "/api/v1/identities/{identity_id}/audit": (
        lambda s: f"/api/v1/identities/{_id(s)}/audit", SHOWS),
    "/api/v1/identities/{identity_id}/duplicates": (
        lambda s: f"/api/v1/identities/{_id(s)}/duplicates", SHOWS),
    "/api/v1/identities/{identity_id}/insi/calls": (
        lambda s: f"/api/v1/identities/{s.twin['id']}/insi/calls", SHOWS),
    "/api/v1/insi/calls/{call_id}/{which}": (
        lambda s: f"/api/v1/insi/calls/{s.call_id}/request", SHOWS),
    "/api/v1/identities/{identity_id}/exports/{fmt}": (
        lambda s: f"/api/v1/identities/{_id(s)}/exports/fhir", SHOWS),
    "/api/v1/duplicates": (lambda s: "/api/v1/duplicates", SHOWS),
    "/api/v1/duplicates/{review_id}": (lambda s: f"/api/v1/duplicates/{s.review_id}", SHOWS),
    "/api/v1/duplicates/indicators": (lambda s: "/api/v1/duplicates/indicators", "counts"),
    "/api/v1/collisions": (lambda s: "/api/v1/collisions", "none declared here"),
    "/api/v1/insi/worklists/{worklist_id}": (
        lambda s: f"/api/v1/insi/worklists/{_NONE}", "progress counts"),
    "/api/v1/insi/indicators": (lambda s: "/api/v1/insi/indicators", "counts"),
    "/api/v1/places": (lambda s: "/api/v1/places?name=Paris", "places"),
    "/api/v1/places/{code}": (lambda s: "/api/v1/places/75116?on=1985-03-14", "a place"),
    "/api/v1/verification/campaigns": (lambda s: "/api/v1/verification/campaigns", "campaigns"),
    "/api/v1/verification/campaigns/{campaign_id}": (
        lambda s: f"/api/v1/verification/campaigns/{_NONE}", "a campaign's counts"),
    "/api/v1/verification/runs/{run_id}/report.csv": (
        lambda s: f"/api/v1/verification/runs/{_NONE}/report.csv",
        "audited per line: test_storage_verification covers the report's rows"),
    "/api/v1/verification/indicators": (
        lambda s: "/api/v1/verification/indicators", "counts"),
    "/api/v1/vigilance/entries": (lambda s: "/api/v1/vigilance/entries", SHOWS),
    "/fhir/Patient/{id}": (lambda s: f"/fhir/Patient/{_id(s)}", SHOWS),
    "/fhir/Patient": (lambda s: f"/fhir/Patient?identifier={_current(s)}", SHOWS),
}  # fmt: skip
FHIR_READS = ("/fhir/Patient/{id}", "/fhir/Patient")


def _id(seed: Seed) -> str:
    return str(seed.current["id"])


def _current(seed: Seed) -> str:
    return str(seed.current["ins"]["number"])


def test_every_read_route_is_in_the_table(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    gets = {path for path, operations in document["paths"].items() if "get" in operations}

    assert gets - {"/api/v1/health"} | set(FHIR_READS) == set(READS)


@pytest.mark.parametrize("path", list(READS), ids=list(READS))
def test_a_read_that_shows_a_matricule_writes_an_audit_row_on_its_identity(
    container: Container, api: Api, seed: Seed, path: str
) -> None:
    url, expected = READS[path]
    before = audit_rows(container)

    answer = api.get(url(seed))

    assert answer.status_code in (200, 404), answer.text
    assert_audited_if_shown(container, seed, before, answer.text, expected)


def test_a_former_matricule_shown_alone_is_an_audited_read(
    container: Container, api: Api, seed: Seed
) -> None:
    before = audit_rows(container)

    answer = api.get(f"/api/v1/identities/{seed.former['id']}")

    history = answer.json()["ins_history"]
    assert answer.json()["ins"] is None and history and history[0]["number"] in seed.numbers
    written = [row for key, row in audit_rows(container).items() if key not in before]
    assert ("admin", "identity.read", UUID(seed.former["id"])) in written
