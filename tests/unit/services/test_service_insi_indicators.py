"""INSi steering indicators: outcomes per month, reasons for no INS after a first call."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fakes import NOW, FakeTeleservice, actor_with_role, insi_person, make_identity, other_ins
from identito.domain.errors import PermissionDenied
from identito.domain.permissions import Role
from identito.services.auth import SYSTEM
from identito.services.insi import recover_ins, reject_insi_call
from identito.services.insi_indicators import insi_indicators
from identito.services.teleservice import TeleserviceUnavailable

ADMISSION = actor_with_role(Role.ADMISSION)
STATISTICS = actor_with_role(Role.STATISTICS)


def store(uow, **traits):
    identity = make_identity(**traits)
    with uow:
        uow.identities.add(identity)
        uow.commit(SYSTEM, NOW)
    return identity.id


def recover(uow, rules, identity_id, teleservice):
    return recover_ins(
        identity_id, mode="traits", uow=uow, actor=ADMISSION, rules=rules, teleservice=teleservice
    )


def test_outcomes_are_counted_per_month(uow, rules, clock):
    first = store(uow)
    recover(uow, rules, first, FakeTeleservice(script=["01", "01", "01", "01"]))
    clock.advance(timedelta(days=40))
    recover(uow, rules, first, FakeTeleservice([insi_person()]))

    indicators = insi_indicators(uow=uow, actor=STATISTICS, rules=rules)

    assert indicators.outcomes_by_month == {"2026-03": {"01": 4}, "2026-04": {"00": 1}}


def test_identities_left_without_ins_by_their_first_recovery_are_counted_by_reason(uow, rules):
    found = store(uow)
    nobody = store(uow, birth_name="NOBODY")
    failing = store(uow, birth_name="FAILING")
    rejected = store(uow, birth_name="REJECTED")
    pending = store(uow, birth_name="PENDING")
    recover(uow, rules, found, FakeTeleservice([insi_person()]))
    recover(uow, rules, nobody, FakeTeleservice())
    recover(uow, rules, failing, FakeTeleservice(script=[TeleserviceUnavailable("panne")]))
    other_place = {"birth_place_code": "75056"}
    rejected_call = recover(
        uow, rules, rejected, FakeTeleservice([insi_person(birth_name="REJECTED", **other_place)])
    ).call
    reject_insi_call(rejected, rejected_call.id, uow=uow, actor=ADMISSION, rules=rules)
    recover(
        uow, rules, pending, FakeTeleservice([insi_person(birth_name="PENDING", **other_place)])
    )
    nobody_ins = other_ins(1).number.number  # another person: another matricule (R-DU-03)
    recover(
        uow,
        rules,
        nobody,
        FakeTeleservice([insi_person(birth_name="NOBODY", ins_number=nobody_ins)]),
    )  # 2nd try, fmt: skip

    indicators = insi_indicators(uow=uow, actor=STATISTICS, rules=rules)

    assert indicators.first_recoveries == 5
    assert indicators.not_qualified == {
        "not_found": 1,
        "error": 1,
        "rejected": 1,
        "pending": 1,
    }
    assert indicators.not_qualified_rate == pytest.approx(0.8)
    assert indicators.rate("not_found") == pytest.approx(0.2)


def test_indicators_need_the_indicators_permission(uow, rules):
    with pytest.raises(PermissionDenied):
        insi_indicators(uow=uow, actor=ADMISSION, rules=rules)
