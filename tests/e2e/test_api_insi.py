"""The INSi routes through HTTP: recovery, comparison decisions, trace, permissions.

The teleservice is a scripted ``FakeTeleservice`` (dependency override); the
module ``test_api_insi_simulator`` runs the same routes against the simulator.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_support import ROLES, Api, TestClient, make_container

from fakes import FakeTeleservice, insi_person
from identito.adapters.database import dispose_engines
from identito.bootstrap import Container
from identito.entrypoints.api import create_app
from identito.entrypoints.api.insi import get_teleservice
from identito.services.teleservice import TeleserviceUnavailable

IDENTITIES = "/api/v1/identities"
#: A person INSi knows (``fakes.insi_person``), as a clerk types it.
KNOWN = {
    "birth_name": "Dupont",
    "birth_first_names": ["Jean", "Christophe", "Pierre"],
    "first_birth_first_name": "Jean",
    "birth_date": "1980-03-12",
    "sex": "M",
    "birth_place_code": "2B020",
    "used_name": None,
}
CALLERS = frozenset({"admin", "identitovigilance", "admission"})


class Switchable(FakeTeleservice):
    """One fake for the module; each test sets the persons or the script it needs."""

    def reset(self, persons=(), script=()):
        self.persons, self.script, self.queries = list(persons), list(script), []


@pytest.fixture(scope="module")
def teleservice() -> Switchable:
    return Switchable()


# One database per test: each test recovers the same INSi person, and two active
# identities never hold the same matricule (R-DU-03).
@pytest.fixture
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    yield make_container(tmp_path_factory.mktemp("api-insi"))
    dispose_engines()


@pytest.fixture
def client(container: Container, teleservice: Switchable) -> Iterator[TestClient]:
    app = create_app(container)
    app.dependency_overrides[get_teleservice] = lambda: teleservice
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


@pytest.fixture
def known(api: Api, teleservice: Switchable) -> str:
    teleservice.reset([insi_person()])
    return api.create(**KNOWN)["id"]


def recover(api: Api, identity_id: str, role: str = "admission", **body):
    return api.post(
        f"{IDENTITIES}/{identity_id}/insi/recover", role, json=body or {"mode": "traits"}
    )


def test_identical_traits_are_integrated_and_the_answer_has_the_documented_shape(api, known):
    response = recover(api, known)

    assert response.status_code == 200, response.text
    body = response.json()
    assert {"call_id", "outcome", "local", "insi", "differences", "similarity", "applied"} <= set(
        body
    )
    assert (body["outcome"], body["applied"], body["similarity"]) == ("00", True, 1.0)
    assert body["differences"] == [] and body["local"] == body["insi"]
    assert body["identity"]["status"] == "RECUP"
    assert body["identity"]["ins"]["number"] == "180032B02040123"
    assert any("pièce d'identité" in w for w in body["warnings"])


def test_a_difference_waits_and_accepting_integrates_it(api, teleservice):
    created = api.create(**{**KNOWN, "birth_place_code": "75116"})
    teleservice.reset([insi_person()])

    pending = recover(api, created["id"]).json()
    url = f"{IDENTITIES}/{created['id']}/insi/calls/{pending['call_id']}/accept"
    accepted = api.post(url, "admission", json={"expected_version": created["version"]})

    assert (pending["applied"], pending["decision"]) == (False, "pending")
    assert pending["differences"] == ["birth_place_code"]
    assert (pending["local"]["birth_place_code"], pending["insi"]["birth_place_code"]) == (
        "75116",
        "2B020",
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["applied"] and accepted.json()["identity"]["status"] == "RECUP"
    assert api.post(url, "admission").status_code == 409  # decided once


def test_accepting_with_a_stale_version_is_a_412(api, teleservice):
    created = api.create(**{**KNOWN, "birth_place_code": "75116"})
    teleservice.reset([insi_person()])
    pending = recover(api, created["id"]).json()

    url = f"{IDENTITIES}/{created['id']}/insi/calls/{pending['call_id']}/accept"
    response = api.post(url, "admission", json={"expected_version": created["version"] + 5})

    assert response.status_code == 412


def test_rejecting_traces_the_decision_and_integrates_nothing(api, teleservice):
    created = api.create(**{**KNOWN, "birth_place_code": "75116"})
    teleservice.reset([insi_person()])
    pending = recover(api, created["id"]).json()

    url = f"{IDENTITIES}/{created['id']}/insi/calls/{pending['call_id']}/reject"
    response = api.post(url, "admission", json={"reason": "pas le même patient"})

    assert response.status_code == 200 and response.json()["decision"] == "rejected"
    assert api.get(f"{IDENTITIES}/{created['id']}").json()["status"] == "PROV"
    audit = api.get(f"{IDENTITIES}/{created['id']}/audit").json()["items"]
    assert audit[-1]["action"] == "insi.rejected"


def test_a_teleservice_error_is_a_traced_outcome_not_a_server_error(api, teleservice):
    created = api.create(**KNOWN)
    teleservice.reset(script=[TeleserviceUnavailable("Le téléservice INSi est injoignable.")])

    response = recover(api, created["id"])

    assert response.status_code == 200
    body = response.json()
    assert (body["outcome"], body["code"]) == ("error", "unavailable")
    assert body["message"] == "Le téléservice INSi est injoignable."
    calls = api.get(f"{IDENTITIES}/{created['id']}/insi/calls", "admission").json()["items"]
    assert [c["id"] for c in calls] == [body["call_id"]]


def test_the_call_list_shows_every_call_without_raw_messages(api, teleservice):
    created = api.create(**KNOWN)
    teleservice.reset(script=["01", "01", insi_person()])

    body = recover(api, created["id"]).json()
    calls = api.get(f"{IDENTITIES}/{created['id']}/insi/calls", "admission").json()["items"]

    assert body["calls"] == 3
    assert [c["outcome"] for c in calls] == ["01", "01", "00"]
    assert all("request" not in c and "response" not in c for c in calls)
    assert calls[0]["query"]["first_names"] == ["JEAN"]


def test_the_raw_messages_are_served_exactly_to_auditors_only(api, known):
    call_id = recover(api, known).json()["call_id"]

    refused = api.get(f"/api/v1/insi/calls/{call_id}/response", "admission")
    raw = api.get(f"/api/v1/insi/calls/{call_id}/response", "identitovigilance")

    assert refused.status_code == 403
    assert raw.status_code == 200 and raw.headers["content-type"] == "application/xml"
    assert raw.content.startswith(b"<RESULTAT><CodeCR>00</CodeCR>")


def test_a_doubtful_identity_is_refused_with_a_409_and_no_call(api, teleservice):
    created = api.create(**KNOWN)
    api.post(f"{IDENTITIES}/{created['id']}/attributes", json={"add": ["DOUT"]})
    teleservice.reset([insi_person()])

    response = recover(api, created["id"])

    assert response.status_code == 409
    assert teleservice.queries == []


def test_card_mode_checks_the_card_fields(api, known):
    response = recover(api, known, mode="card", card={"nir": "180032B020401"})

    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"card.birth_date", "card.rank"}


def test_an_identity_is_created_from_an_insi_answer(api, teleservice):
    teleservice.reset([insi_person(ins_number="180037505612310", birth_name="GARNIER")])
    traits = {**KNOWN, "birth_name": "Garnier"}

    response = api.post(
        "/api/v1/insi/recover", "admission", json={"mode": "traits", "traits": traits}
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["identity"]["status"] == "RECUP" and body["applied"]
    assert response.headers["Location"].endswith(body["identity"]["id"])


def test_nothing_is_created_when_insi_finds_nobody(api, teleservice):
    teleservice.reset()

    response = api.post(
        "/api/v1/insi/recover", "admission", json={"mode": "traits", "traits": KNOWN}
    )

    assert response.status_code == 200
    assert (response.json()["outcome"], response.json()["identity"]) == ("01", None)


def test_a_worklist_is_created_run_in_the_background_and_its_progress_shown(api, teleservice):
    ids = [api.create(**{**KNOWN, "birth_name": n})["id"] for n in ("Alpha", "Bravo")]
    teleservice.reset()

    created = api.post("/api/v1/insi/worklists", "admission", json={"identity_ids": ids})
    again = api.post("/api/v1/insi/worklists", "admission", json={"identity_ids": ids})
    worklist_id = created.json()["id"]
    started = api.post(f"/api/v1/insi/worklists/{worklist_id}/run", "admission")
    progress = api.get(f"/api/v1/insi/worklists/{worklist_id}", "admission").json()

    assert created.status_code == 201 and created.json()["total"] == 2
    assert again.status_code == 200 and again.json()["resumed"]
    assert started.status_code == 202
    assert progress["processed"] == 2 and progress["finished_at"] is not None
    assert progress["outcomes"] == {"01": 2}


def test_insi_indicators_are_served_to_statistics(api, known):
    recover(api, known)

    response = api.get("/api/v1/insi/indicators", "statistics")

    assert response.status_code == 200
    assert response.json()["first_recoveries"] >= 1
    assert api.get("/api/v1/insi/indicators", "admission").status_code == 403


# -- the role matrix of the INSi routes ------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_roles_with_the_insi_permission_may_call_insi(api, known, role):
    response = recover(api, known, role)

    assert response.status_code == (200 if role in CALLERS else 403), response.text


@pytest.mark.parametrize("role", ROLES)
def test_only_roles_with_the_insi_or_audit_permission_may_list_the_calls(api, known, role):
    response = api.get(f"{IDENTITIES}/{known}/insi/calls", role)

    assert response.status_code == (200 if role in CALLERS else 403), response.text


@pytest.mark.parametrize("role", ROLES)
def test_only_roles_that_create_and_call_insi_may_create_from_insi(api, teleservice, role):
    teleservice.reset()

    response = api.post("/api/v1/insi/recover", role, json={"mode": "traits", "traits": KNOWN})

    assert response.status_code == (200 if role in CALLERS else 403), response.text
