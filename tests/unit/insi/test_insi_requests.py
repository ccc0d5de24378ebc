"""Requests: valid against the contract's XSDs, and byte-identical to golden files.

Regenerate the golden files after a deliberate change with
``IDENTITO_UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/insi``.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from insi_support import FIXED_TIME, GOLDEN, SOFTWARE, counter_ids
from lxml import etree

from identito.adapters.insi import messages
from identito.adapters.insi.client import InsiClient
from identito.adapters.insi.envelope import Operation, Stamp, build_envelope, parse_xml
from identito.adapters.insi.saml import Professional, PsAssertionSigner
from identito.adapters.insi.schemas import envelope_errors
from identito.adapters.insi.simulator.certs import CertificateSet
from identito.services.teleservice import (
    Authentication,
    CallContext,
    CardQuery,
    TraitsQuery,
    VerificationQuery,
)

TO = "https://qualiflps-services-ps-tlsm.ameli.fr:443/lps"
VERIFICATION = VerificationQuery(
    "109076322083489",
    "1.2.250.1.213.1.4.8",
    "ECETINSI",
    ["PIERRE-ALAIN"],
    "M",
    "2009-07-14",
    "63220",
)
TRAITS = TraitsQuery("ECETINSI", ["PIERRE-ALAIN"], "M", "2009-07-14")
PLACED = TraitsQuery("D'ARTAGNAN", ["JEAN", "LUC"], "M", "1970-00-00", "2B020")
CARD = CardQuery("285027511400342", "2016-09-30", 2)
BODIES: dict[str, tuple[Operation, Callable[[], etree._Element]]] = {
    "traits": (Operation.TRAITS, lambda: messages.traits_body(TRAITS)),
    "traits_with_place": (Operation.TRAITS, lambda: messages.traits_body(PLACED)),
    "card": (Operation.CARD, lambda: messages.card_body(CARD)),
    "verify": (Operation.VERIFY, lambda: messages.verification_body(VERIFICATION)),
    "batch_submit": (
        Operation.BATCH_SUBMIT,
        lambda: messages.batch_submit_body([VERIFICATION] * 2),
    ),
    "batch_fetch": (Operation.BATCH_FETCH, lambda: messages.batch_fetch_body("LOT-00000001")),
}


def _build(name: str) -> bytes:
    operation, body = BODIES[name]
    stamp = Stamp.new(counter_ids(), lambda: FIXED_TIME)
    return build_envelope(operation, body(), software=SOFTWARE, stamp=stamp, to=TO)


@pytest.mark.parametrize("name", sorted(BODIES))
def test_every_request_is_valid_against_the_contract_xsds(name: str) -> None:
    assert envelope_errors(parse_xml(_build(name))) == []


@pytest.mark.parametrize("name", sorted(BODIES))
def test_every_request_matches_its_golden_file(name: str) -> None:
    path = GOLDEN / f"{name}.xml"
    built = _build(name)
    if os.environ.get("IDENTITO_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(built)
    assert built == path.read_bytes()


def test_the_headers_carry_the_action_the_lps_context_and_the_bam_context() -> None:
    root = parse_xml(_build("traits"))
    ns = {
        "wsa": "http://www.w3.org/2005/08/addressing",
        "lps": "urn:siram:lps:ctxlps",
        "bam": "urn:siram:bam:ctxbam",
    }
    header = root[0]
    assert header.findtext("wsa:Action", namespaces=ns) == (
        "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite"
    )
    assert (
        header.findtext("wsa:MessageID", namespaces=ns)
        == "uuid:00000000-0000-4000-8000-000000000001"
    )
    assert header.findtext("wsa:To", namespaces=ns) == TO
    lps = header.find("lps:ContexteLPS", namespaces=ns)
    assert lps is not None and (lps.get("Nature"), lps.get("Version")) == ("CTXLPS", "01_00")
    assert lps.findtext("lps:LPS/lps:IDAM", namespaces=ns) == "CNDA-TEST-0001"
    assert lps.findtext("lps:LPS/lps:Nom", namespaces=ns) == "identito"
    assert lps.findtext("lps:LPS/lps:Version", namespaces=ns) == "0.1.0"
    assert lps.findtext("lps:LPS/lps:Instance", namespaces=ns) == "instance-42"
    assert lps.findtext("lps:Temps", namespaces=ns) == "2026-03-02T09:30:00.000Z"
    assert header.findtext("bam:ContexteBAM/bam:Emetteur", namespaces=ns) == "751234567"


def test_a_card_request_splits_the_holder_nir_from_its_key() -> None:
    body = messages.card_body(CardQuery("2 85 02 75 114 003 42", "2016-09-30", 2))
    ns = {"v": "http://www.cnamts.fr/INSiRecVit"}
    assert body.findtext("v:MatriculeIndividu/v:NumIdentifiant", namespaces=ns) == "2850275114003"
    assert body.findtext("v:MatriculeIndividu/v:Cle", namespaces=ns) == "42"
    assert body.findtext("v:RangNaissance", namespaces=ns) == "2"
    short = messages.card_body(CardQuery("2850275114003", "2016-09-30", 1))
    assert short.find("v:MatriculeIndividu/v:Cle", namespaces=ns) is None


def test_every_first_name_to_try_is_sent_as_its_own_prenom() -> None:
    body = messages.traits_body(TraitsQuery("X", ["PIERRE", "PAUL JACQUES"], "M", "1993-01-27"))
    ns = {"s": "http://www.cnamts.fr/INSiRecSans"}
    assert [e.text for e in body.iterfind("s:Prenom", namespaces=ns)] == ["PIERRE", "PAUL JACQUES"]
    assert body.find("s:LieuNaissance", namespaces=ns) is None


def test_a_request_in_the_professional_card_mode_carries_a_valid_signed_assertion(
    certs: CertificateSet,
) -> None:
    signer = PsAssertionSigner.from_files(certs.cert("ps-card"), certs.key("ps-card"))
    client = InsiClient(
        transport=None,  # type: ignore[arg-type]  # only building here
        software=SOFTWARE,
        url=TO,
        professional=Professional("899700000001", "751234567", "01", "SA07"),
        signer=signer,
        ids=counter_ids(),
        clock=lambda: FIXED_TIME,
    )
    context = CallContext("dr", authentication=Authentication.PROFESSIONAL_CARD)
    operation, body = BODIES["traits"]
    request = client.build_request(operation, body(), context)
    root = parse_xml(request)
    assert envelope_errors(root) == []
    assert root.find(".//{urn:oasis:names:tc:SAML:2.0:assertion}Assertion") is not None


def test_a_request_breaking_the_contract_is_reported() -> None:
    root = parse_xml(_build("traits"))
    header = root[0]
    header.remove(header.find("{http://www.w3.org/2005/08/addressing}Action"))
    lps = header.find("{urn:siram:lps:ctxlps}ContexteLPS")
    del lps.attrib["Version"]
    etree.SubElement(root[1][0], "{http://www.cnamts.fr/INSiRecSans}Inconnu")
    errors = envelope_errors(root)
    assert any("Action" in e for e in errors)
    assert any("Version" in e for e in errors)
    assert any("Inconnu" in e for e in errors)
