"""Sixteen copies at once have one effect (issue 12 points 2 and 3), on PostgreSQL.

Each sender is a thread with its own HTTP connection (or MLLP socket) to a real
server (uvicorn, the MLLP asyncio server) over one PostgreSQL database: every
request is its own unit of work on its own database connection, as with several
``identito serve`` processes.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2 as httpx
import pytest
import uvicorn
from sqlalchemy import func, select, text

from identito.adapters.database import engine_for
from identito.adapters.orm import duplicate_reviews, identities, metadata, sender_patients
from identito.bootstrap import Container, bootstrap
from identito.config import Settings
from identito.domain.permissions import Role
from identito.entrypoints.api import create_app
from identito.entrypoints.mllp import END, frame, start_server
from identito.services.auth import SYSTEM, add_user
from identito.services.interface_accounts import declare_interface_account

pytestmark = pytest.mark.postgres
COPIES = 16
PASSWORD = "mot-de-passe-de-test"
INS_NIR = "ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS"


@pytest.fixture
def postgres(request: pytest.FixtureRequest) -> Iterator[str]:
    """The session's PostgreSQL database, emptied after the test."""
    url: str = request.getfixturevalue("postgres_url")
    yield url
    tables = ", ".join(t.name for t in metadata.sorted_tables)
    with engine_for(url).begin() as connection:
        connection.execute(text(f"TRUNCATE {tables}"))


@pytest.fixture
def container(postgres: str) -> Container:
    settings = Settings(database_url=postgres, test_mode=True, own_domain_senders=["OWNAPP^*"])
    built = bootstrap(settings)
    for role in (Role.ADMIN, Role.ADMISSION):
        add_user(role.value, PASSWORD, role.value, uow=built.uow_factory(), actor=SYSTEM,
                 rules=built.rules)  # fmt: skip
    declare_interface_account(  # the MLLP sender of this machine
        "dpi", domains=["OWNAPP^*", "GAM^*"], addresses=["127.0.0.1"],
        uow=built.uow_factory(), actor=SYSTEM, rules=built.rules,
    )  # fmt: skip
    return built


@pytest.fixture
def http(container: Container) -> Iterator[str]:
    """The API served by uvicorn in a thread: its base URL."""
    config = uvicorn.Config(create_app(container), host="127.0.0.1", port=_free_port(),
                            log_level="warning")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    _wait(lambda: server.started)
    yield f"http://127.0.0.1:{config.port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def mllp(container: Container) -> Iterator[int]:
    """The MLLP server on an event loop of its own, in a thread (never the test's): its port."""
    loop = asyncio.new_event_loop()
    ports: list[int] = []

    def serve() -> None:
        asyncio.set_event_loop(loop)
        server = loop.run_until_complete(start_server(container, "127.0.0.1", 0))
        ports.append(server.sockets[0].getsockname()[1])
        try:
            loop.run_forever()
        finally:
            server.close()
            loop.run_until_complete(server.wait_closed())
            loop.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    _wait(lambda: bool(ports))
    yield ports[0]
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait(ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 20
    while not ready():
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)


def _token(base: str, role: str = "admin") -> str:
    answer = httpx.post(f"{base}/api/v1/auth/token", json={"username": role, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def _at_once(send: Callable[[int], Any]) -> list[Any]:
    """``send`` by COPIES threads released together."""
    barrier = threading.Barrier(COPIES)

    def one(index: int) -> Any:
        barrier.wait(10)
        return send(index)

    with ThreadPoolExecutor(COPIES) as pool:
        return list(pool.map(one, range(COPIES)))


def _count(url: str, table: Any = identities) -> int:
    with engine_for(url).connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table)) or 0)


def a28(
    sender: str,
    *,
    ipp: str = "IPP-77",
    ins: bool = True,
    status: str = "VALI",
    event: str = "A28^ADT_A05",
    used: str = "",
) -> str:
    pid3 = f"{ipp}^^^CHU-Y&1.2.3&ISO^PI" + (f"~180032B02040123^^^{INS_NIR}" if ins else "")
    return "\r".join(
        [
            f"MSH|^~\\&|{sender}|IDENTITO|CHU-X|20260306111154||ADT^{event}|MSG-1|P|"
            "2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR||2.11^IHE_FRANCE-2.11-PAM",
            "EVN||20260306111154",
            f"PID|1||{pid3}||CORSE^ANTHONY^ANTHONY^^^^L{used}||19800302|M|||^^^^^FRA^BDL^^2B020"
            f"|||||||||||||||||||N||{status}",
            "PV1|1|N",
        ]
    )


@pytest.mark.parametrize(
    ("sender", "ins", "status"),
    [("OWNAPP|CHU-Y", True, "VALI"), ("GAM|CHU-Y", False, "PROV")],
    ids=["own-domain-with-ins", "other-domain-without-ins"],
)
def test_sixteen_copies_of_one_a28_over_http_at_once_make_one_identity_and_one_same_aa(
    postgres, http, sender, ins, status
):
    token, message = _token(http), a28(sender, ins=ins, status=status)

    def send(_: int) -> httpx.Response:
        with httpx.Client(base_url=http, timeout=60) as client:
            return client.post("/api/v1/hl7v2", content=message.encode(),
                               headers={"Authorization": f"Bearer {token}"})  # fmt: skip

    answers = _at_once(send)

    assert [a.status_code for a in answers] == [200] * COPIES, [a.text for a in answers]
    assert all("MSA|AA|MSG-1" in a.text for a in answers)
    assert len({a.text for a in answers}) == 1  # byte for byte the same ACK (hl7_acks)
    assert _count(postgres) == 1
    assert _count(postgres, sender_patients) == 1


def test_sixteen_copies_of_one_a08_at_once_apply_the_change_once_and_answer_aa(
    postgres, http, container
):
    token = _token(http)
    headers = {"Authorization": f"Bearer {token}"}
    first = httpx.post(f"{http}/api/v1/hl7v2", headers=headers,
                       content=a28("GAM|CHU-Y", ins=False, status="PROV").encode())  # fmt: skip
    assert "MSA|AA|" in first.text, first.text
    update = a28("GAM|CHU-Y", ins=False, status="PROV", event="A08^ADT_A01",
                 used="~MARTIN^ANTHONY^^^^^D")  # fmt: skip

    def send(_: int) -> httpx.Response:
        with httpx.Client(base_url=http, timeout=60) as client:
            return client.post("/api/v1/hl7v2", content=update.encode(), headers=headers)

    answers = _at_once(send)

    assert all("MSA|AA|MSG-1" in a.text for a in answers), [a.text for a in answers]
    assert len({a.text for a in answers}) == 1
    with engine_for(postgres).connect() as connection:
        rows = connection.execute(select(identities.c.used_name, identities.c.version)).all()
    assert [row.used_name for row in rows] == ["MARTIN"]
    assert rows[0].version == 2  # created, then changed once


def test_sixteen_copies_of_one_a28_over_mllp_sockets_at_once_make_one_identity(postgres, mllp):
    message = frame(a28("OWNAPP|CHU-Y"))

    def send(_: int) -> bytes:
        with socket.create_connection(("127.0.0.1", mllp), timeout=60) as connection:
            connection.sendall(message)
            answer = b""
            while not answer.endswith(END):
                answer += connection.recv(65536)
            return answer

    answers = _at_once(send)

    assert all(b"MSA|AA|MSG-1" in a for a in answers), answers
    assert len(set(answers)) == 1
    assert _count(postgres) == 1


def test_sixteen_fhir_posts_of_one_patient_at_once_make_one_identity_at_one_location(
    postgres, http
):
    token = _token(http)
    patient = {
        "resourceType": "Patient",
        "id": "DPI-42",
        "extension": [{
            "url": "http://hl7.org/fhir/StructureDefinition/patient-birthPlace",
            "valueAddress": {"extension": [{
                "url": "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code",
                "valueCoding": {"code": "2B020"},
            }]},
        }, {
            "url": "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability",
            "extension": [{"url": "identityStatus", "valueCoding": {"code": "VALI"}}],
        }],
        "identifier": [{"system": "urn:oid:1.2.250.1.213.1.4.8", "value": "180032B02040123"}],
        "name": [{"use": "official", "family": "CORSE", "given": ["ANTHONY"]}],
        "gender": "male",
        "birthDate": "1980-03-02",
    }  # fmt: skip

    def send(_: int) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", "X-Identito-Sender": "OWNAPP",
                   "Content-Type": "application/fhir+json"}  # fmt: skip
        with httpx.Client(base_url=http, timeout=60) as client:
            return client.post("/fhir/Patient", content=json.dumps(patient), headers=headers)

    answers = _at_once(send)

    assert [a.status_code for a in answers] == [201] * COPIES, [a.text for a in answers]
    assert len({a.headers["Location"] for a in answers}) == 1
    assert _count(postgres) == 1


def test_sixteen_api_creations_of_one_person_at_once_make_one_and_fifteen_409_naming_it(
    postgres, http
):
    token = _token(http, "admission")
    person = {
        "birth_name": "CORSE", "first_birth_first_name": "ANTHONY",
        "birth_first_names": ["ANTHONY"], "birth_date": "1980-03-02", "sex": "M",
        "birth_place_code": "2B020",
    }  # fmt: skip

    def send(_: int) -> httpx.Response:
        with httpx.Client(base_url=http, timeout=60) as client:
            return client.post("/api/v1/identities", json=person,
                               headers={"Authorization": f"Bearer {token}"})  # fmt: skip

    answers = _at_once(send)

    created = [a for a in answers if a.status_code == 201]
    refused = [a for a in answers if a.status_code == 409]
    assert (len(created), len(refused)) == (1, COPIES - 1), [a.text for a in answers]
    assert {a.json()["existing_identity"] for a in refused} == {created[0].json()["id"]}
    assert _count(postgres) == 1
    anyway = httpx.post(f"{http}/api/v1/identities", json={**person, "create_anyway": True},
                        headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert anyway.status_code == 201, anyway.text
    assert _count(postgres) == 2
    assert _count(postgres, duplicate_reviews) == 1
