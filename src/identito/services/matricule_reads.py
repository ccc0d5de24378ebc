"""Every read that shows a matricule is audited (issue 13 point 5).

A use case that returns a matricule, current or former (``ins_history``, INSi's
INSHISTO), in an identity, a trace (INSi call, audit trail) or a comparison, writes an
``identity.read`` audit row per identity shown, in the audit chain (``uow.commit``):

* ``note_reads``: the identities returned, for an actor who sees their matricules
  (``ins:read``), each one holding a matricule;
* ``note_view``: one identity's trace shown whatever the actor's ``ins:read`` (the
  audit trail, the INSi calls and their raw messages), with the ``view`` named.

Diffusions (exports, FHIR) write ``identity.diffused`` instead (``services.diffusion``).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any
from uuid import UUID

from identito.domain.events import AuditAction
from identito.domain.identity import Identity
from identito.domain.permissions import Actor, Permission
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditEntry, UnitOfWork


class MatriculeView(StrEnum):
    """What showed the matricules of ``note_view`` (``details.view`` of the row)."""

    AUDIT = "audit"
    INSI_CALLS = "insi_calls"
    INSI_MESSAGE = "insi_message"
    VERIFICATION_REPORT = "verification_report"
    VIGILANCE_LIST = "vigilance_list"
    WORKLIST_EXPORT = "worklist_export"


#: Keys of a summary or a trace that hold a matricule.
MATRICULE_KEYS = frozenset({"ins", "ins_number"})


def holds_matricule(value: Any) -> bool:
    """Does a summary (nested dicts and lists) hold a matricule under ``MATRICULE_KEYS``?

    >>> holds_matricule({"comparison": [{"ins_number": "285037505612345"}]})
    True
    >>> holds_matricule({"ins_number": "", "birth_name": "DUPONT"})
    False
    """
    if isinstance(value, dict):
        return any(
            (key in MATRICULE_KEYS and bool(item)) or holds_matricule(item)
            for key, item in value.items()
        )
    if isinstance(value, list | tuple):
        return any(holds_matricule(item) for item in value)
    return False


def note_reads(found: Iterable[Identity], *, uow: UnitOfWork, actor: Actor, rules: Rules) -> None:
    """Audit every returned identity whose matricule, current or former, the actor sees."""
    if not actor.can(Permission.INS_READ):
        return
    now = None
    for identity in found:
        if identity.holds_matricules:
            now = now or rules.now()
            uow.note_read(identity, actor, now)
    if now is not None:
        uow.commit(actor, now)


def note_view(
    identity_id: UUID | None, view: MatriculeView, *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> None:
    """Audit a trace of ``identity_id`` shown to ``actor`` (inside ``with uow``)."""
    note_views([identity_id], view, uow=uow, actor=actor, rules=rules)


def note_views(
    identity_ids: Iterable[UUID | None],
    view: MatriculeView,
    *,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
) -> None:
    """One row per identity shown by ``view``, in one commit (inside ``with uow``)."""
    now, action = rules.now(), AuditAction.IDENTITY_READ
    for identity_id in dict.fromkeys(identity_ids):
        details = {"view": view.value}
        uow.add_audit(AuditEntry(actor.username, now, action, identity_id, details=details))
    uow.commit(actor, now)
