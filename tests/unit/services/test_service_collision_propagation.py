"""Propagation of collisions (fakes): the declaration withdraws a diffused matricule
(A47), the resolution diffuses it again (A31) when the identity is qualified."""

from __future__ import annotations

from diffusion_cases import CASES
from fakes import FakeUnitOfWork, actor_with_role
from identito.domain.identity import Identity
from identito.domain.permissions import Role
from identito.messages import hl7v2
from identito.services import propagation
from identito.services.collisions import declare_collision, resolve_collision
from identito.services.rules import Rules

VIGILANCE = actor_with_role(Role.IDENTITY_VIGILANCE)
ADMIN = actor_with_role(Role.ADMIN)
INS_CX = "279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS"


class _Receiver:
    name = "memoire"

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, message: bytes) -> None:
        self.sent.append(message.decode("utf-8"))


def _segments(text: str) -> dict[str, list[str]]:
    return {s.split("|")[0]: s.split("|") for s in text.strip("\r").split("\r")}


def _store(uow: FakeUnitOfWork, case: str) -> Identity:
    identity = CASES[case]()
    uow.identities.committed[identity.id] = identity
    return identity


def _drain(uow: FakeUnitOfWork, rules: Rules) -> list[dict[str, list[str]]]:
    receiver = _Receiver()
    report = propagation.send_outbox(uow=uow, actor=ADMIN, rules=rules, receivers=[receiver],
                                     build=hl7v2.propagation_messages)  # fmt: skip
    assert report.failures == []
    return [_segments(m) for m in receiver.sent]


def test_declaring_a_collision_on_a_qualified_identity_sends_an_a47_withdrawing_the_ins(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity = _store(uow, "qual")

    declare_collision(identity.id, uow=uow, actor=VIGILANCE, rules=rules)
    (a47,) = _drain(uow, rules)

    assert a47["MSH"][8] == "ADT^A47^ADT_A30"
    assert a47["MRG"][1] == INS_CX
    assert a47["PID"][3].startswith(f"{identity.id}^^^") and INS_CX not in a47["PID"][3]


def test_resolving_the_collision_of_a_qualified_identity_sends_an_a31_with_the_ins_again(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity = _store(uow, "qual")
    declare_collision(identity.id, confirmed=True, uow=uow, actor=VIGILANCE, rules=rules)
    _drain(uow, rules)

    resolve_collision(identity.id, note="dossiers séparés", uow=uow, actor=VIGILANCE, rules=rules)
    (a31,) = _drain(uow, rules)

    assert a31["MSH"][8] == "ADT^A31^ADT_A05"
    assert INS_CX in a31["PID"][3]


def test_confirming_a_potential_collision_sends_nothing_more(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity = _store(uow, "qual")
    declare_collision(identity.id, uow=uow, actor=VIGILANCE, rules=rules)
    _drain(uow, rules)

    declare_collision(identity.id, confirmed=True, uow=uow, actor=VIGILANCE, rules=rules)

    assert _drain(uow, rules) == []  # the matricule was already withdrawn


def test_a_collision_of_a_retrieved_identity_neither_withdraws_nor_sends_its_ins(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity = _store(uow, "recup")  # a matricule, never diffused (not qualified)

    declare_collision(identity.id, uow=uow, actor=VIGILANCE, rules=rules)
    resolve_collision(identity.id, uow=uow, actor=VIGILANCE, rules=rules)

    assert len(uow.outbox.unsent()) == 2 and _drain(uow, rules) == []


def test_the_diffused_state_before_a_change_knows_the_collision() -> None:
    qualified = CASES["qual"]().snapshot()

    assert propagation.previous_state(qualified)[0] is not None
    assert propagation.previous_state({**qualified, "collision": "COLP"}) == (None, ["VALI"])
