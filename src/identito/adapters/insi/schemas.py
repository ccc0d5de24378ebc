"""The XSDs of the contract, shipped in ``contract/`` and loaded without network.

``contract_schema()`` knows every element an INSi message may carry: the
recovery requests and answer, the LPS/BAM contexts, the WS-Security header and
its SAML assertion, the SIRAM fault detail, the WS-Addressing headers
(``identito/ws-addr-subset.xsd``) and the ASSUMED verification elements
(``identito/INSi_VERIF_assumed.xsd``). ``envelope_errors()`` checks a whole request.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

CONTRACT = Path(__file__).parent / "contract"
_IMPORTS = {
    "http://www.cnamts.fr/INSiRecSans": "xsd/ServiceIdentiteCertifiee/INSi_RECSANS_INS.xsd",
    "http://www.cnamts.fr/INSiRecVit": "xsd/ServiceIdentiteCertifiee/INSi_RECVITALE_INS.xsd",
    "http://www.cnamts.fr/INSiResultat": "xsd/ServiceIdentiteCertifiee/INSi_RESULTAT_INS.xsd",
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd": (
        "xsd/WSSE/Security.xsd"
    ),
    "urn:siram:lps:ctxlps": "xsd/CTX/ROOT_ctxlps_CTXLPS_V01_00.xsd",
    "urn:siram:bam:ctxbam": "xsd/CTX/ROOT_ctxbam_CTXBAM_V01_02.xsd",
    "urn:siram": "xsd/schema_faultSOAP_V01_01.xsd",
    "http://www.w3.org/2005/08/addressing": "identito/ws-addr-subset.xsd",
    "http://identito.example/INSiVerif": "identito/INSi_VERIF_assumed.xsd",
}
SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
_REQUIRED_HEADERS = (
    f"{{{WSA}}}Action",
    f"{{{WSA}}}MessageID",
    "{urn:siram:lps:ctxlps}ContexteLPS",
    "{urn:siram:bam:ctxbam}ContexteBAM",
)


@cache
def contract_schema() -> etree.XMLSchema:
    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{(CONTRACT / path).as_uri()}"/>'
        for ns, path in _IMPORTS.items()
    )
    text = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        f'targetNamespace="urn:identito:insi:bundle">{imports}</xs:schema>'
    )
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.fromstring(text.encode(), parser))


def _elements(parent: etree._Element | None) -> list[etree._Element]:
    return [c for c in parent if isinstance(c.tag, str)] if parent is not None else []


def envelope_errors(root: etree._Element) -> list[str]:
    """Why a request envelope breaks the contract ([] when it conforms).

    The SOAP 1.2 envelope must hold a Header with the WS-Addressing and context
    headers and a Body with exactly one element; every header block and the body
    element must be valid against their XSD.
    """
    if root.tag != f"{{{SOAP}}}Envelope":
        return ["the root element is not a SOAP 1.2 Envelope"]
    header, body = root.find(f"{{{SOAP}}}Header"), root.find(f"{{{SOAP}}}Body")
    errors: list[str] = []
    blocks = _elements(header)
    present = {block.tag for block in blocks}
    errors += [f"missing header {tag}" for tag in _REQUIRED_HEADERS if tag not in present]
    payload = _elements(body)
    if len(payload) != 1:
        errors.append("the Body must hold exactly one element")
    schema = contract_schema()
    for element in blocks + payload:
        if not schema.validate(element):
            errors += [f"{element.tag}: {e.message}" for e in schema.error_log]
    return errors
