"""Diffusion use cases: exports, FHIR reads, DataMatrix scans, HL7 propagation.

What may leave identito is decided by ``domain.diffusion.diffusion_view`` only;
the formats are rendered by the ``Renderer`` given in (``messages.exports``), so
this layer imports no format library. Every diffusion that carries a matricule,
and every export, writes an ``identity.diffused`` audit row: format, destination,
when, which INS (or why it was withheld).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID, uuid4

from identito.domain.diffusion import (
    DiffusionView,
    DomainIdentifier,
    ExportContext,
    ExportFormat,
    ScannedIns,
    diffusion_view,
)
from identito.domain.errors import InvalidInput
from identito.domain.events import AuditAction
from identito.domain.identity import Identity
from identito.domain.insi import CollectionMethod
from identito.domain.permissions import Actor, Permission
from identito.domain.traits import BirthDate
from identito.services.identities import search_criteria
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditEntry, UnitOfWork


class Renderer(Protocol):
    """One format: its media type, a file-name suffix and the pure generator."""

    @property
    def media_type(self) -> str: ...

    @property
    def suffix(self) -> str: ...

    @property
    def render(self) -> Callable[[DiffusionView, ExportContext], bytes]: ...


@dataclass(frozen=True)
class Export:
    content: bytes
    media_type: str
    filename: str
    view: DiffusionView


def export_context(rules: Rules, now: datetime, **extra: str) -> ExportContext:
    return ExportContext(
        now=now,
        message_id=uuid4().hex[:20],
        facility_name=rules.facility_name,
        facility_oid=rules.facility_oid,
        facility_finess=rules.facility_finess,
        **extra,
    )


def diffusion_audit(
    view: DiffusionView, fmt: str, destination: str, actor: Actor, at: datetime, **details: Any
) -> AuditEntry:
    """The audit row of one diffusion: format, destination, when, which INS."""
    ins = view.ins
    return AuditEntry(
        actor=actor.username,
        at=at,
        action=AuditAction.IDENTITY_DIFFUSED,
        identity_id=view.identity_id,
        details={
            "format": fmt,
            "destination": destination,
            "ins": {"number": ins.number.number, "oid": ins.oid.value} if ins else None,
            "withheld": view.withheld.value if view.withheld else None,
            "status": view.status.value,
            **details,
        },
    )


def view_for(identity: Identity, actor: Actor) -> DiffusionView:
    return diffusion_view(identity, may_read_ins=actor.can(Permission.INS_READ))


def with_domain_identifiers(view: DiffusionView, uow: UnitOfWork) -> DiffusionView:
    """The view with the senders' patient identifiers linked to it (R-LK-01): HL7 PID-3
    repeats each with its sender's domain."""
    pairs = uow.receptions.patients_of(view.identity_id)
    found = tuple(DomainIdentifier(sender, patient) for sender, patient in pairs)
    return replace(view, domain_identifiers=found) if found else view


def linked_view(identity: Identity, actor: Actor, uow: UnitOfWork) -> DiffusionView:
    """``view_for`` with the identities merged into this one (FHIR ``link`` replaces) and
    the senders' patient identifiers (R-LK-01)."""
    view = with_domain_identifiers(view_for(identity, actor), uow)
    merged = tuple(m.merged_id for m in uow.merges.active_into(identity.id))
    return replace(view, replaces=merged) if merged else view


def export_identity(
    identity_id: UUID,
    fmt: ExportFormat,
    *,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    renderers: Mapping[ExportFormat, Renderer],
    destination: str = "export",
) -> Export:
    """Render one identity in ``fmt``; the matricule only when the view allows it."""
    actor.require(Permission.IDENTITY_READ)
    now = rules.now()
    renderer = renderers[fmt]
    with uow:
        view = linked_view(uow.identities.get(identity_id), actor, uow)
        content = renderer.render(view, export_context(rules, now))
        uow.add_audit(diffusion_audit(view, fmt.value, destination, actor, now))
        uow.commit(actor, now)
    return Export(content, renderer.media_type, f"identite-{identity_id}{renderer.suffix}", view)


def read_for_diffusion(
    identity_id: UUID, *, uow: UnitOfWork, actor: Actor, rules: Rules, fmt: str, destination: str
) -> tuple[DiffusionView, ExportContext]:
    """One view for a protocol read (FHIR ``GET /Patient/{id}``), audited."""
    actor.require(Permission.IDENTITY_READ)
    now = rules.now()
    with uow:
        view = linked_view(uow.identities.get(identity_id), actor, uow)
        uow.add_audit(diffusion_audit(view, fmt, destination, actor, now))
        uow.commit(actor, now)
    return view, export_context(rules, now)


def search_for_diffusion(
    *,
    birth_date: str | None = None,
    name: str | None = None,
    first_name: str | None = None,
    sex: str | None = None,
    ins: str | None = None,
    ins_oid: str | None = None,
    nss: str | None = None,
    limit: int = 50,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    fmt: str,
    destination: str,
) -> tuple[list[DiffusionView], ExportContext]:
    """Anteriority search rendered for diffusion; a search by INS finds only diffusable ones.

    Matching a matricule that the view may not show would disclose it: such
    identities are left out of the answer. A search by billing NSS (R-AS-04) needs
    ``ins:read`` too and finds only the NSS, never an INS.
    """
    actor.require(Permission.IDENTITY_SEARCH)
    if ins or nss:
        actor.require(Permission.INS_READ)
    criteria = search_criteria(
        birth_date=birth_date, name=name, first_name=first_name, sex=sex, ins=ins, nss=nss,
        limit=limit,
    )  # fmt: skip
    now = rules.now()
    with uow:
        found = uow.identities.search(criteria)
        views = [linked_view(identity, actor, uow) for identity in found]
        if ins:
            views = [
                v
                for v in views
                if v.ins is not None
                and v.ins.number.number == criteria.ins_number
                and ins_oid in (None, v.ins.oid.value)
            ]
        elif nss:
            views = [v for v in views if v.nss is not None and ins_oid in (None, v.nss.oid.value)]
        for view in views:
            uow.add_audit(diffusion_audit(view, fmt, destination, actor, now))
        if views:
            uow.commit(actor, now)
    return views, export_context(rules, now)


# -- DataMatrix scan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanPrefill:
    """What a DataMatrix scan prefills: creation traits, search fields, matches."""

    scanned: ScannedIns
    traits: dict[str, Any]
    search: dict[str, str]
    collection_method: CollectionMethod = CollectionMethod.BARCODE
    matches: list[Identity] = field(default_factory=list)
    problems: tuple[str, ...] = ()


def prefill_from_datamatrix(
    scanned: ScannedIns, *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> ScanPrefill:
    """Prefill a search (and a creation) from a scanned INS DataMatrix (method ``CB``).

    The matricule read from paper is not trusted: it is returned for an INSi
    verification and used to look for an identity that already carries it.
    """
    actor.require(Permission.IDENTITY_SEARCH)
    problems = []
    try:
        BirthDate.parse(scanned.birth_date)
    except InvalidInput as error:  # reported, not raised: the rest of the scan stays usable
        problems.append(error.message)
    traits = {
        "birth_name": scanned.birth_name,
        "birth_first_names": list(scanned.birth_first_names),
        "first_birth_first_name": scanned.first_birth_first_name,
        "birth_date": scanned.birth_date,
        "sex": scanned.sex,
        "birth_place_code": scanned.birth_place_code,
    }
    search = {
        "birth_date": scanned.birth_date,
        "name": scanned.birth_name,
        "first_name": scanned.first_birth_first_name,
        "sex": scanned.sex,
    }
    matches: list[Identity] = []
    if not problems:
        criteria = search_criteria(
            birth_date=scanned.birth_date,
            name=scanned.birth_name,
            first_name=scanned.first_birth_first_name,
            sex=scanned.sex,
            ins=None,
        )
        with uow:
            matches = uow.identities.search(criteria)
    return ScanPrefill(scanned, traits, search, matches=matches, problems=tuple(problems))


# -- HL7 receivers (the drain is ``services.propagation.send_outbox``) -------------------------


class DeliveryFailed(Exception):
    """A receiver could not be reached or refused the message (no ``AA``/``CA`` ack)."""


class MessageReceiver(Protocol):
    @property
    def name(self) -> str: ...

    def send(self, message: bytes) -> None:
        """Deliver one message; raise ``DeliveryFailed``."""
        ...
