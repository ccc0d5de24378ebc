"""The billing NSS through the REST and FHIR APIs (issue 17 point 1, R-TR-20, R-AS-04)."""

from __future__ import annotations

from typing import Any

from api_support import Api, new_ins_number, qualify
from reads_support import audit_rows
from web_support import distinct_person

from identito.bootstrap import Container

IDENTITIES = "/api/v1/identities"


def _nss(number: str, holder: str = "ouvrant_droit", oid: str | None = None) -> dict[str, Any]:
    return {"number": number, "holder": holder, **({"oid": oid} if oid else {})}


def test_an_nss_given_at_creation_is_returned_apart_from_the_ins(api: Api) -> None:
    number = new_ins_number()
    created = api.create(**distinct_person(), nss=_nss(number))
    assert created["nss"] == {
        "number": number, "oid": "1.2.250.1.213.1.4.13", "kind": "NIR",
        "holder": "ouvrant_droit",
        "holder_label": "L'ouvrant droit (assuré dont le patient est ayant droit)",
    }  # fmt: skip
    assert created["ins"] is None and created["status"] == "PROV"


def test_a_nir_patched_as_nss_never_becomes_an_ins_and_can_be_removed(api: Api) -> None:
    created = api.create(**distinct_person())
    url = f"{IDENTITIES}/{created['id']}"
    number = new_ins_number()
    patched = api.patch(url, json={"nss": _nss(number, "patient")}, headers={"If-Match": "1"})
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["nss"]["number"] == number and body["ins"] is None and body["status"] == "PROV"
    removed = api.patch(url, json={"nss": None}, headers={"If-Match": str(body["version"])})
    assert removed.status_code == 200 and removed.json()["nss"] is None


def test_a_faulty_nss_is_a_422_problem_naming_each_field_in_french(api: Api) -> None:
    created = api.create(**distinct_person())
    response = api.patch(
        f"{IDENTITIES}/{created['id']}",
        json={"nss": {"number": "123", "oid": "1.2.250.1.213.1.4.8"}},
        headers={"If-Match": "1"},
    )
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(fields) == {"nss.number", "nss.oid", "nss.holder"}
    assert "jamais un matricule INS" in fields["nss.oid"]


def test_the_search_by_nss_finds_the_nss_only_and_care_staff_read_it(api: Api) -> None:
    number = new_ins_number()
    created = api.create(**distinct_person(), nss=_nss(number))
    found = api.get(f"{IDENTITIES}?nss={number[:5]} {number[5:]}", "care").json()["items"]
    assert [i["id"] for i in found] == [created["id"]]
    assert found[0]["nss"]["number"] == number
    assert api.get(f"{IDENTITIES}?ins={number}").json()["items"] == []


def test_fhir_search_by_the_nss_system_and_the_exports_carry_it_as_nh(
    api: Api, container: Container
) -> None:
    number = new_ins_number()
    created = api.create(**distinct_person(), nss=_nss(number))
    token = f"urn:oid:1.2.250.1.213.1.4.13|{number}"
    bundle = api.get("/fhir/Patient", params={"identifier": token}).json()
    assert [e["resource"]["id"] for e in bundle["entry"]] == [created["id"]]
    (nh,) = [i for i in bundle["entry"][0]["resource"]["identifier"] if i["value"] == number]
    assert nh["type"]["coding"][0]["code"] == "NH" and nh["use"] == "official"
    hl7 = api.get(f"{IDENTITIES}/{created['id']}/exports/hl7v2").text
    pid = hl7.split("\rPID|")[1].split("\r")[0]
    repetitions = pid.split("|")[2].split("~")
    assert f"{number}^^^ASIP-SANTE-NIR&1.2.250.1.213.1.4.8&ISO^NH" in repetitions
    assert not [r for r in repetitions if r.endswith("^INS")]


def test_a_qualified_identity_keeps_its_ins_and_its_nss_apart_in_hl7(
    api: Api, container: Container
) -> None:
    created = api.create(**distinct_person())
    qualified = qualify(container, api, created["id"])
    number = new_ins_number()
    url = f"{IDENTITIES}/{created['id']}"
    version = str(qualified["version"])
    body = api.patch(url, json={"nss": _nss(number)}, headers={"If-Match": version}).json()
    assert body["status"] == "QUAL" and body["ins"]["number"] == qualified["ins"]["number"]
    pid = api.get(f"{url}/exports/hl7v2").text.split("\rPID|")[1].split("\r")[0]
    repetitions = pid.split("|")[2].split("~")
    types = {r.split("^")[0]: r.split("^")[4] for r in repetitions}
    assert types[qualified["ins"]["number"]] == "INS" and types[number] == "NH"


def test_a_read_that_shows_the_nss_is_audited_like_a_matricule_read(
    api: Api, container: Container
) -> None:
    created = api.create(**distinct_person(), nss=_nss(new_ins_number()))
    before = audit_rows(container)
    assert api.get(f"{IDENTITIES}/{created['id']}", "care").json()["nss"] is not None
    written = [row for key, row in audit_rows(container).items() if key not in before]
    assert ("identity.read", created["id"]) in {(a, str(i)) for _, a, i in written}
