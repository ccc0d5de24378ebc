"""INS recovery use cases: call INSi, trace every call, compare, integrate.

``recover_ins`` makes the calls of one recovery (card, or the traits strategy)
with no database transaction open. Each call that does not end the recovery
with ``00`` is traced in its own short transaction at once; the ``00`` call is
traced in the transaction that integrates it (or not). A call whose integration
fails is still traced, with the decision ``refused`` and the reason.

On ``00`` the answer must be complete; the comparison of the local and INSi
traits gives a similarity score; at or above the organisation's threshold
(default 1.0: identical after normalisation) the INSi traits are integrated at
once, otherwise the call waits for ``accept_insi_call`` or ``reject_insi_call``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from identito.domain.errors import (
    DomainError,
    FieldErrors,
    InvalidInput,
    InvalidTransition,
    NotFound,
    StaleVersion,
)
from identito.domain.identity import Identity
from identito.domain.insi import IncompleteInsiAnswer, received_traits
from identito.domain.permissions import Actor, Permission
from identito.domain.status import IdentityStatus
from identito.domain.trait_set import Traits, parse_traits, trait_warnings
from identito.domain.traits import UNKNOWN_BIRTH_PLACE, BirthDate
from identito.services.comparison import Comparison, compare
from identito.services.insi_records import CallOutcome, Decision, InsiCall
from identito.services.insi_trace import (
    INSI_CALLED,
    INSI_REJECTED,
    Attempt,
    Called,
    domain_answer,
    response_digest,
    run_calls,
    trace,
)
from identito.services.preferences import read_preferences
from identito.services.rules import Rules
from identito.services.teleservice import (
    Authentication,
    CallContext,
    CallMode,
    CardQuery,
    Teleservice,
)
from identito.services.unit_of_work import AuditEntry, SearchCriteria, UnitOfWork

PROVISIONAL_WARNING = (
    "Identité provisoire : contrôlez une pièce d'identité à haut niveau de confiance "
    "en même temps que l'appel INSi (recommandation RECO PP 03)."
)


@dataclass(frozen=True)
class RecoveryResult:
    """What one recovery gave: the last call, its comparison and what was integrated."""

    call: InsiCall
    calls: tuple[InsiCall, ...]
    comparison: Comparison | None = None
    identity: Identity | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def outcome(self) -> CallOutcome:
        return self.call.outcome

    @property
    def applied(self) -> bool:
        return self.call.applied


# -- recovery of an existing identity -------------------------------------------------------


def recover_ins(
    identity_id: UUID,
    *,
    mode: str,
    card: Mapping[str, Any] | None = None,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    teleservice: Teleservice,
    automatic: bool = False,
) -> RecoveryResult:
    """Recover the INS of an identity with the card data or by its traits."""
    actor.require(Permission.INSI_CALL)
    call_mode, card_query = _mode(mode, card)
    with uow:
        identity = uow.identities.get(identity_id)
        identity.ensure_insi_call_allowed()
        preferences = read_preferences(uow, rules)
    warnings = _provisional_warnings(identity, preferences.allow_insi_for_provisional)
    attempt = Attempt(_context(actor, automatic))
    traced: list[InsiCall] = []
    calls = run_calls(
        teleservice,
        mode=call_mode,
        card=card_query,
        traits=identity.traits,
        context=attempt.context,
        clock=rules.now,
    )
    for called in calls:
        if called.outcome is not CallOutcome.FOUND:
            traced.append(_save_trace(trace(called, attempt, identity_id=identity_id), uow, actor))
            continue
        found = _conclude(
            called, attempt, identity_id, preferences.similarity_threshold, uow, actor, rules
        )
        return _result(found, [*traced, found.call], warnings)
    return RecoveryResult(traced[-1], tuple(traced), warnings=warnings)


def _mode(mode: str, card: Mapping[str, Any] | None) -> tuple[CallMode, CardQuery | None]:
    if mode == CallMode.TRAITS.value:
        return CallMode.TRAITS, None
    if mode != CallMode.CARD.value:
        message = "Mode d'appel INSi : « traits » ou « card » (carte Vitale)."
        raise InvalidInput.single("mode", "insi_mode", message)
    return CallMode.CARD, card_query(card)


def card_query(card: Mapping[str, Any] | None) -> CardQuery:
    """The card data (holder NIR, beneficiary birth date, rank), all required."""
    card = card or {}
    errors = FieldErrors()
    for key in ("nir", "birth_date", "rank"):
        if not str(card.get(key) or "").strip():
            errors.add(f"card.{key}", "required", "Ce champ est obligatoire.")
    errors.raise_if_any()
    try:
        rank = int(card["rank"])
    except (TypeError, ValueError):
        raise InvalidInput.single("card.rank", "rank", "Le rang est un nombre entier.") from None
    nir = "".join(str(card["nir"]).split()).upper()
    return CardQuery(nir=nir, birth_date=str(card["birth_date"]).strip(), rank=rank)


def _provisional_warnings(identity: Identity, allowed: bool) -> tuple[str, ...]:
    if identity.status is not IdentityStatus.PROVISIONAL:
        return ()
    if not allowed:
        raise InvalidTransition(
            "Appel INSi refusé pour une identité provisoire (paramètre de l'établissement) : "
            "contrôlez d'abord une pièce d'identité à haut niveau de confiance.",
            rule="insi_call_provisional_refused",
        )
    return (PROVISIONAL_WARNING,)


def _context(actor: Actor, automatic: bool) -> CallContext:
    authentication = (
        Authentication.ORGANISATION_AUTO if automatic else Authentication.ORGANISATION_MANUAL
    )
    return CallContext(actor.username, automatic=automatic, authentication=authentication)


def _save_trace(call: InsiCall, uow: UnitOfWork, actor: Actor) -> InsiCall:
    with uow:
        _add_trace(call, uow)
        uow.commit(actor, call.at)
    return call


def _add_trace(call: InsiCall, uow: UnitOfWork) -> None:
    uow.insi_calls.add(call)
    details = {
        "call_id": str(call.id),
        "mode": call.mode,
        "outcome": call.outcome.value,
        "error_code": call.error_code,
        "response_sha256": response_digest(call),
    }
    uow.add_audit(AuditEntry(call.actor, call.at, INSI_CALLED, call.identity_id, details=details))


@dataclass(frozen=True)
class _Found:
    call: InsiCall
    comparison: Comparison | None
    identity: Identity | None
    notes: tuple[str, ...]


def _conclude(
    called: Called,
    attempt: Attempt,
    identity_id: UUID,
    threshold: float,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
) -> _Found:
    """Trace a ``00`` call and integrate it when the similarity reaches the threshold."""
    now = rules.now()
    with uow:
        identity = uow.identities.get(identity_id)
        call = trace(called, attempt, identity_id=identity_id, identity_version=identity.version)
        try:
            insi_traits, notes = received_traits(domain_answer(call.answer or {}), identity.traits)
        except IncompleteInsiAnswer as error:
            return _refused_answer(call, error, uow, actor, now)
        comparison = compare(identity.traits, insi_traits)
        call = _with_comparison(call, comparison, Decision.PENDING)
        integrated: Identity | None = None
        if comparison.similarity >= threshold:
            try:
                notes = _integrate(identity, call, uow, rules, now, decision=Decision.AUTOMATIC)
                integrated = identity
                call = call.decided(Decision.AUTOMATIC, actor.username, now, applied=True)
            except DomainError as error:
                uow.rollback()
                call = _refused(call, error.message, actor.username, now)
        _add_trace(call, uow)
        uow.commit(actor, now)
    return _Found(call, comparison, integrated, notes)


def _refused_answer(
    call: InsiCall, error: IncompleteInsiAnswer, uow: UnitOfWork, actor: Actor, now: datetime
) -> _Found:
    call = _refused(call, error.message, actor.username, now)
    call = InsiCall(**{**vars(call), "outcome": CallOutcome.ERROR, "error_code": "incomplete"})
    _add_trace(call, uow)
    uow.commit(actor, now)
    return _Found(call, None, None, ())


def _refused(call: InsiCall, message: str, by: str, at: datetime) -> InsiCall:
    refused = call.decided(Decision.REFUSED, by, at, applied=False)
    return InsiCall(**{**vars(refused), "message": message})


def _with_comparison(call: InsiCall, comparison: Comparison, decision: Decision) -> InsiCall:
    return InsiCall(
        **{
            **vars(call),
            "comparison": comparison.as_dict(),
            "similarity": comparison.similarity,
            "decision": decision,
        }
    )


def _integrate(
    identity: Identity,
    call: InsiCall,
    uow: UnitOfWork,
    rules: Rules,
    now: datetime,
    *,
    decision: Decision,
) -> tuple[str, ...]:
    answer = domain_answer(call.answer or {})
    notes = identity.integrate_insi(
        answer,
        called_at=call.at,
        now=now,
        allow_test_oids=rules.allow_test_oids,
        place_warning=_place_warning(answer.birth_place_code, answer.birth_date, rules),
        details={"call_id": str(call.id), "decision": decision.value},
    )
    uow.identities.update(identity)
    return notes


def _place_warning(code: str | None, birth_date: str, rules: Rules) -> str | None:
    """INSi's birth place is kept even when the local INSEE reference does not know it."""
    if not code or code == UNKNOWN_BIRTH_PLACE:
        return None
    try:
        return rules.places.check_birth_place(code, BirthDate.parse(birth_date).value)
    except InvalidInput as error:
        return f"Lieu de naissance renvoyé par INSi ({code}) : {error.errors[0].message}"


def _result(found: _Found, calls: list[InsiCall], warnings: tuple[str, ...]) -> RecoveryResult:
    return RecoveryResult(
        found.call,
        tuple(calls),
        comparison=found.comparison,
        identity=found.identity,
        warnings=warnings + found.notes,
    )


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
        notes = _integrate(identity, call, uow, rules, now, decision=Decision.ACCEPTED)
        call = call.decided(Decision.ACCEPTED, actor.username, now, applied=True)
        uow.insi_calls.update_decision(call)
        uow.commit(actor, now)
    comparison = Comparison.from_dict(call.comparison) if call.comparison else None
    return RecoveryResult(call, (call,), comparison, identity, notes)


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
                actor.username, now, INSI_REJECTED, identity_id, reason=reason, details=details
            )
        )
        uow.commit(actor, now)
    return call


def _pending_call(identity_id: UUID, call_id: UUID, uow: UnitOfWork) -> InsiCall:
    call = uow.insi_calls.get(call_id)
    if call.identity_id != identity_id:
        raise NotFound(f"Appel INSi inconnu pour cette identité : {call_id}.")
    if call.outcome is not CallOutcome.FOUND or call.decision is not Decision.PENDING:
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
        return uow.insi_calls.for_identity(identity_id)


def get_insi_call(call_id: UUID, *, uow: UnitOfWork, actor: Actor, rules: Rules) -> InsiCall:
    """One call with its raw request and response (audit permission)."""
    actor.require(Permission.AUDIT_READ)
    with uow:
        return uow.insi_calls.get(call_id)


# -- creating an identity from an INSi answer ---------------------------------------------------


def create_identity_from_insi(
    *,
    mode: str,
    card: Mapping[str, Any] | None = None,
    traits: Mapping[str, Any] | None = None,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    teleservice: Teleservice,
) -> RecoveryResult:
    """Create an identity whose traits are those INSi returns (status RECUP).

    By traits, the typed traits drive the calls (they are not stored); with the
    card, the card data. Nothing is created unless INSi answers ``00`` with a
    complete identity whose matricule no stored identity carries.
    """
    actor.require(Permission.IDENTITY_CREATE)
    actor.require(Permission.INSI_CALL)
    call_mode, card_data = _mode(mode, card)
    typed: Traits | None = None
    if call_mode is CallMode.TRAITS:
        typed, _ = parse_traits(traits or {}, today=rules.now().date(), places=rules.places)
    attempt = Attempt(_context(actor, automatic=False))
    traced: list[InsiCall] = []
    calls = run_calls(
        teleservice,
        mode=call_mode,
        card=card_data,
        traits=typed,
        context=attempt.context,
        clock=rules.now,
    )
    for called in calls:
        if called.outcome is CallOutcome.FOUND:
            found = _create_from(called, attempt, typed, uow, actor, rules)
            return _result(found, [*traced, found.call], ())
        traced.append(_save_trace(trace(called, attempt, identity_id=None), uow, actor))
    return RecoveryResult(traced[-1], tuple(traced))


def _create_from(
    called: Called,
    attempt: Attempt,
    typed: Traits | None,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
) -> _Found:
    now = rules.now()
    with uow:
        call = trace(called, attempt, identity_id=None)
        answer = domain_answer(call.answer or {})
        try:
            insi_traits, _ = received_traits(answer, typed)
        except IncompleteInsiAnswer as error:
            return _refused_answer(call, error, uow, actor, now)
        comparison = compare(typed, insi_traits) if typed else None
        if comparison is not None:
            call = _with_comparison(call, comparison, Decision.PENDING)
        existing = uow.identities.search(SearchCriteria(ins_number=answer.ins_number, limit=1))
        if existing:
            message = (
                f"Une identité porte déjà ce matricule INS ({existing[0].id}) : rien n'est créé."
            )
            call = _refused(call, message, actor.username, now)
            _add_trace(call, uow)
            uow.commit(actor, now)
            return _Found(call, comparison, None, (message,))
        place = _place_warning(answer.birth_place_code, answer.birth_date, rules)
        identity = Identity.create(insi_traits, trait_warnings(insi_traits, place), now=now)
        uow.identities.add(identity)
        call = InsiCall(**{**vars(call), "identity_id": identity.id, "identity_version": 1})
        notes = _integrate(identity, call, uow, rules, now, decision=Decision.ACCEPTED)
        call = call.decided(Decision.ACCEPTED, actor.username, now, applied=True)
        _add_trace(call, uow)
        uow.commit(actor, now)
    return _Found(call, comparison, identity, notes)
