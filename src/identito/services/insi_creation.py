"""Creating an identity directly from a card or traits recovery (status RECUP)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from identito.domain.duplicate_reviews import Source
from identito.domain.identity import Identity
from identito.domain.ins_uniqueness import InsAlreadyHeld
from identito.domain.insi import (
    CollectionMethod,
    IncompleteInsiAnswer,
    InsiOutcome,
    received_traits,
)
from identito.domain.permissions import Actor, Permission
from identito.domain.trait_set import RECEIVED_ENTRY, Traits, parse_traits, trait_warnings
from identito.services.comparison import Comparison, compare
from identito.services.ins_refusals import refuse_held_ins
from identito.services.insi_integration import (
    Found,
    RecoveryResult,
    add_trace,
    call_context,
    integrate,
    parse_mode,
    place_warning,
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
from identito.services.rules import Rules
from identito.services.teleservice import CallMode, Teleservice
from identito.services.unit_of_work import UnitOfWork


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
    call_mode, card_data = parse_mode(mode, card)
    typed: Traits | None = None
    if call_mode is CallMode.TRAITS:
        typed, _ = parse_traits(  # they drive the calls, never stored: INSi's are
            traits or {}, today=rules.now().date(), places=rules.places, enforce=RECEIVED_ENTRY
        )
    attempt = Attempt(call_context(actor, automatic=False))
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
        if called.outcome is InsiOutcome.FOUND:
            found = _create_from(called, attempt, typed, uow, actor, rules)
            return recovery_result(found, [*traced, found.call], ())
        traced.append(save_trace(trace(called, attempt, identity_id=None), uow, actor))
    return RecoveryResult(traced[-1], tuple(traced))


def _create_from(
    called: Called,
    attempt: Attempt,
    typed: Traits | None,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
) -> Found:
    now = rules.now()
    with uow:
        call = trace(called, attempt, identity_id=None)
        answer = domain_answer(call.answer or {})
        try:
            insi_traits, _ = received_traits(answer, typed)
        except IncompleteInsiAnswer as error:
            return refused_answer(call, error, uow, actor, now)
        comparison = compare(typed, insi_traits) if typed else None
        if comparison is not None:
            call = with_comparison(call, comparison, Decision.PENDING)
        place = place_warning(answer.birth_place_code, answer.birth_date, rules)
        identity = Identity.create(
            insi_traits,
            trait_warnings(insi_traits, place),
            now=now,
            collection_method=CollectionMethod.INSI,
        )
        uow.identities.add(identity)
        call = InsiCall(**{**vars(call), "identity_id": identity.id, "identity_version": 1})
        try:  # the commit too: a concurrent creation may meet the index there
            notes = integrate(
                identity, call, uow, rules, now, decision=Decision.ACCEPTED, source=Source.CREATION
            )
            accepted = call.decided(Decision.ACCEPTED, actor.username, now, applied=True)
            add_trace(accepted, uow)
            uow.commit(actor, now)
        except InsAlreadyHeld as error:  # R-DU-03: nothing is created, the call traced refused
            return _held(error, call, comparison, uow, actor, now)
    return Found(accepted, comparison, identity, notes)


def _held(
    error: InsAlreadyHeld,
    call: InsiCall,
    comparison: Comparison | None,
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
) -> Found:
    """The rule of every path (``domain.ins_uniqueness``): the call traced refused with
    the rule's message, nothing created (so no pair for the worklist); ``held`` tells
    the API to answer 409, the web page shows the refused call."""
    call = InsiCall(**{**vars(call), "identity_id": None, "identity_version": None})
    error = refuse_held_ins(
        error, uow=uow, actor=actor, now=now, trace=refused_trace(call, uow, actor, now)
    )
    call = refused(call, error.message, actor.username, now)
    return Found(call, comparison, None, (error.message,), held=error)
