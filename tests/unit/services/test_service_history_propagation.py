"""Issue 17 point 8 (R-MO-05) against fakes: every strict or complementary trait change
reaches the receivers, the billing NSS too; an own-domain A47 takes the status from
PID-32 (PAM FR §4.4.4)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from diffusion_cases import CASES
from fakes import (
    IDENTITY_INPUT,
    INS_A,
    INS_B,
    FakeUnitOfWork,
    actor_with_role,
    fake_rules,
)
from identito.domain.identity import Identity
from identito.domain.permissions import Role
from identito.domain.status import IdentityStatus
from identito.messages import hl7v2
from identito.services import propagation
from identito.services.identities import update_identity
from identito.services.reception import (
    ReceivedIdentity,
    Reception,
    ReceptionResult,
    Sender,
    TransmittedIns,
    receive_identity,
)
from identito.services.rules import Rules
from identito.services.verification_records import ReceptionOutcome

ADMIN = actor_with_role(Role.ADMIN)
OWN = Sender("OWNAPP", "CHU-X")


class _Receiver:
    name = "memoire"

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, message: bytes) -> None:
        self.sent.append(message.decode("utf-8"))


def _segments(text: str) -> dict[str, list[str]]:
    return {s.split("|")[0]: s.split("|") for s in text.strip("\r").split("\r")}


def _drain(uow: FakeUnitOfWork, rules: Rules) -> list[dict[str, list[str]]]:
    receiver = _Receiver()
    report = propagation.send_outbox(uow=uow, actor=ADMIN, rules=rules, receivers=[receiver],
                                     build=hl7v2.propagation_messages)  # fmt: skip
    assert report.failures == []
    return [_segments(m) for m in receiver.sent]


def _store(uow: FakeUnitOfWork, case: str) -> Identity:
    identity = CASES[case]()
    uow.identities.committed[identity.id] = identity
    return identity


def _events(messages: list[dict[str, list[str]]]) -> list[str]:
    return [m["MSH"][8] for m in messages]


# -- every trait change reaches the receivers --------------------------------------------------


def test_a_used_name_change_of_a_qualified_identity_sends_an_a31_with_the_new_name(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity = _store(uow, "qual")
    update_identity(identity.id, identity.version, {"used_name": "BERNARD"},
                    uow=uow, actor=ADMIN, rules=rules)  # fmt: skip
    (a31,) = _drain(uow, rules)
    assert a31["MSH"][8] == "ADT^A31^ADT_A05"
    assert a31["PID"][5].startswith("BERNARD^^^^^^D~") and "^INS" in a31["PID"][3]
    assert a31["PID"][32] == "VALI"


def test_a_strict_trait_change_of_a_provisional_identity_sends_an_a31(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity = _store(uow, "prov")
    update_identity(identity.id, identity.version, {"birth_place_code": "75116"},
                    uow=uow, actor=ADMIN, rules=rules)  # fmt: skip
    (a31,) = _drain(uow, rules)
    assert a31["MSH"][8] == "ADT^A31^ADT_A05" and a31["PID"][11].endswith("^^75116")


def test_a_strict_change_that_removes_the_ins_adds_no_message_of_its_own(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity = _store(uow, "qual")
    update_identity(identity.id, identity.version, {"birth_name": "PAT-QUATRE"},
                    uow=uow, actor=ADMIN, rules=rules)  # fmt: skip
    messages = _drain(uow, rules)
    assert _events(messages) == ["ADT^A47^ADT_A30", "ADT^A31^ADT_A05"]  # INS, then status
    assert all(m["PID"][5].endswith("PAT-QUATRE^DOMINIQUE^DOMINIQUE MARIE-LOUISE^^^^L")
               for m in messages)  # fmt: skip


def test_a_billing_nss_change_sends_an_a31_with_the_nh_identifier(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity = _store(uow, "recup")
    nss = {"number": "180037511600178", "holder": "ouvrant_droit"}
    update_identity(identity.id, identity.version, {"nss": nss}, uow=uow, actor=ADMIN,
                    rules=rules)  # fmt: skip
    (a31,) = _drain(uow, rules)
    assert "180037511600178^^^ASIP-SANTE-NIR&1.2.250.1.213.1.4.8&ISO^NH" in a31["PID"][3]
    assert a31["PID"][32] == "PROV"


# -- an own-domain A47 takes the status from PID-32 --------------------------------------------


@pytest.fixture
def reception_rules() -> Rules:
    return fake_rules(allow_test_oids=True)


def _received(ins: Any, status: str | None, **extra: Any) -> ReceivedIdentity:
    return ReceivedIdentity(
        traits=dict(IDENTITY_INPUT),
        ins=TransmittedIns(ins.number.number, ins.oid.value) if ins else None,
        sender_status=status, local_id="IPP1", **extra,
    )  # fmt: skip


def _receive(uow: FakeUnitOfWork, rules: Rules, identity: ReceivedIdentity, event: str,
             replaced: Any = None) -> ReceptionResult:  # fmt: skip
    old = TransmittedIns(replaced.number.number, replaced.oid.value) if replaced else None
    reception = Reception("hl7v2", "MSH|...", OWN, event, "1", identity, old)
    return receive_identity(reception, own_domain=["OWNAPP^*"], uow=uow, actor=ADMIN,
                            rules=rules, teleservice=None)  # fmt: skip


def _qualified(uow: FakeUnitOfWork, rules: Rules) -> Identity:
    result = _receive(uow, rules, _received(INS_A, "VALI", document_type="CN",
                                            document_expiry=date(2031, 1, 1)), "A28")  # fmt: skip
    assert result.identity_id is not None
    identity = uow.stored(result.identity_id)
    assert identity.status is IdentityStatus.QUALIFIED
    return identity


@pytest.mark.parametrize(
    ("ins", "pid32", "status", "has_ins"),
    [
        (INS_A, "PROV", IdentityStatus.RETRIEVED, True),  # PAM FR §4.4.4: QUAL -> RECUP
        (None, "VALI", IdentityStatus.VALIDATED, False),
        (None, "PROV", IdentityStatus.PROVISIONAL, False),
        (INS_B, "VALI", IdentityStatus.QUALIFIED, True),
    ],
)
def test_an_own_domain_a47_leaves_the_identity_at_the_status_pid32_says(
    uow: FakeUnitOfWork, reception_rules: Rules, ins: Any, pid32: str,
    status: IdentityStatus, has_ins: bool,
) -> None:  # fmt: skip
    identity = _qualified(uow, reception_rules)
    result = _receive(uow, reception_rules, _received(ins, pid32), "A47", replaced=INS_A)
    assert result.outcome is ReceptionOutcome.APPLIED, result.detail
    stored = uow.stored(identity.id)
    assert stored.status is status and (stored.ins is not None) is has_ins
    assert f"Statut repris de PID-32 ({pid32})" in (result.detail or "")
    stored.check_invariants()


def test_an_own_domain_a47_with_vali_validates_a_retrieved_identity_it_keeps(
    uow: FakeUnitOfWork, reception_rules: Rules
) -> None:
    identity = _qualified(uow, reception_rules)
    _receive(uow, reception_rules, _received(INS_A, "PROV"), "A47", replaced=INS_A)
    assert uow.stored(identity.id).status is IdentityStatus.RETRIEVED
    _receive(uow, reception_rules, _received(INS_A, "VALI"), "A47", replaced=INS_A)
    stored = uow.stored(identity.id)
    assert stored.status is IdentityStatus.QUALIFIED and stored.ins == INS_A
