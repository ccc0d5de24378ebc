"""The answer parser on every public sample, and on broken answers."""

from __future__ import annotations

import pytest
from insi_support import SAMPLES
from stdnum.fr import nir

from identito.adapters.insi.envelope import body_of
from identito.adapters.insi.messages import parse_recovery
from identito.adapters.insi.simulator import wire
from identito.domain.insi import InsiOutcome
from identito.services.teleservice import (
    InsiHistoryEntry,
    MalformedResponse,
    TeleserviceFault,
)

NIR_OID, NIA_OID = "1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9"


def sample(name: str) -> bytes:
    return (SAMPLES / f"{name}.xml").read_bytes()


def test_every_public_sample_is_covered_by_these_tests() -> None:
    names = {path.stem for path in SAMPLES.glob("*.xml")}
    assert names == {"REP_CR01", "TEST_2.04_cas2", "TEST_2.05", "TEST_2.08_cas1", "TEST_2.08_cas2"}


def test_rep_cr01_is_01_with_its_label_and_no_identity() -> None:
    assert parse_recovery(sample("REP_CR01")) == (
        InsiOutcome.NOT_FOUND,
        "Aucune identite trouvee",
        None,
    )


def test_test_2_04_cas2_gives_the_compound_first_name_and_two_history_entries() -> None:
    outcome, label, identity = parse_recovery(sample("TEST_2.04_cas2"))
    assert (outcome, label) == (InsiOutcome.FOUND, "OK")
    assert identity is not None
    assert identity.birth_name == "ECETINSI"
    assert identity.first_names == "PIERRE-ALAIN MURIEL FLORIANT"
    assert identity.first_name is None  # this answer has no Prenom
    assert (identity.sex, identity.birth_date, identity.birth_place_code) == (
        "M",
        "2009-07-14",
        "63220",
    )
    assert (identity.ins_number, identity.oid) == ("109076322083489", NIR_OID)
    assert identity.history == (
        InsiHistoryEntry("209076322083439", NIR_OID, "2019-03-01", "2019-02-28"),
        InsiHistoryEntry("209066322012355", NIR_OID),
    )


def test_test_2_05_is_a_nia_told_by_its_oid() -> None:
    _, _, identity = parse_recovery(sample("TEST_2.05"))
    assert identity is not None
    assert (identity.ins_number, identity.oid) == ("109076322088835", NIA_OID)
    assert (identity.birth_name, identity.first_name, identity.first_names) == (
        "PROVISOIRE",
        "MATRICULE",
        "MATRICULE",
    )
    assert identity.history == ()


def test_test_2_08_cas1_keeps_the_corsica_birth_place_and_matricule() -> None:
    _, _, identity = parse_recovery(sample("TEST_2.08_cas1"))
    assert identity is not None
    assert identity.birth_place_code == "2B020"
    assert identity.ins_number == "180032B02040123"
    assert identity.history == (InsiHistoryEntry("180032B02040123", NIR_OID),)


def test_test_2_08_cas2_keeps_keys_that_fail_mod_97_as_received() -> None:
    _, _, identity = parse_recovery(sample("TEST_2.08_cas2"))
    assert identity is not None
    assert identity.ins_number == "181036322045660"
    assert [h.number for h in identity.history] == ["181036322045660", "281036322045610"]
    assert not nir.is_valid(identity.ins_number)
    assert not nir.is_valid(identity.history[1].number)


def _resultat(inner: str) -> bytes:
    return (
        '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
        f'<RESULTAT xmlns="http://www.cnamts.fr/INSiResultat">{inner}</RESULTAT>'
        "</soap:Body></soap:Envelope>"
    ).encode()


_CR00 = "<CR><CodeCR>00</CodeCR><LibelleCR>OK</LibelleCR></CR>"
_INS = (
    "<INSACTIF><IdIndividu><NumIdentifiant>1800399350001</NumIdentifiant><Cle>73</Cle>"
    "</IdIndividu><OID>1.2.250.1.213.1.4.8</OID></INSACTIF>"
)
_DATE = "<DateNaissance>1980-03-00</DateNaissance>"
_TIQ = (
    "<TIQ><NomNaissance>DUPONT</NomNaissance><ListePrenom>JEAN</ListePrenom><Sexe>M</Sexe>"
    f"{_DATE}</TIQ>"
)


def test_a_complete_built_answer_parses_with_its_exceptional_date_kept() -> None:
    _, _, identity = parse_recovery(_resultat(f"{_CR00}<INDIVIDU>{_INS}{_TIQ}</INDIVIDU>"))
    assert identity is not None
    assert identity.birth_date == "1980-03-00"
    assert identity.birth_place_code is None


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"<soap:Envelope", id="not well-formed"),
        pytest.param(b"", id="empty"),
        pytest.param(b"<html><body>proxy error</body></html>", id="not an envelope"),
        pytest.param(_resultat(""), id="no CR"),
        pytest.param(
            _resultat("<CR><CodeCR>07</CodeCR><LibelleCR>?</LibelleCR></CR>"), id="unknown code"
        ),
        pytest.param(_resultat(_CR00), id="00 without identity"),
        pytest.param(_resultat(f"{_CR00}<INDIVIDU>{_TIQ}</INDIVIDU>"), id="00 without INSACTIF"),
        pytest.param(
            _resultat(f"{_CR00}<INDIVIDU>{_INS}{_TIQ.replace('DUPONT', ' ')}</INDIVIDU>"),
            id="00 with an empty birth name",
        ),
        pytest.param(
            _resultat(f"{_CR00}<INDIVIDU>{_INS}{_TIQ.replace('<Sexe>M</Sexe>', '')}</INDIVIDU>"),
            id="00 without sex",
        ),
        pytest.param(
            _resultat(f"{_CR00}<INDIVIDU>{_INS}{_TIQ.replace('JEAN', '')}</INDIVIDU>"),
            id="00 with empty first names",
        ),
        pytest.param(
            _resultat(f"{_CR00}<INDIVIDU>{_INS.replace('<Cle>73</Cle>', '')}{_TIQ}</INDIVIDU>"),
            id="00 without key",
        ),
        pytest.param(
            _resultat(
                f"{_CR00}<INDIVIDU>{_INS.replace('1.2.250.1.213.1.4.8', '')}{_TIQ}</INDIVIDU>"
            ),
            id="00 without OID",
        ),
        pytest.param(
            _resultat(f"{_CR00}<INDIVIDU>{_INS}{_TIQ.replace(_DATE, '')}</INDIVIDU>"),
            id="00 without birth date",
        ),
    ],
)
def test_a_broken_answer_is_malformed_with_a_french_message(data: bytes) -> None:
    with pytest.raises(MalformedResponse, match="mal formée"):
        parse_recovery(data)


def test_a_soap_fault_becomes_a_teleservice_fault_with_its_desir_code() -> None:
    fault = wire.fault(
        "siram_100", "desir_550", "Numéro d'autorisation du logiciel inconnu.", "uuid:1"
    )
    with pytest.raises(TeleserviceFault) as caught:
        body_of(fault)
    assert caught.value.code == "desir_550"
    assert "Numéro d'autorisation du logiciel inconnu." in str(caught.value)
    assert str(caught.value).startswith("Le téléservice INSi a renvoyé une erreur (desir_550)")


def test_a_fault_without_detail_keeps_its_siram_subcode() -> None:
    fault = (
        b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><e:Fault>'
        b"<e:Code><e:Value>e:Receiver</e:Value><e:Subcode><e:Value>e:siram_40</e:Value>"
        b"</e:Subcode></e:Code><e:Reason><e:Text>Service indisponible</e:Text></e:Reason>"
        b"</e:Fault></e:Body></e:Envelope>"
    )
    with pytest.raises(TeleserviceFault) as caught:
        body_of(fault)
    assert caught.value.code == "siram_40"
