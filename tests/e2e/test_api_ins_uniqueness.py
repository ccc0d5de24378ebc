"""R-DU-03 through each entry point: a matricule another active identity holds is a
409 problem (API), a French page (web), a NACK (HL7 v2), an OperationOutcome (FHIR);
nothing is integrated and the pair is at once in the duplicate worklist.

One database per test: the tests recover the same CNDA person (CORSE) of the
in-process INSi simulator.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from api_support import Api, TestClient, make_container
from hl7apy.parser import parse_message
from web_support import Browser

from identito.adapters.database import dispose_engines
from identito.bootstrap import Container
from identito.entrypoints.api import create_app

IDENTITIES = "/api/v1/identities"
CORSE_INS = "180032B02040123"
NIR_OID = "1.2.250.1.213.1.4.8"
CORSE = {
    "birth_name": "CORSE",
    "birth_first_names": ["ANTHONY"],
    "first_birth_first_name": "ANTHONY",
    "birth_date": "1980-03-02",
    "sex": "M",
    "birth_place_code": "2B020",
    "used_name": None,
}
ECETINSI = {
    "birth_name": "ECETINSI",
    "birth_first_names": ["PIERRE-ALAIN", "MURIEL", "FLORIANT"],
    "first_birth_first_name": "PIERRE-ALAIN",
    "birth_date": "2009-07-14",
    "sex": "M",
    "birth_place_code": "63220",
    "used_name": None,
}
ECETINSI_INS = "109076322083489"
HELD = "ins_already_held"


@pytest.fixture
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    directory = tmp_path_factory.mktemp("api-ins-uniqueness")
    yield make_container(directory, insi_simulator_population=50, own_domain_senders=["OWNAPP^*"])
    dispose_engines()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


def _recover(api: Api, identity_id: str) -> Any:
    return api.post(f"{IDENTITIES}/{identity_id}/insi/recover", "admission",
                    json={"mode": "traits"})  # fmt: skip


def _holder(api: Api) -> dict[str, Any]:
    """CORSE, created, recovered from INSi, then its identity card checked: QUAL, so its
    matricule is diffused."""
    created = api.create(**CORSE)
    recovered = _recover(api, created["id"])
    assert recovered.status_code == 200 and recovered.json()["applied"], recovered.text
    document = {"document_type": "CN", "document_expiry": "2031-05-01"}
    validated = api.post(f"{IDENTITIES}/{created['id']}/validation", json=document)
    assert validated.json()["status"] == "QUAL", validated.text
    return validated.json()


def _pairs(api: Api) -> set[frozenset[str]]:
    items = api.get("/api/v1/duplicates", "identitovigilance").json()["items"]
    return {frozenset((i["first"]["id"], i["second"]["id"])) for i in items if i["blocking"]}


def _assert_refused(body: dict[str, Any], holder_id: str) -> None:
    assert body["status"] == 409 and body["holders"] == [holder_id]
    assert [(e["field"], e["rule"]) for e in body["errors"]] == [("ins", HELD)]
    assert "déjà porté par une autre identité active" in body["detail"]


def test_an_api_recovery_by_traits_of_a_held_matricule_is_a_409_and_the_pair_is_listed(api):
    holder = _holder(api)
    other = api.create(**{**CORSE, "used_name": "MARTIN"})

    refused = _recover(api, other["id"])

    assert refused.status_code == 409, refused.text
    _assert_refused(refused.json(), holder["id"])
    after = api.get(f"{IDENTITIES}/{other['id']}").json()
    assert (after["status"], after["ins"]) == ("PROV", None)
    assert frozenset((holder["id"], other["id"])) in _pairs(api)
    calls = api.get(f"{IDENTITIES}/{other['id']}/insi/calls", "admission").json()["items"]
    assert calls[-1]["decision"] == "refused" and not calls[-1]["applied"]
    exported = [
        json.dumps(api.get(f"/fhir/Patient/{i}", "care").json())
        for i in (holder["id"], other["id"])
    ]
    assert [CORSE_INS in text for text in exported] == [True, False]


def test_an_api_patch_of_a_matricule_another_identity_holds_is_a_409(api):
    holder = _holder(api)
    other = api.create(**ECETINSI)  # another CNDA person, whose own matricule INSi gives
    recovered = _recover(api, other["id"]).json()
    assert recovered["applied"], recovered
    change = {"ins": {"number": CORSE_INS, "oid": NIR_OID}}

    refused = api.patch(f"{IDENTITIES}/{other['id']}", "identitovigilance", json=change,
                        headers={"If-Match": str(recovered["identity"]["version"])})  # fmt: skip

    assert refused.status_code == 409, refused.text
    _assert_refused(refused.json(), holder["id"])
    assert api.get(f"{IDENTITIES}/{other['id']}").json()["ins"]["number"] == ECETINSI_INS
    assert frozenset((holder["id"], other["id"])) in _pairs(api)


def test_accepting_a_held_matricule_in_the_comparison_window_shows_a_french_message(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    holder = _holder(api)
    other = api.create(**{**CORSE, "birth_place_code": "75116"})  # differs: the answer waits
    pending = _recover(api, other["id"]).json()
    assert pending["decision"] == "pending", pending
    browser = browser_for("admission")
    window = f"/identites/{other['id']}/insi/appels/{pending['call_id']}"

    answer = browser.post(f"{window}/accepter", {"version": str(other["version"])})

    assert answer.status_code == 303 and answer.headers["location"] == window
    page = browser.get(window)
    assert page.status_code == 200 and 'id="insi-refusee"' in page.text
    assert "déjà porté par une autre identité active" in page.text and holder["id"] in page.text
    assert "a été intégré." in page.text  # « Rien n'a été intégré. »
    assert "Accepter" not in page.text  # the call is no longer pending
    assert api.get(f"{IDENTITIES}/{other['id']}").json()["ins"] is None
    assert frozenset((holder["id"], other["id"])) in _pairs(api)


def test_a_web_recovery_of_a_held_matricule_shows_the_refused_call_in_french(
    api: Api, browser_for: Callable[[str], Browser]
) -> None:
    holder = _holder(api)
    other = api.create(**{**CORSE, "used_name": "MARTIN"})
    browser = browser_for("admission")

    answer = browser.post(f"/identites/{other['id']}/insi", {"mode": "traits"})

    assert answer.status_code == 303
    page = browser.get(answer.headers["location"])
    assert 'id="insi-refusee"' in page.text and holder["id"] in page.text
    assert "déjà porté par une autre identité active" in page.text
    assert api.get(f"{IDENTITIES}/{other['id']}").json()["ins"] is None


def _message(event: str, pid3: str, status: str, control: str) -> str:
    return "\r".join([
        "MSH|^~\\&|OWNAPP|CHU-X|IDENTITO|CHU-X|20260306111154||ADT^" + event + "|"
        + control + "|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR||2.11^IHE_FRANCE-2.11-PAM",
        "EVN||20260306111154",
        f"PID|1||{pid3}||MARTIN^LUC^LUC^^^^L||19750607|M|||^^^^^FRA^BDL^^63220"
        f"|||||||||||||||||||N||{status}",
        "PV1|1|N",
    ])  # fmt: skip


def test_an_own_domain_a31_carrying_a_held_matricule_is_nacked(api: Api) -> None:
    holder = _holder(api)
    ipp = "IPP42^^^CHU-X&1.2.3&ISO^PI"
    created = api.post("/api/v1/hl7v2", content=_message("A28^ADT_A05", ipp, "PROV", "M1"))
    assert "MSA|AA|" in created.text, created.text
    ins = f"{CORSE_INS}^^^ASIP-SANTE-INS-NIR&{NIR_OID}&ISO^INS"

    update = api.post("/api/v1/hl7v2",
                      content=_message("A31^ADT_A05", f"{ipp}~{ins}", "VALI", "M2"))  # fmt: skip

    ack = parse_message(update.text.strip("\r"), find_groups=False)
    assert ack.msa.msa_1.value == "AE"
    assert "205" in ack.err.err_3.value and "déjà porté" in update.text
    assert "|PID^1^3|205^Duplicate key identifier^HL70357|" in update.text
    found = api.get(IDENTITIES, params={"birth_date": "1975-06-07", "name": "MARTIN"}).json()
    [received] = found["items"]
    assert received["ins"] is None
    assert frozenset((holder["id"], received["id"])) in _pairs(api)


def _patient(**changes: Any) -> str:
    patient = {
        "resourceType": "Patient",
        "id": "P42",
        "extension": [
            {
                "url": "http://hl7.org/fhir/StructureDefinition/patient-birthPlace",
                "valueAddress": {
                    "extension": [
                        {
                            "url": "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code",
                            "valueCoding": {"code": "63220"},
                        }
                    ]
                },
            }
        ],
        "name": [{"use": "official", "family": "MARTIN", "given": ["LUC"]}],
        "gender": "male",
        "birthDate": "1975-06-07",
    }
    return json.dumps({**patient, **changes})


def test_a_fhir_write_of_a_held_matricule_from_the_own_domain_is_an_operation_outcome(
    api: Api,
) -> None:
    holder = _holder(api)
    headers = {"Content-Type": "application/fhir+json", "X-Identito-Sender": "OWNAPP"}
    created = api.post("/fhir/Patient", content=_patient(), headers=headers)
    assert created.status_code in (200, 201), created.text
    born = json.loads(_patient())["extension"]
    qualified = {
        "extension": [*born, {
            "url": "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability",
            "extension": [{"url": "identityStatus", "valueCoding": {"code": "VALI"}}],
        }],
        "identifier": [{"system": f"urn:oid:{NIR_OID}", "value": CORSE_INS}],
    }  # fmt: skip

    refused = api.request("PUT", "/fhir/Patient/P42", content=_patient(**qualified),
                          headers=headers)  # fmt: skip

    assert refused.status_code == 409, refused.text
    [issue] = refused.json()["issue"]
    assert refused.json()["resourceType"] == "OperationOutcome"
    assert (issue["severity"], issue["code"]) == ("error", "duplicate")
    assert "déjà porté par une autre identité active" in issue["diagnostics"]
    found = api.get(IDENTITIES, params={"birth_date": "1975-06-07", "name": "MARTIN"}).json()
    [received] = found["items"]
    assert received["ins"] is None
    assert frozenset((holder["id"], received["id"])) in _pairs(api)
