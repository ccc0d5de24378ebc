"""Issue 17 points 3 and 2 over HTTP. R-LK-03 (IHE PAM §6.6.16): the configured modifying
entity (``IDENTITO_FACILITY_NAME`` / ``IDENTITO_FACILITY_FINESS``) in PID-34 of the HL7 v2
export, and the entity a received message names kept with it and shown in the worklist.
R-LK-02 (table 0445): an identity linked with a patient of another domain is IDRA in the
API, on its sheet and in its exports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from api_support import Api, TestClient, make_container
from hl7apy.parser import parse_message
from web_support import browser_for  # noqa: F401  (fixture of the web tests)

from identito.adapters.database import dispose_engines
from identito.bootstrap import Container
from identito.entrypoints.api import create_app

HL7 = "/api/v1/hl7v2"
NIR_CX = "^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS"
NIR = "180037599901456"  # synthetic, valid key


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    directory = tmp_path_factory.mktemp("pid34")
    yield make_container(
        directory,
        insi_simulator_population=5,
        own_domain_senders=["OWNAPP^*"],
        facility_name="CH-GHT",
        facility_finess="350000121",
    )
    dispose_engines()


@pytest.fixture(scope="module")
def api(container: Container) -> Iterator[Api]:
    with TestClient(create_app(container), base_url="http://testserver") as client:
        yield Api(client)


def _adt(ipp: str, name: str, sex: str, pid34: str, sender: str = "OWNAPP|CHU-X") -> str:
    return "\r".join(
        [
            f"MSH|^~\\&|{sender}|IDENTITO|CHU-X|20260306111154||ADT^A28^ADT_A05|{ipp}-34|P|"
            "2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR||2.11^IHE_FRANCE-2.11-PAM",
            "EVN||20260306111154",
            f"PID|1||{ipp}^^^CHU-X&1.2.3&ISO^PI~{NIR}{NIR_CX}||{name}||19800302|{sex}|||"
            f"^^^^^FRA^BDL^^2B020|||||||||||||||||||N||VALI||{pid34}",
            "PV1|1|N",
            "ZFD|||N|N|INSI|20260306|CN|20310101",
        ]
    )


def _post_hl7(api: Api, text: str) -> str:
    answer = api.post(HL7, content=text)
    assert answer.status_code == 200, answer.text
    return str(parse_message(answer.text.strip("\r"), find_groups=False).msa.msa_1.value)


def test_the_hl7_export_carries_the_configured_entity_in_pid_34(api: Api) -> None:
    created = api.create(birth_name="Exportghat", birth_date="1990-05-17")
    response = api.get(f"/api/v1/identities/{created['id']}/exports/hl7v2")
    assert response.status_code == 200, response.text
    (pid,) = [s for s in response.text.split("\r") if s.startswith("PID|")]
    assert pid.split("|")[34] == "CH-GHT^350000121^M"


def test_a_received_entity_is_kept_and_shown_in_the_reception_worklist(
    api: Api,
    container: Container,
    browser_for: Any,  # noqa: F811
) -> None:
    assert _post_hl7(api, _adt("G1", "GHTLOCAL^PAUL^PAUL^^^^L", "M", "CH-Y^2A0000017^M")) == "AA"
    other = _adt("G2", "GHTRECU^ZOE^ZOE^^^^L", "F", "CH-Z^350000121^M")
    assert _post_hl7(api, other) == "AA"
    entries = api.get("/api/v1/vigilance/entries", params={"kind": "reception"}).json()
    (entry,) = [e for e in entries if e["summary"]["traits"]["birth_name"] == "GHTRECU"]
    assert entry["summary"]["modifying_entity"] == "CH-Z (FINESS 350000121)"
    with container.uow_factory() as uow:
        message = uow.receptions.get(UUID(entry["message_id"]))
    assert (message.modifying_entity_name, message.modifying_entity_finess) == (
        "CH-Z",
        "350000121",
    )
    page = browser_for("identitovigilance").get("/listes-de-travail?liste=reception")
    assert page.status_code == 200
    assert "dernière modification par CH-Z (FINESS 350000121) (PID-34)" in page.text


NIR_IDRA = "180037599901555"  # synthetic, valid key


def test_a_rapprochement_from_another_domain_shows_idra_in_the_api_sheet_and_exports(
    api: Api,
    browser_for: Any,  # noqa: F811
) -> None:
    own = _adt("L1", "IDRAWEB^PAUL^PAUL^^^^L", "M", "").replace(NIR, NIR_IDRA)
    assert _post_hl7(api, own) == "AA"
    found = api.get("/api/v1/identities", params={"birth_date": "1980-03-02", "name": "IDRAWEB"})
    (identity,) = found.json()["items"]
    assert identity["status"] == "QUAL" and identity["linked_in_other_domain"] is False
    other = _adt("K1", "IDRAWEB^PAUL^PAUL^^^^L", "M", "", sender="GAM|CH-Z")
    assert _post_hl7(api, other.replace(NIR, NIR_IDRA)) == "AA"

    shown = api.get(f"/api/v1/identities/{identity['id']}").json()
    assert shown["linked_in_other_domain"] is True
    assert shown["received_from_other_domain"] is False
    sheet = browser_for("admission").get(f"/identites/{identity['id']}")
    assert "Rapprochée dans un autre domaine (IDRA)" in sheet.text
    hl7 = api.get(f"/api/v1/identities/{identity['id']}/exports/hl7v2").text
    (pid,) = [s for s in hl7.split("\r") if s.startswith("PID|")]
    assert pid.split("|")[32] == "VALI~IDRA"
    assert pid.split("|")[3].split("~")[1:3] == ["K1^^^CH-Z^PI", "L1^^^CHU-X^PI"]  # R-LK-01
