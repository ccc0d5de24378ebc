"""Every format of every case matches its golden file in tests/data/diffusion/.

Regenerate after a deliberate change with ``IDENTITO_UPDATE_GOLDEN=1 pytest ...``
and review the diff: the goldens are the contract with the receivers.
"""

from __future__ import annotations

import os

import pytest

from diffusion_cases import CASES, CONTEXT, GOLDEN, view
from identito.domain.diffusion import ExportFormat, NotDiffusable
from identito.messages.exports import RENDERERS

UPDATE = os.environ.get("IDENTITO_UPDATE_GOLDEN") == "1"
PAIRS = [(case, fmt) for case in CASES for fmt in ExportFormat]


@pytest.mark.parametrize(("case", "fmt"), PAIRS, ids=[f"{c}-{f.value}" for c, f in PAIRS])
def test_each_export_matches_its_golden_file(case: str, fmt: ExportFormat) -> None:
    renderer = RENDERERS[fmt]
    golden = GOLDEN / f"{case}{renderer.suffix}"
    try:
        produced = renderer.render(view(case), CONTEXT)
    except NotDiffusable:
        assert view(case).ins is None  # DataMatrix only for a diffusable INS
        assert not golden.exists()
        return
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(produced)
    assert produced == golden.read_bytes()
