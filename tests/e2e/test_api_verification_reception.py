"""INS verification and reception through the API, HL7 v2 (HTTP and MLLP) and FHIR,
against the in-process INSi simulator and the public PAM France examples."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from uuid import UUID

import pytest
from api_support import Api, TestClient, make_container
from hl7apy.parser import parse_message

from identito.adapters.database import dispose_engines
from identito.bootstrap import Container
from identito.entrypoints.api import create_app
from identito.entrypoints.mllp import END, START, frame, start_server
from identito.services.unit_of_work import SearchCriteria
from reference import INTEROP

PAM = INTEROP / "hl7v2-pam-fr"
IDENTITIES = "/api/v1/identities"
HL7 = "/api/v1/hl7v2"
FR_CORE = "https://hl7.fr/ig/fhir/core/StructureDefinition/"
INS_NIR = "ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS"
CORSE = {
    "birth_name": "CORSE",
    "birth_first_names": ["ANTHONY"],
    "first_birth_first_name": "ANTHONY",
    "birth_date": "1980-03-02",
    "sex": "M",
    "birth_place_code": "2B020",
}


def ans_example(name: str = "ans-sgl-admission-ADT_A01.er7") -> str:
    return (PAM / name).read_text(encoding="utf-8")


def a28(
    *,
    sender: str = "GAM|CHU-Y",
    pid3: str = "IPP1^^^CHU-Y&1.2.3&ISO^PI~180032B02040123^^^" + INS_NIR,
    name: str = "CORSE^ANTHONY^ANTHONY^^^^L",
    birth: str = "19800302",
    status: str = "VALI",
    event: str = "A28^ADT_A05",
) -> str:
    return "\r".join(
        [
            f"MSH|^~\\&|{sender}|IDENTITO|CHU-X|20260306111154||ADT^{event}|"
            f"MSG-{birth}-{status}|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR||"
            "2.11^IHE_FRANCE-2.11-PAM",
            "EVN||20260306111154",
            f"PID|1||{pid3}||{name}||{birth}|M|||^^^^^FRA^BDL^^2B020|||||||||||||||||||N||{status}",
            "PV1|1|N",
        ]
    )


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    directory = tmp_path_factory.mktemp("api-verification")
    yield make_container(directory, insi_simulator_population=50, own_domain_senders=["OWNAPP^*"])
    dispose_engines()


@pytest.fixture(scope="module")
def api(container: Container) -> Iterator[Api]:
    with TestClient(create_app(container), base_url="http://testserver") as client:
        yield Api(client)


def _all(uow) -> list:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from identito.adapters.orm import identities

    ids = [row[0] for row in uow._connection.execute(select(identities.c.id))]
    return [uow.identities.get(i) for i in ids]


def _ack(text: str):  # type: ignore[no-untyped-def]
    return parse_message(text.strip("\r"), find_groups=False)


# -- unit verification -----------------------------------------------------------------------


def test_verify_returns_ok_for_a_recovered_cnda_person_and_ko_after_a_trait_change(api, container):
    created = api.create(**{**CORSE, "used_name": None})
    recovered = api.post(f"{IDENTITIES}/{created['id']}/insi/recover", json={"mode": "traits"})
    assert recovered.json()["applied"] is True
    answer = api.post(f"{IDENTITIES}/{created['id']}/insi/verify")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["result"] == "OK" and body["status"] == "RECUP" and body["call_id"]
    calls = api.get(f"{IDENTITIES}/{created['id']}/insi/calls").json()["items"]
    assert calls[-1]["mode"] == "verify" and calls[-1]["outcome"] == "OK"
    with container.uow_factory() as uow:  # a wrong sex slipped in: INSi says KO
        identity = uow.identities.get(UUID(created["id"]))
        from dataclasses import replace

        identity.traits = replace(identity.traits, birth_place_code="2A004")
        uow.identities.update(identity)
        uow.commit(api_actor(), identity.updated_at)
    answer = api.post(f"{IDENTITIES}/{created['id']}/insi/verify").json()
    assert answer["result"] == "KO" and answer["status"] == "PROV" and answer["entry_id"]
    entries = api.get("/api/v1/vigilance/entries?kind=verification_ko").json()
    assert any(e["identity_id"] == created["id"] for e in entries)
    assert api.post(f"{IDENTITIES}/{created['id']}/insi/verify", role="care").status_code == 403


def api_actor():  # type: ignore[no-untyped-def]
    from identito.services.auth import SYSTEM

    return SYSTEM


def test_a_campaign_through_the_api_reports_its_results(api):
    created = api.post(
        "/api/v1/verification/campaigns",
        json={"name": "API", "perimeter": "query", "query": "with-ins", "batch_size": 10},
    )
    assert created.status_code == 201, created.text
    started = api.post(f"/api/v1/verification/campaigns/{created.json()['id']}/run")
    assert started.status_code == 202
    progress = api.get(f"/api/v1/verification/campaigns/{created.json()['id']}").json()
    assert progress["finished_at"] is not None and progress["done"] == progress["total"]
    report = api.get(f"/api/v1/verification/runs/{progress['run_id']}/report.csv")
    assert report.status_code == 200 and "KO" in report.text
    assert api.get("/api/v1/verification/indicators").json()["totals"]["OK"] >= 1


# -- HL7 v2 reception --------------------------------------------------------------------------


def test_the_public_ans_example_from_another_domain_is_verified_ko_and_not_integrated(
    api, container
):
    answer = api.post(HL7, content=ans_example(), headers={"Content-Type": "text/plain"})
    assert answer.status_code == 200, answer.text
    ack = _ack(answer.text)
    assert ack.msa.msa_1.value == "AA" and ack.msa.msa_2.value == "3975"
    entries = api.get("/api/v1/vigilance/entries?kind=reception").json()
    pending = [e for e in entries if e["summary"]["sender"] == "GAM^CHU-X"]
    assert pending and "KO" in pending[-1]["summary"]["reason"]
    assert "279035121518989" not in json.dumps(pending)
    with container.uow_factory() as uow:
        message = uow.receptions.get(UUID(pending[-1]["message_id"]))
        assert "279035121518989" not in message.content and message.outcome.value == "pending"
        assert not uow.identities.search(SearchCriteria(ins_number="279035121518989"))
    resolved = api.post(
        f"/api/v1/vigilance/entries/{pending[-1]['id']}/resolve",
        json={"decision": "integrate_without_ins", "comment": "Patient présent"},
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["identity_id"] is not None


def test_a_qualified_ins_from_another_domain_verified_ok_is_integrated_as_received(api, container):
    answer = api.post(HL7, content=a28(), headers={"Content-Type": "text/plain"})
    assert _ack(answer.text).msa.msa_1.value == "AA", answer.text
    with container.uow_factory() as uow:
        found = uow.identities.search(SearchCriteria(ins_number="180032B02040123"))
        found = [i for i in found if i.ins is not None]
        assert len(found) == 1
        messages = uow.receptions.for_identity(found[0].id)
        assert messages and messages[-1].outcome.value == "integrated"
        assert not messages[-1].own_domain


def test_without_vali_the_identity_is_integrated_without_its_ins(api, container):
    pid3 = "IPP-SANSVALI^^^CHU-Y&1.2.3&ISO^PI~180032B02040123^^^" + INS_NIR  # its own IPP
    text = a28(name="SANSVALI^ANTHONY^ANTHONY^^^^L", status="PROV", pid3=pid3)
    assert _ack(api.post(HL7, content=text).text).msa.msa_1.value == "AA"
    with container.uow_factory() as uow:
        found = [i for i in _all(uow) if i.traits.birth_name == "SANSVALI"]
        assert len(found) == 1 and found[0].ins is None


def test_an_own_domain_sender_is_trusted_without_verification(api, container):
    text = a28(
        sender="OWNAPP|CHU-X",
        pid3="IPP2^^^CHU-X&1.2.3&ISO^PI~279035121518989^^^"
        "ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS",
        name="PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L",
        birth="19790328",
    )
    text += "\rZFD|||N|N|INSI|20260306|CN|20310101"
    assert _ack(api.post(HL7, content=text).text).msa.msa_1.value == "AA"
    with container.uow_factory() as uow:
        found = uow.identities.search(SearchCriteria(ins_number="279035121518989"))
        assert found and uow.receptions.for_identity(found[0].id)[-1].own_domain
        assert found[0].status.value == "QUAL"  # qualified on the sender's side (R-ST-09)
        assert found[0].validation is not None and found[0].validation.document_type == "CN"


def test_own_domain_updates_and_a47_are_applied_to_the_identity_known_by_its_ipp(api, container):
    ipp = "IPP7^^^CHU-X&1.2.3&ISO^PI"
    ins = "180032B02040123^^^" + INS_NIR
    name = "CORSE^ANTHONY^ANTHONY^^^^L"
    created = a28(sender="OWNAPP|CHU-X", pid3=f"{ipp}~{ins}", name=name)
    assert _ack(api.post(HL7, content=created).text).msa.msa_1.value == "AA"
    with container.uow_factory() as uow:
        ours = [i for i in _all(uow) if i.ins is not None and i.status.value == "QUAL"]
        identity_id = next(
            i.id
            for i in ours
            if any(m.patient_id == "IPP7" for m in uow.receptions.for_identity(i.id))
        )
    used = "CORSE^ANTHONY^ANTHONY^^^^L~MARTIN^ANTHONY^^^^^D"
    update = a28(sender="OWNAPP|CHU-X", pid3=f"{ipp}~{ins}", name=used, event="A31^ADT_A05")
    assert _ack(api.post(HL7, content=update).text).msa.msa_1.value == "AA"
    removal = (
        a28(sender="OWNAPP|CHU-X", pid3=f'{ipp}~""^^^{INS_NIR}', name=name, status="PROV",
            event="A47^ADT_A30")
        + f"\rMRG|{ins}"
    )  # fmt: skip
    assert _ack(api.post(HL7, content=removal).text).msa.msa_1.value == "AA"
    with container.uow_factory() as uow:
        identity = uow.identities.get(identity_id)
        assert identity.traits.used_name == "MARTIN"
        # INS removed, and PID-32 PROV withdraws the sender's document check: the status
        # follows PID-32 (issue 17 point 8, R-MO-05; it stayed VALI before)
        assert identity.ins is None and identity.status.value == "PROV"
        outcomes = [m.outcome.value for m in uow.receptions.for_identity(identity_id)]
        assert outcomes[-2:] == ["applied", "applied"]


@pytest.mark.parametrize(
    ("text", "code", "error"),
    [
        ("PID|1||123", "AR", "100"),
        (a28(event="A99^ADT_A05"), "AR", "201"),
        (a28(birth="1980-03"), "AE", "102"),
        (a28(name="^ANTHONY^^^^^L"), "AE", "101"),
        (a28().replace("\rPID", "\rZPI"), "AE", "100"),
        (a28().replace("ADT^A28", "ORU^R01"), "AR", "200"),
    ],
)
def test_a_malformed_message_gets_a_clear_ack_and_changes_nothing(
    api, container, text, code, error
):
    with container.uow_factory() as uow:
        before = len(_all(uow))
    answer = api.post(HL7, content=text)
    assert answer.status_code == 400
    assert f"MSA|{code}|" in answer.text
    err = next(s for s in answer.text.split("\r") if s.startswith("ERR"))
    assert f"|{error}^" in err and err.split("|")[-1].strip()  # a French text
    with container.uow_factory() as uow:
        assert len(_all(uow)) == before


def test_a_merge_event_is_traced_and_put_in_the_worklist(api):
    text = a28(event="A40^ADT_A39") + "\rMRG|IPPOLD^^^CHU-Y&1.2.3&ISO^PI"
    assert _ack(api.post(HL7, content=text).text).msa.msa_1.value == "AA"
    entries = api.get("/api/v1/vigilance/entries?kind=reception").json()
    assert any(e["summary"]["event"] == "A40" for e in entries)


def test_mllp_frames_each_message_and_answers_an_ack(container):
    async def exchange() -> list[bytes]:
        server = await start_server(container, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        answers = []
        for text in (a28(name="MLLP^ANTHONY^ANTHONY^^^^L", status="PROV"), "garbage"):
            writer.write(frame(text))
            await writer.drain()
            answers.append(await reader.readuntil(END))
        writer.close()
        await writer.wait_closed()
        server.close()
        await server.wait_closed()
        return answers

    found: list[list[bytes]] = []  # in a thread of its own: another test may hold a loop
    worker = threading.Thread(target=lambda: found.append(asyncio.run(exchange())))
    worker.start()
    worker.join(30)
    first, second = found[0]
    assert first.startswith(START) and b"MSA|AA|" in first
    assert b"MSA|AR|" in second and b"ERR|" in second


# -- FHIR input --------------------------------------------------------------------------------


def fhir_patient(**changes) -> dict:  # type: ignore[no-untyped-def]
    patient = {
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
            {
                "url": FR_CORE + "fr-core-identity-reliability",
                "extension": [{"url": "identityStatus", "valueCoding": {"code": "VALI"}}],
            },
        ],
        "identifier": [{"system": "urn:oid:1.2.250.1.213.1.4.8", "value": "180032B02040123"}],
        "name": [{"use": "official", "family": "CORSE", "given": ["ANTHONY"]}],
        "gender": "male",
        "birthDate": "1980-03-02",
    }
    return {**patient, **changes}


def test_fhir_post_of_a_verified_patient_is_integrated(api):
    answer = api.post(
        "/fhir/Patient",
        content=json.dumps(fhir_patient()),
        headers={"Content-Type": "application/fhir+json", "X-Identito-Sender": "DPI-Y"},
    )
    assert answer.status_code in (200, 201), answer.text
    assert answer.json()["resourceType"] == "OperationOutcome"
    assert answer.headers["Location"].startswith("/fhir/Patient/")


def test_fhir_put_of_an_unknown_ins_waits_in_the_worklist(api):
    patient = fhir_patient(
        identifier=[{"system": "urn:oid:1.2.250.1.213.1.4.8", "value": "180037505612310"}]
    )
    answer = api.request("PUT", "/fhir/Patient/x1", content=json.dumps(patient))
    assert answer.status_code == 202, answer.text
    assert "180037505612310" not in json.dumps(api.get("/api/v1/vigilance/entries").json())


def test_fhir_malformed_input_gets_an_operation_outcome(api):
    answer = api.post("/fhir/Patient", content="{not json")
    assert answer.status_code == 422
    assert answer.json()["issue"][0]["severity"] == "error"
    answer = api.post("/fhir/Patient", content=json.dumps({"resourceType": "Observation"}))
    assert answer.status_code == 422


def test_a_received_pid5_whose_first_name_disagrees_with_the_list_is_still_integrated(
    api, container
):
    """Issue 11 §8-§9: received traits are kept (the message is not lost) although a first
    birth first name that is not whole names of the list is refused when typed."""
    text = a28(name="DESACCORD^PIERRE^PIERRE-ALAIN MURIEL^^^^L", status="PROV", birth="19800304")
    assert _ack(api.post(HL7, content=text).text).msa.msa_1.value == "AA"
    with container.uow_factory() as uow:
        (found,) = [i for i in _all(uow) if i.traits.birth_name == "DESACCORD"]
    assert found.traits.birth_first_names == ("PIERRE-ALAIN", "MURIEL")
    assert found.traits.first_birth_first_name == "PIERRE"
