"""Issue 17 point 8 through the API (R-MO-05): the FHIR export carries the former
matricule with ``use: old``; a used-name change alone is queued for the receivers; an
own-domain A47 over POST /api/v1/hl7v2 takes the status from PID-32."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import UUID

import pytest
from api_support import Api, TestClient, make_container, new_ins_number
from web_support import distinct_person

from identito.adapters.database import dispose_engines
from identito.bootstrap import Container
from identito.domain.identifiers import Ins, Oid
from identito.entrypoints.api import create_app
from identito.services.auth import SYSTEM

IDENTITIES = "/api/v1/identities"
CX = "^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS"


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    directory = tmp_path_factory.mktemp("history-diffusion")
    yield make_container(directory, own_domain_senders=["OWNAPP^*"])
    dispose_engines()


@pytest.fixture(scope="module")
def api(container: Container) -> Iterator[Api]:
    with TestClient(create_app(container), base_url="http://testserver") as client:
        yield Api(client)


def test_the_fhir_export_carries_the_former_matricule_with_use_old(
    api: Api, container: Container
) -> None:
    created = api.create(**distinct_person())
    former, current = new_ins_number(), new_ins_number()
    now = datetime.now(UTC)
    with container.uow_factory() as uow:  # a NIA then the NIR, both from INSi
        identity = uow.identities.get(UUID(created["id"]))
        identity.record_ins_retrieval(Ins.parse(former, Oid.NIA.value), now=now)
        identity.record_ins_retrieval(Ins.parse(current, Oid.NIR.value), now=now)
        uow.identities.update(identity)
        uow.commit(SYSTEM, now)
    body = {"document_type": "CN", "document_expiry": "2031-05-01"}
    assert api.post(f"{IDENTITIES}/{created['id']}/validation", json=body).json()["status"] == (
        "QUAL"
    )
    patient = api.get(f"{IDENTITIES}/{created['id']}/exports/fhir").json()
    ins = {i["value"]: i["use"] for i in patient["identifier"] if "INS" in str(i["type"])}
    assert ins == {current: "official", former: "old"}


def test_a_used_name_change_alone_is_queued_for_the_receivers(
    api: Api, container: Container
) -> None:
    created = api.create(**distinct_person())
    url = f"{IDENTITIES}/{created['id']}"
    response = api.patch(url, json={"used_name": "Bernard"}, headers={"If-Match": "1"})
    assert response.status_code == 200 and response.json()["status"] == "PROV"
    with container.uow_factory() as uow:
        rows = [r for r in uow.outbox.unsent(1000) if str(r["identity_id"]) == created["id"]]
    assert [r["action"] for r in rows] == ["identity.traits_changed"]


def _hl7(event: str, ipp: str, number: str, pid32: str, mrg: str = "") -> str:
    return "\r".join([
        f"MSH|^~\\&|OWNAPP|CHU-X|IDENTITO|CHU-X|20260306111154||ADT^{event}|{ipp}-{event[:3]}|P|"
        "2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR||2.11^IHE_FRANCE-2.11-PAM",
        "EVN||20260306111154",
        f"PID|1||{ipp}^^^CHU-X&1.2.3&ISO^PI~{number}{CX}||HISTA^PAUL^PAUL^^^^L||19800302|M"
        f"|||^^^^^FRA^BDL^^2B020|||||||||||||||||||N||{pid32}",
        *([f"MRG|{mrg}{CX}"] if mrg else []),
    ]) + "\r"  # fmt: skip


def test_an_own_domain_a47_with_pid32_prov_leaves_the_identity_retrieved(api: Api) -> None:
    number = new_ins_number()
    a28 = _hl7("A28^ADT_A05", "H1", number, "VALI")
    assert api.post("/api/v1/hl7v2", content=a28).status_code == 200
    (identity,) = api.get(f"{IDENTITIES}?ins={number}").json()["items"]
    assert identity["status"] == "QUAL"
    a47 = _hl7("A47^ADT_A30", "H1", number, "PROV", mrg=number)
    assert api.post("/api/v1/hl7v2", content=a47).status_code == 200
    after = api.get(f"{IDENTITIES}/{identity['id']}").json()
    assert after["status"] == "RECUP" and after["ins"]["number"] == number
    assert after["validation"] is None
