"""What of an identity may leave identito: the one diffusion rule (REQUIREMENTS §3.M).

Every generator (FHIR, HL7 v2, CDA, DICOM, DataMatrix, label) renders a
``DiffusionView`` and nothing else, so the rule lives here only:

* the matricule INS and its OID travel **only** for a qualified identity (QUAL,
  RNIV EXI SI 08 / EXI ID 29, R-DI-01, R-ST-02), and always with the five
  strict traits and the first birth first name;
* a doubtful or fictitious identity is provisional anyway (the domain forces
  PROV), so it never carries a matricule;
* an identity with a collision (COLP or COLV: two persons in one record) never
  carries its matricule until identity vigilance resolves the collision;
* an exceptional birth date (day or month ``00``) is sent completed, so it no
  longer equals the INS trait: IHE PAM FR §6.6.4 then forbids sending the
  matricule (R-TR-12) — applied to every format, not only HL7 v2;
* an actor without ``ins:read`` gets the traits without the matricule;
* the billing NSS (``domain.nss``, R-TR-20) is not an INS: it travels whatever the
  status, as an NSS (never with an INS type), and only to an actor with ``ins:read``
  (it is a NIR too).

Used name and used first name go whenever they are filled. For any other status
the traits go without matricule and each format carries the status where it can.

>>> ExportFormat.parse("datamatrix-png")
<ExportFormat.DATAMATRIX_PNG: 'datamatrix.png'>
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from identito.domain.documents import Validation
from identito.domain.errors import InvalidInput, InvalidTransition
from identito.domain.identifiers import Ins, InsNumber, Oid
from identito.domain.identity import Identity
from identito.domain.insi import CollectionMethod
from identito.domain.nss import Nss
from identito.domain.status import IdentityAttribute, IdentityStatus
from identito.domain.trait_set import Traits


class ExportFormat(StrEnum):
    """Diffusion formats; the value is the last segment of the export URL."""

    FHIR = "fhir"
    HL7V2 = "hl7v2"
    CDA = "cda"
    DICOM = "dicom"
    DATAMATRIX_PNG = "datamatrix.png"
    DATAMATRIX_SVG = "datamatrix.svg"
    LABEL_PDF = "label.pdf"
    LABEL_HTML = "label.html"
    WRISTBAND_PDF = "wristband.pdf"  # one wristband strip
    LABEL_SHEET_PDF = "labels.pdf"  # an A4 sheet of labels (``count`` of them)

    @classmethod
    def parse(cls, value: str) -> ExportFormat:
        """``datamatrix-png`` (CLI spelling) and ``datamatrix.png`` are the same format."""
        text = (value or "").strip().lower().replace("-", ".")
        try:
            return cls(text)
        except ValueError:
            known = ", ".join(f.value for f in cls)
            message = f"Format d'export inconnu « {value} » ; formats : {known}."
            raise InvalidInput.single("format", "format_unknown", message) from None


class WithheldReason(StrEnum):
    """Why a view carries no matricule (traced in the audit row)."""

    NO_INS = "no_ins"  # the identity has no matricule
    NOT_QUALIFIED = "not_qualified"  # RECUP: INSi answered, no document checked
    UNCERTAIN_BIRTH_DATE = "uncertain_birth_date"  # PAM FR §6.6.4
    NO_INS_PERMISSION = "no_ins_permission"  # the actor lacks ins:read
    COLLISION = "collision"  # COLP / COLV: two persons in one record


class NotDiffusable(InvalidTransition):
    """A format that exists only for a diffusable INS (DataMatrix) was asked without one."""

    def __init__(self, message: str) -> None:
        super().__init__(message, rule="ins_not_diffusable")


@dataclass(frozen=True)
class DiffusionView:
    """An identity as it may be diffused: ``ins`` is set only when the rule allows it."""

    identity_id: UUID
    traits: Traits
    status: IdentityStatus
    attributes: frozenset[IdentityAttribute]
    ins: Ins | None
    withheld: WithheldReason | None
    collection_method: CollectionMethod | None
    insi_called_at: datetime | None
    validation: Validation | None
    updated_at: datetime | None
    #: False for an identity merged into another (FHIR ``active``, ``link`` replaced-by).
    active: bool = True
    merged_into: UUID | None = None
    #: Identities merged into this one and not unmerged (FHIR ``link`` replaces); the
    #: services fill it from the merge records, the identity alone does not know them.
    replaces: tuple[UUID, ...] = ()
    #: Created from a message of another identification domain (0445 ``RECD``).
    received_from_other_domain: bool = False
    #: Linked with a patient of another identification domain (0445 ``IDRA``, R-LK-02).
    linked_in_other_domain: bool = False
    #: The senders' own patient identifiers linked to this identity (R-LK-01), each of
    #: its sender's domain; the services fill it from ``sender_patients``.
    domain_identifiers: tuple[DomainIdentifier, ...] = ()
    #: The billing NSS (R-TR-20): set whatever the status, never an INS.
    nss: Nss | None = None
    #: Former matricules of the same person (R-MO-05), set only beside a diffused INS:
    #: those a newer INSi or own-domain matricule replaced, and INSi's INSHISTO.
    former_ins: tuple[Ins, ...] = ()

    @property
    def birth_date(self) -> date:
        """The date every format carries: completed when it is exceptional."""
        return self.traits.birth_date.value

    @property
    def birth_date_uncertain(self) -> bool:
        return self.traits.birth_date.uncertain

    def require_ins(self, what: str) -> Ins:
        if self.ins is None:
            raise NotDiffusable(
                f"{what} n'est produit que pour une identité qualifiée dont le matricule "
                "INS peut être diffusé."
            )
        return self.ins


def withheld_reason(identity: Identity, *, may_read_ins: bool) -> WithheldReason | None:
    """None when the matricule may go, else the first reason it may not."""
    if identity.ins is None:
        return WithheldReason.NO_INS
    if identity.traits.birth_date.uncertain:  # held, never confirmed nor diffused (R-TR-12)
        return WithheldReason.UNCERTAIN_BIRTH_DATE
    if identity.status is not IdentityStatus.QUALIFIED or identity.blocks_ins:
        return WithheldReason.NOT_QUALIFIED
    if identity.collision is not None:
        return WithheldReason.COLLISION
    if not may_read_ins:
        return WithheldReason.NO_INS_PERMISSION
    return None


def diffusion_view(identity: Identity, *, may_read_ins: bool) -> DiffusionView:
    """The only function deciding what of ``identity`` may be diffused."""
    reason = withheld_reason(identity, may_read_ins=may_read_ins)
    return DiffusionView(
        identity_id=identity.id,
        traits=identity.traits,
        status=identity.status,
        attributes=identity.attributes,
        ins=identity.ins if reason is None else None,
        withheld=reason,
        collection_method=identity.diffused_collection_method,
        insi_called_at=identity.ins_retrieved_at,
        validation=identity.validation,
        updated_at=identity.updated_at,
        active=identity.active,
        merged_into=identity.merged_into,
        received_from_other_domain=identity.received_from_other_domain,
        linked_in_other_domain=identity.linked_in_other_domain,
        nss=identity.nss if may_read_ins else None,
        former_ins=former_matricules(identity) if reason is None else (),
    )


def former_matricules(identity: Identity) -> tuple[Ins, ...]:
    """The same person's former matricules INS, oldest first (R-MO-05, FHIR ``use: old``).

    Those a newer matricule from INSi or the own domain replaced (a NIA become NIR, a
    new NIR after a change of sex: ``InsHistoryEntry.replaced``), then INSi's INSHISTO
    (the national base's own list). A matricule removed as wrong (strict traits
    changed, typed correction, doubtful identity) is never one. Test and demo OIDs are
    left out: FR Core fixes ``use=official`` on their slices.
    """
    found = [entry.ins for entry in identity.ins_history if entry.replaced]
    for received in identity.insi_history:
        try:
            found.append(Ins(InsNumber(received.number), Oid(received.oid)))
        except ValueError:  # an OID INSi sent that is not an INS one: not diffused
            continue
    unique = dict.fromkeys(i for i in found if i != identity.ins and not i.oid.is_test)
    return tuple(unique)


@dataclass(frozen=True)
class DomainIdentifier:
    """A sender's own identifier of the patient (its IPP), kept with its domain (R-LK-01:
    several identifiers per patient, each with its assigning authority).

    ``domain`` is the sender as ``sender_patients`` keys it, ``APPLICATION^FACILITY``.

    >>> DomainIdentifier("GAM^CH-Y", "000123").authority
    'CH-Y'
    >>> DomainIdentifier("DPI^", "77").authority
    'DPI'
    """

    domain: str
    patient_id: str

    @property
    def authority(self) -> str:
        """The namespace of the sender's domain: its facility (MSH-4), else its
        application (MSH-3); the OID it may use is not known to identito."""
        application, _, facility = self.domain.partition("^")
        return facility or application


@dataclass(frozen=True)
class ExportContext:
    """Who sends, when, with which message id (HL7 MSH, FHIR meta, CDA ids)."""

    now: datetime
    message_id: str
    facility_name: str = "IDENTITO"
    facility_oid: str = "2.25.1"
    #: FINESS of the modifying entity (HL7 PID-34, R-LK-03); "" for the name alone.
    facility_finess: str = ""
    sending_application: str = "IDENTITO"
    receiving_application: str = ""
    receiving_facility: str = ""


@dataclass(frozen=True)
class ScannedIns:
    """The content of an INS DataMatrix, as scanned (traits in the INSi profile)."""

    ins_number: str
    oid: str
    birth_first_names: tuple[str, ...]
    birth_name: str
    sex: str
    birth_date: str  # AAAA-MM-JJ (the DataMatrix carries JJ-MM-AAAA)
    birth_place_code: str | None

    @property
    def first_birth_first_name(self) -> str:
        return self.birth_first_names[0] if self.birth_first_names else ""
