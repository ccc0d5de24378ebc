"""SOAP 1.2 envelopes of the INSi contract: namespaces, operations, headers, faults.

Pure functions (bytes in, bytes out). Requests carry the WS-Addressing headers
(``Action`` = ``urn:ServiceIdentiteCertifiee:1.0.0:<operation>``, ``MessageID``,
``To``), the LPS context (``ROOT_ctxlps_CTXLPS_V01_00.xsd``: the software's CNDA
authorisation number, name, version and instance) and the BAM context
(``ROOT_ctxbam_CTXBAM_V01_02.xsd``), and, with a professional card, a
``wsse:Security`` header holding the signed PS assertion (``DESIR_ICIR_EXP_1.5.0.wsdl``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from lxml import etree

from identito.services.teleservice import MalformedResponse, TeleserviceFault

SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
CTXLPS = "urn:siram:lps:ctxlps"
CTXBAM = "urn:siram:bam:ctxbam"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
RECSANS = "http://www.cnamts.fr/INSiRecSans"
RECVIT = "http://www.cnamts.fr/INSiRecVit"
RESULTAT = "http://www.cnamts.fr/INSiResultat"
SIRAM = "urn:siram"
#: ASSUMED namespace of the verification operations (not public): docs/insi.md.
VERIF = "http://identito.example/INSiVerif"

CONTENT_TYPE = "application/soap+xml; charset=utf-8"
MALFORMED = (
    "La réponse du téléservice INSi est incomplète ou mal formée ; elle n'a pas été utilisée."
)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class Operation(StrEnum):
    CARD = "rechercherInsAvecCarteVitale"
    TRAITS = "rechercherInsAvecTraitsIdentite"
    VERIFY = "verifierIns"  # ASSUMED
    BATCH_SUBMIT = "deposerLotVerificationIns"  # ASSUMED
    BATCH_FETCH = "consulterLotVerificationIns"  # ASSUMED

    @property
    def action(self) -> str:
        return f"urn:ServiceIdentiteCertifiee:1.0.0:{self.value}"

    @property
    def response_action(self) -> str:
        return f"{self.action}Response"

    @classmethod
    def from_action(cls, action: str) -> Operation | None:
        prefix = "urn:ServiceIdentiteCertifiee:1.0.0:"
        name = action.strip()[len(prefix) :] if action.strip().startswith(prefix) else ""
        return next((op for op in cls if op.value == name), None)


@dataclass(frozen=True)
class SoftwareContext:
    """What the LPS and BAM contexts say about the calling software (from settings)."""

    cnda_authorisation: str  # IDAM
    name: str
    version: str
    instance_id: str
    emitter: str  # Emetteur: billing identifier (FINESS or AM number)


@dataclass(frozen=True)
class Stamp:
    """Identifiers and time of one request (injectable for golden files)."""

    message_id: str
    lps_id: str
    bam_id: str
    time: str  # xsd:dateTime, UTC

    @classmethod
    def new(cls, ids: Callable[[], str], clock: Callable[[], datetime]) -> Stamp:
        now = clock().astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return cls(f"uuid:{ids()}", ids(), ids(), now)


def _sub(parent: etree._Element, ns: str, tag: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, f"{{{ns}}}{tag}")
    if text is not None:
        child.text = text
    return child


def _lps_context(header: etree._Element, software: SoftwareContext, stamp: Stamp) -> None:
    ctx = _sub(header, CTXLPS, "ContexteLPS")
    ctx.set("Nature", "CTXLPS")
    ctx.set("Version", "01_00")
    _sub(ctx, CTXLPS, "Id", stamp.lps_id)
    _sub(ctx, CTXLPS, "Temps", stamp.time)
    _sub(ctx, CTXLPS, "Emetteur", software.emitter)
    lps = _sub(ctx, CTXLPS, "LPS")
    _sub(lps, CTXLPS, "IDAM", software.cnda_authorisation).set("R", "4")
    _sub(lps, CTXLPS, "Version", software.version)
    _sub(lps, CTXLPS, "Instance", software.instance_id)
    _sub(lps, CTXLPS, "Nom", software.name)


def _bam_context(header: etree._Element, software: SoftwareContext, stamp: Stamp) -> None:
    ctx = _sub(header, CTXBAM, "ContexteBAM")
    ctx.set("Version", "01_02")
    _sub(ctx, CTXBAM, "Id", stamp.bam_id)
    _sub(ctx, CTXBAM, "Temps", stamp.time)
    _sub(ctx, CTXBAM, "Emetteur", software.emitter)
    _sub(ctx, CTXBAM, "COUVERTURE")


def build_envelope(
    operation: Operation,
    body: etree._Element,
    *,
    software: SoftwareContext,
    stamp: Stamp,
    to: str,
    assertion: etree._Element | None = None,
) -> bytes:
    """The complete request: headers in the WSDL's order, then the body element."""
    nsmap = {"soap": SOAP, "wsa": WSA, "ctxlps": CTXLPS, "ctxbam": CTXBAM}
    envelope = etree.Element(f"{{{SOAP}}}Envelope", nsmap=nsmap)
    header = _sub(envelope, SOAP, "Header")
    if assertion is not None:
        security = etree.SubElement(header, f"{{{WSSE}}}Security", nsmap={"wsse": WSSE})
        security.append(assertion)
    _lps_context(header, software, stamp)
    _sub(header, WSA, "MessageID", stamp.message_id)
    _bam_context(header, software, stamp)
    _sub(header, WSA, "Action", operation.action)
    _sub(header, WSA, "To", to)
    _sub(envelope, SOAP, "Body").append(body)
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def parse_xml(data: bytes) -> etree._Element:
    try:
        return etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, ValueError) as error:
        raise MalformedResponse(MALFORMED) from error


def body_of(data: bytes) -> etree._Element:
    """The single element of a response's Body; a SOAP fault raises ``TeleserviceFault``."""
    root = parse_xml(data)
    body = root.find(f"{{{SOAP}}}Body") if root.tag == f"{{{SOAP}}}Envelope" else None
    children = [c for c in body if isinstance(c.tag, str)] if body is not None else []
    if len(children) != 1:
        raise MalformedResponse(MALFORMED)
    if children[0].tag == f"{{{SOAP}}}Fault":
        raise fault_error(children[0])
    return children[0]


def _local(qname: str | None) -> str | None:
    return qname.strip().rpartition(":")[2] if qname and qname.strip() else None


def fault_error(fault: etree._Element) -> TeleserviceFault:
    """A SOAP 1.2 fault with its SIRAM subcode and the DESIR code of ``siram:Erreur``."""
    ns = {"s": SOAP, "siram": SIRAM}
    value = _local(fault.findtext("s:Code/s:Value", namespaces=ns))
    subcode = _local(fault.findtext("s:Code/s:Subcode/s:Value", namespaces=ns))
    reason = (fault.findtext("s:Reason/s:Text", namespaces=ns) or "").strip()
    detail = fault.find("s:Detail/siram:Erreur", namespaces=ns)
    detail_code = detail.get("code") if detail is not None else None
    code = detail_code or subcode or value or "inconnu"
    detail_text = (detail.text or "").strip() if detail is not None else ""
    text = reason or detail_text
    message = f"Le téléservice INSi a renvoyé une erreur ({code})"
    return TeleserviceFault(f"{message} : {text}" if text else f"{message}.", code=code)
