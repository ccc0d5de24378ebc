"""The reason of a change of traits (issue 16 §4) on SQLite and PostgreSQL: stored on the
traits-changed audit row with the change, or nothing stored when it is required and
missing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from identito.domain.documents import DEFAULT_DOCUMENT_TYPES
from identito.domain.errors import InvalidInput
from identito.domain.events import AuditAction
from identito.domain.identifiers import Ins, Oid
from identito.domain.identity import Identity
from identito.domain.permissions import Actor
from identito.services.identities import update_identity
from identito.services.rules import Rules

INS = Ins.parse("180032B02040123", Oid.NIR_TEST.value, allow_test_oids=True)


def _qualified(uow_factory: Callable[[], Any], make_identity: Any, admin: Actor) -> Identity:
    identity: Identity = make_identity()
    identity.record_ins_retrieval(INS, now=identity.created_at)
    identity.validate("CN", date(2031, 5, 4), document_types=DEFAULT_DOCUMENT_TYPES,
                      actor="admin", now=identity.created_at)  # fmt: skip
    with uow_factory() as uow:
        uow.identities.add(identity)
        uow.commit(admin, identity.created_at)
    return identity


def _traits_rows(uow_factory: Callable[[], Any], identity: Identity) -> list[Any]:
    """(reason, details) of the traits-changed rows, as read back from the database."""
    with uow_factory() as uow:
        entries = uow.audit.for_identity(identity.id)
    return [(e.reason, e.details) for e in entries if e.action == AuditAction.TRAITS_CHANGED]


def test_a_confirmed_downgrade_stores_its_reason_on_the_traits_changed_row(
    uow_factory: Callable[[], Any], make_identity: Any, admin: Actor, vigilance: Actor,
    rules: Rules,
) -> None:  # fmt: skip
    identity = _qualified(uow_factory, make_identity, admin)
    changed = update_identity(
        identity.id, identity.version, {"birth_name": "DUPOND"}, uow=uow_factory(),
        actor=vigilance, rules=rules, reason="  Nom mal saisi ", require_reason=True,
    )  # fmt: skip
    assert changed.status.value == "PROV"
    [(reason, details)] = _traits_rows(uow_factory, identity)
    assert reason == "Nom mal saisi" and details["reason"] == "Nom mal saisi"


def test_a_downgrade_refused_for_want_of_a_reason_stores_nothing(
    uow_factory: Callable[[], Any], make_identity: Any, admin: Actor, vigilance: Actor,
    rules: Rules,
) -> None:  # fmt: skip
    identity = _qualified(uow_factory, make_identity, admin)
    with pytest.raises(InvalidInput):
        update_identity(
            identity.id, identity.version, {"birth_name": "DUPOND"}, uow=uow_factory(),
            actor=vigilance, rules=rules, reason=" ", require_reason=True,
        )  # fmt: skip
    assert _traits_rows(uow_factory, identity) == []
    with uow_factory() as uow:
        stored = uow.identities.get(identity.id)
        assert (stored.status.value, stored.version) == ("QUAL", identity.version)
