"""Exports, DataMatrix scans and the FHIR read API over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import Api, Container, qualify
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.patient import Patient

from fr_core_checker import check_patient
from identito.messages import datamatrix


@pytest.fixture(scope="module")
def qualified(api: Api, container: Container) -> dict[str, Any]:
    created = api.create(birth_name="Exportable", birth_date="1990-05-17")
    return qualify(container, api, created["id"])


@pytest.fixture(scope="module")
def provisional(api: Api) -> dict[str, Any]:
    return api.create(birth_name="Provisoire", birth_date="1990-05-17")


def _ins(identity: dict[str, Any]) -> str:
    return str(identity["ins"]["number"])


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [("fhir", "application/fhir+json"), ("hl7v2", "x-application/hl7-v2+er7"),
     ("cda", "application/xml"), ("dicom", "application/dicom"),
     ("datamatrix.png", "image/png"), ("datamatrix.svg", "image/svg+xml"),
     ("label.pdf", "application/pdf"), ("label.html", "text/html; charset=utf-8")],
)  # fmt: skip
def test_every_export_of_a_qualified_identity_is_served_with_its_media_type(
    api: Api, qualified: dict[str, Any], fmt: str, media_type: str
) -> None:
    response = api.get(f"/api/v1/identities/{qualified['id']}/exports/{fmt}", "care")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == media_type
    assert "filename=" in response.headers["content-disposition"]


def test_exports_are_traced_in_the_audit(api: Api, qualified: dict[str, Any]) -> None:
    api.get(f"/api/v1/identities/{qualified['id']}/exports/cda")
    audit = api.get(f"/api/v1/identities/{qualified['id']}/audit").json()["items"]
    assert "identity.diffused" in [e["action"] for e in audit]


def test_a_provisional_identity_exports_traits_only_and_no_datamatrix(
    api: Api, provisional: dict[str, Any]
) -> None:
    fhir = api.get(f"/api/v1/identities/{provisional['id']}/exports/fhir").json()
    assert check_patient(fhir) == [] and fhir["identifier"][0]["type"]["coding"][0]["code"] == "PI"
    response = api.get(f"/api/v1/identities/{provisional['id']}/exports/datamatrix.png")
    assert response.status_code == 409
    assert response.json()["errors"][0]["rule"] == "ins_not_diffusable"


def test_an_unknown_format_and_a_role_without_read_are_refused(
    api: Api, qualified: dict[str, Any]
) -> None:
    assert api.get(f"/api/v1/identities/{qualified['id']}/exports/pdf").status_code == 422
    assert (
        api.get(f"/api/v1/identities/{qualified['id']}/exports/fhir", "statistics").status_code
        == 403
    )


def test_a_datamatrix_scanned_as_text_or_image_prefills_with_method_cb(
    api: Api, qualified: dict[str, Any]
) -> None:
    png = api.get(f"/api/v1/identities/{qualified['id']}/exports/datamatrix.png").content
    by_image = api.post("/api/v1/datamatrix/decode", content=png,
                        headers={"Content-Type": "image/png"})  # fmt: skip
    assert by_image.status_code == 200, by_image.text
    body = by_image.json()
    assert body["collection_method"] == "CB" and body["ins"]["number"] == _ins(qualified)
    assert qualified["id"] in body["matches"]
    text = datamatrix.decode_image(png).replace("\x1d", "<GS>")
    by_text = api.post("/api/v1/datamatrix/decode", json={"text": text})
    assert by_text.json()["traits"] == body["traits"]
    bad = api.post("/api/v1/datamatrix/decode", json={"text": "bonjour"})
    assert bad.status_code == 422


def test_fhir_read_returns_an_fr_core_patient(api: Api, qualified: dict[str, Any]) -> None:
    response = api.get(f"/fhir/Patient/{qualified['id']}", "care")
    assert (
        response.status_code == 200 and response.headers["content-type"] == "application/fhir+json"
    )
    resource = response.json()
    Patient.model_validate(resource)
    assert check_patient(resource) == []
    assert resource["identifier"][0]["value"] == _ins(qualified)


def test_fhir_search_by_traits_and_by_identifier_returns_a_searchset(
    api: Api, qualified: dict[str, Any]
) -> None:
    by_traits = api.get("/fhir/Patient", params={"birthdate": "1990-05-17", "family": "EXPORT"})
    bundle = by_traits.json()
    Bundle.model_validate(bundle)
    assert [e["resource"]["id"] for e in bundle["entry"]] == [qualified["id"]]
    token = f"urn:oid:{qualified['ins']['oid']}|{_ins(qualified)}"
    by_ins = api.get("/fhir/Patient", params={"identifier": token}).json()
    assert by_ins["total"] == 1
    other_oid = api.get(
        "/fhir/Patient", params={"identifier": f"urn:oid:1.2.250.1.213.1.4.9|{_ins(qualified)}"}
    )
    assert other_oid.json()["total"] == 0


def test_fhir_errors_are_operation_outcomes(api: Api, client: Any) -> None:
    missing = api.get("/fhir/Patient/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json()["resourceType"] == "OperationOutcome"
    unauthenticated = client.get("/fhir/Patient", params={"birthdate": "1990-05-17"})
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["issue"][0]["code"] == "login"
    no_date = api.get("/fhir/Patient", params={"family": "X"})
    assert no_date.status_code == 400 and no_date.json()["issue"][0]["code"] == "invalid"
    assert api.get("/fhir/Observation").json()["resourceType"] == "OperationOutcome"


def test_fhir_metadata_is_a_capability_statement(client: Any) -> None:
    statement = client.get("/fhir/metadata").json()
    assert (
        statement["resourceType"] == "CapabilityStatement" and statement["fhirVersion"] == "4.0.1"
    )
