"""FHIR ``active`` and ``link`` of merged identities, checked by fhir.resources and FR Core."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

import pytest
from fhir.resources.R4B.patient import Patient

from diffusion_cases import CONTEXT, view
from fr_core_checker import check_patient
from identito.messages import fhir

SURVIVOR = UUID("00000000-0000-0000-0000-0000000000aa")
MERGED = (
    UUID("00000000-0000-0000-0000-0000000000b1"),
    UUID("00000000-0000-0000-0000-0000000000b2"),
)


def test_an_active_identity_says_so_and_has_no_link() -> None:
    resource = fhir.patient_resource(view("qual"), CONTEXT)

    assert resource["active"] is True and "link" not in resource


@pytest.mark.parametrize("case", ["qual", "prov"])
def test_a_merged_identity_is_inactive_and_replaced_by_its_survivor(case: str) -> None:
    merged = replace(view(case), active=False, merged_into=SURVIVOR)

    resource = fhir.patient_resource(merged, CONTEXT)

    assert resource["active"] is False
    assert resource["link"] == [
        {"other": {"reference": f"Patient/{SURVIVOR}"}, "type": "replaced-by"}
    ]
    Patient.model_validate(resource)
    assert check_patient(resource) == []


def test_the_ipp_of_a_merged_identity_is_marked_old_as_fr_core_says_for_a_merge() -> None:
    merged = replace(view("prov"), active=False, merged_into=SURVIVOR)

    (ipp,) = fhir.patient_resource(merged, CONTEXT)["identifier"]

    assert ipp["use"] == "old" and ipp["type"]["coding"][0]["code"] == "PI"


@pytest.mark.parametrize("case", ["qual", "recup"])
def test_a_survivor_replaces_each_identity_merged_into_it(case: str) -> None:
    survivor = replace(view(case), replaces=MERGED)

    resource = fhir.patient_resource(survivor, CONTEXT)

    assert resource["active"] is True
    assert [(link["type"], link["other"]["reference"]) for link in resource["link"]] == [
        ("replaces", f"Patient/{MERGED[0]}"),
        ("replaces", f"Patient/{MERGED[1]}"),
    ]
    Patient.model_validate(resource)
    assert check_patient(resource) == []


def test_the_checker_refuses_a_replaced_by_link_on_an_active_patient_and_an_unknown_type() -> None:
    resource = fhir.patient_resource(view("prov"), CONTEXT)
    resource["link"] = [
        {"other": {"reference": f"Patient/{SURVIVOR}"}, "type": "replaced-by"},
        {"other": {"reference": "Organization/1"}, "type": "merged"},
    ]

    problems = check_patient(resource)

    assert "link replaced-by on a Patient that is not active=false" in problems
    assert "link.type merged outside the required set" in problems
    assert "link.other Organization/1 is no Patient reference" in problems
