"""Reception of identities sent by other software (HL7 v2 PAM FR, FHIR).

The rules (R-VE-02, IHE PAM FR §6.6.15, docs/verification.md):

* the transmitted INS counts only when the sender says the identity is qualified
  on its side (PID-32 ``VALI`` with a matricule; FHIR ``VALI``/``QUAL``) and its
  key is valid; otherwise the identity is integrated **without** its INS;
* from a sender of identito's own identification domain, the qualified status is
  transitive: the identity is integrated QUAL (``Identity.qualify_in_domain``: INS
  retrieved and document checked by the sender, ZFD-7/ZFD-8 or FHIR
  ``validationMode`` when given);
* a matricule held by a local identity is linked only when the strict traits
  agree (the INSi comparison); else nothing is linked nor created and the message
  waits in the worklist with the comparison. A DOUT/FICT identity, an uncertain
  (corrected or exceptional) birth date or a sex other than M/F: integrated
  without the INS (``reception_checks``); received attributes are applied;
* from another domain it is verified with INSi, unless a local QUAL identity
  with the same traits carries the same INS. OK: created (RECUP, marked RECD) or
  the local one linked. KO (or no answer): nothing is integrated, the message is
  kept with its matricule removed, in the "identités reçues à traiter" worklist;
* updates (A08, A31, FHIR PUT) of a patient known by the sender's identifier and
  INS changes (A47) follow ``services.reception_updates``; a message naming a
  merged identity is applied to its survivor (``merged_into`` followed, traced);
* merges (A40) follow ``services.reception_merges``: applied from the own domain
  when the merge rules allow it, else put in the worklist with the reason.

The data (``Reception``...) are in ``services.reception_model``; storing the
message with its outcome (``received_messages``) in ``services.reception_outcomes``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from identito.domain.documents import DOMAIN_CHECK, ZFD7_CODES, Validation
from identito.domain.duplicate_reviews import Source
from identito.domain.errors import DomainError, InvalidInput, StaleVersion
from identito.domain.identifiers import Ins, not_an_ins
from identito.domain.identity import Identity
from identito.domain.ins_uniqueness import InsAlreadyHeld
from identito.domain.permissions import Actor, Permission
from identito.domain.status import IdentityStatus
from identito.domain.trait_set import RECEIVED_ENTRY, Traits, parse_traits
from identito.services.duplicate_watch import watch_duplicates
from identito.services.insi_integration import add_trace
from identito.services.insi_records import InsiCall
from identito.services.reception_checks import (
    Parsed,
    compare_received,
    ins_refusal,
    received_attributes,
    verification_query,
)
from identito.services.reception_creations import integrate_without_ins
from identito.services.reception_merges import apply_merge
from identito.services.reception_model import (
    INS_CHANGE_EVENT,
    MERGE_EVENT,
    QUALIFIED_SENDER_STATUSES,
    REMOVED,
    ReceivedIdentity,
    Reception,
    ReceptionResult,
    Sender,
    TransmittedIns,
    in_own_domain,
    redact,
    sender_label,
)
from identito.services.reception_outcomes import ReceptionRecorder
from identito.services.reception_records import ReceivedConcurrently
from identito.services.reception_updates import apply_ins_change, apply_update, known
from identito.services.rules import Rules
from identito.services.teleservice import Teleservice, VerificationQuery
from identito.services.typed_ins import close_settled_typed_entry
from identito.services.unit_of_work import SearchCriteria, UnitOfWork
from identito.services.verification import call_context, call_verify
from identito.services.verification_records import ReceptionOutcome

__all__ = [
    "INS_CHANGE_EVENT",
    "MERGE_EVENT",
    "QUALIFIED_SENDER_STATUSES",
    "REMOVED",
    "ReceivedIdentity",
    "Reception",
    "ReceptionFlow",
    "ReceptionResult",
    "Sender",
    "TransmittedIns",
    "in_own_domain",
    "receive_identity",
    "record_rejected",
    "redact",
]

#: Receptions of one message at most (the first, then again after a concurrent copy).
ATTEMPTS = 3


def receive_identity(
    reception: Reception,
    *,
    own_domain: list[str],
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    teleservice: Teleservice | None,
) -> ReceptionResult:
    """Copies of one message received at once have one effect: a copy that meets another
    one's creation (``ReceivedConcurrently``: the sender's patient identifier or the
    matricule taken meanwhile) or update (``StaleVersion``) is rolled back and received
    again, and then gets what a copy received later gets (the update, or nothing to
    change). Requires ``messages:receive`` (admin and interface accounts)."""
    actor.require(Permission.MESSAGES_RECEIVE)
    own = in_own_domain(reception.sender, own_domain)
    for attempt in range(1, ATTEMPTS + 1):
        flow = ReceptionFlow(
            reception, own, uow, actor, rules, teleservice, may_retry=attempt < ATTEMPTS
        )
        try:
            return flow.run()
        except (ReceivedConcurrently, StaleVersion):  # a concurrent copy changed it first
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


@dataclass
class ReceptionFlow(ReceptionRecorder):
    """The reception rules of one message (the outcomes are ``ReceptionRecorder``'s)."""

    def run(self) -> ReceptionResult:
        received, event = self.reception.identity, self.reception.event
        if event == INS_CHANGE_EVENT:
            return apply_ins_change(self)
        if event == MERGE_EVENT:
            return apply_merge(self)
        if received is None:
            return self.to_handle("Événement à traiter par l'identitovigilance.", traced=True)
        now = self.rules.now()
        try:
            traits, warnings = parse_traits(
                received.traits, today=now.date(), places=self.rules.places, enforce=RECEIVED_ENTRY
            )
            self.attributes = received_attributes(received.attributes)
        except DomainError as error:
            problems = getattr(error, "errors", None) or [error]
            detail = "Identité reçue refusée : " + " ; ".join(e.message for e in problems)
            return self.log(ReceptionOutcome.REJECTED, detail, keep_ins=False)
        ins, note = self.usable_ins(received)
        refused: Ins | None = None
        if ins is not None and (refusal := ins_refusal(traits, self.attributes)):
            refused, ins, note = ins, None, refusal
        identity = known(self, received)
        if identity is not None:
            return apply_update(self, identity, (traits, warnings), ins)
        if refused is not None and (holder := self.by_ins(refused)) is not None:
            return self._refused_but_held(holder, traits, note)
        if ins is None:
            return integrate_without_ins(self, (traits, warnings), note)
        return self._with_ins((traits, warnings), ins)

    def _refused_but_held(
        self, holder: Identity, traits: Traits, note: str | None
    ) -> ReceptionResult:
        """A matricule the rules refuse (corrected or exceptional date, sex U/I, DOUT/FICT)
        that a local identity holds: neither linked nor created, whatever the traits
        (issue 11 §2, §4, §5, §7); identity vigilance sees the comparison."""
        return self.to_handle(
            f"{note} Ce matricule est porté par une identité locale : "
            "identité reçue ni rapprochée, ni créée.",
            identity_id=holder.id,
            comparison=compare_received(holder, traits),
        )

    def domain_validation(self, now: datetime) -> Validation:
        """The document check of a sender of the own domain, as it describes it."""
        received = self.reception.identity
        code = (received.document_type or "") if received else ""
        return Validation(
            code if code in ZFD7_CODES else DOMAIN_CHECK,
            received.document_expiry if received else None,
            now,
            f"domaine : {sender_label(self.reception.sender)}",
        )

    def apply_attributes(self, identity: Identity, now: datetime) -> None:
        """The received DOUT / FICT / HOMA are added (R-ST-10); a message never removes
        a local attribute. Raises ``InvalidTransition`` for a forbidden combination."""
        new = self.attributes - identity.attributes
        if new:
            reason = f"Attribut reçu de {sender_label(self.reception.sender)}"
            identity.change_attributes(new, (), now=now, reason=reason)

    def new_identity(self, parsed: Parsed, now: datetime) -> Identity:
        """A received identity, RECD when its sender is of another domain, with its
        received attributes (in the transaction of its creation)."""
        traits, warnings = parsed
        identity = Identity.create(
            traits, warnings, now=now, received_from_other_domain=not self.own
        )
        self.apply_attributes(identity, now)
        return identity

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
        if (reason := not_an_ins(received.ins.oid)) is not None:  # INS-C, NSS (R-TR-19)
            return None, f"Identifiant reçu comme INS refusé : {reason} Intégré sans INS."
        if not received.qualified_by_sender:
            return None, "INS reçu sans statut VALI de l'émetteur : intégré sans l'INS."
        try:
            ins = Ins.parse(
                received.ins.number, received.ins.oid, allow_test_oids=self.rules.allow_test_oids
            )
        except InvalidInput as error:
            return None, f"INS reçu inutilisable ({error.errors[0].message}) : intégré sans."
        return ins, None

    def _with_ins(self, parsed: Parsed, ins: Ins) -> ReceptionResult:
        existing = self.by_ins(ins)
        if existing is not None:
            comparison = compare_received(existing, parsed[0])
            if not comparison.identical:
                return self.to_handle(
                    "INS reçu déjà porté par une identité locale aux traits stricts différents "
                    f"({', '.join(comparison.differences)}) : ni rapprochée, ni créée.",
                    identity_id=existing.id,
                    comparison=comparison,
                )
            if existing.status is IdentityStatus.QUALIFIED:
                return self._link(existing, "Même INS déjà qualifié localement, mêmes traits.")
        if self.own:
            return self._integrate(parsed, ins, existing, "Domaine d'identification propre.")
        if self.teleservice is None:
            return self.to_handle("Aucun téléservice INSi pour vérifier l'INS reçu.")
        query = verification_query(parsed[0], ins)
        call, ok = self._verify(query, existing)
        if ok is None:
            self.trace_call(call, keep_raw=False)
            return self.to_handle(f"Vérification INSi impossible : {call.message}")
        if not ok:
            self.trace_call(call, keep_raw=False)
            return self.to_handle("Vérification INSi KO : rien n'est intégré.")
        return self._integrate(parsed, ins, existing, "INS vérifié auprès d'INSi.", call=call)

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
        parsed: Parsed,
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
            identity = self.new_identity(parsed, now)
            self.take_ins(identity, ins, now)
            try:  # the commit too: a concurrent writer may meet the index there
                self.uow.identities.add(identity)
                watch_duplicates(identity, uow=self.uow, rules=self.rules, source=Source.CREATION)
                if call is not None:
                    add_trace(replace(call, identity_id=identity.id, applied=True), self.uow)
                    self.uow.campaigns.mark_verified([identity.id], now)
                result = self.write(ReceptionOutcome.INTEGRATED, why, identity.id, keep_ins=True)
                self.uow.commit(self.actor, now)
            except InsAlreadyHeld as error:  # R-DU-03: nothing created, NACK
                if self.may_retry:  # a concurrent copy took it since ``by_ins``: again
                    raise ReceivedConcurrently(error.message) from error
                raise self.refuse_held(error, None) from None
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
        try:
            if self.own and ins is not None and identity.status is not IdentityStatus.QUALIFIED:
                self.take_ins(identity, ins, now)
                why += " Qualifiée par l'émetteur du domaine."
            self.apply_attributes(identity, now)
            if not self.own:  # R-LK-02: rapprochée with another domain's patient (IDRA)
                identity.mark_linked_in_other_domain(
                    now=now, sender=sender_label(self.reception.sender)
                )
        except DomainError as error:
            detail = f"Rapprochement non appliqué ({error.message}) : à traiter."
            return self.to_handle(detail, identity_id=identity.id)
        with self.uow:
            if identity.events:
                try:
                    self.uow.identities.update(identity)
                except InsAlreadyHeld as error:  # R-DU-03: nothing applied, NACK
                    raise self.refuse_held(error, identity.id) from None
                close_settled_typed_entry(identity, uow=self.uow, by=self.actor.username, now=now)
            if call is not None:
                add_trace(call, self.uow)
                self.uow.campaigns.mark_verified([identity.id], now)
            detail = f"Rapprochée de l'identité existante. {why}"
            result = self.write(ReceptionOutcome.INTEGRATED, detail, identity.id, keep_ins=True)
            self.uow.commit(self.actor, now)
        return result


def record_rejected(
    reception: Reception, detail: str, *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> ReceptionResult:
    """A message that could not be read: stored with its reason, nothing else changes."""
    actor.require(Permission.MESSAGES_RECEIVE)
    flow = ReceptionFlow(reception, False, uow, actor, rules, None)
    return flow.log(ReceptionOutcome.REJECTED, f"Message illisible : {detail}", keep_ins=True)
