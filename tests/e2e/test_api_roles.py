"""The role matrix: every endpoint for every role, and the protected INS traits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from api_support import PASSWORD, ROLES, Api, identity_payload, new_ins_number, qualify

from identito.bootstrap import Container

IDENTITIES = "/api/v1/identities"
EVERYONE = frozenset(ROLES)
READERS = frozenset({"admin", "identitovigilance", "admission", "care"})
WRITERS = frozenset({"admin", "identitovigilance", "admission"})
VIGILANCE = frozenset({"admin", "identitovigilance"})


@dataclass(frozen=True)
class Target:
    """The identity an endpoint is called on, prepared by the admin."""

    id: str
    version: int
    ins_number: str | None = None
    call_id: str | None = None  # a pending INSi call on the identity
    worklist_id: str | None = None  # an INSi worklist holding the identity


@dataclass(frozen=True)
class Endpoint:
    name: str
    allowed: frozenset[str]
    call: Callable[[Api, str, Target], httpx.Response]
    ok: int = 200
    qualified: bool = False  # prepare a QUAL identity instead of a PROV one
    insi: str | None = None  # "call": a pending INSi call; "worklist": an INSi worklist
    extra: dict[str, Any] = field(default_factory=dict)


def _token(api: Api, role: str, target: Target) -> httpx.Response:
    body = {"username": role, "password": PASSWORD}
    return api.client.post("/api/v1/auth/token", json=body)


def _patch(changes: dict[str, Any]) -> Callable[[Api, str, Target], httpx.Response]:
    def call(api: Api, role: str, target: Target) -> httpx.Response:
        headers = {"If-Match": str(target.version)}
        return api.patch(f"{IDENTITIES}/{target.id}", role, json=changes, headers=headers)

    return call


#: CNDA test persons (fictitious) INSi knows, one per role creating from INSi.
INSI_PERSONS = {
    "admin": ("Adrun", "Zoe", "1975-12-31", "F"),
    "identitovigilance": ("Corse", "Anthony", "1980-03-02", "M"),
    "admission": ("Hermann", "Gatien", "1981-03-24", "M"),
}


def _create_from_insi(api: Api, role: str, target: Target) -> httpx.Response:
    name, first_name, birth_date, sex = INSI_PERSONS.get(role, INSI_PERSONS["admin"])
    traits = {
        "birth_name": name, "birth_first_names": first_name, "first_birth_first_name": first_name,
        "birth_date": birth_date, "sex": sex, "birth_place_code": "63220",
    }  # fmt: skip
    return api.post("/api/v1/insi/recover", role, json={"mode": "traits", "traits": traits})


MERGES = "/api/v1/merges"


def _merge(api: Api, role: str, target: Target) -> httpx.Response:
    """Merge a new duplicate (created by the admin) into the target."""
    merged = api.create()
    return api.post(MERGES, role, json={"survivor_id": target.id, "merged_id": merged["id"]})


def _unmerge(api: Api, role: str, target: Target) -> httpx.Response:
    """Undo a merge the admin made into the target."""
    merge = _merge(api, "admin", target)
    assert merge.status_code == 201, merge.text
    return api.request("DELETE", f"{MERGES}/{merge.json()['id']}", role)


ECETINSI_INS = "109076322083489"


def _free_ecetinsi(api: Api) -> None:
    """An earlier case of the module accepted ECETINSI's matricule: it is removed, as two
    active identities never hold the same one (R-DU-03)."""
    for held in api.get(IDENTITIES, params={"ins": ECETINSI_INS}).json()["items"]:
        headers = {"If-Match": str(held["version"])}
        removed = api.patch(f"{IDENTITIES}/{held['id']}", json={"ins": None}, headers=headers)
        assert removed.status_code == 200, removed.text


def _pending_call(api: Api) -> Target:
    """ECETINSI typed with another birth place: INSi's answer waits for a decision."""
    _free_ecetinsi(api)
    created = api.create(
        birth_name="Ecetinsi", birth_first_names=["Pierre-Alain"],
        first_birth_first_name="Pierre-Alain", birth_date="2009-07-14", sex="M",
        birth_place_code="75116", used_name=None,
    )  # fmt: skip
    url = f"{IDENTITIES}/{created['id']}/insi/recover"
    pending = api.post(url, json={"mode": "traits"}).json()
    assert pending["decision"] == "pending", pending
    return Target(created["id"], created["version"], call_id=pending["call_id"])


ENDPOINTS = (
    Endpoint("POST /auth/token", EVERYONE, _token),
    Endpoint("GET /me", EVERYONE, lambda api, role, t: api.get("/api/v1/me", role)),
    Endpoint("GET /health", EVERYONE, lambda api, role, t: api.get("/api/v1/health", role)),
    Endpoint(
        "POST /identities",
        WRITERS,
        lambda api, role, t: api.post(  # one person per role (issue 12: else 409)
            IDENTITIES, role, json=identity_payload(birth_name=f"Roles-{role}")
        ),
        ok=201,
    ),
    Endpoint(
        "GET /identities/{id}", READERS, lambda api, role, t: api.get(f"{IDENTITIES}/{t.id}", role)
    ),
    Endpoint(
        "GET /identities?traits",
        READERS,
        lambda api, role, t: api.get(
            IDENTITIES, role, params={"birth_date": "1985-03-14", "name": "lefevre"}
        ),
    ),
    Endpoint(
        "GET /identities?ins",
        READERS,
        lambda api, role, t: api.get(IDENTITIES, role, params={"ins": t.ins_number}),
        qualified=True,
    ),
    Endpoint("PATCH complementary trait", WRITERS, _patch({"used_name": "Garnier"})),
    Endpoint("PATCH strict trait of PROV", WRITERS, _patch({"birth_name": "Garnier"})),
    Endpoint(
        "PATCH complementary trait of QUAL",
        WRITERS,
        _patch({"used_first_name": "Lou"}),
        qualified=True,
    ),
    Endpoint("PATCH strict trait of QUAL", VIGILANCE, _patch({"sex": "M"}), qualified=True),
    Endpoint("PATCH ins of QUAL", VIGILANCE, _patch({"ins": None}), qualified=True),
    Endpoint(
        "POST /identities/{id}/attributes",
        WRITERS,
        lambda api, role, t: api.post(
            f"{IDENTITIES}/{t.id}/attributes", role, json={"add": ["HOMA"]}
        ),
    ),
    Endpoint(
        "POST /identities/{id}/validation",
        WRITERS,
        lambda api, role, t: api.post(
            f"{IDENTITIES}/{t.id}/validation",
            role,
            json={"document_type": "PA", "document_expiry": "2032-02-29"},
        ),
    ),
    Endpoint(
        "GET /identities/{id}/duplicates",
        READERS,
        lambda api, role, t: api.get(f"{IDENTITIES}/{t.id}/duplicates", role),
    ),
    Endpoint(
        "POST /identities/duplicate-check",
        READERS,
        lambda api, role, t: api.post(
            f"{IDENTITIES}/duplicate-check", role, json=identity_payload()
        ),
    ),
    Endpoint("POST /merges", VIGILANCE, _merge, ok=201),
    Endpoint("DELETE /merges/{id}", VIGILANCE, _unmerge),
    Endpoint(
        "GET /identities/{id}/audit",
        VIGILANCE,
        lambda api, role, t: api.get(f"{IDENTITIES}/{t.id}/audit", role),
    ),
    Endpoint(
        "GET /places/{code}",
        READERS,
        lambda api, role, t: api.get("/api/v1/places/20004", role, params={"on": "1950-05-01"}),
    ),
    Endpoint(
        "GET /places",
        READERS,
        lambda api, role, t: api.get("/api/v1/places", role, params={"name": "ajac"}),
    ),
    Endpoint(
        "POST /identities/{id}/insi/recover",
        WRITERS,
        lambda api, role, t: api.post(
            f"{IDENTITIES}/{t.id}/insi/recover", role, json={"mode": "traits"}
        ),
    ),
    Endpoint(
        "POST /identities/{id}/insi/calls/{call_id}/accept",
        WRITERS,
        lambda api, role, t: api.post(f"{IDENTITIES}/{t.id}/insi/calls/{t.call_id}/accept", role),
        insi="call",
    ),
    Endpoint(
        "POST /identities/{id}/insi/calls/{call_id}/reject",
        WRITERS,
        lambda api, role, t: api.post(f"{IDENTITIES}/{t.id}/insi/calls/{t.call_id}/reject", role),
        insi="call",
    ),
    Endpoint(
        "GET /identities/{id}/insi/calls",
        WRITERS,
        lambda api, role, t: api.get(f"{IDENTITIES}/{t.id}/insi/calls", role),
        insi="call",
    ),
    Endpoint(
        "GET /insi/calls/{call_id}/request",
        VIGILANCE,
        lambda api, role, t: api.get(f"/api/v1/insi/calls/{t.call_id}/request", role),
        insi="call",
    ),
    Endpoint(
        "GET /insi/calls/{call_id}/response",
        VIGILANCE,
        lambda api, role, t: api.get(f"/api/v1/insi/calls/{t.call_id}/response", role),
        insi="call",
    ),
    Endpoint("POST /insi/recover", WRITERS, _create_from_insi, ok=201),
    Endpoint(
        "POST /insi/worklists",
        WRITERS,
        lambda api, role, t: api.post(
            "/api/v1/insi/worklists", role, json={"identity_ids": [t.id]}
        ),
        ok=201,
    ),
    Endpoint(
        "GET /insi/worklists/{id}",
        WRITERS,
        lambda api, role, t: api.get(f"/api/v1/insi/worklists/{t.worklist_id}", role),
        insi="worklist",
    ),
    Endpoint(
        "POST /insi/worklists/{id}/run",
        WRITERS,
        lambda api, role, t: api.post(f"/api/v1/insi/worklists/{t.worklist_id}/run", role),
        ok=202,
        insi="worklist",
    ),
    Endpoint(
        "GET /insi/indicators",
        frozenset({"admin", "identitovigilance", "statistics"}),
        lambda api, role, t: api.get("/api/v1/insi/indicators", role),
    ),
    Endpoint(
        "GET /duplicates", VIGILANCE, lambda api, role, t: api.get("/api/v1/duplicates", role)
    ),
    Endpoint(
        "GET /duplicates/indicators",
        frozenset({"admin", "identitovigilance", "statistics"}),
        lambda api, role, t: api.get("/api/v1/duplicates/indicators", role),
    ),
    Endpoint(
        "GET /collisions", VIGILANCE, lambda api, role, t: api.get("/api/v1/collisions", role)
    ),
    Endpoint(
        "POST /identities/{id}/collision",
        VIGILANCE,
        lambda api, role, t: api.post(f"{IDENTITIES}/{t.id}/collision", role, json={}),
    ),
)


def _prepare(api: Api, container: Container, endpoint: Endpoint) -> Target:
    if endpoint.insi == "call":
        return _pending_call(api)
    created = api.create()
    if endpoint.insi == "worklist":
        body = {"identity_ids": [created["id"]], "label": endpoint.name}
        worklist = api.post("/api/v1/insi/worklists", json=body)
        assert worklist.status_code == 201, worklist.text
        return Target(created["id"], created["version"], worklist_id=worklist.json()["id"])
    if not endpoint.qualified:
        return Target(created["id"], created["version"])
    qualified = qualify(container, api, created["id"])
    return Target(created["id"], qualified["version"], qualified["ins"]["number"])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_every_role_gets_the_expected_status_on_every_endpoint(
    api: Api, container: Container, endpoint: Endpoint, role: str
) -> None:
    target = _prepare(api, container, endpoint)

    response = endpoint.call(api, role, target)

    if role in endpoint.allowed:
        assert response.status_code == endpoint.ok, response.text
    else:
        assert response.status_code == 403, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["type"].endswith("permission-denied")


def test_admission_cannot_change_a_strict_trait_of_a_qual_identity(
    api: Api, container: Container
) -> None:
    created = api.create()
    qualified = qualify(container, api, created["id"])
    url = f"{IDENTITIES}/{created['id']}"
    headers = {"If-Match": str(qualified["version"])}

    response = api.patch(url, "admission", json={"birth_name": "Garnier"}, headers=headers)

    assert response.status_code == 403
    assert response.json()["permission"] == "identity:update-protected"
    assert "birth_name" in response.json()["detail"]
    unchanged = api.get(url).json()
    assert unchanged["status"] == "QUAL" and unchanged["birth_name"] == created["birth_name"]


def test_identitovigilance_changes_a_strict_trait_of_qual_and_downgrades_it_to_prov(
    api: Api, container: Container
) -> None:
    created = api.create()
    qualified = qualify(container, api, created["id"])
    url = f"{IDENTITIES}/{created['id']}"
    headers = {"If-Match": str(qualified["version"])}

    response = api.patch(url, "identitovigilance", json={"birth_name": "Garnier"}, headers=headers)

    assert response.status_code == 200
    body = response.json()
    assert body["birth_name"] == "GARNIER"
    assert body["status"] == "PROV"  # INS invalidated and document check withdrawn (issue 11 §10)
    assert body["ins"] is None and body["validation"] is None
    assert [h["number"] for h in body["ins_history"]] == [qualified["ins"]["number"]]
    actions = [e["action"] for e in api.get(f"{url}/audit").json()["items"]]
    assert actions[-3:] == [
        "identity.traits_changed",
        "identity.ins_invalidated",
        "identity.status_changed",
    ]


def test_identitovigilance_may_correct_the_matricule_of_a_qual_identity(
    api: Api, container: Container
) -> None:
    created = api.create()
    qualified = qualify(container, api, created["id"])
    number = new_ins_number()
    change = {"ins": {"number": number, "oid": "1.2.250.1.213.1.4.10"}}
    headers = {"If-Match": str(qualified["version"])}

    refused = api.patch(f"{IDENTITIES}/{created['id']}", "admission", json=change, headers=headers)
    accepted = api.patch(
        f"{IDENTITIES}/{created['id']}", "identitovigilance", json=change, headers=headers
    )

    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert accepted.json()["ins"] == {
        "number": number,
        "oid": "1.2.250.1.213.1.4.10",
        "kind": "NIR_TEST",
    }
    # Issue 11 (R-ST-07): a typed matricule is to verify, the identity is no longer QUAL.
    assert accepted.json()["status"] == "VALI"
    assert (accepted.json()["ins_source"], accepted.json()["ins_to_verify"]) == ("SM", True)
