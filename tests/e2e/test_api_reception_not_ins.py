"""Issue 17 point 9 through POST /api/v1/hl7v2 and POST /fhir/Patient (R-TR-19): an INS-C
or an NSS sent as the INS is refused as INS with a French reason, the identity is
integrated without it, and an NH repetition (billing NIR, App. N) is never the INS."""

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
INS_C = "1234567890123456789012"


def _key(digits: str) -> str:
    return f"{digits}{97 - int(digits) % 97:02d}"


def _adt(ipp: str, name: str, identifiers: str) -> str:
    return "\r".join([
        f"MSH|^~\\&|OWNAPP|CHU-X|IDENTITO|CHU-X|20260306111154||ADT^A28^ADT_A05|{ipp}|P|"
        "2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR||2.11^IHE_FRANCE-2.11-PAM",
        "EVN||20260306111154",
        f"PID|1||{ipp}^^^CHU-X&1.2.3&ISO^PI~{identifiers}||{name}^PAUL^PAUL^^^^L||19800302|M"
        "|||^^^^^FRA^BDL^^2B020|||||||||||||||||||N||VALI",
        "PV1|1|N",
    ])  # fmt: skip


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    directory = tmp_path_factory.mktemp("reception-not-ins")
    yield make_container(directory, own_domain_senders=["OWNAPP^*"])
    dispose_engines()


@pytest.fixture(scope="module")
def api(container: Container) -> Iterator[Api]:
    with TestClient(create_app(container), base_url="http://testserver") as client:
        yield Api(client)


def _post_hl7(api: Api, text: str) -> str:
    answer = api.post(HL7, content=text)
    assert answer.status_code == 200, answer.text
    return str(parse_message(answer.text.strip("\r"), find_groups=False).msa.msa_1.value)


def _named(api: Api, birth_name: str) -> list[dict[str, Any]]:
    params = {"birth_date": "1980-03-02", "name": birth_name}
    found = api.get("/api/v1/identities", params=params).json()["items"]
    return [i for i in found if i["birth_name"] == birth_name]


@pytest.mark.parametrize(
    ("name", "identifier"),
    [
        ("INSCUN", f"{INS_C}^^^ASIP-SANTE-INS-C&1.2.250.1.213.1.4.2&ISO^INS-C"),
        ("INSCDEUX", f"{_key('1800375999041')}^^^ASIP-SANTE-INS-C&1.2.250.1.213.1.4.2&ISO^INS"),
        ("NSSTYPEINS", f"{_key('1800375999043')}^^^NSS&1.2.250.1.213.1.4.13&ISO^INS"),
    ],
)
def test_hl7_an_ins_c_or_nss_sent_as_ins_gives_an_identity_without_ins(
    api: Api, name: str, identifier: str
) -> None:
    assert _post_hl7(api, _adt(f"IPP-{name}", name, identifier)) == "AA"
    (identity,) = _named(api, name)
    assert identity["ins"] is None and identity["status"] == "PROV"


def test_hl7_a_billing_nir_typed_nh_beside_the_ins_is_not_the_ins(api: Api) -> None:
    ins, billing = _key("1800375999044"), _key("1800375999045")
    identifiers = (
        f"{billing}^^^ASIP-SANTE-NIR&1.2.250.1.213.1.4.8&ISO^NH"
        f"~{ins}^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS"
    )
    assert _post_hl7(api, _adt("IPP-NHINS", "NHAVECINS", identifiers)) == "AA"
    (identity,) = _named(api, "NHAVECINS")
    assert identity["ins"]["number"] == ins and identity["status"] == "QUAL"


def test_fhir_an_ins_c_identifier_is_refused_as_ins_with_the_reason_in_french(api: Api) -> None:
    resource = {
        "resourceType": "Patient",
        "extension": [
            {"url": "http://hl7.org/fhir/StructureDefinition/patient-birthPlace",
             "valueAddress": {"extension": [{"url": FR_CORE + "fr-core-address-insee-code",
                                             "valueCoding": {"code": "2B020"}}]}},
            {"url": FR_CORE + "fr-core-identity-reliability",
             "extension": [{"url": "identityStatus", "valueCoding": {"code": "VALI"}}]},
        ],
        "identifier": [{"use": "secondary", "system": "urn:oid:1.2.250.1.213.1.4.2",
                        "type": {"coding": [{"code": "INS-C"}]}, "value": INS_C}],
        "name": [{"use": "official", "family": "FHIRINSC", "given": ["PAUL"]}],
        "gender": "male",
        "birthDate": "1980-03-02",
    }  # fmt: skip
    headers = {"Content-Type": "application/fhir+json", "X-Identito-Sender": "OWNAPP"}
    answer = api.post(FHIR, content=json.dumps(resource), headers=headers)
    assert answer.status_code in (200, 201), answer.text
    diagnostics = json.dumps(answer.json(), ensure_ascii=False)
    assert "INS-C" in diagnostics and "jamais enregistré comme INS" in diagnostics
    (identity,) = _named(api, "FHIRINSC")
    assert identity["ins"] is None
