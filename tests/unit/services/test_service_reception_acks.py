"""The same ACK for every copy of an HL7 v2 message (issue 12 point 2), against fakes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from fakes import NOW, FakeUnitOfWork, actor_with_role, fake_rules
from identito.domain.permissions import Role
from identito.services.reception_acks import Answered, answer_once
from identito.services.reception_model import Sender
from identito.services.rules import Rules

SENDER, ACTOR, DAY = Sender("GAM", "CHU-Y"), actor_with_role(Role.ADMIN), timedelta(hours=24)


class Receiver:
    """Applies the message: counts its calls and answers a new ACK each time."""

    def __init__(self, code: str = "AA", *, keep: bool = True) -> None:
        self.calls, self.code, self.keep = 0, code, keep

    def __call__(self) -> Answered:
        self.calls += 1
        return Answered(f"MSH|ACK-{self.calls}\rMSA|{self.code}|MSG-1", self.code, self.keep)


def _send(
    uow: FakeUnitOfWork, rules: Rules, receiver: Callable[[], Answered],
    message: str = "MSH|A28|MSG-1", control_id: str | None = "MSG-1", replay: timedelta = DAY,
) -> Answered:  # fmt: skip
    return answer_once(message, SENDER, control_id, receiver, uow=uow, actor=ACTOR, rules=rules,
                       replay=replay)  # fmt: skip


@pytest.fixture
def rules() -> Rules:
    return fake_rules()


def test_a_copy_of_a_message_gets_the_first_ack_byte_for_byte_and_is_not_received_again(rules):
    uow, receiver = FakeUnitOfWork(), Receiver()

    first, copy = _send(uow, rules, receiver), _send(uow, rules, receiver)

    assert copy == first and receiver.calls == 1


def test_a_refusal_is_answered_the_same_to_its_copies(rules):
    uow, receiver = FakeUnitOfWork(), Receiver("AE")

    assert _send(uow, rules, receiver) == _send(uow, rules, receiver)
    assert receiver.calls == 1


def test_the_same_control_id_with_other_bytes_is_a_new_message_whose_ack_is_kept(rules):
    uow, receiver = FakeUnitOfWork(), Receiver()
    first = _send(uow, rules, receiver)

    other = _send(uow, rules, receiver, message="MSH|A28|MSG-1|other")

    assert receiver.calls == 2 and other != first
    assert _send(uow, rules, receiver, message="MSH|A28|MSG-1|other") == other
    assert receiver.calls == 2


def test_a_copy_received_after_the_replay_window_is_received_again():
    clock = [NOW]
    rules = replace(fake_rules(), clock=lambda: clock[0])
    uow, receiver = FakeUnitOfWork(), Receiver()
    first = _send(uow, rules, receiver)

    clock[0] = NOW + DAY + timedelta(seconds=1)
    late = _send(uow, rules, receiver)

    assert receiver.calls == 2 and late != first
    assert _send(uow, rules, receiver) == late  # the new ACK is the one kept now


def test_an_internal_error_is_not_kept_so_a_copy_is_received_again(rules):
    uow, receiver = FakeUnitOfWork(), Receiver("AE", keep=False)

    _send(uow, rules, receiver), _send(uow, rules, receiver)

    assert receiver.calls == 2 and uow.receptions.acks == {}


@pytest.mark.parametrize(
    ("control_id", "replay"), [(None, DAY), ("", DAY), ("MSG-1", timedelta(0))],
    ids=["no-control-id", "empty-control-id", "replay-disabled"],
)  # fmt: skip
def test_without_a_control_id_or_with_replay_off_every_copy_is_received(rules, control_id, replay):
    uow, receiver = FakeUnitOfWork(), Receiver()

    _send(uow, rules, receiver, control_id=control_id, replay=replay)
    _send(uow, rules, receiver, control_id=control_id, replay=replay)

    assert receiver.calls == 2


def test_copies_received_at_once_all_answer_the_ack_the_first_of_them_kept(rules):
    uow, other = FakeUnitOfWork(), FakeUnitOfWork()
    other.receptions = uow.receptions  # two workers, one database
    racing: list[Answered] = []

    def receive_while_a_copy_finishes() -> Answered:
        racing.append(_send(other, rules, Receiver()))
        return Answered("MSH|LATER\rMSA|AA|MSG-1", "AA")

    later = _send(uow, rules, receive_while_a_copy_finishes)

    assert later == racing[0]
