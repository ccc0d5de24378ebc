"""Organisation preferences: defaults, checked changes, audit, permission."""

from __future__ import annotations

import pytest

from fakes import FakeUnitOfWork, actor_with_role, fake_rules
from identito.domain.errors import InvalidInput, PermissionDenied
from identito.domain.events import AuditAction
from identito.domain.permissions import Role
from identito.services.preferences import (
    get_preferences,
    update_preferences,
)

ADMIN = actor_with_role(Role.ADMIN)


def test_defaults_allow_insi_for_provisional_identities_and_integrate_only_identical_traits() -> (
    None
):
    prefs = get_preferences(uow=FakeUnitOfWork(), actor=ADMIN, rules=fake_rules())
    assert prefs.allow_insi_for_provisional is True
    assert prefs.similarity_threshold == 1.0
    assert {"CN", "PA", "CS", "IE"} <= {c for c, d in prefs.document_types.items() if d.high_trust}


def test_an_administrator_changes_preferences_and_the_change_is_audited() -> None:
    uow, rules = FakeUnitOfWork(), fake_rules()
    changes = {"allow_insi_for_provisional": False, "similarity_threshold": 0.9}
    prefs = update_preferences(changes, uow=uow, actor=ADMIN, rules=rules)
    assert (prefs.allow_insi_for_provisional, prefs.similarity_threshold) == (False, 0.9)
    assert get_preferences(uow=uow, actor=ADMIN, rules=rules) == prefs
    entry = uow.audit.entries[-1]
    assert entry.action == AuditAction.SETTINGS_CHANGED
    assert entry.before["similarity_threshold"] == 1.0
    assert entry.after["similarity_threshold"] == 0.9


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"similarity_threshold": 1.5}, "similarity_threshold", "threshold_range"),
        ({"similarity_threshold": "abc"}, "similarity_threshold", "threshold_range"),
        ({"colour": "blue"}, "colour", "unknown_setting"),
        (
            {"expired_document_tolerance_days": -1},
            "expired_document_tolerance_days",
            "tolerance_range",
        ),
        (
            {"expired_document_tolerance_days": "x"},
            "expired_document_tolerance_days",
            "tolerance_range",
        ),
        (
            {"document_types": [{"code": "PC", "label": "Permis", "high_trust": False}]},
            "document_types",
            "no_high_trust",
        ),
        (
            {"document_types": [{"code": "", "label": "", "high_trust": True}]},
            "document_types[0]",
            "required",
        ),
    ],
)
def test_invalid_preferences_are_refused_naming_the_field(
    changes: dict[str, object], field: str, rule: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        update_preferences(changes, uow=FakeUnitOfWork(), actor=ADMIN, rules=fake_rules())
    assert (field, rule) in {(e.field, e.rule) for e in error.value.errors}


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_an_administrator_reads_or_changes_preferences(role: Role) -> None:
    actor = actor_with_role(role)
    with pytest.raises(PermissionDenied):
        get_preferences(uow=FakeUnitOfWork(), actor=actor, rules=fake_rules())
    with pytest.raises(PermissionDenied):
        update_preferences(
            {"similarity_threshold": 0.5}, uow=FakeUnitOfWork(), actor=actor, rules=fake_rules()
        )


def test_no_tolerance_for_expired_documents_by_default_and_an_audited_change_sets_one() -> None:
    uow, rules = FakeUnitOfWork(), fake_rules()
    assert get_preferences(uow=uow, actor=ADMIN, rules=rules).expired_document_tolerance_days == 0
    changes = {"expired_document_tolerance_days": "365"}
    prefs = update_preferences(changes, uow=uow, actor=ADMIN, rules=rules)
    assert prefs.expired_document_tolerance_days == 365
    entry = uow.audit.entries[-1]
    assert entry.action == AuditAction.SETTINGS_CHANGED
    assert (
        entry.before["expired_document_tolerance_days"],
        entry.after["expired_document_tolerance_days"],
    ) == (0, 365)
