"""One contract, two backends: the in-process simulator and the SOAP client over
HTTPS with mutual TLS against the simulator's server."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from insi_contract_support import Backend
from stdnum.fr import nir

from identito.adapters.insi.envelope import parse_xml
from identito.adapters.insi.schemas import envelope_errors
from identito.adapters.insi.simulator.engine import FaultMode
from identito.domain.insi import InsiOutcome
from identito.services.teleservice import (
    Authentication,
    CallContext,
    CardQuery,
    InsiHistoryEntry,
    MalformedResponse,
    TeleserviceError,
    TeleserviceFault,
    TeleserviceTimeout,
    TeleserviceUnavailable,
    TraitsQuery,
    VerificationQuery,
)

NIR_OID, NIA_OID = "1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9"
USER = CallContext("alice")
CORSE = TraitsQuery("CORSE", ["ANTHONY"], "M", "1980-03-02")


def test_a_cnda_person_with_a_compound_first_name_gives_00_with_history(backend: Backend) -> None:
    query = TraitsQuery("ECETINSI", ["PIERRE-ALAIN"], "M", "2009-07-14")
    response = backend.teleservice.recover_with_traits(query, USER)
    assert (response.outcome, response.label) == (InsiOutcome.FOUND, "OK")
    identity = response.identity
    assert identity is not None
    assert identity.first_names == "PIERRE-ALAIN MURIEL FLORIANT"
    assert (identity.ins_number, identity.oid) == ("109076322083489", NIR_OID)
    assert identity.history[0] == InsiHistoryEntry(
        "209076322083439", NIR_OID, "2019-03-01", "2019-02-28"
    )
    assert len(identity.history) == 2


def test_the_exchange_holds_the_raw_request_and_answer(backend: Backend) -> None:
    response = backend.teleservice.recover_with_traits(CORSE, USER)
    assert envelope_errors(parse_xml(response.exchange.request)) == []
    assert b"<LieuNaissance>2B020</LieuNaissance>" in response.exchange.response
    assert response.exchange.duration_ms > 0
    assert response.exchange.authentication is Authentication.ORGANISATION_MANUAL


def test_corsica_birth_place_and_matricule_are_returned_as_received(backend: Backend) -> None:
    identity = backend.teleservice.recover_with_traits(CORSE, USER).identity
    assert identity is not None
    assert (identity.birth_place_code, identity.ins_number) == ("2B020", "180032B02040123")


def test_a_nia_is_told_by_its_oid(backend: Backend) -> None:
    query = TraitsQuery("PROVISOIRE", ["MATRICULE"], "M", "2009-07-01")
    identity = backend.teleservice.recover_with_traits(query, USER).identity
    assert identity is not None and identity.oid == NIA_OID


def test_keys_that_fail_mod_97_come_back_as_the_test_service_sends_them(backend: Backend) -> None:
    query = TraitsQuery("HERMANN", ["GATIEN"], "M", "1981-03-24")
    identity = backend.teleservice.recover_with_traits(query, USER).identity
    assert identity is not None and not nir.is_valid(identity.ins_number)


@pytest.mark.parametrize("first_name", ["PIERRE", "PAUL", "JACQUES", "PIERRE PAUL JACQUES"])
def test_an_unknown_person_gives_01(backend: Backend, first_name: str) -> None:
    query = TraitsQuery("HOUILLES", [first_name], "M", "1993-01-27")
    response = backend.teleservice.recover_with_traits(query, USER)
    assert (response.outcome, response.label, response.identity) == (
        InsiOutcome.NOT_FOUND,
        "Aucune identite trouvee",
        None,
    )


def test_homonyms_give_02_without_place_then_00_with_it(backend: Backend) -> None:
    query = TraitsQuery("HOMONYME", ["JEAN"], "M", "1970-05-05")
    several = backend.teleservice.recover_with_traits(query, USER)
    assert (several.outcome, several.identity) == (InsiOutcome.SEVERAL_FOUND, None)
    placed = TraitsQuery("HOMONYME", ["JEAN"], "M", "1970-05-05", "13055")
    one = backend.teleservice.recover_with_traits(placed, USER)
    assert one.outcome is InsiOutcome.FOUND
    assert one.identity is not None and one.identity.first_names == "JEAN LUC"


def test_card_mode_finds_the_beneficiary_by_holder_nir_birth_date_and_rank(
    backend: Backend,
) -> None:
    response = backend.teleservice.recover_with_card(
        CardQuery("285027511400342", "2016-09-30", 2), USER
    )
    assert response.outcome is InsiOutcome.FOUND
    assert response.identity is not None
    assert (response.identity.birth_name, response.identity.first_names) == ("CARTE", "LEO NOE")
    wrong_rank = backend.teleservice.recover_with_card(
        CardQuery("2850275114003", "2016-09-30", 1), USER
    )
    assert wrong_rank.outcome is InsiOutcome.NOT_FOUND


def test_verification_is_ok_for_the_base_traits_and_ko_otherwise(backend: Backend) -> None:
    good = VerificationQuery(
        "180032B02040123", NIR_OID, "CORSE", ["ANTHONY"], "M", "1980-03-02", "2B020"
    )
    assert backend.teleservice.verify(good, USER).ok
    bad = VerificationQuery("180032B02040123", NIR_OID, "CORSE", ["ANTHONY"], "M", "1980-03-03")
    assert not backend.teleservice.verify(bad, USER).ok


def test_a_batch_is_deposited_then_fetched(backend: Backend) -> None:
    good = VerificationQuery("180032B02040123", NIR_OID, "CORSE", ["ANTHONY"], "M", "1980-03-02")
    bad = VerificationQuery(
        "109076322088835", NIR_OID, "PROVISOIRE", ["MATRICULE"], "M", "2009-07-01"
    )
    automatic = CallContext("batch", automatic=True)
    batch_id = backend.teleservice.submit_batch_verification([good, bad], automatic)
    status = backend.teleservice.fetch_batch_verification(batch_id, automatic)
    assert status.batch_id == batch_id and status.done
    assert [(r.ins_number, r.ok) for r in status.results] == [
        ("180032B02040123", True),
        ("109076322088835", False),  # a NIA sent with the NIR OID
    ]


def test_automatic_calls_use_the_insi_auto_certificate(backend: Backend) -> None:
    response = backend.teleservice.recover_with_traits(
        CORSE, CallContext("night job", automatic=True)
    )
    assert response.exchange.authentication is Authentication.ORGANISATION_AUTO
    assert backend.engine.calls[-1].peer == "INSI-AUTO"
    backend.teleservice.recover_with_traits(CORSE, USER)
    assert backend.engine.calls[-1].peer == "INSI-MANU"


def test_the_professional_card_mode_sends_a_signed_assertion_the_service_verifies(
    backend: Backend,
) -> None:
    context = CallContext("dr", authentication=Authentication.PROFESSIONAL_CARD)
    response = backend.teleservice.recover_with_traits(CORSE, context)
    assert response.outcome is InsiOutcome.FOUND
    assert response.exchange.authentication is Authentication.PROFESSIONAL_CARD
    record = backend.engine.calls[-1]
    assert record.peer == "CPS-TEST"
    assert record.assertion is not None
    assert record.assertion["identifiantFacturation"] == "751234567"
    assert record.assertion["NameID"] == "899700000001"


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"mode": FaultMode.UNAVAILABLE}, TeleserviceUnavailable),
        ({"mode": FaultMode.SLOW, "delay_seconds": 1.5}, TeleserviceTimeout),
        ({"mode": FaultMode.FAULT, "code": "siram_100/desir_550"}, TeleserviceFault),
        ({"mode": FaultMode.MALFORMED}, MalformedResponse),
        ({"mode": FaultMode.TRUNCATED}, MalformedResponse),
    ],
    ids=lambda v: v.get("mode", "") if isinstance(v, dict) else v.__name__,
)
def test_every_configured_fault_raises_its_error_with_a_french_message(
    backend: Backend, faults: Callable, changes: dict, error: type[TeleserviceError]
) -> None:
    with faults(**changes), pytest.raises(error) as caught:
        backend.teleservice.recover_with_traits(CORSE, USER)
    assert "téléservice INSi" in str(caught.value)
    assert caught.value.exchange is not None
    assert caught.value.exchange.request.startswith(b"<?xml")
    if error is TeleserviceFault:
        assert caught.value.code == "desir_550"


@pytest.mark.parametrize(
    ("birth_name", "error"),
    [("PANNE", TeleserviceFault), ("MALFORME", MalformedResponse), ("TRONQUE", MalformedResponse)],
)
def test_designated_test_persons_trigger_their_fault(
    backend: Backend, birth_name: str, error: type[TeleserviceError]
) -> None:
    with pytest.raises(error):
        backend.teleservice.recover_with_traits(
            TraitsQuery(birth_name, ["JEAN"], "M", "1970-01-01"), USER
        )


def test_the_slow_test_person_times_out(backend: Backend, faults: Callable) -> None:
    with faults(delay_seconds=1.5), pytest.raises(TeleserviceTimeout):
        backend.teleservice.recover_with_traits(
            TraitsQuery("LENTEUR", ["JEAN"], "M", "1970-01-01"), USER
        )


def test_a_request_breaking_the_contract_gets_a_fault(backend: Backend) -> None:
    with pytest.raises(TeleserviceFault) as caught:
        backend.teleservice.recover_with_traits(TraitsQuery("CORSE", [], "M", "1980-03-02"), USER)
    assert caught.value.code == "desir_400"
