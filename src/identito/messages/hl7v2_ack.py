"""The envelope of a received HL7 v2 message: MSH read without a parser, the
rejection of a message that changes nothing, and the ACK answered (HL7 2.5 ch. 2).

``read_header`` works even on a broken message, so that every message gets an
ACK: ``AA``, ``AE`` (content error) or ``AR`` (rejected: not ADT, unsupported
event or version), with an ``ERR`` segment (table 0357 code, location, French text).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Header:
    application: str | None = None
    facility: str | None = None
    control_id: str | None = None
    event: str | None = None
    version: str | None = None


class Hl7Rejected(Exception):
    """A received message that changes nothing; ``ack_code`` ``AE`` or ``AR``."""

    def __init__(
        self, text: str, *, code: str, location: str = "", ack_code: str = "AE", header: Header
    ) -> None:
        super().__init__(text)
        self.text, self.code, self.location = text, code, location
        self.ack_code, self.header = ack_code, header


ERROR_LABELS = {
    "100": "Segment sequence error",
    "101": "Required field missing",
    "102": "Data type error",
    "104": "Value too long",
    "200": "Unsupported message type",
    "201": "Unsupported event code",
    "203": "Unsupported version id",
    "205": "Duplicate key identifier",
    "207": "Application internal error",
}


def normalise(text: str) -> str:
    """Segments separated by ``\\r`` (files and HTTP bodies often carry ``\\n``)."""
    lines = text.replace("\r\n", "\r").replace("\n", "\r").split("\r")
    return "\r".join(line for line in lines if line.strip())


def read_header(text: str) -> Header:
    """MSH fields read without a parser, so that even a broken message gets an ACK."""
    first = normalise(text).split("\r", 1)[0]
    if not first.startswith("MSH") or len(first) < 8:
        return Header()
    fields = first.split(first[3])
    component = first[4]

    def get(index: int) -> str | None:  # MSH-n is fields[n - 1]
        return fields[index - 1] if len(fields) >= index and fields[index - 1] else None

    message_type = (get(9) or "").split(component)
    event = message_type[1] if len(message_type) > 1 else None
    version = (get(12) or "").split(component)[0] or None
    return Header(get(3), get(4), get(10), event, version)


def ack(
    header: Header,
    code: str,
    *,
    application: str,
    facility: str,
    now: datetime,
    control_id: str,
    error: Hl7Rejected | None = None,
) -> str:
    """The ACK of a message (segments separated by ``\\r``), with an ERR in French."""
    event = header.event or ""
    msh = "|".join(
        [
            "MSH",
            "^~\\&",
            application,
            facility,
            header.application or "",
            header.facility or "",
            now.strftime("%Y%m%d%H%M%S"),
            "",
            f"ACK^{event}^ACK",
            control_id,
            "P",
            "2.5",
        ]
    )
    segments = [msh, f"MSA|{code}|{header.control_id or ''}"]
    if error is not None:
        label = ERROR_LABELS.get(error.code, "Error")
        text = _escape(error.text)
        segments.append(f"ERR||{error.location}|{error.code}^{label}^HL70357|E||||{text}")
    return "\r".join(segments) + "\r"


def _escape(text: str) -> str:
    """HL7 escape sequences for the delimiters in a free text."""
    out = text.replace("\\", "\\E\\")
    for char, escape in (("|", "\\F\\"), ("^", "\\S\\"), ("&", "\\T\\"), ("~", "\\R\\")):
        out = out.replace(char, escape)
    return out
