"""Exports, DataMatrix scans and the FHIR read API over HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest
from api_support import Api, Container, identity_payload, qualify
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.patient import Patient

from diffusion_cases import REFERENCE_DIR
from fr_core_checker import check_patient
from identito.messages import datamatrix

VECTORS_FILE = REFERENCE_DIR / "datamatrix" / "ins-datamatrix-test-vectors.json"


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


# -- collection method "code à barres" (CB) from a scanned DataMatrix -----------------------


def _public_vector() -> str:
    """The zxing test vector (public; synthetic person), with blank separators as stored."""
    vectors = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))["vectors"]
    return str(next(v for v in vectors if v["source"].startswith("zxing"))["payload_as_stored"])


def test_a_scanned_public_vector_creates_an_identity_collected_by_barcode_and_exports_say_so(
    api: Api,
) -> None:
    image = datamatrix.png(_public_vector())
    scan = api.post("/api/v1/datamatrix/decode", content=image,
                    headers={"content-type": "image/png"})  # fmt: skip
    assert scan.status_code == 200, scan.text
    decoded = scan.json()
    assert decoded["collection_method"] == "CB"
    assert decoded["traits"]["birth_name"] == "LASTNAMETEST"
    body = {**decoded["traits"], "collection_method": decoded["collection_method"]}
    created = api.post("/api/v1/identities", json=body)
    assert created.status_code == 201, created.text
    identity = created.json()
    assert identity["collection_method"] == "CB"
    assert (identity["status"], identity["ins"]) == ("PROV", None)
    assert api.get(f"/api/v1/identities/{identity['id']}").json()["collection_method"] == "CB"
    fhir = api.get(f"/api/v1/identities/{identity['id']}/exports/fhir").json()
    patient = Patient.model_validate(fhir)
    reliability = next(e for e in patient.extension if e.url.endswith("identity-reliability"))
    methods = [p.valueCoding.code for p in reliability.extension if p.url == "methodCollection"]
    assert methods == ["CB"]
    hl7 = api.get(f"/api/v1/identities/{identity['id']}/exports/hl7v2").text
    zfd = next(s for s in hl7.split("\r") if s.startswith("ZFD|"))
    assert zfd.split("|")[5] == "CB"


def test_a_creation_defaults_to_manual_entry_and_refuses_an_unknown_or_insi_method(
    api: Api,
) -> None:
    assert api.create(birth_name="Saisie")["collection_method"] == "SM"
    for method in ("XX", "INSI"):
        body = {**identity_payload(birth_name="Refus"), "collection_method": method}
        refused = api.post("/api/v1/identities", json=body)
        assert refused.status_code == 422, refused.text
        assert "collection_method" in refused.text
