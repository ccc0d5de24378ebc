"""The PS assertion: a SAML 2.0 assertion signed with the professional's card key.

With a nominative professional card, INSi calls carry in ``wsse:Security``
(``xsd/WSSE/Security.xsd``) a SAML 2.0 assertion naming the professional and
carrying, as attributes, the billing identifier (FINESS or AM number,
``identifiantFacturation``), the speciality (``codeSpecialiteAMO``) and the
activity sector (``secteurActivite``), signed in XML-DSig (RSA-SHA256, exclusive
canonicalisation so the signature survives being embedded in the envelope).
Attribute names follow the public client padoa/tlsi-ins; see docs/insi.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree
from signxml import CanonicalizationMethod, XMLSigner, XMLVerifier
from signxml.exceptions import InvalidInput, InvalidSignature

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
#: OID of the national identifiers of health professionals (RPPS/ADELI): ASSUMED qualifier.
PS_NAME_QUALIFIER = "1.2.250.1.71.4.2.1"
_X509_SUBJECT = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"


class InvalidAssertion(Exception):
    """The PS assertion is missing, badly signed or signed by an unknown authority."""


@dataclass(frozen=True)
class Professional:
    identifier: str  # RPPS/ADELI identifier: NameID
    billing_id: str  # identifiantFacturation: FINESS or AM number
    speciality: str  # codeSpecialiteAMO
    activity_sector: str  # secteurActivite


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class PsAssertionSigner:
    """Builds and signs PS assertions with one card certificate and key (PEM)."""

    def __init__(self, cert_pem: bytes, key_pem: bytes) -> None:
        self.cert_pem = cert_pem.decode("ascii")
        self.certificate = x509.load_pem_x509_certificate(cert_pem)
        key = serialization.load_pem_private_key(key_pem, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the PS assertion is signed with an RSA key (RSA-SHA256)")
        self.key = key
        self.issuer = self.certificate.subject.rfc4514_string()
        self._signer = XMLSigner(
            c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0
        )

    @classmethod
    def from_files(cls, cert: Path, key: Path) -> PsAssertionSigner:
        return cls(cert.read_bytes(), key.read_bytes())

    def assertion(
        self, professional: Professional, *, assertion_id: str, now: datetime
    ) -> etree._Element:
        root = etree.Element(f"{{{SAML}}}Assertion", nsmap={"saml": SAML})
        root.set("ID", assertion_id)
        root.set("IssueInstant", _iso(now))
        root.set("Version", "2.0")
        issuer = etree.SubElement(root, f"{{{SAML}}}Issuer", Format=_X509_SUBJECT)
        issuer.text = self.issuer
        etree.SubElement(root, f"{{{DS}}}Signature", nsmap={"ds": DS}).set("Id", "placeholder")
        subject = etree.SubElement(root, f"{{{SAML}}}Subject")
        name_id = etree.SubElement(subject, f"{{{SAML}}}NameID", NameQualifier=PS_NAME_QUALIFIER)
        name_id.text = professional.identifier
        conditions = etree.SubElement(root, f"{{{SAML}}}Conditions")
        conditions.set("NotBefore", _iso(now - timedelta(minutes=1)))
        conditions.set("NotOnOrAfter", _iso(now + timedelta(minutes=5)))
        statement = etree.SubElement(root, f"{{{SAML}}}AttributeStatement")
        for name, value in (
            ("identifiantFacturation", professional.billing_id),
            ("codeSpecialiteAMO", professional.speciality),
            ("secteurActivite", professional.activity_sector),
        ):
            attribute = etree.SubElement(statement, f"{{{SAML}}}Attribute", Name=name)
            etree.SubElement(attribute, f"{{{SAML}}}AttributeValue").text = value
        return self._signer.sign(
            root, key=self.key, cert=[self.cert_pem], reference_uri=assertion_id, id_attribute="ID"
        )


def verify_assertion(assertion: etree._Element, ca_cert: x509.Certificate) -> dict[str, str]:
    """Check the signature and that ``ca_cert`` issued the signing certificate.

    Returns the NameID and the attributes; raises ``InvalidAssertion`` otherwise.
    """
    text = assertion.findtext(f".//{{{DS}}}X509Certificate")
    try:
        der = "".join((text or "").split())
        pem = f"-----BEGIN CERTIFICATE-----\n{der}\n-----END CERTIFICATE-----\n"
        cert = x509.load_pem_x509_certificate(pem.encode())
        cert.verify_directly_issued_by(ca_cert)
        signed = (
            XMLVerifier()
            .verify(etree.tostring(assertion), x509_cert=cert, id_attribute="ID")
            .signed_xml
        )
    except (ValueError, TypeError, InvalidSignature, InvalidInput) as error:
        raise InvalidAssertion(str(error) or "invalid PS assertion") from error
    if signed is None:
        raise InvalidAssertion("nothing signed")
    values = {
        a.get("Name", ""): a.findtext(f"{{{SAML}}}AttributeValue") or ""
        for a in signed.iterfind(f".//{{{SAML}}}Attribute")
    }
    values["NameID"] = signed.findtext(f".//{{{SAML}}}NameID") or ""
    return values
