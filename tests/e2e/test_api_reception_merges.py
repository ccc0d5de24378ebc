"""Received merges through the HL7 v2 HTTP endpoint: an A40 of the own domain is applied
(and answered AA), later updates of the merged patient land on the survivor."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_support import Api, TestClient, make_container

from identito.adapters.database import dispose_engines
from identito.bootstrap import Container
from identito.entrypoints.api import create_app

HL7 = "/api/v1/hl7v2"
INS = "180032B02040123^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS"


def message(
    event: str, pid3: str, *, name: str = "CORSE^ANTHONY^ANTHONY^^^^L", status: str = "VALI",
    sender: str = "OWNAPP|CHU-X", extra: str = "",
) -> str:  # fmt: skip
    segments = [
        f"MSH|^~\\&|{sender}|IDENTITO|CHU-X|20260306111154||ADT^{event}|MSG-{pid3[:4]}-{event[:3]}"
        "|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR||2.11^IHE_FRANCE-2.11-PAM",
        "EVN||20260306111154",
        f"PID|1||{pid3}||{name}||19800302|M|||^^^^^FRA^BDL^^2B020|||||||||||||||||||N||{status}",
        "PV1|1|N",
    ]
    return "\r".join(segments + ([extra] if extra else []))


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    directory = tmp_path_factory.mktemp("api-reception-merges")
    container: Container = make_container(directory, own_domain_senders=["OWNAPP^*"])
    with TestClient(create_app(container), base_url="http://testserver") as client:
        yield Api(client)
    dispose_engines()


def test_an_a40_of_the_own_domain_merges_and_later_updates_go_to_the_survivor(api: Api) -> None:
    first = message("A28^ADT_A05", f"IPP1^^^CHU-X&1.2.3&ISO^PI~{INS}")
    assert "MSA|AA|" in api.post(HL7, content=first).text
    second = message("A28^ADT_A05", "IPP2^^^CHU-X&1.2.3&ISO^PI", name="CORSE^ANTOINE^ANTOINE^^^^L",
                     status="PROV")  # fmt: skip
    assert "MSA|AA|" in api.post(HL7, content=second).text
    found = api.get("/fhir/Patient", params={"birthdate": "1980-03-02"}).json()["entry"]
    by_name = {e["resource"]["name"][0]["given"][0]: e["resource"]["id"] for e in found}
    survivor, merged = by_name["ANTHONY"], by_name["ANTOINE"]

    a40 = message("A40^ADT_A39", f"IPP1^^^CHU-X&1.2.3&ISO^PI~{INS}",
                  extra="MRG|IPP2^^^CHU-X&1.2.3&ISO^PI")  # fmt: skip
    answer = api.post(HL7, content=a40)

    assert "MSA|AA|" in answer.text, answer.text
    inactive = api.get(f"/api/v1/identities/{merged}").json()
    assert (inactive["active"], inactive["merged_into"]) == (False, survivor)
    patient = api.get(f"/fhir/Patient/{merged}").json()
    assert patient["link"] == [
        {"other": {"reference": f"Patient/{survivor}"}, "type": "replaced-by"}
    ]

    update = message("A31^ADT_A05", "IPP2^^^CHU-X&1.2.3&ISO^PI",
                     name="DURAND^^^^^^D~CORSE^ANTHONY^ANTHONY^^^^L", status="PROV")  # fmt: skip
    assert "MSA|AA|" in api.post(HL7, content=update).text
    assert api.get(f"/api/v1/identities/{survivor}").json()["used_name"] == "DURAND"
    assert api.get(f"/api/v1/identities/{merged}").json()["used_name"] is None
