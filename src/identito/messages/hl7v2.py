"""HL7 v2.5 messages of IHE PAM France 2.11.2: A28, A31, A47, A40 (identity feed).

Propagation (``propagation_messages``, the outbox drain's builder): A47 / A31 for a
change of one identity (a NIA replaced by a NIR: an A31 carrying both, PAM FR
§4.4.1), A40 for a merge, A28 + A31 for a merge undone.

Segments follow ENCODINGS.md §5 and the ANS example messages:

* ``PID-3``: the IPP (``PI``, facility OID), then each sender's own patient identifier
  linked to the identity (``PI`` of its domain: facility, else application; R-LK-01),
  and, only when the view carries it, the INS
  ``<matricule>^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS`` (CX-7 empty,
  as PAM FR §6.6.1 says; the ANS examples fill it, receivers tolerate both); the
  billing NSS last, type ``NH`` (R-TR-20, IHE France App. N), whatever the status;
* ``PID-5``: used name ``D`` first when filled, then birth name ``L`` with the
  first birth first name in XPN-2 and the list in XPN-3;
* ``PID-7``: the completed date of an exceptional birth date, flagged by ``ZFD-4``;
* ``PID-8``: ``M`` / ``F`` / ``U`` (indéterminé); ``PID-11``: ``^^^^^^BDL^^<COG>``;
* ``PID-32``: ``common.status_codes`` (QUAL/VALI -> VALI, RECUP/PROV -> PROV, then
  the attributes as extra repetitions);
* ``PID-34`` *Last Update Facility* (HD, IHE PAM §6.6.16): the modifying entity of a
  hospital group (R-LK-03), ``<facility_name>^<FINESS>^M`` (the FINESS with the
  universal id type ``M`` the PAM FR examples give it, ``&350000121&M``), the name
  alone when no FINESS is configured; in every message (A28, A31, A47, A40);
* ``ZFD``: 4 birth date corrected, 5 collection method, 6 INSi call date,
  7 document type, 8 document expiry.

Segments are joined with ``\\r``; the text is UTF-8 (MSH-18 ``UNICODE UTF-8``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from identito.domain.diffusion import DiffusionView, DomainIdentifier, ExportContext
from identito.domain.identifiers import Ins, InsKind
from identito.domain.nss import Nss
from identito.domain.traits import Sex
from identito.messages.common import INS_NAMESPACE, NSS_HL7_AUTHORITY, status_codes
from identito.services.propagation import Outgoing, Propagation, PropagationKind

SEGMENT_SEPARATOR = "\r"
HL7_MEDIA_TYPE = "x-application/hl7-v2+er7"
VERSION = "2.5^FRA^2.11"
PROFILE = "2.11^IHE_FRANCE-2.11-PAM"
SEX = {Sex.MALE: "M", Sex.FEMALE: "F", Sex.INDETERMINATE: "U"}
_ESCAPES = (("\\", "\\E\\"), ("|", "\\F\\"), ("^", "\\S\\"), ("&", "\\T\\"), ("~", "\\R\\"))


class Event(StrEnum):
    """Trigger event -> message structure (HL7 2.5 chapter 3)."""

    A28 = "A28"  # add person information
    A31 = "A31"  # update person information
    A47 = "A47"  # change patient identifier list (INS change or removal)
    A40 = "A40"  # merge patient - patient identifier list

    @property
    def structure(self) -> str:
        return {"A28": "ADT_A05", "A31": "ADT_A05", "A47": "ADT_A30", "A40": "ADT_A39"}[self]


@dataclass(frozen=True)
class Hl7Message:
    event: Event
    text: str

    def encode(self) -> bytes:
        return self.text.encode("utf-8")


def escape(value: str) -> str:
    for raw, escaped in _ESCAPES:
        value = value.replace(raw, escaped)
    return value


def _ts(value: datetime) -> str:
    return value.strftime("%Y%m%d%H%M%S")


def _day(value: date) -> str:
    return value.strftime("%Y%m%d")


def _segment(name: str, fields: Sequence[str]) -> str:
    last = max((i for i, f in enumerate(fields) if f), default=-1)
    return "|".join([name, *fields[: last + 1]])


def ins_cx(ins: Ins, *, erase: bool = False) -> str:
    """``<matricule>^^^<namespace>&<OID>&ISO^INS`` (``""`` instead of the matricule to erase)."""
    number = '""' if erase else ins.number.number
    return f"{number}^^^{INS_NAMESPACE[ins.oid]}&{ins.oid.value}&ISO^INS"


def nss_cx(nss: Nss) -> str:
    """The billing NSS, ``<number>^^^ASIP-SANTE-NIR&1.2.250.1.213.1.4.8&ISO^NH`` (IHE France
    App. N): type ``NH``, never ``INS`` (R-TR-20)."""
    return f"{nss.number}^^^{NSS_HL7_AUTHORITY[nss.oid]}^NH"


def ipp_cx(identity_id: object, context: ExportContext) -> str:
    return f"{identity_id}^^^{escape(context.facility_name)}&{context.facility_oid}&ISO^PI"


#: HD-3 (universal id type) of a FINESS: ``M``, as in the PAM FR examples' authorities
#: (``&350000121&M``, ENCODINGS.md §5.5); HL7 table 0301 leaves ``M`` to local use.
FINESS_ID_TYPE = "M"


def last_update_facility(context: ExportContext) -> str:
    """``PID-34`` (HD): ``<name>^<FINESS>^M``, or the name alone (R-LK-03)."""
    name = escape(context.facility_name)
    if not context.facility_finess:
        return name
    return f"{name}^{context.facility_finess}^{FINESS_ID_TYPE}"


def domain_cx(identifier: DomainIdentifier) -> str:
    """A sender's IPP, re-emitted in its own domain (R-LK-01): ``<id>^^^<authority>^PI``."""
    return f"{escape(identifier.patient_id)}^^^{escape(identifier.authority)}^PI"


def msh(event: Event, context: ExportContext) -> str:
    fields = [
        "^~\\&",
        escape(context.sending_application),
        escape(context.facility_name),
        escape(context.receiving_application),
        escape(context.receiving_facility),
        _ts(context.now),
        "",
        f"ADT^{event.value}^{event.structure}",
        context.message_id,
        "P",
        VERSION,
        "",
        "",
        "",
        "",
        "FRA",
        "UNICODE UTF-8",
        "FR",
        "",
        PROFILE,
    ]
    return "MSH|" + "|".join(fields)


def evn(context: ExportContext) -> str:
    return _segment("EVN", ["", _ts(context.now), "", "", "", _ts(context.now)])


def _names(view: DiffusionView) -> str:
    t = view.traits
    birth = f"{escape(t.birth_name)}^{escape(t.first_birth_first_name)}"
    birth += f"^{escape(' '.join(t.birth_first_names))}^^^^L"
    if not (t.used_name or t.used_first_name):
        return birth
    used = f"{escape(t.used_name or '')}^{escape(t.used_first_name or '')}^^^^^D"
    return f"{used}~{birth}"


def pid(
    view: DiffusionView,
    context: ExportContext,
    *,
    erased_ins: Ins | None = None,
    former_nia: Ins | None = None,
) -> str:
    """The PID segment; ``erased_ins`` adds the ``""`` INS repetition of an A47 removal,
    ``former_nia`` the NIA after the NIR of a NIA -> NIR change (PAM FR §4.4.1)."""
    identifiers = [ipp_cx(view.identity_id, context)]
    identifiers += [domain_cx(d) for d in view.domain_identifiers]
    if view.ins is not None:
        identifiers.append(ins_cx(view.ins))
        if former_nia is not None:
            identifiers.append(ins_cx(former_nia))
    elif erased_ins is not None:
        identifiers.append(ins_cx(erased_ins, erase=True))
    if view.nss is not None:
        identifiers.append(nss_cx(view.nss))
    fields = [""] * 34
    fields[0] = "1"
    fields[2] = "~".join(identifiers)
    fields[4] = _names(view)
    fields[6] = _day(view.birth_date)
    fields[7] = SEX[view.traits.sex]
    fields[10] = f"^^^^^^BDL^^{view.traits.birth_place_code}"
    fields[31] = "~".join(status_codes(view))
    fields[33] = last_update_facility(context)
    return _segment("PID", fields)


def zfd(view: DiffusionView) -> str:
    validation = view.validation
    fields = [
        "",
        "",
        "",
        "Y" if view.birth_date_uncertain else "N",
        view.collection_method.value if view.collection_method else "",
        _day(view.insi_called_at.date()) if view.insi_called_at else "",
        validation.document_type if validation and not validation.document_unspecified else "",
        _day(validation.document_expiry) if validation and validation.document_expiry else "",
    ]
    return _segment("ZFD", fields)


def _join(*segments: str) -> str:
    return SEGMENT_SEPARATOR.join(segments) + SEGMENT_SEPARATOR


def person(view: DiffusionView, context: ExportContext, event: Event = Event.A31) -> Hl7Message:
    """``ADT^A28`` (creation) or ``ADT^A31`` (update) of one identity."""
    if event not in (Event.A28, Event.A31):
        raise ValueError(f"not a person information event: {event}")
    text = _join(msh(event, context), evn(context), pid(view, context), "PV1|1|N", zfd(view))
    return Hl7Message(event, text)


def nia_to_nir(view: DiffusionView, nia: Ins, context: ExportContext) -> Hl7Message:
    """``ADT^A31``: the NIA diffused before is replaced by a NIR (PAM FR §4.4.1, not an
    A47): PID-3 carries the NIR then the NIA, and the receiver keeps the NIR."""
    segments = (
        msh(Event.A31, context),
        evn(context),
        pid(view, context, former_nia=nia),
        "PV1|1|N",
        zfd(view),
    )
    return Hl7Message(Event.A31, _join(*segments))


def _nia_became_nir(previous: Ins, current: Ins | None) -> bool:
    return previous.kind is InsKind.NIA and current is not None and current.kind is not InsKind.NIA


def ins_change(view: DiffusionView, previous: Ins, context: ExportContext) -> Hl7Message:
    """``ADT^A47``: the INS diffused before (``MRG-1``) is replaced or removed (PAM FR §4.4)."""
    segments = (
        msh(Event.A47, context),
        evn(context),
        pid(view, context, erased_ins=previous),
        f"MRG|{ins_cx(previous)}",
    )
    return Hl7Message(Event.A47, _join(*segments))


def merge(survivor: DiffusionView, merged_id: object, context: ExportContext) -> Hl7Message:
    """``ADT^A40``: the record ``merged_id`` (its IPP in ``MRG-1``) merges into ``survivor``."""
    segments = (
        msh(Event.A40, context),
        evn(context),
        pid(survivor, context),
        f"MRG|{ipp_cx(merged_id, context)}",
    )
    return Hl7Message(Event.A40, _join(*segments))


def render_person(view: DiffusionView, context: ExportContext) -> bytes:
    """The export of one identity: an ``ADT^A31``."""
    return person(view, context).encode()


def propagation(
    view: DiffusionView,
    previous_ins: Ins | None,
    previous_codes: Sequence[str],
    context: ExportContext,
    *,
    content_changed: bool = False,
) -> list[Hl7Message]:
    """Messages telling receivers what changed (PAM FR §4.4), from the diffused state before.

    ``previous_ins`` is the matricule that was diffusable before the change (None
    when the identity was not qualified then). A diffused INS that disappears or
    changes gives an A47, except a NIA that became a NIR: an A31 carrying both (§4.4.1);
    a status, attribute or new INS gives an A31, and so does a change of traits or of
    the billing NSS alone (``content_changed``, R-MO-05).
    """
    if previous_ins is not None and _nia_became_nir(previous_ins, view.ins):
        return [nia_to_nir(view, previous_ins, context)]
    if previous_ins is not None and view.ins != previous_ins:
        return [ins_change(view, previous_ins, context)]
    if list(previous_codes) != status_codes(view) or (view.ins and previous_ins is None):
        return [person(view, context, Event.A31)]
    if content_changed:
        return [person(view, context, Event.A31)]
    return []


def unmerge(
    restored: DiffusionView, survivor: DiffusionView, context: ExportContext
) -> list[Hl7Message]:
    """A merge undone: IHE PAM has no "cancel merge" (A40 has no counterpart in the
    identity feed), so the identity active again is sent as a new person (``A28``, its
    IPP again in PID-3) and the survivor's current state as an update (``A31``)."""
    return [person(restored, context, Event.A28), person(survivor, context, Event.A31)]


def propagation_messages(request: Propagation, context: ExportContext) -> list[Outgoing]:
    """The messages of one outbox row (the builder ``send_outbox`` takes)."""
    if request.kind is PropagationKind.MERGE and request.merged_id is not None:
        a40 = merge(request.view, request.merged_id, context)
        return [Outgoing(a40.event.value, request.view, a40.encode())]
    if request.kind is PropagationKind.UNMERGE and request.restored is not None:
        a28, a31 = unmerge(request.restored, request.view, context)
        return [
            Outgoing(a28.event.value, request.restored, a28.encode()),
            Outgoing(a31.event.value, request.view, a31.encode()),
        ]
    found = propagation(
        request.view, request.previous_ins, request.previous_codes, context,
        content_changed=request.content_changed,
    )  # fmt: skip
    return [Outgoing(m.event.value, request.view, m.encode()) for m in found]
