"""Reception of identities sent by other software (HL7 v2 PAM FR, FHIR).

The rules (R-VE-02, IHE PAM FR §6.6.15, docs/verification.md):

* the transmitted INS counts only when the sender says the identity is qualified
  on its side (PID-32 ``VALI`` with a matricule; FHIR ``VALI``/``QUAL``) and its
  key is valid; otherwise the identity is integrated **without** its INS;
* from a sender of identito's own identification domain, the qualified status is
  transitive: the identity is integrated QUAL (``Identity.qualify_in_domain``: INS
  retrieved and document checked by the sender, ZFD-7/ZFD-8 or FHIR
  ``validationMode`` when given);
* from another domain it is verified with INSi, unless a local QUAL identity
  already carries the same INS. OK: the identity is created (RECUP) or the local
  one linked, and the message is marked "received from another domain". KO (or
  no answer): nothing is integrated, the message is kept with its matricule
  removed, and an entry of the "identités reçues à traiter" worklist alerts the
  users; the transmitted matricule is never stored;
* updates (A08, A31, FHIR PUT) of a patient known by the sender's identifier and
  INS changes (A47) follow ``services.reception_updates``; merges (A40) are traced
  and put in the same worklist (identito has no merge yet).

Every message is stored with its outcome (``received_messages``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from identito.domain.documents import DOMAIN_CHECK, ZFD7_CODES, Validation
from identito.domain.errors import InvalidInput
from identito.domain.identifiers import Ins
from identito.domain.identity import Identity
from identito.domain.permissions import Actor, Permission
from identito.domain.status import IdentityStatus
from identito.domain.trait_set import Traits, parse_traits
from identito.domain.traits import search_key
from identito.services.insi_integration import add_trace
from identito.services.insi_records import InsiCall
from identito.services.reception_updates import apply_ins_change, apply_update, known
from identito.services.rules import Rules
from identito.services.teleservice import Teleservice, VerificationQuery
from identito.services.unit_of_work import AuditEntry, SearchCriteria, UnitOfWork
from identito.services.verification import call_context, call_verify
from identito.services.verification_records import (
    EntryKind,
    ReceivedMessage,
    ReceptionOutcome,
    VigilanceEntry,
)

IDENTITY_RECEIVED = "identity.received"  # audit: integrated from a received message
MESSAGE_RECEIVED = "reception.message"  # audit: any received message and its outcome
REMOVED = "[matricule non conservé]"
QUALIFIED_SENDER_STATUSES = ("VALI", "QUAL")
MERGE_EVENT, INS_CHANGE_EVENT = "A40", "A47"


@dataclass(frozen=True)
class TransmittedIns:
    number: str
    oid: str


@dataclass(frozen=True)
class Sender:
    application: str | None
    facility: str | None = None


@dataclass(frozen=True)
class ReceivedIdentity:
    """What a message says of one person, before any rule is applied."""

    traits: dict[str, Any]  # raw trait input, as for creating an identity
    ins: TransmittedIns | None = None
    sender_status: str | None = None  # PID-32 first repetition, FHIR identityStatus
    attributes: tuple[str, ...] = ()
    local_id: str | None = None  # the sender's own identifier (IPP)
    document_type: str | None = None  # ZFD-7, FHIR validationMode
    document_expiry: date | None = None  # ZFD-8

    @property
    def qualified_by_sender(self) -> bool:
        return self.ins is not None and self.sender_status in QUALIFIED_SENDER_STATUSES


@dataclass(frozen=True)
class Reception:
    channel: str  # hl7v2, fhir
    content: str  # the message exactly as received
    sender: Sender
    event: str | None = None  # A28, A31, ... or "POST"/"PUT"
    control_id: str | None = None
    identity: ReceivedIdentity | None = None
    replaced_ins: TransmittedIns | None = None  # MRG-1 of an A40/A47


@dataclass(frozen=True)
class ReceptionResult:
    outcome: ReceptionOutcome
    message_id: UUID
    identity_id: UUID | None = None
    detail: str | None = None
    entry_id: UUID | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)


def in_own_domain(sender: Sender, patterns: list[str]) -> bool:
    """``APP^FACILITY`` patterns (``*`` for any part), or a bare application name."""
    app, facility = (sender.application or "").upper(), (sender.facility or "").upper()
    for pattern in patterns:
        want_app, _, want_facility = pattern.upper().partition("^")
        if want_app in ("*", app) and want_facility in ("", "*", facility):
            return True
    return False


def receive_identity(
    reception: Reception,
    *,
    own_domain: list[str],
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    teleservice: Teleservice | None,
) -> ReceptionResult:
    actor.require(Permission.IDENTITY_CREATE)
    own = in_own_domain(reception.sender, own_domain)
    flow = ReceptionFlow(reception, own, uow, actor, rules, teleservice)
    return flow.run()


@dataclass
class ReceptionFlow:
    reception: Reception
    own: bool
    uow: UnitOfWork
    actor: Actor
    rules: Rules
    teleservice: Teleservice | None

    def run(self) -> ReceptionResult:
        received, event = self.reception.identity, self.reception.event
        if event == INS_CHANGE_EVENT:
            return apply_ins_change(self)
        if event == MERGE_EVENT or received is None:
            return self.to_handle("Événement à traiter par l'identitovigilance.", traced=True)
        now = self.rules.now()
        try:
            traits, warnings = parse_traits(
                received.traits, today=now.date(), places=self.rules.places
            )
        except InvalidInput as error:
            detail = "Traits reçus invalides : " + " ; ".join(e.message for e in error.errors)
            return self._log(ReceptionOutcome.REJECTED, detail, keep_ins=False)
        ins, note = self.usable_ins(received)
        identity = known(self, received)
        if identity is not None:
            return apply_update(self, identity, (traits, warnings), ins)
        if ins is None:
            return self._without_ins(traits, note)
        return self._with_ins(traits, ins)

    def domain_validation(self, now: datetime) -> Validation:
        """The document check of a sender of the own domain, as it describes it."""
        received = self.reception.identity
        code = (received.document_type or "") if received else ""
        return Validation(
            code if code in ZFD7_CODES else DOMAIN_CHECK,
            received.document_expiry if received else None,
            now,
            f"domaine : {_sender_label(self.reception.sender)}",
        )

    def take_ins(self, identity: Identity, ins: Ins, now: datetime) -> None:
        """Own domain: qualified as the sender qualified it; else retrieved (RECUP)."""
        if self.own:
            identity.qualify_in_domain(ins, self.domain_validation(now), now=now)
        else:
            identity.record_ins_retrieval(ins, now=now)

    # -- the INS --------------------------------------------------------------------------

    def usable_ins(self, received: ReceivedIdentity) -> tuple[Ins | None, str | None]:
        if received.ins is None:
            return None, None
        if not received.qualified_by_sender:
            return None, "INS reçu sans statut VALI de l'émetteur : intégré sans l'INS."
        try:
            ins = Ins.parse(
                received.ins.number, received.ins.oid, allow_test_oids=self.rules.allow_test_oids
            )
        except InvalidInput as error:
            return None, f"INS reçu inutilisable ({error.errors[0].message}) : intégré sans."
        return ins, None

    def _with_ins(self, traits: Traits, ins: Ins) -> ReceptionResult:
        existing = self.by_ins(ins)
        if existing is not None and existing.status is IdentityStatus.QUALIFIED:
            return self._link(existing, "Même INS déjà qualifié localement : non revérifié.")
        if self.own:
            return self._integrate(traits, ins, existing, "Domaine d'identification propre.")
        if self.teleservice is None:
            return self.to_handle("Aucun téléservice INSi pour vérifier l'INS reçu.")
        query = _query(traits, ins)
        call, ok = self._verify(query, existing)
        if ok is None:
            self._trace(call, keep_raw=False)
            return self.to_handle(f"Vérification INSi impossible : {call.message}")
        if not ok:
            self._trace(call, keep_raw=False)
            return self.to_handle("Vérification INSi KO : rien n'est intégré.")
        return self._integrate(traits, ins, existing, "INS vérifié auprès d'INSi.", call=call)

    def _verify(
        self, query: VerificationQuery, existing: Identity | None
    ) -> tuple[InsiCall, bool | None]:
        assert self.teleservice is not None
        context = call_context(self.actor, automatic=True)
        identity_id = existing.id if existing else None
        return call_verify(self.teleservice, query, context, self.rules, identity_id)

    def by_ins(self, ins: Ins) -> Identity | None:
        with self.uow:
            found = self.uow.identities.search(SearchCriteria(ins_number=ins.number.number))
        return next((i for i in found if i.ins == ins), None)

    # -- outcomes ---------------------------------------------------------------------------

    def _integrate(
        self,
        traits: Traits,
        ins: Ins,
        existing: Identity | None,
        why: str,
        *,
        call: InsiCall | None = None,
    ) -> ReceptionResult:
        if existing is not None:
            return self._link(existing, why, ins=ins, call=call)
        now = self.rules.now()
        with self.uow:
            identity = Identity.create(traits, (), now=now)
            self.take_ins(identity, ins, now)
            self.uow.identities.add(identity)
            if call is not None:
                add_trace(replace(call, identity_id=identity.id, applied=True), self.uow)
                self.uow.campaigns.mark_verified([identity.id], now)
            result = self.write(ReceptionOutcome.INTEGRATED, why, identity.id, keep_ins=True)
            self.uow.commit(self.actor, now)
        return result

    def _link(
        self,
        identity: Identity,
        why: str,
        *,
        ins: Ins | None = None,
        call: InsiCall | None = None,
    ) -> ReceptionResult:
        """Linked to a local identity carrying the INS; from the own domain, a RECUP
        identity becomes QUAL (the sender checked the document)."""
        now = self.rules.now()
        if self.own and ins is not None and identity.status is not IdentityStatus.QUALIFIED:
            self.take_ins(identity, ins, now)
            why += " Qualifiée par l'émetteur du domaine."
        with self.uow:
            if identity.events:
                self.uow.identities.update(identity)
            if call is not None:
                add_trace(call, self.uow)
                self.uow.campaigns.mark_verified([identity.id], now)
            detail = f"Rapprochée de l'identité existante. {why}"
            result = self.write(ReceptionOutcome.INTEGRATED, detail, identity.id, keep_ins=True)
            self.uow.commit(self.actor, now)
        return result

    def _without_ins(self, traits: Traits, note: str | None) -> ReceptionResult:
        now = self.rules.now()
        with self.uow:
            identity = _same_traits(self.uow, traits)
            detail = note or "Intégrée sans INS."
            if identity is None:
                identity = Identity.create(traits, (), now=now)
                self.uow.identities.add(identity)
            else:
                detail += " Rapprochée de l'identité existante aux mêmes traits."
            outcome = ReceptionOutcome.INTEGRATED_WITHOUT_INS
            result = self.write(outcome, detail, identity.id, keep_ins=False)
            self.uow.commit(self.actor, now)
        return result

    def to_handle(
        self, detail: str, *, traced: bool = False, identity_id: UUID | None = None
    ) -> ReceptionResult:
        """Kept for the "à traiter" worklist; ``identity_id`` when the message is about
        a known identity (then nothing of it was applied)."""
        now = self.rules.now()
        outcome = ReceptionOutcome.TRACED if traced else ReceptionOutcome.PENDING
        with self.uow:
            result = self.write(outcome, detail, identity_id, keep_ins=traced)
            received = self.reception.identity
            summary: dict[str, Any] = {
                "reason": detail,
                "sender": _sender_label(self.reception.sender),
                "event": self.reception.event,
                "traits": received.traits if received else {},
            }
            entry = VigilanceEntry(
                EntryKind.RECEPTION,
                now,
                summary,
                identity_id=identity_id,
                message_id=result.message_id,
            )
            self.uow.vigilance.add(entry)
            self.uow.commit(self.actor, now)
        return replace(result, entry_id=entry.id)

    def _log(self, outcome: ReceptionOutcome, detail: str, *, keep_ins: bool) -> ReceptionResult:
        now = self.rules.now()
        with self.uow:
            result = self.write(outcome, detail, None, keep_ins=keep_ins)
            self.uow.commit(self.actor, now)
        return result

    def write(
        self, outcome: ReceptionOutcome, detail: str, identity_id: UUID | None, *, keep_ins: bool
    ) -> ReceptionResult:
        """Inside an open unit of work: store the message and audit its outcome."""
        now, reception = self.rules.now(), self.reception
        content = reception.content if keep_ins else redact(reception)
        message = ReceivedMessage(
            channel=reception.channel,
            received_at=now,
            content=content,
            outcome=outcome,
            sender_application=reception.sender.application,
            sender_facility=reception.sender.facility,
            event=reception.event,
            control_id=reception.control_id,
            own_domain=self.own,
            identity_id=identity_id,
            detail=detail,
            patient_id=reception.identity.local_id if reception.identity else None,
        )
        self.uow.receptions.add(message)
        details = {
            "message_id": str(message.id),
            "sender": _sender_label(reception.sender),
            "own_domain": self.own,
            "outcome": outcome.value,
            "event": reception.event,
        }
        action = IDENTITY_RECEIVED if identity_id is not None else MESSAGE_RECEIVED
        self.uow.add_audit(
            AuditEntry(
                self.actor.username, now, action, identity_id, reason=detail, details=details
            )
        )
        return ReceptionResult(outcome, message.id, identity_id, detail)

    def _trace(self, call: InsiCall, *, keep_raw: bool) -> None:
        """The verification call of a refused INS, without its matricule."""
        if not keep_raw:
            digest = hashlib.sha256(call.request or b"").hexdigest()
            query = {**call.query, "ins_number": REMOVED, "request_sha256": digest}
            call = replace(call, query=query, request=None, response=None)
        now = self.rules.now()
        with self.uow:
            add_trace(call, self.uow)
            self.uow.commit(self.actor, now)


def redact(reception: Reception) -> str:
    """The message without the transmitted matricules (never stored unless integrated)."""
    content = reception.content
    for ins in (reception.identity.ins if reception.identity else None, reception.replaced_ins):
        if ins is not None and ins.number.strip():
            content = content.replace(ins.number, REMOVED)
    return content


def _query(traits: Traits, ins: Ins) -> VerificationQuery:
    return VerificationQuery(
        ins_number=ins.number.number,
        oid=ins.oid.value,
        birth_name=traits.birth_name,
        first_names=tuple(traits.birth_first_names),
        sex=traits.sex.value,
        birth_date=traits.birth_date.raw,
        birth_place_code=traits.birth_place_code,
    )


def _same_traits(uow: UnitOfWork, traits: Traits) -> Identity | None:
    criteria = SearchCriteria(
        birth_date=traits.birth_date.value,
        name_key=search_key(traits.birth_name),
        sex=traits.sex,
        limit=20,
    )
    for identity in uow.identities.search(criteria):
        if not identity.traits.changed_fields(traits):
            return identity
    return None


def _sender_label(sender: Sender) -> str:
    return "^".join(p for p in (sender.application, sender.facility) if p) or "inconnu"


def record_rejected(
    reception: Reception, detail: str, *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> ReceptionResult:
    """A message that could not be read: stored with its reason, nothing else changes."""
    flow = ReceptionFlow(reception, False, uow, actor, rules, None)
    return flow._log(ReceptionOutcome.REJECTED, f"Message illisible : {detail}", keep_ins=True)
