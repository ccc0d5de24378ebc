"""The user's decision on a pending INSi comparison, and reading the trace of calls."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from identito.domain.errors import InvalidTransition, NotFound, StaleVersion
from identito.domain.events import AuditAction
from identito.domain.ins_uniqueness import InsAlreadyHeld
from identito.domain.insi import InsiOutcome
from identito.domain.permissions import Actor, Permission
from identito.services.comparison import Comparison
from identito.services.ins_refusals import Trace, refusal_audit, refuse_held_ins
from identito.services.insi_integration import RecoveryResult, integrate, refused
from identito.services.insi_records import Decision, InsiCall
from identito.services.matricule_reads import MatriculeView, note_view
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditEntry, UnitOfWork

# -- the user's decision on a pending comparison ----------------------------------------------


def accept_insi_call(
    identity_id: UUID,
    call_id: UUID,
    *,
    expected_version: int | None = None,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
) -> RecoveryResult:
    """Integrate a pending ``00`` answer on the user's confirmation.

    Refused (``StaleVersion``) when the identity changed since the comparison was
    made (or since ``expected_version``, the version the user saw).
    """
    actor.require(Permission.INSI_CALL)
    now = rules.now()
    with uow:
        call = _pending_call(identity_id, call_id, uow)
        identity = uow.identities.get(identity_id)
        seen = expected_version if expected_version is not None else call.identity_version
        if seen is not None and identity.version != seen:
            raise StaleVersion(seen, identity.version)
        try:
            notes = integrate(
                identity, call, uow, rules, now, decision=Decision.ACCEPTED, by=actor.username
            )
        except InsAlreadyHeld as error:  # R-DU-03: the call refused, the pair listed, 409
            raise refuse_held_ins(
                error, uow=uow, actor=actor, now=now, trace=_refused_decision(call, uow, actor, now)
            ) from None
        call = call.decided(Decision.ACCEPTED, actor.username, now, applied=True)
        uow.insi_calls.update_decision(call)
        uow.commit(actor, now)
    comparison = Comparison.from_dict(call.comparison) if call.comparison else None
    return RecoveryResult(call, (call,), comparison, identity, notes)


def _refused_decision(call: InsiCall, uow: UnitOfWork, actor: Actor, now: datetime) -> Trace:
    def decide(error: InsAlreadyHeld) -> None:
        uow.insi_calls.update_decision(refused(call, error.message, actor.username, now))
        uow.add_audit(refusal_audit(error, actor=actor, now=now))

    return decide


def reject_insi_call(
    identity_id: UUID,
    call_id: UUID,
    *,
    reason: str | None = None,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
) -> InsiCall:
    """Refuse a pending ``00`` answer: nothing is integrated, the decision is traced."""
    actor.require(Permission.INSI_CALL)
    now = rules.now()
    with uow:
        call = _pending_call(identity_id, call_id, uow)
        call = call.decided(Decision.REJECTED, actor.username, now, applied=False)
        uow.insi_calls.update_decision(call)
        details = {"call_id": str(call.id), "similarity": call.similarity}
        uow.add_audit(
            AuditEntry(
                actor.username,
                now,
                AuditAction.INSI_REJECTED,
                identity_id,
                reason=reason,
                details=details,
            )
        )
        uow.commit(actor, now)
    return call


def _pending_call(identity_id: UUID, call_id: UUID, uow: UnitOfWork) -> InsiCall:
    call = uow.insi_calls.get(call_id)
    if call.identity_id != identity_id:
        raise NotFound(f"Appel INSi inconnu pour cette identité : {call_id}.")
    if call.outcome is not InsiOutcome.FOUND or call.decision is not Decision.PENDING:
        shown_decision = call.decision.value if call.decision else call.outcome.value
        raise InvalidTransition(
            f"Cet appel INSi n'attend pas de confirmation (état : {shown_decision}).",
            rule="insi_call_not_pending",
        )
    return call


# -- reading the trace --------------------------------------------------------------------------


def list_insi_calls(
    identity_id: UUID, *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> list[InsiCall]:
    """The calls about an identity, oldest first, without the raw messages."""
    if not (actor.can(Permission.INSI_CALL) or actor.can(Permission.AUDIT_READ)):
        actor.require(Permission.INSI_CALL)
    with uow:
        uow.identities.get(identity_id)  # 404 for an unknown identity
        calls = uow.insi_calls.for_identity(identity_id)
        if calls:  # their comparisons and queries hold matricules
            note_view(identity_id, MatriculeView.INSI_CALLS, uow=uow, actor=actor, rules=rules)
    return calls


def get_insi_call(call_id: UUID, *, uow: UnitOfWork, actor: Actor, rules: Rules) -> InsiCall:
    """One call with its raw request and response (audit permission)."""
    actor.require(Permission.AUDIT_READ)
    with uow:
        call = uow.insi_calls.get(call_id)
        view = MatriculeView.INSI_MESSAGE
        note_view(call.identity_id, view, uow=uow, actor=actor, rules=rules)
    return call
