"""The simulator keeps a bounded number of batch results, so its memory stays flat."""

from __future__ import annotations

import pytest

from identito.adapters.insi.simulator import engine as engine_module
from identito.adapters.insi.simulator.teleservice import SimulatedTeleservice, reference_base
from identito.config import Settings
from identito.services.teleservice import CallContext, TeleserviceFault, VerificationQuery

CORSE = VerificationQuery(
    "180032B02040123", "1.2.250.1.213.1.4.8", "CORSE", ["ANTHONY"], "M", "1980-03-02"
)


def test_the_oldest_batch_results_expire_and_are_then_unknown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine_module, "KEPT_BATCHES", 2)
    engine = engine_module.SimulatorEngine(reference_base(20))
    teleservice = SimulatedTeleservice(engine, Settings())
    context = CallContext("test", automatic=True)
    batches = [teleservice.submit_batch_verification([CORSE], context) for _ in range(3)]
    latest = teleservice.fetch_batch_verification(batches[-1], context)
    assert latest.done and latest.results[0].ok is True
    with pytest.raises(TeleserviceFault):
        teleservice.fetch_batch_verification(batches[0], context)
