"""The same ACK for every copy of an HL7 v2 message (issue 12).

A sender that got no acknowledgement sends the message again, unchanged (same
MSH-10). The first copy is received and its ACK kept (``hl7_acks``); a copy from
the same sender with the same control id and the same bytes, received within
``hl7_ack_replay_hours``, is answered that ACK and changes nothing. Copies received
at once are all received (reception is idempotent: ``sender_patients``, the retry on
conflict) and all answer the ACK the first of them kept.

Not kept: an answer without a control id, and an internal error (``keep=False``),
which a copy may not meet again. A message reusing a control id with other bytes is
a new message: received, and its ACK replaces the kept one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from identito.domain.permissions import Actor
from identito.services.reception_model import Sender, sender_key
from identito.services.reception_records import StoredAck
from identito.services.rules import Rules
from identito.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Answered:
    """The acknowledgement of one received message."""

    ack: str
    code: str  # AA, AE, AR
    keep: bool = True  # False: an internal error (ERR 207) a copy may not meet again


def digest(message: str) -> str:
    return hashlib.sha256(message.encode("utf-8")).hexdigest()


def answer_once(
    message: str,
    sender: Sender,
    control_id: str | None,
    receive: Callable[[], Answered],
    *,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    replay: timedelta,
) -> Answered:
    """The answer to the message: the kept one for a copy, else ``receive()``'s, kept.

    ``receive`` applies the reception rules (and checks the actor's permissions)."""
    if not control_id or replay <= timedelta(0):
        return receive()
    key, message_digest = sender_key(sender), digest(message)
    since = rules.now() - replay
    with uow:
        kept = uow.receptions.stored_ack(key, control_id)
    if kept is not None and kept.digest == message_digest and kept.answered_at >= since:
        return Answered(kept.ack, kept.code)
    answered = receive()
    if not answered.keep:
        return answered
    now = rules.now()
    with uow:
        kept = uow.receptions.keep_ack(
            StoredAck(key, control_id, message_digest, answered.code, answered.ack, now),
            replace_before=since,
        )
        uow.commit(actor, now)
    return Answered(kept.ack, kept.code)
