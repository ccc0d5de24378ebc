"""Synthetic identities for the diffusion tests and golden files (no real person).

Each case is built by the domain's own operations, then given a fixed id so the
golden files are byte-stable.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

from fakes import NOW, make_identity
from identito.domain.diffusion import DiffusionView, ExportContext, diffusion_view
from identito.domain.identifiers import Ins, Oid
from identito.domain.identity import Identity
from identito.domain.insi import CollectionMethod
from identito.domain.status import IdentityAttribute, IdentityStatus
from reference import INTEROP

GOLDEN = Path(__file__).parent / "data" / "diffusion"
REFERENCE_DIR = INTEROP
CONTEXT = ExportContext(
    now=NOW,
    message_id="MSG0001",
    facility_name="CHU-X",
    facility_oid="2.25.1234",
    facility_finess="350000121",  # the FINESS of the PAM FR 2.11.2 §4.4.3 example
    receiving_application="DPI",
    receiving_facility="CHU-X",
)
#: Matricules with valid keys (synthetic).
INS_NIR = Ins.parse("279035121518989", Oid.NIR.value)
INS_NIA = Ins.parse("279035121518989", Oid.NIA.value)
INS_CORSICA = Ins.parse("180032B02040123", Oid.NIR.value)
INS_TEST = Ins.parse("279035121518989", Oid.NIR_TEST.value, allow_test_oids=True)

_PAT_TROIS: dict[str, Any] = {
    "birth_name": "PAT-TROIS",
    "birth_first_names": ["DOMINIQUE", "MARIE-LOUISE"],
    "first_birth_first_name": "DOMINIQUE",
    "birth_date": "1979-03-28",
    "sex": "F",
    "birth_place_code": "51215",
}


def _identity(number: int, status: IdentityStatus, ins: Ins = INS_NIR, **changes: Any) -> Identity:
    identity = make_identity(status, ins=ins, **{**_PAT_TROIS, **changes})
    identity.id = UUID(int=number)
    if identity.ins is not None:
        identity.ins_collection_method = CollectionMethod.INSI
    return identity


def _homonym(identity: Identity) -> Identity:
    identity.change_attributes([IdentityAttribute.HOMONYM], [], now=NOW)
    identity.pop_events()
    return identity


CASES: dict[str, Callable[[], Identity]] = {
    "qual": lambda: _identity(1, IdentityStatus.QUALIFIED, used_name="MARTIN"),
    "qual-test-oid": lambda: _identity(2, IdentityStatus.QUALIFIED, INS_TEST),
    "nia": lambda: _identity(3, IdentityStatus.QUALIFIED, INS_NIA),
    "corsica": lambda: _identity(
        4,
        IdentityStatus.QUALIFIED,
        INS_CORSICA,
        birth_name="DUPONT",
        birth_first_names=["JEAN", "CHRISTOPHE"],
        first_birth_first_name="JEAN",
        birth_date="1980-03-12",
        sex="M",
        birth_place_code="2B020",
        used_first_name="JC",
    ),
    "vali-homonym": lambda: _homonym(_identity(5, IdentityStatus.VALIDATED)),
    "recup": lambda: _identity(6, IdentityStatus.RETRIEVED),
    "prov": lambda: _identity(7, IdentityStatus.PROVISIONAL, used_name="DURAND"),
    "exceptional-date": lambda: _identity(8, IdentityStatus.QUALIFIED, birth_date="1979-00-00"),
}


def view(case: str) -> DiffusionView:
    return diffusion_view(CASES[case](), may_read_ins=True)
