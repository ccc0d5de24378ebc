"""Unit verification of an INS against the national bases (INSi ``verify``).

``verify_ins`` calls INSi with the matricule, its OID and the strict traits, with
no transaction open, then concludes in one transaction: the call's trace
(``insi_calls``, mode ``verify``, with the raw messages) and its consequences.

* OK: the date of the verification is recorded; a matricule held unconfirmed
  (typed by hand, "INS saisi, à vérifier") becomes INSi's: RECUP or QUAL, collection
  method ``INSI`` dated by this call (``Identity.record_verification_ok``, R-ST-07).
* KO: the matricule and its OID are invalidated (``Identity.invalidate_ins``:
  QUAL -> VALI, RECUP -> PROV, a typed one simply removed; an audit row and an
  outbox row to propagate), and an
  entry of the "vérification INSi KO" worklist alerts the identity-vigilance unit.
* Error (unreachable service, fault, malformed answer): traced, nothing changes.
* A sex other than M/F is refused before any call, with no trace (R-TR-14).

When the identity's matricule changed between the call and its conclusion, the
result is traced but not applied (it was about another matricule).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from identito.domain.errors import InvalidTransition
from identito.domain.events import AuditAction
from identito.domain.identity import Identity
from identito.domain.ins_source import check_insi_sex
from identito.domain.insi import InsiOutcome
from identito.domain.permissions import Actor, Permission
from identito.services.insi_integration import add_trace
from identito.services.insi_records import InsiCall
from identito.services.insi_trace import error_code
from identito.services.rules import Rules
from identito.services.teleservice import (
    Authentication,
    CallContext,
    CallMode,
    Exchange,
    Teleservice,
    TeleserviceError,
    VerificationQuery,
)
from identito.services.unit_of_work import AuditEntry, UnitOfWork
from identito.services.verification_records import (
    TO_VERIFY,
    EntryDecision,
    EntryKind,
    VerificationResult,
    VigilanceEntry,
)

KO_REASON = "vérification INSi KO"
CHANGED_SINCE = "Le matricule a changé depuis l'appel : résultat tracé, non appliqué."


@dataclass(frozen=True)
class VerificationOutcome:
    call: InsiCall
    result: VerificationResult
    identity: Identity | None = None
    entry: VigilanceEntry | None = None
    note: str | None = None


def verification_query(identity: Identity) -> VerificationQuery:
    """The matricule, its OID and the strict traits of an identity carrying an INS."""
    if identity.ins is None:
        raise InvalidTransition(
            "Vérification impossible : l'identité ne porte pas de matricule INS.",
            rule="verification_without_ins",
        )
    traits = identity.traits
    return VerificationQuery(
        ins_number=identity.ins.number.number,
        oid=identity.ins.oid.value,
        birth_name=traits.birth_name,
        first_names=tuple(traits.birth_first_names),
        sex=traits.sex.value,
        birth_date=traits.birth_date.raw,
        birth_place_code=traits.birth_place_code,
    )


def call_context(actor: Actor, automatic: bool) -> CallContext:
    authentication = (
        Authentication.ORGANISATION_AUTO if automatic else Authentication.ORGANISATION_MANUAL
    )
    return CallContext(actor.username, automatic=automatic, authentication=authentication)


def verify_ins(
    identity_id: UUID,
    *,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    teleservice: Teleservice,
    automatic: bool = False,
    on_commit: Callable[[UnitOfWork, VerificationResult, InsiCall], None] | None = None,
) -> VerificationOutcome:
    """Verify the INS of one identity; ``on_commit`` adds writes to the concluding
    transaction (a campaign marks its item done there)."""
    actor.require(Permission.INSI_CALL)
    with uow:
        identity = uow.identities.get(identity_id)
        identity.ensure_insi_traits_call_allowed()
        query = verification_query(identity)
    context = call_context(actor, automatic)
    call, ok = call_verify(teleservice, query, context, rules, identity.id, identity.version)
    return conclude_verification(
        call, identity_id, query.ins_number, ok, uow=uow, actor=actor, rules=rules, extra=on_commit
    )


def call_verify(
    teleservice: Teleservice,
    query: VerificationQuery,
    context: CallContext,
    rules: Rules,
    identity_id: UUID | None,
    identity_version: int | None = None,
) -> tuple[InsiCall, bool | None]:
    """Make the call; its trace record and the answer (None: no usable answer).

    A sex other than M/F never reaches INSi (R-TR-14): refused before the call."""
    check_insi_sex(query.sex)
    at, started = rules.now(), time.perf_counter()
    try:
        response = teleservice.verify(query, context)
    except TeleserviceError as error:
        elapsed = (time.perf_counter() - started) * 1000
        call = verification_call(query, context, at, elapsed, error.exchange, error=error)
        return replace(call, identity_id=identity_id, identity_version=identity_version), None
    elapsed = (time.perf_counter() - started) * 1000
    outcome = InsiOutcome.VERIFIED_OK if response.ok else InsiOutcome.VERIFIED_KO
    call = verification_call(query, context, at, elapsed, response.exchange, outcome=outcome)
    call = replace(call, identity_id=identity_id, identity_version=identity_version)
    return replace(call, message=response.label), response.ok


def verification_call(
    query: VerificationQuery,
    context: CallContext,
    at: datetime,
    elapsed_ms: float,
    exchange: Exchange | None,
    *,
    outcome: InsiOutcome = InsiOutcome.ERROR,
    error: TeleserviceError | None = None,
) -> InsiCall:
    return InsiCall(
        actor=context.actor,
        at=at,
        mode=CallMode.VERIFY.value,
        authentication=exchange.authentication if exchange else context.authentication,
        outcome=outcome,
        query=query_summary(query),
        automatic=context.automatic,
        error_code=error_code(error) if error else None,
        message=error.message if error else None,
        request=exchange.request if exchange else None,
        response=exchange.response if exchange else None,
        duration_ms=exchange.duration_ms if exchange else elapsed_ms,
        applied=False,
    )


def query_summary(query: VerificationQuery) -> dict[str, Any]:
    return {
        "ins_number": query.ins_number,
        "oid": query.oid,
        "birth_name": query.birth_name,
        "first_names": list(query.first_names),
        "sex": query.sex,
        "birth_date": query.birth_date,
        "birth_place_code": query.birth_place_code,
    }


def conclude_verification(
    call: InsiCall,
    identity_id: UUID,
    ins_number: str,
    ok: bool | None,
    *,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    extra: Callable[[UnitOfWork, VerificationResult, InsiCall], None] | None = None,
) -> VerificationOutcome:
    """Trace the call and apply its result, in one transaction."""
    now = rules.now()
    with uow:
        result, identity, entry, note = VerificationResult.ERROR, None, None, None
        if ok is not None:
            identity = uow.identities.get(identity_id)
            source = {"call_id": str(call.id)}
            result, entry, note = apply_result(
                identity,
                ins_number,
                ok,
                uow=uow,
                actor=actor,
                now=now,
                source=source,
                called_at=call.at,
            )
            call = InsiCall(**{**vars(call), "applied": note is None})
        add_trace(call, uow)
        if extra is not None:
            extra(uow, result, call)
        uow.commit(actor, now)
    return VerificationOutcome(call, result, identity, entry, note)


def apply_result(
    identity: Identity,
    ins_number: str,
    ok: bool,
    *,
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    source: Mapping[str, Any],
    called_at: datetime | None = None,
) -> tuple[VerificationResult, VigilanceEntry | None, str | None]:
    """Inside an open unit of work: record an OK (confirming a typed matricule), or
    invalidate and alert on a KO."""
    result = VerificationResult.OK if ok else VerificationResult.KO
    details = {**source, "result": result.value, "ins_number": ins_number}
    current = identity.ins.number.number if identity.ins else None
    if current != ins_number:
        details["note"] = CHANGED_SINCE
        uow.add_audit(
            AuditEntry(actor.username, now, AuditAction.INSI_VERIFIED, identity.id, details=details)
        )
        return result, None, CHANGED_SINCE
    close_to_verify(identity.id, uow=uow, actor=actor, now=now, result=result)
    if ok:
        if identity.record_verification_ok(called_at=called_at or now, now=now, details=source):
            uow.identities.update(identity)
        uow.campaigns.mark_verified([identity.id], now)
        uow.add_audit(
            AuditEntry(actor.username, now, AuditAction.INSI_VERIFIED, identity.id, details=details)
        )
        return result, None, None
    identity.invalidate_ins(reason=KO_REASON, now=now)
    uow.identities.update(identity)
    entry = VigilanceEntry(
        EntryKind.VERIFICATION_KO,
        now,
        summary={**identity_summary(identity), **source, "ins_number": ins_number},
        identity_id=identity.id,
    )
    uow.vigilance.add(entry)
    uow.add_audit(
        AuditEntry(actor.username, now, AuditAction.INSI_VERIFIED, identity.id, details=details)
    )
    return result, entry, None


def close_to_verify(
    identity_id: UUID, *, uow: UnitOfWork, actor: Actor, now: datetime, result: VerificationResult
) -> None:
    """A verification closes the identity's open "NIA à revérifier" and "INS saisis, à
    vérifier" entries."""
    for kind in TO_VERIFY:
        entry = uow.vigilance.open_for(kind, identity_id)
        if entry is not None:
            _resolve_verified(entry, uow=uow, actor=actor, now=now, result=result)


def _resolve_verified(
    entry: VigilanceEntry,
    *,
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    result: VerificationResult,
) -> None:
    uow.vigilance.resolve(
        VigilanceEntry(
            **{
                **vars(entry),
                "resolved_at": now,
                "resolved_by": actor.username,
                "decision": EntryDecision.VERIFIED,
                "comment": f"Vérification INSi : {result.value}",
            }
        )
    )


def identity_summary(identity: Identity) -> dict[str, Any]:
    traits = identity.traits
    return {
        "birth_name": traits.birth_name,
        "first_birth_first_name": traits.first_birth_first_name,
        "birth_date": traits.birth_date.raw,
        "sex": traits.sex.value,
        "status": identity.status.value,
    }
