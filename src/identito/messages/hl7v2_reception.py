"""HL7 v2.5 ADT messages received (IHE PAM France 2.11): parse, and answer an ACK.

``parse_adt`` checks the message against its limits (``hl7v2_limits``), then splits
MSH and the first PID, MRG and ZFD on the message's own delimiters (the other
segments are never split: the work is linear in the message size) and takes the
identity from PID as PAM FR encodes it (ENCODINGS.md §5):

* PID-3: the INS is the repetition whose CX-5 is ``INS`` (CX-1 with its key,
  the OID in CX-4.2; ``""`` means "deleted"), the NIR when both a NIR and a NIA
  are sent (PAM FR §4.4.1); the sender's IPP is the ``PI`` one; an ``INS-C``
  repetition, or an ``INS`` one with an INS-C or NSS OID, is read so that the
  reception refuses it as INS with its reason (R-TR-19); ``NH`` (billing NSS) never
  counts as the INS (R-TR-20);
* PID-5: the ``L`` repetition gives the birth name, the first birth first name
  (XPN-2) and the list (XPN-3); the ``D`` one the used name and first name;
* PID-7 birth date (``YYYYMMDD``), PID-8 sex (``U`` is ``I``), PID-11 the ``BDL``
  repetition's XAD-9 the birth place code; PID-32 the status then attributes;
* ZFD-4 ``Y``: the birth date was corrected (kept: ``BirthDate.corrected``);
* ZFD-7 the document the sender checked, ZFD-8 its end of validity (kept only
  when the sender qualified the identity: see ``services.reception``);
* PID-34 *Last Update Facility* (HD): the entity that last changed the identity in a
  hospital group (R-LK-03), its name (HD-1) and FINESS (HD-2, kept only when it has
  a FINESS's shape: an OID there is left aside);
* MSH-3/MSH-4 the sender, MSH-9 the event, MSH-10 the control id, MRG-1 the
  former INS of an A40/A47 and the merged patient's ``PI`` of an A40.

A message that cannot be read raises ``Hl7Rejected`` carrying the HL7 error
(table 0357), where it is and a French text; ``ack`` writes the answer: ``AA``,
``AE`` (content error) or ``AR`` (rejected: not ADT, unsupported event or version).
Both live in ``hl7v2_ack`` (the message's envelope) and are imported from here too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from identito.domain import facility
from identito.domain.facility import ModifyingEntity
from identito.messages.hl7v2_ack import (
    ERROR_LABELS,
    Header,
    Hl7Rejected,
    ack,
    normalise,
    read_header,
)
from identito.messages.hl7v2_limits import Hl7Limits, check_limits, relevant_segments
from identito.services.reception_model import (
    ReceivedIdentity,
    Reception,
    Sender,
    TransmittedIns,
    preferred_ins,
)

#: The legacy INS-C (IHE France App. N: ``ASIP-SANTE-INS-C&1.2.250.1.213.1.4.2&ISO^INS-C``):
#: recognised, then refused as an INS by the reception rules (R-TR-19).
INS_C_TYPE, INS_C_OID = "INS-C", "1.2.250.1.213.1.4.2"
#: Events whose PID feeds identities (PAM FR identity feed, plus movements that carry PID).
IDENTITY_EVENTS = ("A28", "A31", "A08", "A01", "A03", "A04", "A05")
TRACED_EVENTS = ("A40", "A47")
SUPPORTED_VERSIONS = ("2.3", "2.4", "2.5", "2.6", "2.7", "2.8")
__all__ = ["ERROR_LABELS", "Header", "Hl7Rejected", "ack", "normalise", "parse_adt", "read_header"]


def parse_adt(text: str, limits: Hl7Limits | None = None) -> Reception:
    """The reception of one message; ``Hl7Rejected`` when it cannot be read or is above
    ``limits`` (checked before parsing: the work done is linear in the message size)."""
    segments = normalise(text).split("\r")
    header = read_header(segments[0])
    check_limits(segments, limits or Hl7Limits(), header)
    _check_header(header, segments[0])
    message = _read(relevant_segments(segments))
    sender = Sender(header.application, header.facility)
    pid = _segment(message, "PID")
    if header.event in TRACED_EVENTS:
        identity = _identity(pid, header) if pid is not None else None
        if identity is not None:
            identity = _with_document(identity, _segment(message, "ZFD"))
        mrg = _segment(message, "MRG")
        former = _repetitions(mrg, 1) if mrg is not None else []
        return Reception(
            "hl7v2", text, sender, header.event, header.control_id, identity,
            replaced_ins=_ins(former), merged_patient_id=_patient_id(former),
        )  # fmt: skip
    if pid is None:
        raise Hl7Rejected("Segment PID absent.", code="100", location="PID", header=header)
    identity = _with_document(_identity(pid, header), _segment(message, "ZFD"))
    return Reception("hl7v2", text, sender, header.event, header.control_id, identity)


def _check_header(header: Header, first: str) -> None:
    """``first``: the first segment of the message."""
    if not first.startswith("MSH"):
        raise Hl7Rejected(
            "Le message ne commence pas par un segment MSH.",
            code="100",
            location="MSH",
            ack_code="AR",
            header=header,
        )
    if not (header.event or "").strip():
        raise Hl7Rejected(
            "Type de message absent (MSH-9).", code="101", location="MSH^1^9", ack_code="AR",
            header=header,
        )  # fmt: skip
    if f"{first[3]}ADT{first[4]}" not in first:
        raise Hl7Rejected(
            "Seuls les messages ADT sont acceptés.", code="200", location="MSH^1^9",
            ack_code="AR", header=header,
        )  # fmt: skip
    if header.event not in (*IDENTITY_EVENTS, *TRACED_EVENTS):
        raise Hl7Rejected(
            f"Événement ADT^{header.event} non pris en charge "
            "(A28, A31, A08, A40, A47 ; A01, A03, A04, A05 pour l'identité).",
            code="201", location="MSH^1^9", ack_code="AR", header=header,
        )  # fmt: skip
    if not any((header.version or "").startswith(v) for v in SUPPORTED_VERSIONS):
        raise Hl7Rejected(
            f"Version HL7 « {header.version} » non prise en charge (2.5 attendue).",
            code="203", location="MSH^1^12", ack_code="AR", header=header,
        )  # fmt: skip


@dataclass(frozen=True)
class Segment:
    fields: list[str]  # [name, field 1, field 2...]
    repetition: str  # the message's repetition separator (MSH-2, second character)


Message = dict[str, Segment]  # the first segment of each name the reception reads


def _read(segments: list[str]) -> Message:
    """Split the few segments read on the message's own field separator."""
    msh = segments[0]
    field, repetition = msh[3], msh[5]
    message: Message = {}
    for text in segments[1:]:
        message.setdefault(text[:3], Segment(text.split(field), repetition))
    return message


def _segment(message: Message, name: str) -> Segment | None:
    return message.get(name)


def _repetitions(segment: Segment, index: int) -> list[str]:
    """The ER7 text of each repetition of field ``index`` of a segment (``[]`` when empty)."""
    if index >= len(segment.fields) or not segment.fields[index]:
        return []
    return segment.fields[index].split(segment.repetition)


def _parts(value: str, separator: str = "^") -> list[str]:
    return value.split(separator)


def _at(parts: list[str], index: int) -> str:
    """Component ``index`` (1-based), ``""`` when absent."""
    return parts[index - 1].strip() if len(parts) >= index else ""


def _ins(repetitions: list[str]) -> TransmittedIns | None:
    """The transmitted INS; the NIR wins over the NIA whatever the order (PAM FR §4.4.1)."""
    found: list[TransmittedIns] = []
    for value in repetitions:
        cx = _parts(value)
        if _at(cx, 5) not in ("INS", "INS-NIR", "INS-NIA", INS_C_TYPE):
            continue  # NH (billing NSS), PI... are never the INS (R-TR-20)
        number = _at(cx, 1)
        if not number or number == '""':
            if _at(cx, 5) == INS_C_TYPE:
                continue
            return None  # INS deleted by the sender
        authority = _at(cx, 4).split("&")
        oid = authority[1] if len(authority) > 1 else ""
        if _at(cx, 5) == INS_C_TYPE and not oid:
            oid = INS_C_OID  # App. N: ASIP-SANTE-INS-C, recognised by its type alone
        found.append(TransmittedIns(number, oid))
    return preferred_ins(found)


def _patient_id(repetitions: list[str]) -> str | None:
    """CX-1 of the ``PI`` repetition (the sender's patient identifier), or None."""
    for value in repetitions:
        cx = _parts(value)
        if _at(cx, 5) == "PI" and _at(cx, 1):
            return _at(cx, 1)
    return None


def _identity(pid: Segment, header: Header) -> ReceivedIdentity:
    identifiers = _repetitions(pid, 3)
    names = [_parts(v) for v in _repetitions(pid, 5)]
    legal = next((n for n in names if _at(n, 7) == "L"), names[0] if names else [])
    used = next((n for n in names if _at(n, 7) == "D"), [])
    if not _at(legal, 1):
        raise Hl7Rejected(
            "Nom de naissance absent (PID-5, type L).", code="101", location="PID^1^5",
            header=header,
        )  # fmt: skip
    first = _at(legal, 2)
    listed = _at(legal, 3).split() if _at(legal, 3) else ([first] if first else [])
    traits = {
        "birth_name": _at(legal, 1),
        "first_birth_first_name": first,
        "birth_first_names": listed,
        "birth_date": _birth_date(_first(pid, 7), header),
        "sex": {"U": "I"}.get(_first(pid, 8), _first(pid, 8)),
        "birth_place_code": _birth_place(_repetitions(pid, 11)),
        "used_name": _nulled(_at(used, 1)),
        "used_first_name": _nulled(_at(used, 2)),
    }
    statuses = [s for s in _repetitions(pid, 32) if s]
    local = next((_at(_parts(v), 1) for v in identifiers if _at(_parts(v), 5) == "PI"), None)
    return ReceivedIdentity(
        traits={k: v for k, v in traits.items() if v not in (None, "")},
        ins=_ins(identifiers),
        sender_status=statuses[0] if statuses else None,
        attributes=tuple(statuses[1:]),
        local_id=local,
        modifying_entity=_modifying_entity(_repetitions(pid, 34)),
    )


def _modifying_entity(values: list[str]) -> ModifyingEntity | None:
    """PID-34 (HD): ``<name>^<FINESS>^<type>``; the FINESS kept when it has its shape."""
    hd = _parts(values[0]) if values else []
    universal = _at(hd, 2)
    finess = facility.compact(universal) if facility.is_valid(universal) else None
    return ModifyingEntity.of(_nulled(_at(hd, 1)), finess)


def _with_document(identity: ReceivedIdentity, zfd: Segment | None) -> ReceivedIdentity:
    """ZFD-4 (birth date corrected, ``Y``), ZFD-7 (document checked) and ZFD-8 (its end
    of validity, ignored when unreadable)."""
    if zfd is None:
        return identity
    if _first(zfd, 4).upper() == "Y":
        identity = replace(identity, traits={**identity.traits, "birth_date_corrected": True})
    document = _first(zfd, 7).upper() or None
    digits = _first(zfd, 8)[:8]
    try:
        expiry = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        expiry = None
    return replace(identity, document_type=document, document_expiry=expiry)


def _first(segment: Segment, index: int) -> str:
    values = _repetitions(segment, index)
    return values[0].split("^")[0].strip() if values else ""


def _nulled(value: str) -> str | None:
    return None if value in ("", '""') else value


def _birth_date(value: str, header: Header) -> str:
    digits = value[:8]
    if len(digits) != 8 or not digits.isdigit():
        raise Hl7Rejected(
            f"Date de naissance « {value} » invalide (AAAAMMJJ attendu).",
            code="102", location="PID^1^7", header=header,
        )  # fmt: skip
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}"


def _birth_place(addresses: list[str]) -> str | None:
    for value in addresses:
        xad = _parts(value)
        if _at(xad, 7) == "BDL" and _at(xad, 9):
            return _at(xad, 9)
    return None
