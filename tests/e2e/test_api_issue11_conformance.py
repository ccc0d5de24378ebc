"""Issue 11 conformance review on merged main: the seams between its points, replayed
through the entry point where a user or an interface would meet them (API with
tokens, web pages, HL7 v2 over HTTP and over a real MLLP socket, FHIR).

One database per test: several tests recover the same CNDA person (CORSE) of the
in-process INSi simulator.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import pytest
from api_support import Api, TestClient, make_container
from hl7apy.parser import parse_message
from web_support import Browser

from identito.adapters.database import dispose_engines
from identito.bootstrap import Container
from identito.domain.identifiers import Ins
from identito.domain.status import CollisionLevel
from identito.entrypoints.api import create_app
from identito.entrypoints.mllp import END, START, frame, start_server
from identito.services.auth import SYSTEM

IDENTITIES, HL7 = "/api/v1/identities", "/api/v1/hl7v2"
NIR_OID, NIA_OID = "1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9"
NIR_CX = "^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS"
NIA_CX = "^^^ASIP-SANTE-INS-NIA&1.2.250.1.213.1.4.9&ISO^INS"
CORSE_INS = "180032B02040123"
CORSE = {
    "birth_name": "CORSE",
    "birth_first_names": ["ANTHONY"],
    "first_birth_first_name": "ANTHONY",
    "birth_date": "1980-03-02",
    "sex": "M",
    "birth_place_code": "2B020",
    "used_name": None,
}
OTHER = {**CORSE, "birth_name": "AUTRE", "birth_first_names": ["PAUL"],
         "first_birth_first_name": "PAUL", "birth_date": "1982-06-15"}  # fmt: skip


def _key(digits: str) -> str:
    return f"{digits}{97 - int(digits) % 97:02d}"


@pytest.fixture
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    directory = tmp_path_factory.mktemp("issue11-conformance")
    yield make_container(directory, insi_simulator_population=50, own_domain_senders=["OWNAPP^*"])
    dispose_engines()


@pytest.fixture
def api(container: Container) -> Iterator[Api]:
    with TestClient(create_app(container), base_url="http://testserver") as client:
        yield Api(client)


def _recover(api: Api, identity_id: str) -> Any:
    return api.post(f"{IDENTITIES}/{identity_id}/insi/recover", json={"mode": "traits"})


def _validate(api: Api, identity_id: str) -> dict[str, Any]:
    body = {"document_type": "CN", "document_expiry": "2031-05-01"}
    response = api.post(f"{IDENTITIES}/{identity_id}/validation", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def _patch(api: Api, identity: dict[str, Any], role: str = "identitovigilance", **change: Any):
    etag = api.get(f"{IDENTITIES}/{identity['id']}").headers["etag"]
    return api.patch(f"{IDENTITIES}/{identity['id']}", role, json=change,
                     headers={"If-Match": etag})  # fmt: skip


def _typed(number: str, oid: str = NIR_OID) -> dict[str, str]:
    return {"number": number, "oid": oid}


def _pairs(api: Api) -> set[frozenset[str]]:
    items = api.get("/api/v1/duplicates", "identitovigilance").json()["items"]
    return {frozenset((i["first"]["id"], i["second"]["id"])) for i in items if i["blocking"]}


def _get(api: Api, identity_id: str) -> dict[str, Any]:
    return api.get(f"{IDENTITIES}/{identity_id}").json()


def _qualified_corse(api: Api) -> dict[str, Any]:
    created = api.create(**CORSE)
    assert _recover(api, created["id"]).json()["applied"]
    qualified = _validate(api, created["id"])
    assert qualified["status"] == "QUAL"
    return qualified


# -- R-DU-03 x R-ST-07: typed, unconfirmed matricules ---------------------------------------------


def test_a_matricule_typed_on_a_second_identity_while_a_first_holds_it_typed_is_a_409(api):
    first = _validate(api, api.create(**OTHER)["id"])
    number = _key("1820675999001")
    assert _patch(api, first, ins=_typed(number)).json()["ins_to_verify"] is True
    second = _validate(api, api.create(**{**OTHER, "birth_name": "SECOND"})["id"])

    refused = _patch(api, second, ins=_typed(number))

    assert refused.status_code == 409, refused.text
    assert refused.json()["holders"] == [first["id"]]
    assert _get(api, second["id"])["ins"] is None
    assert frozenset((first["id"], second["id"])) in _pairs(api)


def test_the_true_holder_is_refused_while_another_identity_holds_its_matricule_typed(api):
    wrong = _validate(api, api.create(**OTHER)["id"])
    assert _patch(api, wrong, ins=_typed(CORSE_INS)).status_code == 200
    true_holder = api.create(**CORSE)

    refused = _recover(api, true_holder["id"])

    assert refused.status_code == 409, refused.text
    assert frozenset((wrong["id"], true_holder["id"])) in _pairs(api)
    api.post(f"{IDENTITIES}/{wrong['id']}/insi/verify")  # KO: the traits are another's
    assert _get(api, wrong["id"])["ins"] is None
    recovered = _recover(api, true_holder["id"])
    assert recovered.status_code == 200 and recovered.json()["applied"], recovered.text


def test_an_insi_verification_ok_of_a_typed_matricule_stays_unique(api):
    typed = _validate(api, api.create(**CORSE)["id"])
    assert _patch(api, typed, ins=_typed(CORSE_INS)).json()["status"] == "VALI"
    duplicate = api.create(**{**CORSE, "used_name": "MARTIN"})

    assert api.post(f"{IDENTITIES}/{typed['id']}/insi/verify").status_code == 200
    assert _recover(api, duplicate["id"]).status_code == 409

    assert _get(api, typed["id"])["status"] == "QUAL"
    assert _get(api, duplicate["id"])["ins"] is None


# -- point 10 x point 3: a typed matricule and a strict change -----------------------------------


def test_a_vali_identity_holding_a_typed_matricule_falls_to_prov_on_a_strict_change(api):
    identity = _validate(api, api.create(**OTHER)["id"])
    assert _patch(api, identity, ins=_typed(_key("1820675999002"))).status_code == 200

    changed = _patch(api, identity, "admin", birth_name="AUTREMENT")

    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["status"], body["ins_to_verify"], body["ins_confirmed"]) == ("PROV", True, False)
    assert _key("1820675999002")[:13] not in api.get(
        f"{IDENTITIES}/{identity['id']}/exports/fhir").text  # fmt: skip


def test_a_typed_matricule_and_a_document_checked_again_in_the_same_change_stay_vali(api):
    identity = _validate(api, api.create(**OTHER)["id"])
    assert _patch(api, identity, ins=_typed(_key("1820675999003"))).status_code == 200
    document = {"document_type": "PA", "document_expiry": "2032-02-02"}

    changed = _patch(api, identity, "admin", birth_name="AUTREMENT", document=document)

    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["status"], body["ins_to_verify"]) == ("VALI", True)
    assert body["validation"]["document_type"] == "PA"


# -- reception: ZFD-4 = Y, sex U, DOUT with a held matricule --------------------------------------


def _adt(*, ipp: str, pid3: str, name: str, sex: str = "M", statuses: str = "VALI",
         zfd4: str = "N", event: str = "A28^ADT_A05", birth: str = "19800302") -> str:  # fmt: skip
    return "\r".join(
        [
            f"MSH|^~\\&|OWNAPP|CHU-X|IDENTITO|CHU-X|20260306111154||ADT^{event}|{ipp}-{event[:3]}|"
            "P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR||2.11^IHE_FRANCE-2.11-PAM",
            "EVN||20260306111154",
            f"PID|1||{pid3}||{name}||{birth}|{sex}|||^^^^^FRA^BDL^^2B020"
            f"|||||||||||||||||||N||{statuses}",
            "PV1|1|N",
            f"ZFD|||N|{zfd4}|INSI|20260306|CN|20310101",
        ]
    )


def _ack(text: str) -> tuple[str, str]:
    message = parse_message(text.strip("\r"), find_groups=False)
    return str(message.msa.msa_1.value), text


def _post_hl7(api: Api, text: str) -> tuple[str, str]:
    answer = api.post(HL7, content=text)
    assert answer.status_code in (200, 400), answer.text  # a NACK (AE/AR) is a 400
    return _ack(answer.text)


def _named(api: Api, birth_name: str, birth_date: str = "1980-03-02") -> list[dict[str, Any]]:
    params = {"name": birth_name, "birth_date": birth_date}
    found = api.get(IDENTITIES, params=params).json()["items"]
    return [i for i in found if i["birth_name"] == birth_name]


@pytest.mark.parametrize(
    "variant",
    [{"zfd4": "Y"}, {"sex": "U"}, {"statuses": "VALI~DOUT"}],
    ids=["zfd4-y", "sex-u", "dout"],
)
def test_a_received_message_carrying_a_held_matricule_with_other_traits_is_never_linked(
    api, variant
):
    holder = _qualified_corse(api)
    pid3 = f"Z1^^^CHU-X&1.2.3&ISO^PI~{CORSE_INS}{NIR_CX}"

    code, _ = _post_hl7(api, _adt(ipp="Z1", pid3=pid3, name="DATEY^ZOE^ZOE^^^^L", **variant))

    assert code in ("AA", "AE", "AR")
    assert [i["id"] for i in _named(api, "DATEY") if i["ins"]] == []
    after = _get(api, holder["id"])
    assert (after["status"], after["birth_name"], after["ins"]["number"]) == (
        "QUAL", "CORSE", CORSE_INS)  # fmt: skip
    fhir = api.get(f"{IDENTITIES}/{holder['id']}/exports/fhir").text
    assert CORSE_INS in fhir


@pytest.mark.parametrize(
    "variant",
    [{"zfd4": "Y"}, {"sex": "U"}, {"statuses": "VALI~DOUT"}],
    ids=["zfd4-y", "sex-u", "dout"],
)
def test_a_new_received_identity_with_a_held_matricule_and_a_blocking_mark_waits_in_the_worklist(
    api, variant
):
    holder = _qualified_corse(api)
    pid3 = f"Z2^^^CHU-X&1.2.3&ISO^PI~{CORSE_INS}{NIR_CX}"
    text = _adt(ipp="Z2", pid3=pid3, name="CORSE^ANTHONY^ANTHONY^^^^L", **variant)

    assert _post_hl7(api, text)[0] == "AA"

    assert [i["id"] for i in _named(api, "CORSE")] == [holder["id"]]  # nothing created
    after = _get(api, holder["id"])
    assert (after["status"], after["attributes"], after["ins"]["number"]) == (
        "QUAL", [], CORSE_INS)  # fmt: skip
    entries = api.get("/api/v1/vigilance/entries", params={"kind": "reception"}).json()
    [entry] = [e for e in entries if e["identity_id"] == holder["id"]]
    assert "ni rapprochée, ni créée" in json.dumps(entry, ensure_ascii=False)
    assert "comparison" in entry["summary"]


def test_a_nia_to_nir_change_received_where_the_nir_is_held_by_another_is_refused(api):
    holder = _qualified_corse(api)
    nia = _key("1820699999001")
    pid3_nia = f"N1^^^CHU-X&1.2.3&ISO^PI~{nia}{NIA_CX}"
    name = "NIANIR^PAUL^PAUL^^^^L"
    assert _post_hl7(api, _adt(ipp="N1", pid3=pid3_nia, name=name, birth="19820615"))[0] == "AA"
    (received,) = _named(api, "NIANIR", "1982-06-15")
    assert received["ins"]["oid"] == NIA_OID
    pid3_both = f"{pid3_nia}~{CORSE_INS}{NIR_CX}"
    update = _adt(ipp="N1", pid3=pid3_both, name=name, birth="19820615", event="A31^ADT_A05")

    code, ack = _post_hl7(api, update)

    assert code in ("AE", "AR"), ack
    after = _get(api, received["id"])
    assert after["ins"]["number"] == nia
    assert _get(api, holder["id"])["ins"]["number"] == CORSE_INS


# -- unmerge ------------------------------------------------------------------------------------


def _share_in_collision(container: Container, holder_id: str, other_id: str) -> None:
    """Two identities sharing one matricule, both COLP: as migration 0011 leaves them."""
    with container.uow_factory() as uow:
        holder, other = (uow.identities.get(UUID(i)) for i in (holder_id, other_id))
        now = container.rules.now()
        for identity in (holder, other):
            identity.declare_collision(CollisionLevel.POTENTIAL, now=now)
        uow.identities.update(holder)
        other.record_ins_retrieval(Ins.parse(CORSE_INS, NIR_OID), now=now)
        uow.identities.update(other)
        uow.commit(SYSTEM, now)


def test_an_unmerge_never_leaves_two_active_unflagged_holders_of_one_matricule(api, container):
    survivor = _qualified_corse(api)
    merged = api.create(**{**CORSE, "used_name": "MARTIN"})
    _share_in_collision(container, survivor["id"], merged["id"])
    body = {"survivor_id": survivor["id"], "merged_id": merged["id"]}
    merge = api.post("/api/v1/merges", "identitovigilance", json=body)
    assert merge.status_code == 201, merge.text

    undone = api.request("DELETE", f"/api/v1/merges/{merge.json()['id']}", "identitovigilance")

    holders = [_get(api, i) for i in (survivor["id"], merged["id"])]
    active = [h for h in holders if h["active"] and h["ins"] and h["ins"]["number"] == CORSE_INS]
    if undone.status_code == 409:
        assert undone.json()["holders"] == [survivor["id"]]
        assert len(active) == 1
    else:
        assert undone.status_code == 200, undone.text
        assert len(active) == 2 and all(h["collision"] == "COLP" for h in active), active


# -- the MLLP socket: DATEY ZOE with ADRUN's INS -------------------------------------------------


def test_over_mllp_datey_zoe_carrying_a_local_qualified_ins_is_neither_linked_nor_created(
    api, container
):
    adrun_ins = _key("1800375999101")
    adrun = _adt(ipp="M1", pid3=f"M1^^^CHU-X&1.2.3&ISO^PI~{adrun_ins}{NIR_CX}",
                 name="ADRUN^PAUL^PAUL^^^^L")  # fmt: skip
    datey = _adt(ipp="M2", pid3=f"M2^^^CHU-X&1.2.3&ISO^PI~{adrun_ins}{NIR_CX}",
                 name="DATEY^ZOE^ZOE^^^^L", sex="F")  # fmt: skip

    async def send_both() -> list[str]:
        server = await start_server(container, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        answers = []
        for text in (adrun, datey):
            writer.write(frame(text))
            await writer.drain()
            raw = await reader.readuntil(END)
            answers.append(raw.decode().lstrip(START.decode()).rstrip(END.decode()))
        writer.close()
        await writer.wait_closed()
        server.close()
        await server.wait_closed()
        return answers

    found: list[list[str]] = []  # in a thread of its own: another test may hold a loop
    worker = threading.Thread(target=lambda: found.append(asyncio.run(send_both())))
    worker.start()
    worker.join(30)
    (answers,) = found

    assert [_ack(a)[0] for a in answers] == ["AA", "AA"]
    (local,) = _named(api, "ADRUN")
    assert local["status"] == "QUAL" and local["ins"]["number"] == adrun_ins
    assert _named(api, "DATEY") == []
    entries = api.get("/api/v1/vigilance/entries", params={"kind": "reception"}).json()
    assert any(e["identity_id"] == local["id"] and "comparison" in e["summary"] for e in entries)


# -- the web: French messages where the user acted, the sheet tells the truth ---------------------


def test_the_web_sheet_of_a_typed_matricule_says_ins_to_verify_and_the_true_status(
    api, browser_for: Callable[[str], Browser]
):
    identity = _validate(api, api.create(**OTHER)["id"])
    number = _key("1820675999004")
    assert _patch(api, identity, ins=_typed(number)).status_code == 200

    sheet = browser_for("admission").get(f"/identites/{identity['id']}")

    assert sheet.status_code == 200
    assert "INS saisi, à vérifier" in sheet.text
    assert "Identité validée" in sheet.text
    assert "Identité qualifiée" not in sheet.text and "Identité récupérée" not in sheet.text


def test_the_web_edit_of_a_strict_trait_of_a_vali_identity_with_a_typed_matricule_shows_prov(
    api, browser_for: Callable[[str], Browser]
):
    identity = _validate(api, api.create(**OTHER)["id"])
    assert _patch(api, identity, ins=_typed(_key("1820675999005"))).status_code == 200
    current = _get(api, identity["id"])
    browser = browser_for("admin")
    form = {
        "version": str(current["version"]),
        "birth_name": "AUTREMENT",
        "birth_first_names": "PAUL",
        "first_birth_first_name": "PAUL",
        "birth_date": "15/06/1982",
        "sex": "M",
        "birth_place_code": "2B020",
        "used_name": "",
        "used_first_name": "",
    }

    answer = browser.post(f"/identites/{identity['id']}/modifier", form)

    assert answer.status_code in (200, 303), answer.text
    assert not answer.text.lstrip().startswith("{")
    if answer.status_code == 200:  # a confirmation step: say what the change does
        assert "provisoire" in answer.text.lower() or "document" in answer.text.lower()


def test_a_fhir_patient_of_sex_unknown_carrying_a_held_matricule_is_neither_linked_nor_created(
    api,
):
    holder = _qualified_corse(api)
    resource = {
        "resourceType": "Patient",
        "id": "FU1",
        "extension": [
            {
                "url": "http://hl7.org/fhir/StructureDefinition/patient-birthPlace",
                "valueAddress": {"extension": [{
                    "url": "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code",
                    "valueCoding": {"code": "2B020"}}]},
            },
            {
                "url": "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability",
                "extension": [{"url": "identityStatus", "valueCoding": {"code": "VALI"}}],
            },
        ],
        "identifier": [{"system": f"urn:oid:{NIR_OID}", "value": CORSE_INS}],
        "name": [{"use": "official", "family": "CORSE", "given": ["ANTHONY"]}],
        "gender": "unknown",
        "birthDate": "1980-03-02",
    }  # fmt: skip
    headers = {"Content-Type": "application/fhir+json", "X-Identito-Sender": "OWNAPP"}

    answer = api.post("/fhir/Patient", content=json.dumps(resource), headers=headers)

    assert answer.status_code == 202, answer.text
    assert [i["id"] for i in _named(api, "CORSE")] == [holder["id"]]
    assert _get(api, holder["id"])["status"] == "QUAL"


def test_a_pair_sharing_one_matricule_marked_by_the_migration_exports_it_from_neither(
    api, container
):
    first = _qualified_corse(api)
    second = api.create(**{**CORSE, "used_name": "MARTIN"})
    _share_in_collision(container, first["id"], second["id"])
    assert _validate(api, second["id"])["ins"]["number"] == CORSE_INS

    exports = [
        api.get(f"{IDENTITIES}/{i}/exports/{kind}").text
        for i in (first["id"], second["id"])
        for kind in ("fhir", "hl7v2")
    ]
    fhir_reads = [json.dumps(api.get(f"/fhir/Patient/{i}", "care").json())
                  for i in (first["id"], second["id"])]  # fmt: skip

    assert [CORSE_INS[:13] in text for text in exports + fhir_reads] == [False] * 6


def test_the_web_reception_worklist_shows_a_refused_held_matricule_side_by_side_in_french(
    api, browser_for: Callable[[str], Browser]
):
    _qualified_corse(api)
    pid3 = f"W1^^^CHU-X&1.2.3&ISO^PI~{CORSE_INS}{NIR_CX}"
    assert _post_hl7(api, _adt(ipp="W1", pid3=pid3, name="CORSE^ANTHONY^ANTHONY^^^^L",
                               zfd4="Y"))[0] == "AA"  # fmt: skip

    page = browser_for("identitovigilance").get("/listes-de-travail?liste=reception")

    assert page.status_code == 200
    assert "Date de naissance corrigée (ZFD-4)" in page.text
    assert "ni rapprochée, ni créée" in page.text
    assert "Fiche locale et identité reçue côte à côte" in page.text
    assert CORSE_INS not in page.text


# -- updates of a known QUAL identity carrying a corrected date or sex U --------------------------


def _own_qualified(api: Api, ipp: str, name: str) -> dict[str, Any]:
    number = _key("1820675999" + ipp[-3:])
    pid3 = f"{ipp}^^^CHU-X&1.2.3&ISO^PI~{number}{NIR_CX}"
    text = _adt(ipp=ipp, pid3=pid3, name=f"{name}^PAUL^PAUL^^^^L", birth="19820615")
    assert _post_hl7(api, text)[0] == "AA"
    (identity,) = _named(api, name, "1982-06-15")
    assert identity["status"] == "QUAL", identity
    return {**identity, "_pid3": pid3}


@pytest.mark.parametrize("variant", [{"zfd4": "Y"}, {"sex": "U"}], ids=["zfd4-y", "sex-u"])
def test_an_own_domain_update_with_a_corrected_date_or_sex_u_never_leaves_a_qual_identity(
    api, variant
):
    identity = _own_qualified(api, "U101" if "zfd4" in variant else "U102", "MAJQUAL")
    update = _adt(ipp="U101" if "zfd4" in variant else "U102", pid3=identity["_pid3"],
                  name="MAJQUAL^PAUL^PAUL^^^^L", birth="19820615", event="A31^ADT_A05",
                  **variant)  # fmt: skip

    _post_hl7(api, update)

    after = _get(api, identity["id"])
    fhir = api.get(f"{IDENTITIES}/{identity['id']}/exports/fhir").text
    if after["status"] == "QUAL":  # not applied: it waits for identity vigilance
        assert (after["sex"], after["birth_date_corrected"]) == ("M", False)
        assert identity["ins"]["number"] in fhir
        entries = api.get("/api/v1/vigilance/entries", params={"kind": "reception"}).json()
        [entry] = [e for e in entries if e["identity_id"] == identity["id"]]
        assert "Mise à jour non appliquée" in json.dumps(entry, ensure_ascii=False)
    else:
        assert identity["ins"]["number"][:13] not in fhir


def test_the_api_marking_the_birth_date_of_a_qual_identity_corrected_withdraws_qual(api):
    qualified = _qualified_corse(api)

    changed = _patch(api, qualified, "admin", birth_date_corrected=True)

    assert changed.status_code in (200, 403, 409, 422), changed.text
    after = _get(api, qualified["id"])
    if after["birth_date_corrected"]:
        assert after["status"] not in ("QUAL", "RECUP")
        fhir = api.get(f"{IDENTITIES}/{qualified['id']}/exports/fhir").text
        assert CORSE_INS not in fhir
    else:
        assert changed.status_code != 200


def test_a_creation_from_insi_of_a_matricule_typed_on_another_identity_is_a_409(api):
    wrong = _validate(api, api.create(**OTHER)["id"])
    assert _patch(api, wrong, ins=_typed(CORSE_INS)).status_code == 200

    created = api.post("/api/v1/insi/recover", "admission",
                       json={"mode": "traits", "traits": CORSE})  # fmt: skip

    assert created.status_code == 409, created.text
    assert created.json()["holders"] == [wrong["id"]]
    assert _named(api, "CORSE") == []


def test_an_own_domain_homa_in_pid_32_is_applied(api):
    pid3 = "H1^^^CHU-X&1.2.3&ISO^PI"
    text = _adt(ipp="H1", pid3=pid3, name="HOMONYM^PAUL^PAUL^^^^L", statuses="PROV~HOMA")

    assert _post_hl7(api, text)[0] == "AA"

    (identity,) = _named(api, "HOMONYM")
    assert identity["attributes"] == ["HOMA"]


def test_an_own_domain_prov_dout_identity_refuses_insi_calls_and_validation(api):
    pid3 = "D1^^^CHU-X&1.2.3&ISO^PI"
    text = _adt(ipp="D1", pid3=pid3, name="DOUTEUSE^PAUL^PAUL^^^^L", statuses="PROV~DOUT")
    assert _post_hl7(api, text)[0] == "AA"
    (doubtful,) = _named(api, "DOUTEUSE")
    assert (doubtful["status"], doubtful["attributes"]) == ("PROV", ["DOUT"])

    called = _recover(api, doubtful["id"])
    body = {"document_type": "CN", "document_expiry": "2031-05-01"}
    validated = api.post(f"{IDENTITIES}/{doubtful['id']}/validation", json=body)

    assert called.status_code == 409 and "douteuse" in called.text, called.text
    assert validated.status_code == 409, validated.text
    assert _get(api, doubtful["id"])["status"] == "PROV"
