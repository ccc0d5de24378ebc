"""The review worklist, decisions and collisions through the API (issue 7)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from api_support import Api, qualify

from identito.bootstrap import Container

DUPLICATES = "/api/v1/duplicates"
IDENTITIES = "/api/v1/identities"
_dates = iter(f"1961-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 28))


def _pair(api: Api, **other: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Two identities of one person created in turn: the second creation records the pair."""
    born = next(_dates)
    first = api.create(birth_date=born)
    second = api.create(birth_date=born, **{"birth_name": "Lefevre Saint Aubin", **other})
    listed = api.get(DUPLICATES, "identitovigilance", params={"per_page": 100}).json()["items"]
    [review] = [r for r in listed if {r["first_id"], r["second_id"]} == {first["id"], second["id"]}]
    return first, second, review


def _decide(api: Api, review: dict[str, Any], decision: str, **extra: Any) -> Any:
    body = {"decision": decision, **extra}
    return api.post(f"{DUPLICATES}/{review['id']}/decision", "identitovigilance", json=body)


def test_a_creation_fills_the_worklist_shown_side_by_side_with_score_and_explanation(
    api: Api,
) -> None:
    first, second, review = _pair(api, used_name="Martin")

    assert review["status"] == "pending" and review["source"] == "creation"
    assert review["score"] >= 0.8 and review["explanation"]
    detail = api.get(f"{DUPLICATES}/{review['id']}", "identitovigilance")
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert {body["first"]["id"], body["second"]["id"]} == {first["id"], second["id"]}
    assert body["differences"] == ["birth_name", "used_name"]
    assert {line["trait"] for line in body["explanation"]} >= {"name", "birth_date"}


def test_only_identity_vigilance_and_admin_see_the_worklist_and_decide(api: Api) -> None:
    _, _, review = _pair(api)

    for role in ("admission", "care", "statistics"):
        assert api.get(DUPLICATES, role).status_code == 403
        body = {"decision": "duplicate"}
        refused = api.post(f"{DUPLICATES}/{review['id']}/decision", role, json=body)
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert api.get(DUPLICATES, "admin").status_code == 200


def test_a_not_duplicate_decision_closes_the_pair_and_a_second_decision_is_a_conflict(
    api: Api,
) -> None:
    _, _, review = _pair(api)

    decided = _decide(api, review, "not_duplicate", note="Deux sœurs")
    again = _decide(api, review, "duplicate")

    assert decided.status_code == 200, decided.text
    assert (decided.json()["status"], decided.json()["note"]) == ("not_duplicate", "Deux sœurs")
    assert decided.json()["decided_by"] == "identitovigilance"
    assert again.status_code == 409
    assert again.json()["errors"][0]["rule"] == "review_closed"
    listed = api.get(DUPLICATES, "identitovigilance", params={"status": "not_duplicate"})
    assert review["id"] in {r["id"] for r in listed.json()["items"]}


def test_bad_decisions_and_filters_are_refused_naming_field_and_rule(api: Api) -> None:
    _, _, review = _pair(api)

    unknown = _decide(api, review, "peut-etre")
    status = api.get(DUPLICATES, "identitovigilance", params={"status": "ouvert"})
    missing = api.post(f"{DUPLICATES}/{uuid4()}/decision", "identitovigilance",
                       json={"decision": "duplicate"})  # fmt: skip
    outside = _decide(api, review, "collision", identity_id=str(uuid4()))

    assert unknown.status_code == 422
    assert [(e["field"], e["rule"]) for e in unknown.json()["errors"]] == [
        ("decision", "decision_unknown")
    ]
    assert status.status_code == 422 and status.json()["errors"][0]["field"] == "status"
    assert missing.status_code == 404
    assert outside.status_code == 422 and outside.json()["errors"][0]["rule"] == "not_in_pair"


def test_a_homonym_decision_gives_both_identities_the_homa_attribute(api: Api) -> None:
    first, second, review = _pair(api, birth_name="Lefèvre-Saint-Aubin", birth_place_code="69383")

    decided = _decide(api, review, "homonym")

    assert decided.status_code == 200, decided.text
    for identity in (first, second):
        assert api.get(f"{IDENTITIES}/{identity['id']}").json()["attributes"] == ["HOMA"]


def test_a_confirmed_duplicate_is_merged_and_the_pair_closed_as_merged(api: Api) -> None:
    first, second, review = _pair(api)
    assert _decide(api, review, "duplicate").json()["status"] == "duplicate"

    merge = api.post("/api/v1/merges", "identitovigilance",
                     json={"survivor_id": first["id"], "merged_id": second["id"]})  # fmt: skip

    assert merge.status_code == 201, merge.text
    assert api.get(f"{DUPLICATES}/{review['id']}", "identitovigilance").json()["status"] == "merged"
    changed = api.patch(f"{IDENTITIES}/{second['id']}", json={"used_name": "Durand"},
                        headers={"If-Match": str(second["version"] + 1)})  # fmt: skip
    assert changed.status_code == 409
    assert changed.json()["errors"][0]["rule"] == "identity_inactive"


def test_a_collision_withholds_the_matricule_is_listed_and_resolved(
    api: Api, container: Container
) -> None:
    first, _second, review = _pair(api)
    qualified = qualify(container, api, first["id"])
    number = qualified["ins"]["number"]

    decided = _decide(api, review, "collision", confirmed=True, identity_id=first["id"])

    assert decided.status_code == 200, decided.text
    assert api.get(f"{IDENTITIES}/{first['id']}").json()["collision"] == "COLV"
    listed = api.get("/api/v1/collisions", "identitovigilance").json()
    assert first["id"] in {i["id"] for i in listed["items"]}
    exported = api.get(f"{IDENTITIES}/{first['id']}/exports/hl7v2")
    assert exported.status_code == 200 and number not in exported.text

    resolved = api.request("DELETE", f"{IDENTITIES}/{first['id']}/collision", "identitovigilance",
                           params={"note": "Dossiers séparés"})  # fmt: skip

    assert resolved.status_code == 200 and resolved.json()["collision"] is None
    assert number in api.get(f"{IDENTITIES}/{first['id']}/exports/hl7v2").text
    again = api.request("DELETE", f"{IDENTITIES}/{first['id']}/collision", "identitovigilance")
    assert again.status_code == 409


def test_a_collision_is_declared_on_one_identity_by_identity_vigilance_only(api: Api) -> None:
    identity = api.create(birth_date=next(_dates))
    url = f"{IDENTITIES}/{identity['id']}/collision"

    refused = api.post(url, "admission", json={"confirmed": False})
    declared = api.post(url, "identitovigilance", json={"note": "Deux patients"})
    unknown = api.post(f"{IDENTITIES}/{uuid4()}/collision", "identitovigilance", json={})

    assert refused.status_code == 403
    assert declared.status_code == 200 and declared.json()["collision"] == "COLP"
    assert unknown.status_code == 404
    actions = [e["action"] for e in api.get(f"{IDENTITIES}/{identity['id']}/audit").json()["items"]]
    assert "identity.collision_declared" in actions


def test_the_duplicate_indicators_count_found_pending_resolved_and_collisions(api: Api) -> None:
    _pair(api)

    response = api.get(f"{DUPLICATES}/indicators", "statistics")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["found"] == body["pending"] + body["to_merge"] + body["resolved"] >= 1
    assert body["collisions"] >= 0 and set(body["by_status"]) >= {"pending", "merged"}
    assert api.get(f"{DUPLICATES}/indicators", "admission").status_code == 403
