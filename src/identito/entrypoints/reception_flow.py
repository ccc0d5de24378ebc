"""One received HL7 v2 message, whatever the transport (MLLP or HTTP): parse it,
apply the reception rules, answer the ACK. A message that cannot be read is
stored as rejected (redacted of nothing: it was never understood) and changes no
identity. A message above the limits (``hl7_max_*`` settings: bytes, segments,
repetitions of a field) is refused with an ``AR`` before any parsing and traced by
its first characters only (``hl7v2_limits.excerpt``). A copy of a message (same
sender, MSH-10 and bytes) gets the ACK of the first (``services.reception_acks``)."""

from __future__ import annotations

import logging
from datetime import timedelta

from identito.bootstrap import Container
from identito.config import Settings
from identito.domain.errors import DomainError
from identito.domain.ids import new_id
from identito.domain.ins_uniqueness import InsAlreadyHeld
from identito.domain.permissions import Actor
from identito.messages.hl7v2_limits import Hl7Limits, check_size, excerpt
from identito.messages.hl7v2_reception import Header, Hl7Rejected, ack, parse_adt, read_header
from identito.services.reception import Reception, Sender, receive_identity, record_rejected
from identito.services.reception_acks import Answered, answer_once
from identito.services.verification_records import ReceptionOutcome

logger = logging.getLogger(__name__)
INTERNAL_ERROR = "207"  # HL7 table 0357: a copy may not meet it again, so not kept


Hl7Answer = Answered  # the ACK of one message: ack, code (AA, AE, AR)


def hl7_limits(settings: Settings) -> Hl7Limits:
    return Hl7Limits(
        settings.hl7_max_message_bytes, settings.hl7_max_segments, settings.hl7_max_repetitions
    )


def handle_hl7v2(
    text: str, *, container: Container, actor: Actor, size: int | None = None
) -> Hl7Answer:
    """``size``: the bytes received when ``text`` is only their start (MLLP cut it).

    A copy of a message already answered gets the same ACK (``services.reception_acks``)."""
    settings, rules = container.settings, container.rules
    header = read_header(text)
    return answer_once(
        text if size is None else f"{size}:{text}",
        Sender(header.application, header.facility),
        header.control_id,
        lambda: _receive(text, header, container=container, actor=actor, size=size),
        uow=container.uow_factory(),
        actor=actor,
        rules=rules,
        replay=timedelta(hours=settings.hl7_ack_replay_hours),
    )


def _receive(
    text: str, header: Header, *, container: Container, actor: Actor, size: int | None
) -> Hl7Answer:
    settings, rules = container.settings, container.rules

    def answer(code: str, error: Hl7Rejected | None = None) -> str:
        return ack(
            header,
            code,
            application=settings.hl7_application,
            facility=settings.hl7_facility,
            now=rules.now(),
            control_id=new_id().hex[:20],
            error=error,
        )

    limits = hl7_limits(settings)
    try:
        check_size(len(text.encode("utf-8")) if size is None else size, limits, header)
        reception = parse_adt(text, limits)
    except Hl7Rejected as rejected:
        sender = Sender(header.application, header.facility)
        trace = excerpt(text, size)
        stored = Reception("hl7v2", trace, sender, header.event, header.control_id)
        uow = container.uow_factory()
        record_rejected(stored, rejected.text, uow=uow, actor=actor, rules=rules)
        return Hl7Answer(answer(rejected.ack_code, rejected), rejected.ack_code)
    try:
        result = receive_identity(
            reception,
            own_domain=settings.own_domain_senders,
            uow=container.uow_factory(),
            actor=actor,
            rules=rules,
            teleservice=container.teleservice,
        )
    except InsAlreadyHeld as error:  # a matricule another identity holds (R-DU-03)
        failure = Hl7Rejected(error.message, code="205", location="PID^1^3", header=header)
        return Hl7Answer(answer("AE", failure), "AE")
    except DomainError as error:
        failure = Hl7Rejected(error.message, code=INTERNAL_ERROR, header=header)
        return Hl7Answer(answer("AE", failure), "AE", keep=False)
    if result.outcome is ReceptionOutcome.REJECTED:
        failure = Hl7Rejected(result.detail or "Message refusé.", code="102", header=header)
        return Hl7Answer(answer("AE", failure), "AE")
    return Hl7Answer(answer("AA"), "AA")
