"""Authenticated interfaces over HTTP (issue 13 §1): ``POST /api/v1/hl7v2`` and the FHIR
writes need a token whose role may receive; an interface account sends only as the
domains it is declared for, and the sender of the ``sender_patients`` link is its own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from api_support import PASSWORD, Api, make_container
from fastapi.testclient import TestClient
from sqlalchemy import select

from identito.adapters.database import dispose_engines, engine_for
from identito.adapters.orm import audit_log, received_messages, sender_patients
from identito.bootstrap import Container
from identito.domain.events import AuditAction
from identito.entrypoints.api import create_app
from identito.services.auth import SYSTEM, add_user
from identito.services.interface_accounts import declare_interface_account

HL7 = "/api/v1/hl7v2"
FHIR_JSON = {"Content-Type": "application/fhir+json"}
FR_CORE = "https://hl7.fr/ig/fhir/core/StructureDefinition/"
CANNOT_RECEIVE = ("admission", "care", "statistics", "identitovigilance")


@pytest.fixture
def container(tmp_path) -> Iterator[Container]:  # type: ignore[no-untyped-def]
    built = make_container(tmp_path)
    declare_interface_account(
        "dpi", domains=["DPI-Y^*"], password=PASSWORD,
        uow=built.uow_factory(), actor=SYSTEM, rules=built.rules,
    )  # fmt: skip
    add_user("fantome", PASSWORD, "interface", uow=built.uow_factory(), actor=SYSTEM,
             rules=built.rules)  # fmt: skip
    yield built
    dispose_engines()


@pytest.fixture
def api(container: Container) -> Iterator[Api]:
    with TestClient(create_app(container), base_url="http://testserver") as client:
        yield Api(client)


def a28(sender: str = "DPI-Y|CHU-Y", control: str = "MSG-1") -> str:
    return "\r".join(
        [
            f"MSH|^~\\&|{sender}|IDENTITO|CHU-X|20260306111154||ADT^A28^ADT_A05|{control}|P|2.5",
            "EVN||20260306111154",
            "PID|1||IPP-4^^^CHU-Y&1.2.3&ISO^PI||VIGNAL^ROSE^ROSE^^^^L||19800302|F"
            "|||^^^^^FRA^BDL^^2B020|||||||||||||||||||N||PROV",
            "PV1|1|N",
        ]
    )


def patient(patient_id: str = "FHIR-4") -> str:
    return json.dumps(
        {
            "resourceType": "Patient",
            "id": patient_id,
            "name": [{"use": "official", "family": "VIGNAL", "given": ["ROSE"]}],
            "gender": "female",
            "birthDate": "1980-03-02",
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
                }
            ],
        }
    )


def rows(container: Container, table: Any, *where: Any) -> list[Any]:
    with engine_for(container.settings.database_url).connect() as connection:
        return list(connection.execute(select(table).where(*where)))


def refusals(container: Container) -> list[Any]:
    return rows(container, audit_log, audit_log.c.action == AuditAction.SENDER_REFUSED)


@pytest.mark.parametrize("role", CANNOT_RECEIVE)
def test_an_hl7v2_post_with_a_token_whose_role_cannot_receive_is_403_and_stores_nothing(
    api, container, role
):
    answer = api.post(HL7, role, content=a28())

    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "messages:receive" in answer.json()["detail"]
    assert rows(container, received_messages) == []


@pytest.mark.parametrize("role", CANNOT_RECEIVE)
def test_fhir_writes_with_a_token_whose_role_cannot_receive_are_403_forbidden(api, container, role):
    created = api.post("/fhir/Patient", role, content=patient(), headers=FHIR_JSON)
    updated = api.request("PUT", "/fhir/Patient/FHIR-4", role, content=patient(),
                          headers=FHIR_JSON)  # fmt: skip

    for answer in (created, updated):
        assert answer.status_code == 403, answer.text
        assert answer.json()["issue"][0]["code"] == "forbidden"
    assert rows(container, received_messages) == []


def test_an_interface_token_sending_as_its_domain_is_received_and_audited_under_its_account(
    api, container
):
    answer = api.post(HL7, "dpi", content=a28())

    assert answer.status_code == 200 and "MSA|AA|MSG-1" in answer.text
    [message] = rows(container, received_messages)
    audited = rows(container, audit_log, audit_log.c.identity_id == message.identity_id)
    assert {r.actor for r in audited} == {"dpi"}
    [link] = rows(container, sender_patients)
    assert (link.sender, link.patient_id) == ("DPI-Y^CHU-Y", "IPP-4")


def test_an_interface_token_claiming_another_domain_gets_an_ar_403_audited_nothing_stored(
    api, container
):
    answer = api.post(HL7, "dpi", content=a28(sender="GAM|CHU-Y"))

    assert answer.status_code == 403 and "MSA|AR|MSG-1" in answer.text
    assert "non déclaré pour le compte d'interface dpi" in answer.text
    assert rows(container, received_messages) == []
    [refusal] = refusals(container)
    assert (refusal.actor, refusal.details["claimed_sender"]) == ("dpi", "GAM^CHU-Y")


def test_an_interface_user_that_is_not_declared_gets_an_ar_403(api, container):
    answer = api.post(HL7, "fantome", content=a28())

    assert answer.status_code == 403 and "MSA|AR|" in answer.text
    assert refusals(container)[0].details["reason"] == "undeclared_account"


def test_a_fhir_post_of_an_interface_account_is_received_as_its_declared_domain(api, container):
    answer = api.post("/fhir/Patient", "dpi", content=patient(), headers=FHIR_JSON)

    assert answer.status_code == 201, answer.text
    [message] = rows(container, received_messages)
    assert message.sender_application == "DPI-Y"
    audited = rows(container, audit_log, audit_log.c.identity_id == message.identity_id)
    assert {r.actor for r in audited} == {"dpi"}


def test_an_x_identito_sender_header_naming_another_domain_is_refused_not_ignored(api, container):
    headers = {**FHIR_JSON, "X-Identito-Sender": "GAM"}

    answer = api.post("/fhir/Patient", "dpi", content=patient(), headers=headers)

    assert answer.status_code == 403
    assert answer.json()["issue"][0]["code"] == "forbidden"
    assert "GAM" in answer.json()["issue"][0]["diagnostics"]
    assert rows(container, received_messages) == []
    assert refusals(container)[0].details["channel"] == "fhir"


def test_an_administrator_still_receives_and_the_audit_names_the_administrator(api, container):
    answer = api.post(HL7, "admin", content=a28(sender="GAM|CHU-Y"))

    assert "MSA|AA|" in answer.text
    [message] = rows(container, received_messages)
    audited = rows(container, audit_log, audit_log.c.identity_id == message.identity_id)
    assert {r.actor for r in audited} == {"admin"}
