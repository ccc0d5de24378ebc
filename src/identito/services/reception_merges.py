"""Received merges (A40) and messages that name a merged identity (issue 7).

* A message about an identity merged into another (found by the sender's patient
  identifier, or by identito's own id as a FHIR ``PUT /Patient/{id}`` gives it) is
  applied to the survivor: ``merged_into`` is followed, through several merges if
  need be, and the trace says so (``redirected_from`` in the audit row, a sentence
  at the start of the stored message's detail).
* An A40 (PID-3: the patient kept; MRG-1: the merged one; the sender's identifiers
  or identito's ids) from identito's **own** identification domain is applied as a
  merge (``domain.merges.merge``, the rules of a merge made in identito) when the
  rules allow it and the actor may merge (``identity:merge``, or ``messages:merge``
  of an interface account); the merge is then propagated like any
  other. When an identity cannot be found or the rules refuse, and from **another**
  domain always, the message is traced and put in the "à traiter" worklist with
  the reason: a merge across domains is decided by a person.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from identito.domain import merges
from identito.domain.errors import InvalidTransition, NotFound
from identito.domain.identity import Identity
from identito.domain.permissions import Permission
from identito.services.duplicate_reviews import close_merged_reviews
from identito.services.verification_records import ReceptionOutcome

if TYPE_CHECKING:
    from identito.services.reception import ReceptionFlow, ReceptionResult

#: Merges followed at most from one named identity (a loop would be a data error).
MAX_HOPS = 20


def find_patient(flow: ReceptionFlow, patient_id: str) -> Identity | None:
    """The identity a patient identifier names: the one the same sender's latest
    message about it concerned, else the identity whose id it is (identito's own id)."""
    sender = flow.reception.sender
    with flow.uow:
        identity_id = flow.uow.receptions.identity_for_patient(
            sender.application, sender.facility, patient_id
        )
        identity_id = identity_id or _own_id(patient_id)
        if identity_id is None:
            return None
        try:
            return flow.uow.identities.get(identity_id)
        except NotFound:
            return None


def follow_merges(flow: ReceptionFlow, identity: Identity) -> Identity:
    """The active identity that ``identity`` was merged into (itself when active);
    each merged identity passed is noted in ``flow.redirected_from`` for the trace."""
    for _ in range(MAX_HOPS):
        if identity.active or identity.merged_into is None:
            break
        flow.redirected_from.append(identity.id)
        with flow.uow:
            identity = flow.uow.identities.get(identity.merged_into)
    return identity


def apply_merge(flow: ReceptionFlow) -> ReceptionResult:
    """A received A40: a merge from the own domain, else the worklist."""
    if not flow.own:
        detail = "Fusion (A40) d'un autre domaine d'identification : à traiter."
        return flow.to_handle(detail, traced=True)
    received, merged_ref = flow.reception.identity, flow.reception.merged_patient_id
    survivor = find_patient(flow, received.local_id) if received and received.local_id else None
    merged = find_patient(flow, merged_ref) if merged_ref else None
    if survivor is None or merged is None:
        detail = "A40 : identité conservée (PID-3) ou fusionnée (MRG-1) introuvable : à traiter."
        return flow.to_handle(detail, traced=True, identity_id=survivor.id if survivor else None)
    survivor = follow_merges(flow, survivor)
    if merged.id == survivor.id or merged.merged_into == survivor.id:
        return _unchanged(flow, survivor.id)
    if not (flow.actor.can(Permission.IDENTITY_MERGE) or flow.actor.can(Permission.MESSAGES_MERGE)):
        detail = (
            "A40 du domaine : fusion réservée à l'identitovigilance (habilitation) : à traiter."
        )
        return flow.to_handle(detail, traced=True, identity_id=survivor.id)
    return _merge(flow, survivor.id, merged.id)


def _merge(flow: ReceptionFlow, survivor_id: UUID, merged_id: UUID) -> ReceptionResult:
    now = flow.rules.now()
    with flow.uow:
        survivor = flow.uow.identities.get(survivor_id)
        merged = flow.uow.identities.get(merged_id)
        try:
            record = merges.merge(survivor, merged, actor=flow.actor.username, now=now)
        except InvalidTransition as error:
            refused = error.message
        else:
            flow.uow.identities.update(merged)
            flow.uow.merges.add(record)
            close_merged_reviews(merged_id, uow=flow.uow, actor=flow.actor, now=now)
            detail = f"A40 du domaine : identité {merged_id} fusionnée dans {survivor_id}."
            result = flow.write(ReceptionOutcome.APPLIED, detail, survivor_id, keep_ins=True)
            flow.uow.commit(flow.actor, now)
            return result
    detail = f"A40 non appliqué ({refused}) : à traiter."
    return flow.to_handle(detail, traced=True, identity_id=survivor_id)


def _unchanged(flow: ReceptionFlow, survivor_id: UUID) -> ReceptionResult:
    now = flow.rules.now()
    with flow.uow:
        detail = "A40 du domaine : déjà une seule identité, rien ne change."
        result = flow.write(ReceptionOutcome.APPLIED, detail, survivor_id, keep_ins=True)
        flow.uow.commit(flow.actor, now)
    return result


def _own_id(value: str) -> UUID | None:
    try:
        return UUID(value.strip())
    except ValueError:
        return None
