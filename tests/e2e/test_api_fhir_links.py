"""FHIR read and search of merged identities: active, link replaced-by / replaces."""

from __future__ import annotations

from typing import Any

from api_support import Api
from fhir.resources.R4B.patient import Patient

from fr_core_checker import check_patient

MERGES = "/api/v1/merges"


def _links(resource: dict[str, Any]) -> list[tuple[str, str]]:
    return [(link["type"], link["other"]["reference"]) for link in resource.get("link", [])]


def _merge(api: Api, survivor: dict[str, Any], merged: dict[str, Any]) -> dict[str, Any]:
    body = {"survivor_id": survivor["id"], "merged_id": merged["id"]}
    response = api.post(MERGES, "identitovigilance", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_fhir_read_shows_the_merged_patient_inactive_and_replaced_by_its_survivor(
    api: Api,
) -> None:
    survivor, merged = api.create(), api.create(used_name="Martin")
    _merge(api, survivor, merged)

    old = api.get(f"/fhir/Patient/{merged['id']}", "care").json()
    kept = api.get(f"/fhir/Patient/{survivor['id']}", "care").json()

    assert old["active"] is False
    assert _links(old) == [("replaced-by", f"Patient/{survivor['id']}")]
    assert kept["active"] is True
    assert _links(kept) == [("replaces", f"Patient/{merged['id']}")]
    for resource in (old, kept):
        Patient.model_validate(resource)
        assert check_patient(resource) == []


def test_fhir_search_finds_the_survivor_with_its_replaces_link_and_not_the_merged_one(
    api: Api,
) -> None:
    survivor, merged = api.create(birth_date="1971-06-02"), api.create(birth_date="1971-06-02")
    _merge(api, survivor, merged)

    bundle = api.get("/fhir/Patient", "care", params={"birthdate": "1971-06-02"}).json()

    (entry,) = bundle["entry"]
    assert entry["resource"]["id"] == survivor["id"]
    assert _links(entry["resource"]) == [("replaces", f"Patient/{merged['id']}")]


def test_after_an_unmerge_the_links_disappear_and_both_patients_are_active(api: Api) -> None:
    survivor, merged = api.create(), api.create()
    merge = _merge(api, survivor, merged)

    undone = api.request("DELETE", f"{MERGES}/{merge['id']}", "identitovigilance")

    assert undone.status_code == 200, undone.text
    for identity in (survivor, merged):
        resource = api.get(f"/fhir/Patient/{identity['id']}", "care").json()
        assert resource["active"] is True and "link" not in resource
