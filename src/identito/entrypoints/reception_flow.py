"""One received HL7 v2 message, whatever the transport (MLLP or HTTP): parse it,
apply the reception rules, answer the ACK. A message that cannot be read is
stored as rejected (redacted of nothing: it was never understood) and changes no
identity. A message above the limits (``hl7_max_*`` settings: bytes, segments,
repetitions of a field) is refused with an ``AR`` before any parsing and traced by
its first characters only (``hl7v2_limits.excerpt``). A copy of a message (same
sender, MSH-10 and bytes) gets the ACK of the first (``services.reception_acks``).

Before anything, the sender is checked (``services.sender_checks``): over MLLP the
connection's ``peer`` names its interface account, which the message then runs
under; over HTTP the token's ``actor`` must be allowed to receive and to claim the
message's MSH-3/MSH-4. A refused sender gets a NACK ``AR`` (``refused``), audited,
and nothing of the message is stored."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from identito.bootstrap import Container
from identito.config import Settings
from identito.domain.errors import DomainError
from identito.domain.ids import new_id
from identito.domain.ins_uniqueness import InsAlreadyHeld
from identito.domain.interface_accounts import Peer, SenderRefused
from identito.domain.permissions import Actor, role_permissions
from identito.messages.hl7v2_limits import Hl7Limits, check_size, excerpt
from identito.messages.hl7v2_reception import Header, Hl7Rejected, ack, parse_adt, read_header
from identito.services.reception import Reception, Sender, receive_identity, record_rejected
from identito.services.reception_acks import Answered, answer_once
from identito.services.sender_checks import Claim, authorize_sender, identify_peer
from identito.services.verification_records import ReceptionOutcome

logger = logging.getLogger(__name__)
INTERNAL_ERROR = "207"  # HL7 table 0357: a copy may not meet it again, so not kept
AckText = Callable[[str, Hl7Rejected | None], str]


@dataclass(frozen=True)
class Hl7Answer:
    ack: str
    code: str  # AA, AE, AR
    refused: bool = False  # the sender was refused (undeclared, or another domain)


def hl7_limits(settings: Settings) -> Hl7Limits:
    return Hl7Limits(
        settings.hl7_max_message_bytes, settings.hl7_max_segments, settings.hl7_max_repetitions
    )


def sender_actor(
    claim: Claim, *, container: Container, actor: Actor | None, peer: Peer | None
) -> Actor:
    """The actor a message runs under: the MLLP peer's interface account, or the
    token's actor once allowed to send as the claimed sender; ``SenderRefused`` else."""
    settings, uow, rules = container.settings, container.uow_factory(), container.rules
    if peer is not None:
        return identify_peer(
            peer, claim, uow=uow, rules=rules,
            permissions=lambda role: role_permissions(role, settings.role_permissions),
            require_declared=settings.mllp_require_declared_senders,
        )  # fmt: skip
    assert actor is not None, "an HTTP message has the actor of its token"
    authorize_sender(actor, claim, uow=uow, rules=rules)
    return actor


def handle_hl7v2(
    text: str,
    *,
    container: Container,
    actor: Actor | None = None,
    peer: Peer | None = None,
    size: int | None = None,
) -> Hl7Answer:
    """From an MLLP ``peer`` or an HTTP ``actor``; ``size``: the bytes received when
    ``text`` is only their start (MLLP cut it). ``PermissionDenied`` (not a
    ``SenderRefused``) when the HTTP actor may not receive at all: the caller answers
    403."""
    settings, rules = container.settings, container.rules
    header = read_header(text)

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

    channel = "mllp" if peer is not None else "hl7v2"
    claim = Claim(channel, Sender(header.application, header.facility), header.event,
                  header.control_id)  # fmt: skip
    try:
        actor = sender_actor(claim, container=container, actor=actor, peer=peer)
    except SenderRefused as refused:
        failure = Hl7Rejected(refused.message, code="207", location="MSH^1^3", header=header)
        return Hl7Answer(answer("AR", failure), "AR", refused=True)
    answered = answer_once(
        text if size is None else f"{size}:{text}",
        claim.sender,
        header.control_id,
        partial(_receive, text, header, answer, container=container, actor=actor, size=size),
        uow=container.uow_factory(),
        actor=actor,
        rules=rules,
        replay=timedelta(hours=settings.hl7_ack_replay_hours),
    )
    return Hl7Answer(answered.ack, answered.code)


def _receive(
    text: str,
    header: Header,
    answer: AckText,
    *,
    container: Container,
    actor: Actor,
    size: int | None,
) -> Answered:
    settings, rules = container.settings, container.rules
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
        return Answered(answer(rejected.ack_code, rejected), rejected.ack_code)
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
        return Answered(answer("AE", failure), "AE")
    except DomainError as error:
        failure = Hl7Rejected(error.message, code=INTERNAL_ERROR, header=header)
        return Answered(answer("AE", failure), "AE", keep=False)
    if result.outcome is ReceptionOutcome.REJECTED:
        failure = Hl7Rejected(result.detail or "Message refusé.", code="102", header=header)
        return Answered(answer("AE", failure), "AE")
    return Answered(answer("AA", None), "AA")
