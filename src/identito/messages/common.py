"""Wire vocabularies shared by several formats: each mapping lives here once.

Status and attribute codes of HL7 v2 table 0445 (FR) are used both by PID-32
(IHE PAM FR 2.11.2 §6.6.15) and by the ``identityStatus`` of FR Core 2.2.0
(CodeSystem ``fr-core-cs-v2-0445``). Neither can tell RECUP from PROV nor VALI
from QUAL: a receiver deduces QUAL from ``VALI`` + matricule (R-ST-09).
"""

from __future__ import annotations

from identito.domain.diffusion import DiffusionView
from identito.domain.identifiers import InsKind, Oid
from identito.domain.nss import NssOid
from identito.domain.status import IdentityStatus

#: RNIV status -> table 0445 code (R-ST-09; PAM FR §4.4.4 sends PROV on QUAL -> RECUP).
STATUS_0445: dict[IdentityStatus, str] = {
    IdentityStatus.QUALIFIED: "VALI",
    IdentityStatus.VALIDATED: "VALI",
    IdentityStatus.RETRIEVED: "PROV",
    IdentityStatus.PROVISIONAL: "PROV",
}

#: Assigning-authority namespace of the INS in HL7 CX-4.1 and DICOM IssuerOfPatientID.
#: The ANS examples keep ASIP-SANTE-INS-NIR for the test OID; no example exists for
#: the demo OID, which follows the same choice (ENCODINGS.md §2).
INS_NAMESPACE: dict[Oid, str] = {
    Oid.NIR: "ASIP-SANTE-INS-NIR",
    Oid.NIA: "ASIP-SANTE-INS-NIA",
    Oid.NIR_TEST: "ASIP-SANTE-INS-NIR",
    Oid.NIR_DEMO: "ASIP-SANTE-INS-NIR",
}

#: The billing NSS in HL7 v2 PID-3 (CX-5 ``NH``): IHE France App. N v1.8.2 writes the
#: beneficiary's NIR ``ASIP-SANTE-NIR&1.2.250.1.213.1.4.8&ISO^NH``; the NIA follows the
#: same pattern with its own namespace and OID (inferred; ENCODINGS.md §5.2, §10.1).
#: FHIR uses the FR Core NSS OIDs ``…4.13`` / ``…4.14`` instead (``NssOid``).
NSS_HL7_AUTHORITY: dict[NssOid, str] = {
    NssOid.NIR: "ASIP-SANTE-NIR&1.2.250.1.213.1.4.8&ISO",
    NssOid.NIA: "ASIP-SANTE-NIA&1.2.250.1.213.1.4.9&ISO",
}

#: Nature of the matricule shown to people (label, HTML, PDF).
INS_KIND_LABEL: dict[InsKind, str] = {
    InsKind.NIR: "NIR",
    InsKind.NIA: "NIA",
    InsKind.NIR_TEST: "NIR de test",
    InsKind.NIR_DEMO: "NIR de démonstration",
}

#: INSEE codes of births abroad start with 99 (country codes, TRE_R20).
ABROAD_PREFIX = "99"


RECEIVED_0445 = "RECD"
LINKED_0445 = "IDRA"


def status_codes(view: DiffusionView) -> list[str]:
    """The status code then one code per attribute (``PROV~DOUT``, ``VALI~HOMA``), then
    ``RECD`` for an identity received from another domain and ``IDRA`` for one linked
    (rapprochée) with a patient of another domain (PAM FR table 0445, R-LK-02)."""
    received = [RECEIVED_0445] if view.received_from_other_domain else []
    linked = [LINKED_0445] if view.linked_in_other_domain else []
    codes = [STATUS_0445[view.status], *sorted(a.value for a in view.attributes)]
    return [*codes, *received, *linked]


def born_abroad(view: DiffusionView) -> bool:
    return view.traits.birth_place_code.startswith(ABROAD_PREFIX)
