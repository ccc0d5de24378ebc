"""Received messages about an identity identito already knows (IHE PAM FR §4.4).

* **Updates** (ADT A08, A31, FHIR ``PUT``) of a patient known by the sender's own
  identifier (the IPP of PID-3, the FHIR id: the identity an earlier message of
  the same sender was integrated into). The traits change through
  ``Identity.change_traits``: the strict traits of a RECUP or QUAL identity may
  change only when a sender of identito's own domain qualified the identity (PID-32
  ``VALI`` with a matricule); the INS is then invalidated by the change and
  re-qualified by the sender (``Identity.qualify_in_domain``), which also carries
  a NIA -> NIR change (A31). Anything else that the rules refuse (protected traits
  from another domain or without a qualified status, a different INS from another
  domain, a doubtful or fictitious identity) is applied not at all: the message
  waits in the "à traiter" worklist, linked to the identity.
* An identity found by the sender's identifier that was **merged** into another
  is replaced by its survivor (``reception_merges.follow_merges``, traced).
* **INS change or removal** (A47, former INS in MRG-1) from the own domain: the
  identity is found by the former matricule, else by the sender's identifier;
  a new matricule sent as qualified (PID-32 ``VALI``) replaces it
  (``qualify_in_domain``); the identity's own confirmed matricule sent with PID-32
  ``PROV`` stays (PAM FR §4.4.4, QUAL -> RECUP); otherwise the INS is removed
  (``Identity.invalidate_ins``: QUAL -> VALI, RECUP -> PROV). Then the status is
  taken from PID-32 (R-MO-05, ``Identity.take_domain_status``): ``VALI`` keeps or
  records the sender's document check, ``PROV`` withdraws it; so the identity ends
  QUAL, RECUP, VALI or PROV exactly as the sender says. From another domain, or when
  the identity cannot be found, it is traced and put in the worklist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from identito.domain.duplicate_reviews import Source
from identito.domain.errors import DomainError
from identito.domain.identifiers import Ins
from identito.domain.identity import Identity
from identito.domain.ins_uniqueness import InsAlreadyHeld
from identito.domain.status import IdentityStatus
from identito.domain.trait_set import IdentityWarning, Traits
from identito.services.duplicate_watch import watch_duplicates
from identito.services.reception_merges import find_patient, follow_merges
from identito.services.reception_model import QUALIFIED_SENDER_STATUSES, sender_key
from identito.services.typed_ins import close_settled_typed_entry
from identito.services.unit_of_work import SearchCriteria
from identito.services.verification_records import ReceptionOutcome

if TYPE_CHECKING:
    from identito.services.reception import ReceivedIdentity, ReceptionFlow, ReceptionResult

UPDATE_EVENTS = ("A08", "A31", "PUT")
REMOVED_REASON = "INS supprimé par l'émetteur du domaine d'identification (A47)"


def known(flow: ReceptionFlow, received: ReceivedIdentity) -> Identity | None:
    """The identity an update is about, found by the sender's patient identifier; for any
    other message (A28, A01, FHIR ``POST``...), the identity that identifier is already
    linked to (``sender_patients``): a copy received again, or at once, is applied as
    an update (most often: nothing changes), never a second identity."""
    if not received.local_id:
        return None
    if flow.reception.event in UPDATE_EVENTS:
        return _by_patient(flow, received.local_id)
    with flow.uow:
        linked = flow.uow.receptions.linked_identity(
            sender_key(flow.reception.sender), received.local_id
        )
        identity = flow.uow.identities.get(linked) if linked is not None else None
    return follow_merges(flow, identity) if identity is not None else None


def apply_update(
    flow: ReceptionFlow,
    identity: Identity,
    parsed: tuple[Traits, tuple[IdentityWarning, ...]],
    ins: Ins | None,
) -> ReceptionResult:
    traits, warnings = parsed
    if not flow.own and ins is not None and ins != identity.ins:
        detail = "INS reçu d'un autre domaine pour une identité déjà connue : à traiter."
        return flow.to_handle(detail, identity_id=identity.id)
    qualified = flow.own and ins is not None
    now = flow.rules.now()
    try:
        changed = identity.change_traits(traits, warnings, may_change_protected=qualified, now=now)
        if qualified and ins is not None and not _holds(identity, ins):
            flow.take_ins(identity, ins, now)
        flow.apply_attributes(identity, now)
    except DomainError as error:
        detail = f"Mise à jour non appliquée ({error.message}) : à traiter."
        return flow.to_handle(detail, identity_id=identity.id)
    if not identity.events:
        return _save(flow, identity, "Mise à jour reçue : rien ne change.")
    fields = ", ".join(changed) or "aucun trait"
    return _save(flow, identity, f"Mise à jour reçue appliquée (traits modifiés : {fields}).")


def apply_ins_change(flow: ReceptionFlow) -> ReceptionResult:
    received, former = flow.reception.identity, flow.reception.replaced_ins
    if not flow.own:
        return flow.to_handle("Changement d'INS (A47) d'un autre domaine : à traiter.", traced=True)
    identity = _by_number(flow, former.number) if former else None
    if identity is None and received is not None and received.local_id:
        identity = _by_patient(flow, received.local_id)
    if identity is None:
        detail = "A47 : identité introuvable (ancien matricule, identifiant de l'émetteur)."
        return flow.to_handle(detail, traced=True)
    current = identity.ins.number.number if identity.ins else None
    if former is not None and current is not None and former.number.strip() != current:
        detail = "A47 : l'ancien matricule transmis n'est pas celui de l'identité : à traiter."
        return flow.to_handle(detail, traced=True, identity_id=identity.id)
    new, _ = flow.usable_ins(received) if received is not None else (None, None)
    status = (received.sender_status or "").strip().upper() if received else ""
    now = flow.rules.now()
    try:
        if new is not None and not _holds(identity, new):
            flow.take_ins(identity, new, now)
            detail = "A47 du domaine : matricule INS remplacé."
        elif new is None and identity.ins is not None and not _kept(identity, received, status):
            identity.invalidate_ins(reason=REMOVED_REASON, now=now)
            detail = "A47 du domaine : matricule INS supprimé."
        else:
            detail = "A47 du domaine : matricule INS inchangé."
        if status in DOMAIN_STATUSES:  # R-MO-05: the status follows PID-32
            checked = status in QUALIFIED_SENDER_STATUSES
            identity.take_domain_status(checked, flow.domain_validation(now), now=now)
            detail += f" Statut repris de PID-32 ({status}) : {identity.status.label.lower()}."
    except DomainError as error:
        detail = f"A47 non appliqué ({error.message}) : à traiter."
        return flow.to_handle(detail, traced=True, identity_id=identity.id)
    return _save(flow, identity, detail)


#: PID-32 status codes an own-domain A47 is read for (table 0445; FR Core dev codes).
DOMAIN_STATUSES = ("VALI", "QUAL", "PROV", "RECUP")


def _kept(identity: Identity, received: ReceivedIdentity | None, status: str) -> bool:
    """The A47 sends the identity's own confirmed matricule with PID-32 ``PROV`` (PAM FR
    §4.4.4, QUAL -> RECUP): the INS stays, only the document check goes."""
    sent = received.ins if received is not None else None
    current = identity.ins
    return (
        status in ("PROV", "RECUP")
        and sent is not None
        and current is not None
        and identity.ins_confirmed
        and (sent.number.strip(), sent.oid) == (current.number.number, current.oid.value)
    )


def _holds(identity: Identity, ins: Ins) -> bool:
    return identity.ins == ins and identity.status is IdentityStatus.QUALIFIED


def _by_patient(flow: ReceptionFlow, patient_id: str) -> Identity | None:
    """By the sender's identifier (or identito's id); a merged identity's survivor."""
    identity = find_patient(flow, patient_id)
    return follow_merges(flow, identity) if identity is not None else None


def _by_number(flow: ReceptionFlow, number: str) -> Identity | None:
    number = number.strip()
    with flow.uow:
        found = flow.uow.identities.search(SearchCriteria(ins_number=number))
    return next((i for i in found if i.ins is not None and i.ins.number.number == number), None)


def _save(flow: ReceptionFlow, identity: Identity, detail: str) -> ReceptionResult:
    """The identity's changes (audited through its events), its potential duplicates
    when it changed, and the message, together."""
    now = flow.rules.now()
    with flow.uow:
        if identity.events:
            try:
                flow.uow.identities.update(identity)
            except InsAlreadyHeld as error:  # R-DU-03: nothing applied, NACK
                raise flow.refuse_held(error, identity.id) from None
            close_settled_typed_entry(identity, uow=flow.uow, by=flow.actor.username, now=now)
            watch_duplicates(identity, uow=flow.uow, rules=flow.rules, source=Source.CHANGE)
        result = flow.write(ReceptionOutcome.APPLIED, detail, identity.id, keep_ins=True)
        flow.uow.commit(flow.actor, now)
    return result
