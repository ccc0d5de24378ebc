"""The PS assertion: signed with the card's key, verified with signxml, tamper-evident."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from insi_support import FIXED_TIME
from lxml import etree

from identito.adapters.insi.saml import (
    SAML,
    InvalidAssertion,
    Professional,
    PsAssertionSigner,
    verify_assertion,
)
from identito.adapters.insi.schemas import contract_schema
from identito.adapters.insi.simulator.certs import CertificateSet, ensure_certificates

PS = Professional("899700000001", "751234567", "01", "SA07")


@pytest.fixture(scope="module")
def signer(certs: CertificateSet) -> PsAssertionSigner:
    return PsAssertionSigner.from_files(certs.cert("ps-card"), certs.key("ps-card"))


@pytest.fixture(scope="module")
def ca(certs: CertificateSet) -> x509.Certificate:
    return x509.load_pem_x509_certificate(certs.ca.read_bytes())


def _embedded(assertion: etree._Element) -> etree._Element:
    """The assertion as the server receives it: inside a re-parsed envelope."""
    wrapper = etree.Element("{http://www.w3.org/2003/05/soap-envelope}Envelope")
    wrapper.append(assertion)
    return etree.fromstring(etree.tostring(wrapper))[0]


def test_the_assertion_carries_the_billing_id_speciality_sector_and_professional(
    signer: PsAssertionSigner, ca: x509.Certificate
) -> None:
    assertion = signer.assertion(PS, assertion_id="_a1", now=FIXED_TIME)
    assert verify_assertion(_embedded(assertion), ca) == {
        "NameID": "899700000001",
        "identifiantFacturation": "751234567",
        "codeSpecialiteAMO": "01",
        "secteurActivite": "SA07",
    }


def test_the_signed_assertion_is_valid_against_the_saml_schema(signer: PsAssertionSigner) -> None:
    assertion = signer.assertion(PS, assertion_id="_a2", now=FIXED_TIME)
    assert contract_schema().validate(assertion), contract_schema().error_log
    algorithm = assertion.find(".//{http://www.w3.org/2000/09/xmldsig#}SignatureMethod")
    assert algorithm is not None
    assert algorithm.get("Algorithm") == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"


def test_a_tampered_assertion_fails_verification(
    signer: PsAssertionSigner, ca: x509.Certificate
) -> None:
    assertion = _embedded(signer.assertion(PS, assertion_id="_a3", now=FIXED_TIME))
    value = assertion.find(f".//{{{SAML}}}AttributeValue")
    assert value is not None
    value.text = "999999999"
    with pytest.raises(InvalidAssertion):
        verify_assertion(assertion, ca)


def test_an_assertion_signed_by_a_card_of_another_authority_is_refused(
    signer: PsAssertionSigner, tmp_path: Path
) -> None:
    other = ensure_certificates(tmp_path / "other")
    foreign = PsAssertionSigner.from_files(other.cert("ps-card"), other.key("ps-card"))
    assertion = _embedded(foreign.assertion(PS, assertion_id="_a4", now=FIXED_TIME))
    our_ca = x509.load_pem_x509_certificate(signer.cert_pem.encode())  # not a CA of the card
    with pytest.raises(InvalidAssertion):
        verify_assertion(assertion, our_ca)
