"""INS recovery use cases: call INSi, trace every call, compare, integrate.

``recover_ins`` makes the calls of one recovery (card, or the traits strategy)
with no database transaction open. Each call that does not end the recovery
with ``00`` is traced in its own short transaction at once; the ``00`` call is
traced in the transaction that integrates it (or not). A call whose integration
fails is still traced, with the decision ``refused`` and the reason; when the
matricule is another active identity's (R-DU-03), the pair goes to the duplicate
worklist with that trace and ``InsAlreadyHeld`` is raised (409).

On ``00`` the answer must be complete; the comparison of the local and INSi
traits gives a similarity score; at or above the organisation's threshold
(default 1.0: identical after normalisation) the INSi traits are integrated at
once, otherwise the call waits for ``accept_insi_call`` or ``reject_insi_call``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from identito.domain.errors import DomainError, InvalidTransition
from identito.domain.identity import Identity
from identito.domain.ins_uniqueness import InsAlreadyHeld
from identito.domain.insi import IncompleteInsiAnswer, InsiOutcome, received_traits
from identito.domain.permissions import Actor, Permission
from identito.domain.status import IdentityStatus
from identito.services.comparison import compare
from identito.services.ins_refusals import refuse_held_ins
from identito.services.insi_integration import (
    Found,
    RecoveryResult,
    add_trace,
    call_context,
    card_query,
    integrate,
    parse_mode,
    recovery_result,
    refused,
    refused_answer,
    refused_trace,
    save_trace,
    with_comparison,
)
from identito.services.insi_records import Decision, InsiCall
from identito.services.insi_trace import (
    Attempt,
    Called,
    domain_answer,
    run_calls,
    trace,
)
from identito.services.preferences import read_preferences
from identito.services.rules import Rules
from identito.services.teleservice import CallMode, Teleservice
from identito.services.unit_of_work import UnitOfWork

PROVISIONAL_WARNING = (
    "Identité provisoire : contrôlez une pièce d'identité à haut niveau de confiance "
    "en même temps que l'appel INSi (recommandation RECO PP 03)."
)


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
    call_mode, card_query = parse_mode(mode, card)
    with uow:
        identity = uow.identities.get(identity_id)
        identity.ensure_insi_call_allowed()
        if call_mode is CallMode.TRAITS:  # the traits go to INSi: sex M or F (R-TR-14)
            identity.ensure_insi_traits_call_allowed()
        preferences = read_preferences(uow, rules)
    warnings = _provisional_warnings(identity, preferences.allow_insi_for_provisional)
    attempt = Attempt(call_context(actor, automatic))
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
        if called.outcome is not InsiOutcome.FOUND:
            traced.append(save_trace(trace(called, attempt, identity_id=identity_id), uow, actor))
            continue
        found = _conclude(
            called, attempt, identity_id, preferences.similarity_threshold, uow, actor, rules
        )
        return recovery_result(found, [*traced, found.call], warnings)
    return RecoveryResult(traced[-1], tuple(traced), warnings=warnings)


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


def _conclude(
    called: Called,
    attempt: Attempt,
    identity_id: UUID,
    threshold: float,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
) -> Found:
    """Trace a ``00`` call and integrate it when the similarity reaches the threshold."""
    now = rules.now()
    with uow:
        identity = uow.identities.get(identity_id)
        call = trace(called, attempt, identity_id=identity_id, identity_version=identity.version)
        try:
            insi_traits, notes = received_traits(domain_answer(call.answer or {}), identity.traits)
        except IncompleteInsiAnswer as error:
            return refused_answer(call, error, uow, actor, now)
        comparison = compare(identity.traits, insi_traits)
        call = with_comparison(call, comparison, Decision.PENDING)
        integrated: Identity | None = None
        if comparison.similarity >= threshold:
            try:
                notes = integrate(identity, call, uow, rules, now, decision=Decision.AUTOMATIC)
                integrated = identity
                call = call.decided(Decision.AUTOMATIC, actor.username, now, applied=True)
            except InsAlreadyHeld as error:  # R-DU-03: traced refused, the pair listed, 409
                raise refuse_held_ins(
                    error, uow=uow, actor=actor, now=now, trace=refused_trace(call, uow, actor, now)
                ) from None
            except DomainError as error:
                uow.rollback()
                call = refused(call, error.message, actor.username, now)
        add_trace(call, uow)
        uow.commit(actor, now)
    return Found(call, comparison, integrated, notes)


# The other INSi use cases live in their own modules; importing them from here still works.
from identito.services.insi_creation import create_identity_from_insi  # noqa: E402
from identito.services.insi_decisions import (  # noqa: E402
    accept_insi_call,
    get_insi_call,
    list_insi_calls,
    reject_insi_call,
)

__all__ = [
    "PROVISIONAL_WARNING",
    "RecoveryResult",
    "accept_insi_call",
    "card_query",
    "create_identity_from_insi",
    "get_insi_call",
    "list_insi_calls",
    "recover_ins",
    "reject_insi_call",
]
