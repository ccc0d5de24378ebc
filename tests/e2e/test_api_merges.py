"""``POST /api/v1/merges`` and ``DELETE /api/v1/merges/{id}`` through the API."""

from __future__ import annotations

from uuid import uuid4

from api_support import Api

IDENTITIES = "/api/v1/identities"
MERGES = "/api/v1/merges"


def test_a_merged_identity_answers_inactive_with_its_survivor_until_the_merge_is_undone(
    api: Api,
) -> None:
    survivor, merged = api.create(), api.create(used_name="Martin")
    body = {"survivor_id": survivor["id"], "merged_id": merged["id"]}

    created = api.post(MERGES, "identitovigilance", json=body)

    assert created.status_code == 201, created.text
    merge = created.json()
    assert (merge["survivor_id"], merge["merged_id"]) == (survivor["id"], merged["id"])
    assert merge["actor"] == "identitovigilance" and merge["undone_at"] is None
    inactive = api.get(f"{IDENTITIES}/{merged['id']}").json()
    assert (inactive["active"], inactive["merged_into"]) == (False, survivor["id"])
    assert api.get(f"{IDENTITIES}/{survivor['id']}").json()["active"] is True

    undone = api.request("DELETE", f"{MERGES}/{merge['id']}", "identitovigilance")

    assert undone.status_code == 200, undone.text
    assert undone.json()["undone_by"] == "identitovigilance"
    restored = api.get(f"{IDENTITIES}/{merged['id']}").json()
    assert (restored["active"], restored["merged_into"]) == (True, None)
    unchanged = ("birth_name", "used_name", "status", "attributes", "ins", "birth_date")
    assert {k: restored[k] for k in unchanged} == {k: merged[k] for k in unchanged}
    again = api.request("DELETE", f"{MERGES}/{merge['id']}", "identitovigilance")
    assert again.status_code == 409


def test_merging_an_identity_with_itself_is_a_conflict_and_an_unknown_merge_is_not_found(
    api: Api,
) -> None:
    one = api.create()

    itself = api.post(MERGES, json={"survivor_id": one["id"], "merged_id": one["id"]})
    unknown = api.request("DELETE", f"{MERGES}/{uuid4()}")

    assert itself.status_code == 409
    assert itself.headers["content-type"].startswith("application/problem+json")
    assert unknown.status_code == 404
