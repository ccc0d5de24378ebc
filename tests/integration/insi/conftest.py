"""The contract suite's backends: the in-process simulator, and the SOAP client
against the simulator's HTTPS server (mutual TLS, test certificates in a temp dir)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace

import pytest
from insi_contract_support import Backend

from identito.adapters.insi.client import SoapTeleservice
from identito.adapters.insi.simulator.certs import CertificateSet, ensure_certificates
from identito.adapters.insi.simulator.engine import FaultSettings, SimulatorEngine
from identito.adapters.insi.simulator.server import (
    RunningSimulator,
    client_environment,
    start_in_thread,
    trusted_ca,
)
from identito.adapters.insi.simulator.teleservice import SimulatedTeleservice, engine_from_settings
from identito.config import Settings

TIMEOUT = 1.0


@pytest.fixture(scope="session")
def simulator_certs(tmp_path_factory: pytest.TempPathFactory) -> CertificateSet:
    return ensure_certificates(tmp_path_factory.mktemp("insi-simulator"))


@pytest.fixture(scope="session")
def engine(simulator_certs: CertificateSet) -> SimulatorEngine:
    settings = Settings(insi_simulator_population=2000)
    return engine_from_settings(settings, trusted_ca=trusted_ca(simulator_certs))


@pytest.fixture(scope="session")
def server(engine: SimulatorEngine, simulator_certs: CertificateSet) -> Iterator[RunningSimulator]:
    running = start_in_thread(engine, simulator_certs)
    yield running
    running.stop()


def settings_for(certs: CertificateSet, url: str) -> Settings:
    environment = {
        k.removeprefix("IDENTITO_").lower(): v for k, v in client_environment(certs, url).items()
    }
    return Settings(
        **environment,
        insi_timeout_seconds=TIMEOUT,
        insi_retries=0,
        insi_cnda_authorisation="CNDA-TEST-0001",
        insi_billing_id="751234567",
        insi_ps_identifier="899700000001",
        insi_speciality="01",
        insi_activity_sector="SA07",
    )


@pytest.fixture(params=["simulated", "soap"])
def backend(
    request: pytest.FixtureRequest, engine: SimulatorEngine, simulator_certs: CertificateSet
) -> Iterator[Backend]:
    if request.param == "simulated":
        settings = replace_backend(settings_for(simulator_certs, "in-process"), "simulator")
        yield Backend("simulated", SimulatedTeleservice(engine, settings), engine)
        return
    server: RunningSimulator = request.getfixturevalue("server")
    client = SoapTeleservice.from_settings(settings_for(simulator_certs, server.url))
    yield Backend("soap", client, engine)
    client.close()


def replace_backend(settings: Settings, backend: str) -> Settings:
    return settings.model_copy(update={"insi_backend": backend})


@pytest.fixture
def faults(engine: SimulatorEngine) -> Iterator[Callable[..., AbstractContextManager[None]]]:
    """``with faults(mode=..., delay_seconds=...):`` injects a fault for the block."""
    original = engine.faults

    @contextmanager
    def inject(**changes: object) -> Iterator[None]:
        engine.faults = replace(FaultSettings(), **changes)  # type: ignore[arg-type]
        try:
            yield
        finally:
            engine.faults = original

    yield inject
    engine.faults = original
