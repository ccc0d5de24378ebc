"""Types shared by the INSi contract tests."""

from __future__ import annotations

from dataclasses import dataclass

from identito.adapters.insi.client import InsiClient
from identito.adapters.insi.simulator.engine import SimulatorEngine


@dataclass(frozen=True)
class Backend:
    name: str
    teleservice: InsiClient
    engine: SimulatorEngine
