"""The rule configuration every use case receives (built once by ``bootstrap``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from identito.domain.documents import DEFAULT_DOCUMENT_TYPES, DocumentType
from identito.domain.trait_set import BirthPlaceRegister


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Rules:
    places: BirthPlaceRegister
    document_types: Mapping[str, DocumentType] = field(
        default_factory=lambda: dict(DEFAULT_DOCUMENT_TYPES)
    )
    allow_test_oids: bool = False
    clock: Callable[[], datetime] = utc_now
    #: The organisation as diffused: IPP assigning authority (HL7 MSH-4/CX-4, FHIR, CDA, DICOM).
    facility_name: str = "IDENTITO"
    facility_oid: str = "2.25.1"
    #: FINESS of the modifying entity in a GHT (HL7 PID-34, R-LK-03); "" for none.
    facility_finess: str = ""

    def now(self) -> datetime:
        return self.clock()
