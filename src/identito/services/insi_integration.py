"""Steps shared by the INSi use cases: tracing a call, integrating an answer.

``services.insi`` (recovery of an existing identity), ``services.insi_decisions``
(the user's decision on a pending comparison) and ``services.insi_creation``
(creating an identity from an answer) are built from these steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from identito.domain.duplicate_reviews import Source
from identito.domain.errors import FieldErrors, InvalidInput
from identito.domain.events import AuditAction
from identito.domain.identity import Identity
from identito.domain.ins_uniqueness import InsAlreadyHeld
from identito.domain.insi import IncompleteInsiAnswer, InsiOutcome
from identito.domain.permissions import Actor
from identito.domain.traits import UNKNOWN_BIRTH_PLACE, BirthDate
from identito.services.comparison import Comparison
from identito.services.duplicate_watch import watch_duplicates
from identito.services.ins_refusals import Trace
from identito.services.insi_records import Decision, InsiCall
from identito.services.insi_trace import domain_answer, response_digest
from identito.services.place_conflicts import queue_place_conflict
from identito.services.rules import Rules
from identito.services.teleservice import (
    Authentication,
    CallContext,
    CallMode,
    CardQuery,
)
from identito.services.typed_ins import close_settled_typed_entry
from identito.services.unit_of_work import AuditEntry, UnitOfWork


@dataclass(frozen=True)
class RecoveryResult:
    """What one recovery gave: the last call, its comparison and what was integrated."""

    call: InsiCall
    calls: tuple[InsiCall, ...]
    comparison: Comparison | None = None
    identity: Identity | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    #: A creation refused by R-DU-03 (traced, pair listed): the API answers 409 with it.
    held: InsAlreadyHeld | None = None

    @property
    def outcome(self) -> InsiOutcome:
        return self.call.outcome

    @property
    def applied(self) -> bool:
        return self.call.applied


def parse_mode(mode: str, card: Mapping[str, Any] | None) -> tuple[CallMode, CardQuery | None]:
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


def call_context(actor: Actor, automatic: bool) -> CallContext:
    authentication = (
        Authentication.ORGANISATION_AUTO if automatic else Authentication.ORGANISATION_MANUAL
    )
    return CallContext(actor.username, automatic=automatic, authentication=authentication)


def save_trace(call: InsiCall, uow: UnitOfWork, actor: Actor) -> InsiCall:
    with uow:
        add_trace(call, uow)
        uow.commit(actor, call.at)
    return call


def add_trace(call: InsiCall, uow: UnitOfWork) -> None:
    uow.insi_calls.add(call)
    details = {
        "call_id": str(call.id),
        "mode": call.mode,
        "outcome": call.outcome.value,
        "error_code": call.error_code,
        "response_sha256": response_digest(call),
    }
    uow.add_audit(
        AuditEntry(call.actor, call.at, AuditAction.INSI_CALLED, call.identity_id, details=details)
    )


@dataclass(frozen=True)
class Found:
    call: InsiCall
    comparison: Comparison | None
    identity: Identity | None
    notes: tuple[str, ...]
    #: A creation refused because another active identity holds the matricule (R-DU-03).
    held: InsAlreadyHeld | None = None


def refused_answer(
    call: InsiCall, error: IncompleteInsiAnswer, uow: UnitOfWork, actor: Actor, now: datetime
) -> Found:
    call = refused(call, error.message, actor.username, now)
    call = InsiCall(**{**vars(call), "outcome": InsiOutcome.ERROR, "error_code": "incomplete"})
    add_trace(call, uow)
    uow.commit(actor, now)
    return Found(call, None, None, ())


def refused(call: InsiCall, message: str, by: str, at: datetime) -> InsiCall:
    refused = call.decided(Decision.REFUSED, by, at, applied=False)
    return InsiCall(**{**vars(refused), "message": message})


def refused_trace(call: InsiCall, uow: UnitOfWork, actor: Actor, now: datetime) -> Trace:
    """The ``00`` call of a matricule another identity holds (R-DU-03), traced refused
    inside the refusal's transaction (``services.ins_refusals``)."""

    def add(error: InsAlreadyHeld) -> None:
        add_trace(refused(call, error.message, actor.username, now), uow)

    return add


def with_comparison(call: InsiCall, comparison: Comparison, decision: Decision) -> InsiCall:
    return InsiCall(
        **{
            **vars(call),
            "comparison": comparison.as_dict(),
            "similarity": comparison.similarity,
            "decision": decision,
        }
    )


def integrate(
    identity: Identity,
    call: InsiCall,
    uow: UnitOfWork,
    rules: Rules,
    now: datetime,
    *,
    decision: Decision,
    source: Source = Source.CHANGE,
    by: str | None = None,
) -> tuple[str, ...]:
    """INSi's traits and matricule on the identity, then its potential duplicates
    (``source``: ``creation`` for an identity created from the answer); a typed
    matricule's open "INS saisis, à vérifier" entry is closed (``by`` the user who
    decided, else the caller)."""
    answer = domain_answer(call.answer or {})
    warning, refused = checked_place(answer.birth_place_code, answer.birth_date, rules)
    notes = identity.integrate_insi(
        answer,
        called_at=call.at,
        now=now,
        allow_test_oids=rules.allow_test_oids,
        place_warning=warning,
        details={"call_id": str(call.id), "decision": decision.value},
    )
    uow.identities.update(identity)
    if refused and warning:
        queue_place_conflict(identity, warning, uow=uow, now=now)
    close_settled_typed_entry(identity, uow=uow, by=by or call.actor, now=now)
    watch_duplicates(identity, uow=uow, rules=rules, source=source)
    return notes


def place_warning(code: str | None, birth_date: str, rules: Rules) -> str | None:
    """INSi's birth place is kept even when the local INSEE reference does not know it."""
    return checked_place(code, birth_date, rules)[0]


def checked_place(code: str | None, birth_date: str, rules: Rules) -> tuple[str | None, bool]:
    """The warning on INSi's birth place, and whether the local reference refuses it."""
    if not code or code == UNKNOWN_BIRTH_PLACE:
        return None, False
    try:
        return rules.places.check_birth_place(code, BirthDate.parse(birth_date).value), False
    except InvalidInput as error:
        return f"Lieu de naissance renvoyé par INSi ({code}) : {error.errors[0].message}", True


def recovery_result(
    found: Found, calls: list[InsiCall], warnings: tuple[str, ...]
) -> RecoveryResult:
    return RecoveryResult(
        found.call,
        tuple(calls),
        comparison=found.comparison,
        identity=found.identity,
        warnings=warnings + found.notes,
        held=found.held,
    )
