"""Calling the teleservice and tracing each call (helpers of ``services.insi``).

``run_calls`` drives one recovery: a single call with the card data, or the
traits strategy (``insi_strategy``); it yields each call as soon as it is made so
that the caller traces it before the next one. It never raises for a
``TeleserviceError``: such a call is an ``error`` outcome and ends the recovery.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from identito.domain.insi import InsiAnswer, InsiOutcome, ReceivedIns
from identito.domain.trait_set import Traits
from identito.services.insi_records import InsiCall
from identito.services.insi_strategy import traits_queries
from identito.services.teleservice import (
    CallContext,
    CallMode,
    CardQuery,
    InsiIdentity,
    InsiResponse,
    MalformedResponse,
    Teleservice,
    TeleserviceError,
    TeleserviceFault,
    TeleserviceTimeout,
    TeleserviceTlsError,
    TeleserviceUnavailable,
    TraitsQuery,
)

_ERROR_KINDS: tuple[tuple[type[TeleserviceError], str], ...] = (
    (TeleserviceTimeout, "timeout"),
    (TeleserviceTlsError, "tls"),
    (TeleserviceUnavailable, "unavailable"),
    (TeleserviceFault, "fault"),
    (MalformedResponse, "malformed"),
)


@dataclass(frozen=True)
class Called:
    """One call made: its query and either the answer or the error."""

    mode: CallMode
    query: TraitsQuery | CardQuery
    at: datetime
    elapsed_ms: float
    response: InsiResponse | None = None
    error: TeleserviceError | None = None

    @property
    def outcome(self) -> InsiOutcome:
        if self.response is None:
            return InsiOutcome.ERROR
        return InsiOutcome(self.response.outcome.value)


@dataclass
class Attempt:
    """The calls of one recovery share an id and are numbered in order."""

    context: CallContext
    id: UUID = field(default_factory=uuid4)
    count: int = 0

    def next_sequence(self) -> int:
        self.count += 1
        return self.count


def run_calls(
    teleservice: Teleservice,
    *,
    mode: CallMode,
    card: CardQuery | None,
    traits: Traits | None,
    context: CallContext,
    clock: Callable[[], datetime],
) -> Iterator[Called]:
    """Make the calls of one recovery, stopping on ``00``, on an error or when done."""
    if mode is CallMode.CARD:
        assert card is not None
        yield _call(teleservice, mode, card, context, clock)
        return
    assert traits is not None
    strategy = traits_queries(traits)
    query = next(strategy)
    while True:
        called = _call(teleservice, mode, query, context, clock)
        yield called
        if called.outcome in (InsiOutcome.FOUND, InsiOutcome.ERROR):
            return
        try:
            query = strategy.send(InsiOutcome(called.outcome.value))
        except StopIteration:
            return


def _call(
    teleservice: Teleservice,
    mode: CallMode,
    query: TraitsQuery | CardQuery,
    context: CallContext,
    clock: Callable[[], datetime],
) -> Called:
    at, started = clock(), time.perf_counter()
    try:
        if isinstance(query, CardQuery):
            response = teleservice.recover_with_card(query, context)
        else:
            response = teleservice.recover_with_traits(query, context)
    except TeleserviceError as error:
        elapsed = (time.perf_counter() - started) * 1000
        return Called(mode, query, at, elapsed, error=error)
    return Called(mode, query, at, (time.perf_counter() - started) * 1000, response=response)


def trace(
    called: Called,
    attempt: Attempt,
    *,
    identity_id: UUID | None,
    identity_version: int | None = None,
    **extra: Any,
) -> InsiCall:
    """The ``InsiCall`` record of a call (``extra`` sets comparison, decision...)."""
    exchange = called.response.exchange if called.response else None
    if called.error is not None:
        exchange = called.error.exchange
    values: dict[str, Any] = {
        "actor": attempt.context.actor,
        "at": called.at,
        "mode": called.mode.value,
        "authentication": (exchange.authentication if exchange else attempt.context.authentication),
        "outcome": called.outcome,
        "query": query_summary(called.query),
        "identity_id": identity_id,
        "identity_version": identity_version,
        "attempt_id": attempt.id,
        "sequence": attempt.next_sequence(),
        "automatic": attempt.context.automatic,
        "error_code": error_code(called.error) if called.error else None,
        "message": called.error.message if called.error else _label(called),
        "request": exchange.request if exchange else None,
        "response": exchange.response if exchange else None,
        "duration_ms": exchange.duration_ms if exchange else called.elapsed_ms,
        "answer": answer_dict(called.response.identity) if called.response else None,
    }
    values.update(extra)
    return InsiCall(**values)


def _label(called: Called) -> str | None:
    return called.response.label if called.response else None


def error_code(error: TeleserviceError) -> str:
    """The SOAP fault code when there is one, else the kind of failure."""
    if error.code:
        return error.code
    return next((kind for cls, kind in _ERROR_KINDS if isinstance(error, cls)), "error")


def query_summary(query: TraitsQuery | CardQuery) -> dict[str, Any]:
    if isinstance(query, CardQuery):
        return {"nir": query.nir, "birth_date": query.birth_date, "rank": query.rank}
    return {
        "birth_name": query.birth_name,
        "first_names": list(query.first_names),
        "sex": query.sex,
        "birth_date": query.birth_date,
        "birth_place_code": query.birth_place_code,
    }


def response_digest(call: InsiCall) -> str | None:
    return hashlib.sha256(call.response).hexdigest() if call.response is not None else None


# -- answers: teleservice value objects, domain value objects, JSON -----------------------


def answer_dict(identity: InsiIdentity | None) -> dict[str, Any] | None:
    if identity is None:
        return None
    return {
        "birth_name": identity.birth_name,
        "first_names": identity.first_names,
        "first_name": identity.first_name,
        "sex": identity.sex,
        "birth_date": identity.birth_date,
        "birth_place_code": identity.birth_place_code,
        "ins_number": identity.ins_number,
        "oid": identity.oid,
        "history": [
            {"number": h.number, "oid": h.oid, "start": h.start, "end": h.end}
            for h in identity.history
        ],
    }


def domain_answer(data: dict[str, Any]) -> InsiAnswer:
    """The domain's view of a stored ``answer`` (see ``answer_dict``)."""
    return InsiAnswer(
        birth_name=data.get("birth_name") or "",
        first_names=data.get("first_names") or "",
        sex=data.get("sex") or "",
        birth_date=data.get("birth_date") or "",
        birth_place_code=data.get("birth_place_code"),
        ins_number=data.get("ins_number") or "",
        oid=data.get("oid") or "",
        history=tuple(
            ReceivedIns(h["number"], h["oid"], h.get("start"), h.get("end"))
            for h in data.get("history") or ()
        ),
    )
