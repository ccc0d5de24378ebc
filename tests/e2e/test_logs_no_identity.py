"""Issue 13 point 4: no identity in the logs.

Every e2e test already fails on a matricule or a name of its data in the captured
logs (``conftest.no_identity_in_logs``); here, the access log's own shape, the scan's
own teeth, and a real ``identito serve`` driven through searches, creations and
receptions whose whole output is scanned.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest
from api_support import PASSWORD, Api, identity_payload, make_container, new_ins_number
from log_scan import identity_leaks, stored_identity_strings
from serve_support import Served, environment
from stdnum.fr import nir
from test_api_reception_rules import NIR_OID, adt, patient
from web_support import csrf_of

from identito.adapters.database import dispose_engines
from identito.entrypoints.logs import ACCESS_LOGGER


def _access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == ACCESS_LOGGER]


def test_the_access_log_keeps_the_parameter_names_of_a_search_not_their_values(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    number = new_ins_number()
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)

    api.get("/api/v1/identities", params={"ins": number})
    api.get("/api/v1/identities", params={"birth_date": "1985-03-14", "name": "Lefèvre"})

    lines = _access_lines(caplog)
    assert any('"GET /api/v1/identities?ins=<masqué> HTTP/1.1" 200' in line for line in lines)
    assert any("?birth_date=<masqué>&name=<masqué>" in line for line in lines)
    assert identity_leaks("\n".join(lines), {number, "Lefèvre"}) == []


def test_a_matricule_sent_in_a_path_is_masked_in_the_access_log(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    number = new_ins_number()
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)

    api.get(f"/fhir/Patient/{number}")

    assert any("/fhir/Patient/<masqué>" in line for line in _access_lines(caplog))


def test_an_error_logged_with_a_matricule_in_its_message_prints_it_masked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    number = new_ins_number()
    try:
        raise ValueError(f"unexpected row for {number[:1]} {number[1:3]} {number[3:5]} x")
    except ValueError:
        pass
    try:
        raise KeyError(number)
    except KeyError:
        logging.getLogger("identito.test").exception("failed on %s", number)

    assert number not in caplog.text and "<masqué>" in caplog.text


def test_the_log_scan_finds_a_stored_name_and_a_matricule() -> None:
    text = "INFO x: found LEFEVRE-SAINT-AUBIN and 2 85 03 75 056 123 45"

    assert identity_leaks(text, {"Lefevre-Saint-Aubin"}) == [
        "2 85 03 75 056 123 45",
        "Lefevre-Saint-Aubin",
    ]


def test_a_real_identito_serve_prints_no_matricule_nor_name_of_what_it_served(
    tmp_path: Path,
) -> None:
    container = make_container(tmp_path)
    url = container.settings.database_url
    # born in March 1980, a man: the traits of ``adt`` and ``patient``, so the INS is kept
    number, fhir_number = (
        f"1800375997{n}" + nir.calc_check_digits(f"1800375997{n}") for n in ("001", "002")
    )
    env = environment(database_url=url, test_mode="true", own_domain_senders='["OWNAPP^*"]')
    with Served(tmp_path, env) as served:
        assert served.wait_started(), served.output()
        _drive(served.base, number, fhir_number)
        output = served.stop()
    dispose_engines()

    known = stored_identity_strings(url)
    assert {number, fhir_number, "ADRUN", "LEFEVRE-SAINT-AUBIN"} <= known
    assert output.count("identito.access") > 10  # the access log was on
    assert '"GET /api/v1/identities?ins=<masqué> HTTP/1.1" 200' in output
    assert identity_leaks(output, known) == []


def _drive(base: str, number: str, fhir_number: str) -> None:
    """Creations, receptions and searches by traits and by matricule: API, FHIR, web."""
    with httpx.Client(base_url=base, timeout=30) as client:
        token = client.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD})
        client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        body = {"create_anyway": True, **identity_payload()}
        assert client.post("/api/v1/identities", json=body).status_code == 201
        answer = client.post("/api/v1/hl7v2", content=adt(ipp="LOG1", ins=number))
        assert "MSA|AA" in answer.text, answer.text
        resource = patient(
            ins=[(fhir_number, NIR_OID)], name=[{"family": "ADRUN", "given": ["LEA"]}]
        )
        headers = {"Content-Type": "application/fhir+json", "X-Identito-Sender": "OWNAPP"}
        client.post("/fhir/Patient", content=json.dumps(resource), headers=headers)
        assert client.get("/api/v1/identities", params={"ins": number}).json()["items"]
        traits = {"birth_date": "1980-03-02", "name": "ADRUN", "first_name": "PAUL"}
        assert client.get("/api/v1/identities", params=traits).status_code == 200
        client.get("/fhir/Patient", params={"identifier": f"urn:oid:{NIR_OID}|{number}"})
        client.get("/fhir/Patient", params={"family": "ADRUN", "birthdate": "1980-03-02"})
        client.post("/api/v1/identities", json={**body, "ins": "not a matricule " + number})
        client.get(f"/api/v1/identities/{number}")  # a matricule where an id goes: 422
    with httpx.Client(base_url=base, timeout=30) as browser:
        form = {"username": "admin", "password": PASSWORD}
        csrf = csrf_of(browser.get("/login").text)
        browser.post("/login", data={**form, "csrf_token": csrf})
        params = {"mode": "traits", "birth_date": "02/03/1980", "name": "Lefèvre-Saint-Aubin"}
        assert browser.get("/recherche", params=params).status_code == 200
        assert browser.get("/recherche", params={"mode": "ins", "ins": number}).status_code == 200
