"""The SOAP client warmed at start-up (issue 16 point 8): TLS clients and a signed
envelope built before the first request, nothing sent, nothing shared between processes."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from identito.adapters.insi.client import SoapTeleservice
from identito.adapters.insi.simulator.certs import CertificateSet
from identito.adapters.insi.simulator.engine import SimulatorEngine
from identito.adapters.insi.simulator.server import RunningSimulator, client_environment
from identito.adapters.insi.transport import HttpxTransport
from identito.adapters.migrate import upgrade_database
from identito.adapters.unit_of_work import dispose_engines
from identito.bootstrap import bootstrap
from identito.config import Settings
from identito.entrypoints.api import create_app
from identito.services.teleservice import Authentication, CallContext, TraitsQuery

ALL = set(Authentication)


def settings_for(certs: CertificateSet, url: str, **extra: object) -> Settings:
    environment = client_environment(certs, url)
    values = {k.removeprefix("IDENTITO_").lower(): v for k, v in environment.items()}
    return Settings(**values, insi_retries=0, insi_cnda_authorisation="CNDA-TEST-0001",
                    insi_billing_id="751234567", insi_ps_identifier="899700000001",
                    insi_speciality="01", insi_activity_sector="SA07", **extra)  # fmt: skip


def built_clients(client: SoapTeleservice) -> set[Authentication]:
    assert isinstance(client.transport, HttpxTransport)
    return set(client.transport._clients)


def test_the_soap_warm_up_builds_every_tls_client_and_sends_nothing(
    simulator_certs: CertificateSet, server: RunningSimulator, engine: SimulatorEngine
) -> None:
    client = SoapTeleservice.from_settings(settings_for(simulator_certs, server.url))
    sent = len(engine.calls)
    assert built_clients(client) == set() and not client.warmed
    client.warm_up()
    assert built_clients(client) == ALL and client.warmed
    assert len(engine.calls) == sent  # nothing left for INSi
    query = TraitsQuery("ECETINSI", ["PIERRE-ALAIN"], "M", "2009-07-14")
    assert client.recover_with_traits(query, CallContext("agent")).label
    assert len(engine.calls) == sent + 1
    client.close()


def test_the_application_warms_the_soap_client_before_the_first_request(
    tmp_path: Path, simulator_certs: CertificateSet, server: RunningSimulator
) -> None:
    url = f"sqlite:///{tmp_path / 'identito.sqlite3'}"
    upgrade_database(url)
    container = bootstrap(
        settings_for(simulator_certs, server.url, database_url=url, test_mode=True)
    )
    teleservice = container.teleservice
    assert isinstance(teleservice, SoapTeleservice) and not teleservice.warmed
    app = create_app(container)
    with TestClient(app):
        app.state.insi_warm_up.join(timeout=30)
        assert teleservice.warmed and built_clients(teleservice) == ALL
    teleservice.close()
    dispose_engines()
