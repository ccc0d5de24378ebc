"""Use cases on identities: one function each, dependencies passed in.

Every function checks the actor's permission once, opens the unit of work,
calls domain methods, commits (audit rows included) and returns. Raw inputs
(collection method, search fields, attributes) are parsed by ``identity_inputs``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any
from uuid import UUID

from identito.domain.change_reason import change_reason, needs_confirmation
from identito.domain.documents import DocumentCheck
from identito.domain.duplicate_reviews import Source
from identito.domain.errors import FieldErrors, PermissionDenied, StaleVersion
from identito.domain.identifiers import Ins
from identito.domain.identity import Identity
from identito.domain.ins_uniqueness import InsAlreadyHeld
from identito.domain.insi import CollectionMethod
from identito.domain.nss import parse_optional as parse_nss
from identito.domain.permissions import Actor, Permission
from identito.domain.same_person import SamePersonExists
from identito.domain.status import IdentityStatus
from identito.domain.trait_set import TRAIT_FIELDS, parse_changed_traits, parse_traits
from identito.services.anteriority import anteriority_query, find_anteriority
from identito.services.duplicate_watch import watch_duplicates
from identito.services.identity_inputs import (
    CREATION_METHODS,
    creation_method,
    parse_attributes,
    search_criteria,
)
from identito.services.ins_refusals import refuse_held_ins
from identito.services.matricule_reads import MatriculeView, note_reads, note_view
from identito.services.preferences import read_preferences
from identito.services.rules import Rules
from identito.services.same_person import reserve_creation
from identito.services.unit_of_work import AuditEntry, UnitOfWork
from identito.services.vigilance import queue_ins_verification, queue_nia_recheck

__all__ = [  # with the parsing of raw inputs, from ``identity_inputs``, that callers import here
    "CREATION_METHODS",
    "change_attributes",
    "create_identity",
    "creation_method",
    "get_identity",
    "identity_audit",
    "load_and_change_traits",
    "note_reads",
    "search_criteria",
    "search_identities",
    "update_identity",
    "validate_identity",
]


def create_identity(
    data: Mapping[str, Any],
    *,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    collection_method: str | CollectionMethod | None = CollectionMethod.MANUAL,
    old_birth_date_confirmed: bool = False,
    anyway: bool = False,
) -> Identity:
    """Create a provisional identity from raw traits (no field is ever defaulted).

    ``collection_method`` is how the traits were collected: ``SM`` (typed, the
    default) or ``CB`` (a scanned INS DataMatrix), ``CV``, ``RFID``. The traits are
    typed: every entry rule refuses (``domain.entry_rules``); a birth date over 120
    years needs ``old_birth_date_confirmed``.

    One person, one creation (``domain.same_person``): when an active identity has the
    same strict traits, ``SamePersonExists`` names it, even when both are created at
    once (``services.same_person``); ``anyway`` (« Créer quand même ») creates it all
    the same, the pair then waits in the duplicate review worklist.
    """
    actor.require(Permission.IDENTITY_CREATE)
    now = rules.now()
    method = creation_method(collection_method)
    nss = parse_nss(data.get("nss"))  # the billing NSS, never the INS (R-TR-20)
    traits, warnings = parse_traits(
        {k: v for k, v in data.items() if k != "nss"},
        today=now.date(),
        places=rules.places,
        old_birth_date_confirmed=old_birth_date_confirmed,
    )
    identity = Identity.create(traits, warnings, now=now, collection_method=method)
    if nss is not None:
        identity.change_nss(nss, now=now)
    with uow:
        existing = reserve_creation(traits, uow=uow)
        if existing is not None and not anyway:
            raise SamePersonExists(existing)
        uow.identities.add(identity)
        watch_duplicates(identity, uow=uow, rules=rules, source=Source.CREATION)
        uow.commit(actor, now)
    return identity


def get_identity(identity_id: UUID, *, uow: UnitOfWork, actor: Actor, rules: Rules) -> Identity:
    actor.require(Permission.IDENTITY_READ)
    with uow:
        identity = uow.identities.get(identity_id)
        note_reads([identity], uow=uow, actor=actor, rules=rules)
    return identity


def update_identity(
    identity_id: UUID,
    expected_version: int,
    changes: Mapping[str, Any],
    *,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    document: DocumentCheck | None = None,
    old_birth_date_confirmed: bool = False,
    reason: str | None = None,
    require_reason: bool = False,
) -> Identity:
    """Change traits, the matricule and/or the billing NSS (``changes["nss"]``: number,
    OID, holder, or None to remove it); refused when ``expected_version`` is stale.

    A typed matricule (``changes["ins"]``, protected permission) is held, never
    confirmed: the identity stays or becomes PROV/VALI and its INSi verification is
    queued in the same transaction (R-ST-07). ``document`` records a high-trust
    document checked in the same change: a VALI or QUAL identity whose strict traits
    change keeps a document check only so.

    ``reason`` (trimmed, bounded: ``change_reason``) is traced on the audit row of the
    change. With ``require_reason`` (a person confirmed the consequences on screen) a
    change that needs confirmation (``needs_confirmation``) is refused without one.
    """
    actor.require(Permission.IDENTITY_UPDATE)
    now = rules.now()
    given = change_reason(reason, needs_confirmation=False)
    with uow:
        before = _proofs(uow.identities.get(identity_id))
        identity = load_and_change_traits(
            identity_id, expected_version, changes, uow=uow, actor=actor, rules=rules,
            document=document, old_birth_date_confirmed=old_birth_date_confirmed, reason=given,
        )  # fmt: skip
        if "ins" in changes:
            may_change_protected = actor.can(Permission.IDENTITY_UPDATE_PROTECTED)
            _change_ins(identity, changes["ins"], may_change_protected, rules, given)
        if "nss" in changes:  # the billing NSS: no status, no INS (R-TR-20)
            identity.change_nss(parse_nss(changes["nss"]), now=now)
        if require_reason and _lost_proof(before, identity):
            change_reason(given, needs_confirmation=True)  # refused without a reason
        changed = bool(identity.events)
        try:
            uow.identities.update(identity)
        except InsAlreadyHeld as error:  # R-DU-03: the pair to the worklist, then 409
            raise refuse_held_ins(error, uow=uow, actor=actor, now=now) from None
        queue_nia_recheck(identity, uow=uow, now=now)  # touched again: verify its NIA
        queue_ins_verification(identity, uow=uow, now=now)  # a typed matricule: verify it
        if changed:  # traits or matricule changed: look for duplicates again
            watch_duplicates(identity, uow=uow, rules=rules, source=Source.CHANGE)
        uow.commit(actor, now)
    return identity


def load_and_change_traits(
    identity_id: UUID,
    expected_version: int,
    changes: Mapping[str, Any],
    *,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    document: DocumentCheck | None = None,
    old_birth_date_confirmed: bool = False,
    reason: str | None = None,
) -> Identity:
    """Inside an open unit of work: load, check the version, apply the trait changes.

    Shared by ``update_identity`` (which saves) and the web's preview of a change
    (which rolls back), so both apply exactly the domain's rules. Only the changed
    traits meet the entry rules again (``parse_changed_traits``): an INSi birth
    place the local geography refuses does not block a change of the used name.
    """
    unknown = set(changes) - set(TRAIT_FIELDS) - {"ins", "nss", "birth_date_corrected"}
    if unknown:
        errors = FieldErrors()
        for name in sorted(unknown):
            errors.add(name, "unknown_field", "Champ inconnu ou non modifiable.")
        errors.raise_if_any()
    now = rules.now()
    identity = uow.identities.get(identity_id)
    if identity.version != expected_version:
        raise StaleVersion(expected_version, identity.version)
    traits, warnings = parse_changed_traits(
        identity.traits,
        {k: v for k, v in changes.items() if k not in ("ins", "nss")},
        today=now.date(),
        places=rules.places,
        old_birth_date_confirmed=old_birth_date_confirmed,
    )
    types = None
    if document is not None:  # checked again in the same change: the organisation's rules
        actor.require(Permission.IDENTITY_VALIDATE)
        preferences = read_preferences(uow, rules)
        types, tolerance = preferences.document_types, preferences.expired_document_tolerance_days
        document = replace(document, expired_tolerance_days=tolerance)
    identity.change_traits(
        traits,
        warnings,
        may_change_protected=actor.can(Permission.IDENTITY_UPDATE_PROTECTED),
        now=now,
        document=document,
        document_types=types,
        actor=actor.username,
        reason=reason,
    )
    return identity


def _proofs(identity: Identity) -> tuple[IdentityStatus, bool, bool]:
    """What a change may take away: the status, the matricule, the document check."""
    return identity.status, identity.ins is not None, identity.validation is not None


def _lost_proof(before: tuple[IdentityStatus, bool, bool], identity: Identity) -> bool:
    status, had_ins, had_validation = before
    return needs_confirmation(
        status,
        identity.status,
        ins_invalidated=had_ins and identity.ins is None,
        validation_removed=had_validation and identity.validation is None,
    )


def _change_ins(
    identity: Identity,
    value: Mapping[str, str] | None,
    may_change_protected: bool,
    rules: Rules,
    reason: str | None = None,
) -> None:
    now = rules.now()
    if value is None:
        if identity.ins is None:
            return
        if not may_change_protected:
            raise PermissionDenied(
                Permission.IDENTITY_UPDATE_PROTECTED.value,
                "Le matricule INS ne peut être retiré qu'avec l'habilitation dédiée.",
            )
        why = f"matricule INS retiré : {reason}" if reason else "matricule INS retiré"
        identity.invalidate_ins(reason=why, now=now)
        return
    ins = Ins.parse(
        str(value.get("number", "")),
        str(value.get("oid", "")),
        allow_test_oids=rules.allow_test_oids,
    )
    identity.change_ins(ins, may_change_protected=may_change_protected, now=now)


def search_identities(
    *,
    birth_date: str | None = None,
    name: str | None = None,
    first_name: str | None = None,
    sex: str | None = None,
    ins: str | None = None,
    nss: str | None = None,
    limit: int = 50,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    birth_year: str | None = None,
    born_from: str | None = None,
    born_to: str | None = None,
) -> list[Identity]:
    """Anteriority search (separate fields, ``services.anteriority``: closest first), or
    exact search by matricule INS or by billing NSS (R-AS-04: two distinct searches, a
    NSS never finds an INS)."""
    actor.require(Permission.IDENTITY_SEARCH)
    if not ins and not nss:
        query = anteriority_query(
            birth_date=birth_date, name=name, first_name=first_name, sex=sex, limit=limit,
            birth_year=birth_year, born_from=born_from, born_to=born_to,
        )  # fmt: skip
        return [m.identity for m in find_anteriority(query, uow=uow, actor=actor, rules=rules)]
    criteria = search_criteria(
        birth_date=birth_date, name=name, first_name=first_name, sex=sex, ins=ins, nss=nss,
        limit=limit,
    )  # fmt: skip
    with uow:
        found = uow.identities.search(criteria)
        note_reads(found, uow=uow, actor=actor, rules=rules)
    return found


def change_attributes(
    identity_id: UUID,
    *,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    reason: str | None = None,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
) -> Identity:
    actor.require(Permission.IDENTITY_ATTRIBUTES)
    to_add, to_remove = parse_attributes(add, "add"), parse_attributes(remove, "remove")
    now = rules.now()
    with uow:
        identity = uow.identities.get(identity_id)
        identity.change_attributes(to_add, to_remove, now=now, reason=reason)
        uow.identities.update(identity)
        uow.commit(actor, now)
    return identity


def validate_identity(
    identity_id: UUID,
    *,
    document_type: str | None,
    document_expiry: date | None,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
) -> Identity:
    """Record the check of a high-trust identity document chosen explicitly."""
    actor.require(Permission.IDENTITY_VALIDATE)
    now = rules.now()
    with uow:
        identity = uow.identities.get(identity_id)
        preferences = read_preferences(uow, rules)
        identity.validate(
            document_type,
            document_expiry,
            document_types=preferences.document_types,
            actor=actor.username,
            now=now,
            expired_tolerance_days=preferences.expired_document_tolerance_days,
        )
        uow.identities.update(identity)
        uow.commit(actor, now)
    return identity


def identity_audit(
    identity_id: UUID, *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> list[AuditEntry]:
    """The identity's audit trail; its before/after values hold matricules: the read is
    audited itself (``view: audit``)."""
    actor.require(Permission.AUDIT_READ)
    with uow:
        uow.identities.get(identity_id)  # 404 for an unknown identity
        entries = uow.audit.for_identity(identity_id)
        note_view(identity_id, MatriculeView.AUDIT, uow=uow, actor=actor, rules=rules)
    return entries
