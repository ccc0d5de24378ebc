"""The simulator's base, matching and engine (no network)."""

from __future__ import annotations

from itertools import islice

import pytest
from insi_support import FIXED_TIME, SOFTWARE, counter_ids
from stdnum.fr import nir

from identito.adapters.insi import messages
from identito.adapters.insi.envelope import Operation, Stamp, build_envelope
from identito.adapters.insi.simulator.engine import FaultMode, FaultSettings, SimulatorEngine
from identito.adapters.insi.simulator.matching import ReferenceBase
from identito.adapters.insi.simulator.population import (
    DESIGNATED,
    cnda_calls,
    cnda_persons,
    synthetic_persons,
)
from identito.adapters.insi.simulator.teleservice import SimulatedTeleservice, reference_base
from identito.config import Settings
from identito.domain.insi import InsiOutcome
from identito.services.teleservice import (
    CallContext,
    CardQuery,
    MalformedResponse,
    TeleserviceFault,
    TeleserviceTimeout,
    TeleserviceUnavailable,
    TraitsQuery,
    VerificationQuery,
)

NIA_OID = "1.2.250.1.213.1.4.9"
USER = CallContext("alice")


@pytest.fixture(scope="module")
def base() -> ReferenceBase:
    return reference_base(3000, seed=7)


@pytest.fixture(scope="module")
def synthetic() -> list:
    return list(synthetic_persons(3000, seed=7))


@pytest.mark.parametrize(("person", "first_name", "code"), cnda_calls(), ids=lambda v: str(v)[:20])
def test_every_documented_cnda_call_gives_the_documented_code(
    base: ReferenceBase, person: dict, first_name: str, code: str
) -> None:
    query = TraitsQuery(person["birth_name"], [first_name], person["sex"], person["birth_date"])
    found = base.by_traits(query)
    expected = {"00": 1, "01": 0}[code]
    assert len(found) == expected


def test_the_cnda_persons_include_corsica_a_nia_and_history() -> None:
    persons = {p.birth_name: p for p in cnda_persons()}
    assert persons["CORSE"].birth_place_code == "2B020"
    assert persons["PROVISOIRE"].oid == NIA_OID
    assert len(persons["ECETINSI"].history) == 2
    assert "HOUILLES" not in persons  # no INS: every call gives 01


def test_the_synthetic_population_is_the_same_for_a_seed(synthetic: list) -> None:
    again = list(islice(synthetic_persons(3000, seed=7), 50))
    assert again == synthetic[:50]
    assert list(islice(synthetic_persons(50, seed=8), 50)) != synthetic[:50]


def test_every_synthetic_matricule_has_a_valid_key_and_is_unique(synthetic: list) -> None:
    assert all(nir.is_valid(p.ins_number) for p in synthetic)
    assert len({p.ins_number for p in synthetic}) == len(synthetic)


def test_the_synthetic_population_has_the_difficult_cases(synthetic: list) -> None:
    assert any(p.oid == NIA_OID for p in synthetic)
    assert any(p.history for p in synthetic)
    assert any(p.used_name and p.used_name != p.birth_name for p in synthetic)
    assert any(p.birth_place_code.startswith("99") for p in synthetic)
    assert any("-00" in p.birth_date for p in synthetic)
    assert any(" " in p.birth_first_names for p in synthetic)
    assert all(p.birth_name == p.birth_name.upper() and "É" not in p.birth_name for p in synthetic)


def test_a_synthetic_homonym_gives_02_without_place_and_00_with_it(synthetic: list) -> None:
    seen: dict[tuple, object] = {}
    pair = None
    for p in synthetic:
        key = (p.birth_name, p.birth_first_names, p.sex, p.birth_date)
        if key in seen:
            pair = (seen[key], p)
            break
        seen[key] = p
    assert pair is not None
    base = ReferenceBase(pair)
    first, second = pair
    names = first.birth_first_names.split(" ")[:1]
    query = TraitsQuery(first.birth_name, names, first.sex, first.birth_date)
    assert len(base.by_traits(query)) == 2
    with_place = TraitsQuery(
        first.birth_name, names, first.sex, first.birth_date, second.birth_place_code
    )
    assert base.by_traits(with_place) == [second]


def test_matching_ignores_accents_and_case_and_accepts_the_whole_list(base: ReferenceBase) -> None:
    assert len(base.by_traits(TraitsQuery("Écetinsi", ["pierre-alain"], "M", "2009-07-14"))) == 1
    whole = TraitsQuery("ECETINSI", ["PIERRE-ALAIN MURIEL FLORIANT"], "M", "2009-07-14")
    assert len(base.by_traits(whole)) == 1
    assert base.by_traits(TraitsQuery("ECETINSI", ["PIERRE"], "M", "2009-07-14")) == []
    assert base.by_traits(TraitsQuery("ECETINSI", ["MURIEL"], "F", "2009-07-14")) == []


def test_any_sent_first_name_may_match(base: ReferenceBase) -> None:
    query = TraitsQuery("TCHITCHI", ["OLA", "BELLA"], "F", "1936-06-21")
    assert len(base.by_traits(query)) == 1


def test_card_mode_matches_holder_nir_birth_date_and_rank(base: ReferenceBase) -> None:
    child = base.by_card(CardQuery("285027511400342", "2016-09-30", 2))
    assert [p.birth_first_names for p in child] == ["LEO NOE"]
    assert base.by_card(CardQuery("2850275114003", "2016-09-30", 1)) == []
    holder = base.by_card(CardQuery("2850275114003", "1985-02-14", 1))
    assert [p.birth_first_names for p in holder] == ["LUCIE"]


def test_verification_needs_matricule_oid_and_traits(base: ReferenceBase) -> None:
    corse = next(p for p in DESIGNATED + tuple(cnda_persons()) if p.birth_name == "CORSE")
    good = VerificationQuery(corse.ins_number, corse.oid, "CORSE", ["ANTHONY"], "M", "1980-03-02")
    assert base.verify(good)
    assert not base.verify(
        VerificationQuery(corse.ins_number, NIA_OID, "CORSE", ["ANTHONY"], "M", "1980-03-02")
    )
    assert not base.verify(
        VerificationQuery(corse.ins_number, corse.oid, "CORSE", ["ANTHONY"], "F", "1980-03-02")
    )
    assert not base.verify(
        VerificationQuery("180032B02040199", corse.oid, "CORSE", ["ANTHONY"], "M", "1980-03-02")
    )


def _simulated(base: ReferenceBase, **faults: object) -> SimulatedTeleservice:
    engine = SimulatorEngine(base, FaultSettings(**faults))  # type: ignore[arg-type]
    return SimulatedTeleservice(engine, Settings(insi_timeout_seconds=0.05))


def test_an_answer_with_a_public_sample_is_the_samples_exact_bytes(base: ReferenceBase) -> None:
    teleservice = _simulated(base)
    response = teleservice.recover_with_traits(
        TraitsQuery("HERMANN", ["GATIEN"], "M", "1981-03-24"), USER
    )
    assert response.exchange.response.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert b"<Cle>10</Cle>" in response.exchange.response
    assert response.identity is not None and response.identity.ins_number == "181036322045660"


def test_a_request_without_first_name_gets_a_contract_fault(base: ReferenceBase) -> None:
    with pytest.raises(TeleserviceFault) as caught:
        _simulated(base).recover_with_traits(TraitsQuery("CORSE", [], "M", "1980-03-02"), USER)
    assert caught.value.code == "desir_400"
    assert caught.value.exchange is not None


def test_a_request_that_is_not_xml_gets_a_contract_fault(base: ReferenceBase) -> None:
    answer = SimulatorEngine(base).handle(b"not xml")
    assert answer.status == 400 and b"desir_400" in answer.body


def test_an_action_that_disagrees_with_the_body_gets_a_contract_fault(base: ReferenceBase) -> None:
    body = messages.traits_body(TraitsQuery("CORSE", ["ANTHONY"], "M", "1980-03-02"))
    stamp = Stamp.new(counter_ids(), lambda: FIXED_TIME)
    request = build_envelope(Operation.CARD, body, software=SOFTWARE, stamp=stamp, to="x:y")
    answer = SimulatorEngine(base).handle(request)
    assert answer.status == 400 and b"desir_400" in answer.body


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        (FaultMode.UNAVAILABLE, TeleserviceUnavailable),
        (FaultMode.SLOW, TeleserviceTimeout),
        (FaultMode.FAULT, TeleserviceFault),
        (FaultMode.MALFORMED, MalformedResponse),
        (FaultMode.TRUNCATED, MalformedResponse),
    ],
)
def test_every_injected_fault_raises_its_error(
    base: ReferenceBase, mode: FaultMode, error: type
) -> None:
    teleservice = _simulated(base, mode=mode, delay_seconds=0.1)
    with pytest.raises(error):
        teleservice.recover_with_traits(TraitsQuery("CORSE", ["ANTHONY"], "M", "1980-03-02"), USER)


def test_a_slow_answer_within_the_timeout_arrives(base: ReferenceBase) -> None:
    engine = SimulatorEngine(base, FaultSettings(FaultMode.SLOW, delay_seconds=0.01))
    teleservice = SimulatedTeleservice(engine, Settings(insi_timeout_seconds=1))
    query = TraitsQuery("CORSE", ["ANTHONY"], "M", "1980-03-02")
    assert teleservice.recover_with_traits(query, USER).outcome is InsiOutcome.FOUND


def test_a_batch_is_in_progress_for_the_configured_polls_then_done(base: ReferenceBase) -> None:
    engine = SimulatorEngine(base, batch_polls=2)
    teleservice = SimulatedTeleservice(engine, Settings())
    corse = VerificationQuery(
        "180032B02040123", "1.2.250.1.213.1.4.8", "CORSE", ["ANTHONY"], "M", "1980-03-02"
    )
    batch_id = teleservice.submit_batch_verification([corse, corse], USER)
    assert not teleservice.fetch_batch_verification(batch_id, USER).done
    assert not teleservice.fetch_batch_verification(batch_id, USER).done
    status = teleservice.fetch_batch_verification(batch_id, USER)
    assert status.done and [r.ok for r in status.results] == [True, True]


def test_an_unknown_batch_is_a_fault(base: ReferenceBase) -> None:
    with pytest.raises(TeleserviceFault) as caught:
        _simulated(base).fetch_batch_verification("LOT-INCONNU", USER)
    assert caught.value.code == "desir_404"


def test_the_simulated_teleservice_builds_its_base_only_at_the_first_call() -> None:
    teleservice = SimulatedTeleservice.from_settings(Settings(insi_simulator_population=10))
    assert not isinstance(teleservice._in_process._engine, SimulatorEngine)
    query = TraitsQuery("CORSE", ["ANTHONY"], "M", "1980-03-02")
    assert teleservice.recover_with_traits(query, USER).outcome is InsiOutcome.FOUND
    assert len(teleservice.engine.base) == 10 + len(cnda_persons()) + len(DESIGNATED)
