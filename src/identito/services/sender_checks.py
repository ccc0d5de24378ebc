"""Who sends a message: the interface account, never the name the message gives itself.

* MLLP (``identify_peer``): the connection's address and TLS client certificate pick
  the declared accounts (``InterfaceAccount.accepts``); the message's MSH-3/MSH-4 must
  be one of their domains. The message then runs under that account.
* HTTP (``authorize_sender``): the bearer token names the account; its role must be
  allowed to receive (``messages:receive``, else ``PermissionDenied``: 403) and, when it is an
  interface account, the claimed domain must be one of its declaration's.

A refusal (``SenderRefused``) is audited (``reception.sender_refused``: the peer or
the account, the claimed sender, the event and control id, the reason) in its own
transaction, before the entry point answers NACK ``AR`` / 403; nothing of the
message is stored nor integrated. ``require_declared`` false (the migration path of
``mllp_require_declared_senders``): an MLLP peer that matches no account is received
under ``mllp:<address>`` (reception permissions only), with a warning in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from identito.domain.events import AuditAction
from identito.domain.interface_accounts import (
    InterfaceAccount,
    Peer,
    RefusalReason,
    SenderRefused,
)
from identito.domain.permissions import Actor, Permission, Role
from identito.services.reception_model import Sender, sender_label
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditEntry, UnitOfWork

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claim:
    """What a message says of itself: its channel, sender (MSH-3/MSH-4), event, control id."""

    channel: str  # mllp, hl7v2 (HTTP), fhir
    sender: Sender
    event: str | None = None
    control_id: str | None = None


def identify_peer(
    peer: Peer,
    claim: Claim,
    *,
    uow: UnitOfWork,
    rules: Rules,
    permissions: Callable[[Role], frozenset[Permission]],
    require_declared: bool = True,
) -> Actor:
    """The actor of an MLLP message: its interface account, or ``SenderRefused``."""
    with uow:
        accounts = [a for a in uow.interface_accounts.list() if a.accepts(peer)]
        accounts = [a for a in accounts if _user_active(uow, a)]
    sender = claim.sender
    chosen = next((a for a in accounts if a.claims(sender.application, sender.facility)), None)
    if chosen is not None:
        return Actor(chosen.username, Role.INTERFACE, permissions(Role.INTERFACE))
    by = f"mllp:{peer.address}"
    if accounts:
        names = ", ".join(a.username for a in accounts)
        message = (
            f"Émetteur « {sender_label(sender)} » (MSH-3^MSH-4) non déclaré pour le compte "
            f"d'interface {names} de la connexion {peer.describe()} : message refusé."
        )
        _refuse(RefusalReason.DOMAIN_NOT_DECLARED, message, claim, by, uow, rules, peer=peer)
    if require_declared:
        message = (
            f"Connexion {peer.describe()} : aucun compte d'interface déclaré pour cette adresse "
            "ou ce certificat : message refusé (déclarez l'émetteur : identito senders add)."
        )
        _refuse(RefusalReason.UNDECLARED_PEER, message, claim, by, uow, rules, peer=peer)
    logger.warning(
        "MLLP: émetteur non déclaré %s (%s) accepté : mllp_require_declared_senders=false",
        peer.describe(),
        sender_label(sender),
    )
    return Actor(by, Role.INTERFACE, permissions(Role.INTERFACE))


def authorize_sender(actor: Actor, claim: Claim, *, uow: UnitOfWork, rules: Rules) -> None:
    """The token's account may send this message (HTTP HL7 v2, FHIR)."""
    actor.require(Permission.MESSAGES_RECEIVE)
    with uow:
        account = uow.interface_accounts.get(actor.username)
    sender = claim.sender
    if account is not None and account.active:
        if account.claims(sender.application, sender.facility):
            return
        message = (
            f"Émetteur « {sender_label(sender)} » non déclaré pour le compte d'interface "
            f"{actor.username} (domaines : {', '.join(account.domains)}) : message refusé."
        )
        _refuse(RefusalReason.DOMAIN_NOT_DECLARED, message, claim, actor.username, uow, rules)
    if actor.role is Role.INTERFACE:
        message = (
            f"Le compte d'interface {actor.username} n'est pas déclaré ou est désactivé "
            "(identito senders list) : message refusé."
        )
        _refuse(RefusalReason.UNDECLARED_ACCOUNT, message, claim, actor.username, uow, rules)


def fhir_sender(actor: Actor, named: str | None, *, uow: UnitOfWork) -> Sender:
    """The sender of a FHIR write: the one ``X-Identito-Sender`` names (checked against the
    account by ``authorize_sender``), else the account's first declared domain, else
    ``api:<user>``."""
    if named and named.strip():
        return _sender(named)
    with uow:
        account = uow.interface_accounts.get(actor.username)
    first = account.domains[0] if account is not None and account.active else ""
    if first and not first.startswith("*"):
        return _sender(first.replace("*", ""))
    return Sender(f"api:{actor.username}")


def _sender(text: str) -> Sender:
    application, _, facility = text.strip().partition("^")
    return Sender(application.strip(), facility.strip() or None)


def _user_active(uow: UnitOfWork, account: InterfaceAccount) -> bool:
    user = uow.users.get(account.username)
    return user is not None and user.active


def _refuse(
    reason: RefusalReason,
    message: str,
    claim: Claim,
    by: str,
    uow: UnitOfWork,
    rules: Rules,
    *,
    peer: Peer | None = None,
) -> None:
    details: dict[str, object] = {
        "reason": reason.value,
        "channel": claim.channel,
        "claimed_sender": sender_label(claim.sender),
        "event": claim.event,
        "control_id": claim.control_id,
    }
    if peer is not None:
        details["peer"] = peer.address
        details["certificate_sha256"] = peer.certificate_sha256
        details["certificate_subject"] = peer.certificate_subject
    now = rules.now()
    with uow:
        uow.add_audit(
            AuditEntry(by, now, AuditAction.SENDER_REFUSED, None, reason=message, details=details)
        )
        uow.commit(Actor(by, Role.INTERFACE), now)
    logger.warning("Réception refusée (%s) : %s", reason.value, message)
    raise SenderRefused(reason, message)


def refuse_handshake(peer: Peer, error: str, *, uow: UnitOfWork, rules: Rules) -> SenderRefused:
    """An MLLP over TLS connection whose client showed no certificate the CA signed: audited
    (no message could be read, so no NACK); returned for the caller to log."""
    message = f"Connexion {peer.address} : poignée de main TLS refusée ({error})."
    claim = Claim("mllp", Sender(None))
    try:
        _refuse(RefusalReason.TLS_HANDSHAKE, message, claim, f"mllp:{peer.address}", uow, rules,
                peer=peer)  # fmt: skip
    except SenderRefused as refused:
        return refused
    raise AssertionError("unreachable")
