"""Issue 11 reception rules through POST /api/v1/hl7v2 and POST /fhir/Patient: a received
INS is linked only with agreeing traits (the worklist shows the comparison), received
attributes are applied, a corrected date or a sex I/U never gives QUAL (and no INS is
diffused), the NIR wins over the NIA, identities from another domain are RECD."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from api_support import Api, TestClient, make_container
from hl7apy.parser import parse_message

from identito.adapters.database import dispose_engines
from identito.bootstrap import Container
from identito.entrypoints.api import create_app

HL7, FHIR = "/api/v1/hl7v2", "/fhir/Patient"
FR_CORE = "https://hl7.fr/ig/fhir/core/StructureDefinition/"
NIR_OID, NIA_OID = "1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9"
NIR_CX = "^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS"
NIA_CX = "^^^ASIP-SANTE-INS-NIA&1.2.250.1.213.1.4.9&ISO^INS"
#: Synthetic matricules with valid keys, one per test so that tests stay independent.


def _key(digits: str) -> str:
    return f"{digits}{97 - int(digits) % 97:02d}"


NIR = {
    "adrun": _key("1800375999001"),
    "fhir-adrun": _key("1800375999002"),
    "corrected": _key("1800375999003"),
    "sex": _key("1800375999008"),
    "dout": _key("1800375999009"),
    "nia-first": _key("1800375999010"),
    "nir-first": _key("1800375999011"),
    "web": _key("1800375999013"),
}


def adt(
    *,
    ipp: str,
    ins: str | None,
    name: str = "ADRUN^PAUL^PAUL^^^^L",
    sex: str = "M",
    statuses: str = "VALI",
    sender: str = "OWNAPP|CHU-X",
    event: str = "A28^ADT_A05",
    zfd4: str = "N",
    pid3: str | None = None,
) -> str:
    identifiers = pid3 or f"{ipp}^^^CHU-X&1.2.3&ISO^PI" + (f"~{ins}{NIR_CX}" if ins else "")
    return "\r".join(
        [
            f"MSH|^~\\&|{sender}|IDENTITO|CHU-X|20260306111154||ADT^{event}|{ipp}-{event[:3]}|P|"
            "2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR||2.11^IHE_FRANCE-2.11-PAM",
            "EVN||20260306111154",
            f"PID|1||{identifiers}||{name}||19800302|{sex}|||^^^^^FRA^BDL^^2B020"
            f"|||||||||||||||||||N||{statuses}",
            "PV1|1|N",
            f"ZFD|||N|{zfd4}|INSI|20260306|CN|20310101",
        ]
    )


def patient(*, ins: list[tuple[str, str]], **changes: Any) -> dict[str, Any]:
    resource = {
        "resourceType": "Patient",
        "extension": [
            {
                "url": "http://hl7.org/fhir/StructureDefinition/patient-birthPlace",
                "valueAddress": {
                    "extension": [
                        {
                            "url": FR_CORE + "fr-core-address-insee-code",
                            "valueCoding": {"code": "2B020"},
                        }
                    ]
                },
            },
            _reliability("VALI"),
        ],
        "identifier": [{"system": f"urn:oid:{oid}", "value": number} for number, oid in ins],
        "name": [{"use": "official", "family": "ADRUN", "given": ["PAUL"]}],
        "gender": "male",
        "birthDate": "1980-03-02",
    }
    return {**resource, **changes}


def _reliability(*codes: str) -> dict[str, Any]:
    return {
        "url": FR_CORE + "fr-core-identity-reliability",
        "extension": [{"url": "identityStatus", "valueCoding": {"code": c}} for c in codes],
    }


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    directory = tmp_path_factory.mktemp("reception-rules")
    yield make_container(directory, insi_simulator_population=5, own_domain_senders=["OWNAPP^*"])
    dispose_engines()


@pytest.fixture(scope="module")
def api(container: Container) -> Iterator[Api]:
    with TestClient(create_app(container), base_url="http://testserver") as client:
        yield Api(client)


def _post_hl7(api: Api, text: str) -> str:
    answer = api.post(HL7, content=text)
    assert answer.status_code == 200, answer.text
    return str(parse_message(answer.text.strip("\r"), find_groups=False).msa.msa_1.value)


def _post_fhir(api: Api, resource: dict[str, Any], sender: str = "OWNAPP") -> Any:
    headers = {"Content-Type": "application/fhir+json", "X-Identito-Sender": sender}
    return api.post(FHIR, content=json.dumps(resource), headers=headers)


def _named(api: Api, birth_name: str) -> list[dict[str, Any]]:
    params = {"birth_date": "1980-03-02", "name": birth_name}
    found = api.get("/api/v1/identities", params=params).json()["items"]
    return [i for i in found if i["birth_name"] == birth_name]


def _reception_entries(api: Api) -> list[dict[str, Any]]:
    return api.get("/api/v1/vigilance/entries", params={"kind": "reception"}).json()


# -- 2. a received INS is never linked on the number alone -------------------------------------


def test_hl7_datey_with_adruns_ins_is_neither_linked_nor_created_and_shows_the_comparison(api):
    assert _post_hl7(api, adt(ipp="A1", ins=NIR["adrun"])) == "AA"
    (adrun,) = _named(api, "ADRUN")
    assert adrun["status"] == "QUAL"
    datey = adt(ipp="D1", ins=NIR["adrun"], name="DATEY^ZOE^ZOE^^^^L", sex="F")
    assert _post_hl7(api, datey) == "AA"
    assert _named(api, "DATEY") == []
    entry = next(e for e in _reception_entries(api) if e["identity_id"] == adrun["id"])
    comparison = entry["summary"]["comparison"]
    assert {"birth_name", "first_birth_first_name", "sex"} <= set(comparison["differences"])
    sides = {f["field"]: (f["local"], f["insi"]) for f in comparison["fields"]}
    assert sides["birth_name"] == ("ADRUN", "DATEY")
    assert NIR["adrun"] not in json.dumps(entry)


def test_fhir_post_with_a_local_ins_and_other_traits_waits_in_the_worklist(api):
    first = patient(ins=[(NIR["fhir-adrun"], NIR_OID)], id="F1")
    assert _post_fhir(api, first).status_code in (200, 201)
    other = patient(
        ins=[(NIR["fhir-adrun"], NIR_OID)],
        id="F2",
        gender="female",
        name=[{"use": "official", "family": "DATEY", "given": ["ZOE"]}],
    )
    answer = _post_fhir(api, other)
    assert answer.status_code == 202, answer.text
    assert _named(api, "DATEY") == []
    assert any("comparison" in e["summary"] for e in _reception_entries(api))


def test_an_identity_from_another_domain_is_recd_in_the_api(api):
    text = adt(ipp="R1", ins=None, name="RECUE^PAUL^PAUL^^^^L", statuses="PROV", sender="GAM|CHU-Y")
    assert _post_hl7(api, text) == "AA"
    (received,) = _named(api, "RECUE")
    assert received["received_from_other_domain"] is True


# -- 4. received attributes ----------------------------------------------------------------------


def test_hl7_prov_fict_creates_a_fictitious_identity_blocked_for_insi(api):
    text = adt(ipp="X1", ins=None, name="FICTIF^PAUL^PAUL^^^^L", statuses="PROV~FICT")
    assert _post_hl7(api, text) == "AA"
    (fictitious,) = _named(api, "FICTIF")
    assert fictitious["attributes"] == ["FICT"] and fictitious["status"] == "PROV"
    answer = api.post(f"/api/v1/identities/{fictitious['id']}/insi/verify")
    assert answer.status_code == 409 and "fictive" in answer.text, answer.text


def test_hl7_vali_dout_with_an_ins_never_integrates_the_ins(api):
    text = adt(ipp="X2", ins=NIR["dout"], name="DOUTEUX^PAUL^PAUL^^^^L", statuses="VALI~DOUT")
    assert _post_hl7(api, text) == "AA"
    (doubtful,) = _named(api, "DOUTEUX")
    assert doubtful["attributes"] == ["DOUT"] and doubtful["status"] == "PROV"
    assert doubtful["ins"] is None


def test_fhir_dout_in_identity_reliability_is_applied(api):
    resource = patient(
        ins=[], id="F3", name=[{"use": "official", "family": "FDOUTE", "given": ["PAUL"]}]
    )
    resource["extension"][1] = _reliability("PROV", "DOUT")
    assert _post_fhir(api, resource).status_code in (200, 201)
    (doubtful,) = _named(api, "FDOUTE")
    assert doubtful["attributes"] == ["DOUT"]


# -- 5. corrected birth date -------------------------------------------------------------------


def test_hl7_own_domain_zfd_4_y_with_an_ins_is_not_qualified_and_no_ins_is_sent(api):
    text = adt(ipp="C1", ins=NIR["corrected"], name="CORRIGE^PAUL^PAUL^^^^L", zfd4="Y")
    assert _post_hl7(api, text) == "AA"
    (corrected,) = _named(api, "CORRIGE")
    assert corrected["status"] == "PROV" and corrected["ins"] is None
    assert corrected["birth_date_corrected"] is True and corrected["birth_date_uncertain"]
    exported = api.get(f"/api/v1/identities/{corrected['id']}/exports/hl7v2").text
    assert NIR["corrected"] not in exported
    zfd = next(s for s in exported.split("\r") if s.startswith("ZFD")).split("|")
    assert zfd[4] == "Y"


def test_fhir_birthdate_update_indicator_is_kept_and_blocks_qualification(api):
    indicator = {
        "url": FR_CORE + "fr-core-patient-birthdate-update-indicator",
        "valueBoolean": True,
    }
    resource = patient(
        ins=[(_key("1800375999004"), NIR_OID)],
        id="F4",
        name=[{"use": "official", "family": "FCORRIGE", "given": ["PAUL"]}],
    )
    resource["extension"].append(indicator)
    assert _post_fhir(api, resource).status_code in (200, 201)
    (corrected,) = _named(api, "FCORRIGE")
    assert corrected["birth_date_corrected"] is True
    assert corrected["status"] == "PROV" and corrected["ins"] is None


# -- 6. NIR over NIA ---------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["nia-first", "nir-first"])
def test_hl7_pid_3_nia_and_nir_keeps_the_nir_whatever_the_order(api, order):
    name = f"NIRNIA{order[:3].upper()}"
    nia, nir = f"{_key('2800375999012')}{NIA_CX}", f"{NIR[order]}{NIR_CX}"
    ipp = f"N-{order}^^^CHU-X&1.2.3&ISO^PI"
    pid3 = f"{ipp}~{nia}~{nir}" if order == "nia-first" else f"{ipp}~{nir}~{nia}"
    assert (
        _post_hl7(api, adt(ipp=order, ins=None, name=f"{name}^PAUL^PAUL^^^^L", pid3=pid3)) == "AA"
    )
    (kept,) = _named(api, name)
    assert kept["ins"]["oid"] == NIR_OID and kept["ins"]["number"] == NIR[order]


def test_fhir_nia_and_nir_identifiers_keep_the_nir(api):
    resource = patient(
        ins=[(_key("2800375999005"), NIA_OID), (_key("1800375999006"), NIR_OID)],
        id="F5",
        name=[{"use": "official", "family": "FNIRNIA", "given": ["PAUL"]}],
    )
    assert _post_fhir(api, resource).status_code in (200, 201)
    (kept,) = _named(api, "FNIRNIA")
    assert kept["ins"]["oid"] == NIR_OID


# -- 7. sex I / U --------------------------------------------------------------------------------


def test_hl7_own_domain_sex_u_with_an_ins_is_not_qualified(api):
    text = adt(ipp="S1", ins=NIR["sex"], name="INDETER^CAMILLE^CAMILLE^^^^L", sex="U")
    assert _post_hl7(api, text) == "AA"
    (identity,) = _named(api, "INDETER")
    assert (identity["sex"], identity["status"], identity["ins"]) == ("I", "PROV", None)


def test_fhir_gender_unknown_with_an_ins_is_not_qualified(api):
    resource = patient(
        ins=[(_key("1800375999007"), NIR_OID)],
        id="F6",
        gender="unknown",
        name=[{"use": "official", "family": "FINDETER", "given": ["CAMILLE"]}],
    )
    assert _post_fhir(api, resource).status_code in (200, 201)
    (identity,) = _named(api, "FINDETER")
    assert (identity["sex"], identity["status"], identity["ins"]) == ("I", "PROV", None)


# -- the web: worklist comparison, RECD and corrected date on the sheet -------------------------


def test_the_web_worklist_shows_the_local_and_received_traits_side_by_side(api, browser_for):
    assert _post_hl7(api, adt(ipp="W1", ins=NIR["web"], name="WEBLOCAL^PAUL^PAUL^^^^L")) == "AA"
    other = adt(ipp="W2", ins=NIR["web"], name="WEBRECU^ZOE^ZOE^^^^L", sex="F")
    assert _post_hl7(api, other) == "AA"
    page = browser_for("identitovigilance").get("/listes-de-travail?liste=reception")
    assert page.status_code == 200
    assert "Fiche locale et identité reçue côte à côte" in page.text
    assert "WEBLOCAL" in page.text and "WEBRECU" in page.text
    assert "≠ Différent" in page.text and NIR["web"] not in page.text


def test_the_sheet_shows_recd_and_the_corrected_birth_date(api, browser_for):
    text = adt(ipp="W3", ins=None, name="WEBRECD^PAUL^PAUL^^^^L", statuses="PROV",
               sender="GAM|CHU-Y", zfd4="Y")  # fmt: skip
    assert _post_hl7(api, text) == "AA"
    (identity,) = _named(api, "WEBRECD")
    sheet = browser_for("admission").get(f"/identites/{identity['id']}")
    assert "Reçue d'un autre domaine (RECD)" in sheet.text
    assert "Date de naissance corrigée" in sheet.text


def test_the_api_accepts_and_shows_the_corrected_birth_date_indicator(api):
    created = api.create(birth_date_corrected=True)
    assert created["birth_date_corrected"] is True and created["birth_date_uncertain"] is True
    assert created["received_from_other_domain"] is False
    patched = api.request(
        "PATCH",
        f"/api/v1/identities/{created['id']}",
        json={"birth_date_corrected": False},
        headers={"If-Match": f'"{created["version"]}"'},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["birth_date_corrected"] is False
