"""Bounded work per received HL7 v2 message: limits checked before any parsing, and
the few segments the reception reads picked out in one linear pass.

``check_limits`` refuses (``Hl7Rejected``, ``AR``) a message above its size, its
number of segments or its repetitions in one field; it only counts characters
(``str.count``), so its cost is linear in the message whatever it holds.
``relevant_segments`` keeps MSH and the first PID, MRG and ZFD: the parser
(hl7apy builds an object per field, component and subcomponent, about half a
millisecond a segment) never sees the NTE, OBX or Z segments the reception ignores.
"""

from __future__ import annotations

from dataclasses import dataclass

from identito.messages.hl7v2_ack import Header, Hl7Rejected

#: The segments ``parse_adt`` reads (the first of each).
READ_SEGMENTS = ("PID", "MRG", "ZFD")
#: Characters of a refused message kept in its trace (``received_messages``).
TRACE_CHARS = 16_384
#: HL7 table 0357 (v2.6 and later): the value is longer than allowed.
TOO_LONG = "104"


@dataclass(frozen=True)
class Hl7Limits:
    """What one received message may hold (settings ``hl7_max_*``)."""

    max_bytes: int = 1_048_576
    max_segments: int = 1_000
    max_repetitions: int = 100


def _refuse(text: str, location: str, header: Header) -> Hl7Rejected:
    return Hl7Rejected(text, code=TOO_LONG, location=location, ack_code="AR", header=header)


def check_size(size: int, limits: Hl7Limits, header: Header) -> None:
    """Refuse a message of ``size`` bytes above ``limits.max_bytes``."""
    if size > limits.max_bytes:
        raise _refuse(
            f"Message trop volumineux : {size} octets (au plus {limits.max_bytes}).", "", header
        )


def check_limits(segments: list[str], limits: Hl7Limits, header: Header) -> None:
    """Refuse too many segments, or a field repeated more than ``max_repetitions`` times."""
    if len(segments) > limits.max_segments:
        raise _refuse(
            f"Message trop long : {len(segments)} segments (au plus {limits.max_segments}).",
            "",
            header,
        )
    if not segments or not segments[0].startswith("MSH") or len(segments[0]) < 8:
        return
    field, repetition = segments[0][3], segments[0][5]
    occurrences: dict[str, int] = {}
    for segment in segments:
        occurrences[segment[:3]] = sequence = occurrences.get(segment[:3], 0) + 1
        if segment.count(repetition) < limits.max_repetitions:
            continue  # cheap: no field of this segment can be above the limit
        _check_fields(segment, sequence, field, repetition, limits, header)


def _check_fields(
    segment: str, sequence: int, field: str, repetition: str, limits: Hl7Limits, header: Header
) -> None:
    name, shift = segment[:3], (1 if segment.startswith("MSH") else 0)  # MSH-1 is "|" itself
    for index, value in enumerate(segment.split(field)[1:], start=1):
        count = value.count(repetition) + 1
        if count > limits.max_repetitions and not (shift and index == 1):  # MSH-2: "^~\\&"
            number = index + shift
            raise _refuse(
                f"Trop de répétitions dans {name}-{number} : {count} "
                f"(au plus {limits.max_repetitions}).",
                f"{name}^{sequence}^{number}",
                header,
            )


def relevant_segments(segments: list[str]) -> list[str]:
    """MSH and the first segment of each name in ``READ_SEGMENTS``, in their order."""
    kept, seen = segments[:1], set()
    for segment in segments[1:]:
        name = segment[:3]
        if name in READ_SEGMENTS and name not in seen:
            seen.add(name)
            kept.append(segment)
    return kept


def excerpt(text: str, size: int | None = None) -> str:
    """The start of a refused message, as traced: never megabytes."""
    whole = size is None or size <= len(text.encode("utf-8"))
    if len(text) <= TRACE_CHARS and whole:
        return text
    received = f"{size} octets" if size is not None else f"{len(text)} caractères"
    return text[:TRACE_CHARS] + f"\r[… message tronqué pour la trace : {received} reçus]"
