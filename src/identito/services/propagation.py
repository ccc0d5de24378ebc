"""HL7 v2 propagation: the outbox drain towards the configured receivers (IHE PAM FR).

Each outbox row is an audit entry marked ``propagate``, written in the same
transaction as the change it describes. The drain turns a row into a
``Propagation`` (what the receivers must learn) and the builder given in
(``messages.hl7v2.propagation_messages``) renders it:

* ``CHANGE`` of one identity (INS, status, attributes, collision, traits, billing
  NSS): from the diffused state before and the current view, an A47, an A31 or
  nothing; a trait or NSS change that moved nothing else still gives an A31 (R-MO-05);
* ``MERGE`` (the survivor's ``identity.merged`` row, ``merged_id`` in its details):
  an A40, the survivor's PID and the merged identity's IPP in MRG-1;
* ``UNMERGE`` (the survivor's ``identity.unmerged`` row): IHE PAM has no "cancel
  merge", so an A28 of the identity active again, then an A31 of the survivor.

Messages are built from the current state at drain time, in the order of the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

from identito.domain.diffusion import DiffusionView, ExportContext, diffusion_view
from identito.domain.events import AuditAction
from identito.domain.identifiers import Ins, InsNumber, Oid
from identito.domain.permissions import Actor
from identito.domain.status import IdentityStatus
from identito.domain.traits import BirthDate
from identito.services.diffusion import (
    DeliveryFailed,
    MessageReceiver,
    diffusion_audit,
    export_context,
    with_domain_identifiers,
)
from identito.services.rules import Rules
from identito.services.unit_of_work import UnitOfWork

__all__ = [
    "DeliveryFailed",
    "MessageReceiver",
    "OutboxReport",
    "OutboxUnitOfWork",
    "Outgoing",
    "Propagation",
    "PropagationBuilder",
    "PropagationKind",
    "previous_state",
    "propagation_of",
    "send_outbox",
]


class Outbox(Protocol):
    def unsent(self, limit: int = 100) -> list[dict[str, Any]]: ...

    def mark_sent(self, ids: Sequence[UUID], at: datetime) -> None: ...


class OutboxUnitOfWork(UnitOfWork, Protocol):
    outbox: Outbox


class PropagationKind(StrEnum):
    CHANGE = "change"
    MERGE = "merge"
    UNMERGE = "unmerge"


@dataclass(frozen=True)
class Propagation:
    """What one outbox row tells the receivers."""

    kind: PropagationKind
    view: DiffusionView  # the identity changed; the survivor of a merge or an unmerge
    previous_ins: Ins | None = None  # CHANGE: the matricule diffusable before
    previous_codes: tuple[str, ...] = ()  # CHANGE: the status codes sent before
    merged_id: UUID | None = None  # MERGE, UNMERGE: the merged identity (MRG-1)
    restored: DiffusionView | None = None  # UNMERGE: the identity active again
    #: CHANGE: the row changed what PID carries besides the INS and the status (traits,
    #: billing NSS): receivers get an A31 even when nothing else moved (R-MO-05).
    content_changed: bool = False


@dataclass(frozen=True)
class Outgoing:
    """One rendered message and the identity whose view it carries (for the audit)."""

    event: str
    view: DiffusionView
    content: bytes


PropagationBuilder = Callable[[Propagation, ExportContext], list[Outgoing]]


@dataclass
class OutboxReport:
    rows: int = 0
    sent: int = 0
    failures: list[str] = field(default_factory=list)


def previous_state(before: Mapping[str, Any] | None) -> tuple[Ins | None, list[str]]:
    """The matricule that was diffusable before, and the status codes then sent.

    The rule of ``domain.diffusion.withheld_reason`` read on the snapshot: a matricule
    was diffused only for a qualified identity with an ordinary birth date and no
    collision (``collision`` in the snapshot: COLP or COLV). So declaring a collision
    withdraws a diffused matricule (A47) and resolving it diffuses it again (A31).
    """
    if not before:
        return None, []
    status = IdentityStatus(before["status"])
    codes = ["VALI" if status.document_checked else "PROV", *sorted(before.get("attributes", []))]
    if before.get("received_from_other_domain"):
        codes.append("RECD")
    if before.get("linked_in_other_domain"):
        codes.append("IDRA")
    ins = before.get("ins")
    corrected = bool(before.get("birth_date_corrected"))
    uncertain = BirthDate.parse(before["birth_date"], corrected=corrected).uncertain
    if ins is None or status is not IdentityStatus.QUALIFIED or uncertain:
        return None, codes
    if before.get("collision"):
        return None, codes
    return Ins(InsNumber(ins["number"]), Oid(ins["oid"])), codes


def propagation_of(row: Mapping[str, Any], uow: UnitOfWork) -> Propagation:
    """The ``Propagation`` of one outbox row, from the current state of its identities."""
    view = diffusion_view(uow.identities.get(row["identity_id"]), may_read_ins=True)
    view = with_domain_identifiers(view, uow)
    merged = (row["payload"].get("details") or {}).get("merged_id")
    if merged and row["action"] == AuditAction.IDENTITY_MERGED.value:
        return Propagation(PropagationKind.MERGE, view, merged_id=UUID(merged))
    if merged and row["action"] == AuditAction.IDENTITY_UNMERGED.value:
        restored = diffusion_view(uow.identities.get(UUID(merged)), may_read_ins=True)
        restored = with_domain_identifiers(restored, uow)
        return Propagation(PropagationKind.UNMERGE, view, merged_id=UUID(merged), restored=restored)
    previous_ins, codes = previous_state(row["payload"].get("before"))
    content = row["action"] in CONTENT_ACTIONS
    return Propagation(
        PropagationKind.CHANGE, view, previous_ins, tuple(codes), content_changed=content
    )


#: Changes of what PID carries besides the INS and the status (R-MO-05, R-TR-20).
CONTENT_ACTIONS = frozenset({AuditAction.TRAITS_CHANGED.value, AuditAction.NSS_CHANGED.value})


def send_outbox(
    *,
    uow: OutboxUnitOfWork,
    actor: Actor,
    rules: Rules,
    receivers: Sequence[MessageReceiver],
    build: PropagationBuilder,
    limit: int = 100,
) -> OutboxReport:
    """Drain the outbox: build the messages of each row, send them to every receiver.

    A row is marked sent once every receiver acknowledged its messages; on the
    first failure the drain stops, leaving that row and the following ones for
    the next run (delivery is at least once, in order).
    """
    report = OutboxReport()
    now = rules.now()
    with uow:
        for row in uow.outbox.unsent(limit):
            report.rows += 1
            context = export_context(rules, now)
            messages = build(propagation_of(row, uow), context) if receivers else []
            try:
                for receiver in receivers:
                    for message in messages:
                        receiver.send(message.content)
                        uow.add_audit(
                            diffusion_audit(message.view, "hl7v2", receiver.name, actor, now,
                                            event=message.event)
                        )  # fmt: skip
                        report.sent += 1
            except DeliveryFailed as error:
                report.failures.append(f"{receiver.name}: {error}")
                uow.commit(actor, now)  # the deliveries that did happen stay traced
                return report
            uow.outbox.mark_sent([row["id"]], now)
            uow.commit(actor, now)
    return report
