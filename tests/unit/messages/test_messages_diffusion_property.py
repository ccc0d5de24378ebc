"""Property: no export of an identity whose matricule may not be diffused contains it.

Identities come from a seeded random walk over the domain's own operations
(INSi retrieval, document check, INS invalidation or change, attributes, strict
trait changes including an exceptional birth date), so every status and
attribute combination the rules allow is reached. Every format is rendered at
every step: text formats are searched as bytes, the PDF uncompressed, the
DataMatrix must refuse.
"""

from __future__ import annotations

import contextlib
import copy
import random
from collections.abc import Callable
from datetime import date

import pytest

from diffusion_cases import CONTEXT
from fakes import NOW, make_identity, make_traits
from identito.domain.diffusion import DiffusionView, ExportFormat, NotDiffusable, diffusion_view
from identito.domain.documents import DEFAULT_DOCUMENT_TYPES
from identito.domain.errors import DomainError
from identito.domain.identifiers import Ins, Oid
from identito.domain.identity import Identity
from identito.domain.status import IdentityAttribute, IdentityStatus
from identito.messages import hl7v2, label, label_print
from identito.messages.exports import RENDERERS

MATRICULES = [Ins.parse(n, o.value, allow_test_oids=True) for n, o in (
    ("279035121518989", Oid.NIR), ("180032B02040123", Oid.NIR),
    ("180037505612310", Oid.NIA), ("295109912611193", Oid.NIR_TEST),
)]  # fmt: skip


def _step(identity: Identity, rng: random.Random) -> None:
    action = rng.choice(["retrieve", "validate", "invalidate", "change", "attributes", "traits"])
    if action == "retrieve":
        identity.record_ins_retrieval(rng.choice(MATRICULES), now=NOW)
    elif action == "validate":
        identity.validate(rng.choice(["CN", "PA", "CS"]), date(2031, 1, 1),
                          document_types=DEFAULT_DOCUMENT_TYPES, actor="u", now=NOW)  # fmt: skip
    elif action == "invalidate":
        identity.invalidate_ins(reason="test", now=NOW)
    elif action == "change":
        identity.change_ins(rng.choice(MATRICULES), may_change_protected=True, now=NOW)
    elif action == "attributes":
        pool = list(IdentityAttribute)
        add = rng.sample(pool, rng.randint(0, 2))
        identity.change_attributes(add, [a for a in pool if a not in add and rng.random() < 0.5],
                                   now=NOW)  # fmt: skip
    else:
        birth_date = rng.choice(["1979-03-28", "1979-00-00", "1979-03-00", "1980-03-12"])
        traits, warnings = make_traits(
            birth_date=birth_date, used_name=rng.choice([None, "MARTIN"])
        )
        identity.change_traits(traits, warnings, may_change_protected=True, now=NOW)


UNCOMPRESSED: dict[ExportFormat, Callable[..., bytes]] = {
    ExportFormat.LABEL_PDF: label.render_pdf,
    ExportFormat.WRISTBAND_PDF: label_print.render_wristband,
    ExportFormat.LABEL_SHEET_PDF: label_print.render_sheet,
}


def _views(seed: int, steps: int = 25) -> list[tuple[Identity, DiffusionView]]:
    """A copy of the identity at each step, with its view."""
    rng = random.Random(seed)
    identity = make_identity()
    found = []
    for _ in range(steps):
        with contextlib.suppress(DomainError):  # a refused operation changes nothing
            _step(identity, rng)
        identity.check_invariants()
        snapshot = copy.deepcopy(identity)
        found.append((snapshot, diffusion_view(snapshot, may_read_ins=rng.random() < 0.9)))
    return found


def _exports(view: DiffusionView) -> dict[str, bytes]:
    rendered = {}
    for fmt, renderer in RENDERERS.items():
        if fmt in UNCOMPRESSED:  # PDF content streams read as bytes
            rendered[fmt.value] = UNCOMPRESSED[fmt](view, CONTEXT, compress=False)
            continue
        try:
            rendered[fmt.value] = renderer.render(view, CONTEXT)
        except NotDiffusable:
            assert view.ins is None
    rendered["A28"] = hl7v2.person(view, CONTEXT, hl7v2.Event.A28).encode()
    rendered["A40"] = hl7v2.merge(view, "other", CONTEXT).encode()
    return rendered


@pytest.mark.parametrize("seed", range(40))
def test_no_export_of_a_non_qualified_identity_contains_its_matricule(seed: int) -> None:
    for identity, view in _views(seed):
        diffusable = (
            identity.status is IdentityStatus.QUALIFIED
            and not identity.traits.birth_date.uncertain
            and view.ins is not None
        )
        numbers = {m.number.number for m in MATRICULES}
        for name, content in _exports(view).items():
            leaked = {n for n in numbers if n.encode() in content}
            if diffusable:  # the current matricule, and the same person's former ones
                assert view.ins is not None  # (R-MO-05: replaced by INSi, never a wrong one)
                former = {f.number.number for f in view.former_ins}
                replaced = {h.ins.number.number for h in identity.ins_history if h.replaced}
                assert former <= replaced
                assert leaked <= {view.ins.number.number} | former, name
            else:
                assert leaked == set(), (name, identity.status, view.withheld)


def test_the_walk_reaches_every_status_and_attribute() -> None:
    statuses, attributes = set(), set()
    for seed in range(40):
        for identity, _ in _views(seed):
            statuses.add(identity.status)
            attributes |= identity.attributes
    assert statuses == set(IdentityStatus)
    assert attributes == set(IdentityAttribute)
