"""One vocabulary: each closed set of values is one enum whose members carry their
French label next to it, and no module spells an audit action outside ``AuditAction``."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from enum import StrEnum
from pathlib import Path

import pytest

import identito
import identito.entrypoints.api
from identito.domain.duplicate_reviews import Decision as ReviewDecision
from identito.domain.duplicate_reviews import ReviewStatus, Source
from identito.domain.duplicates import Agreement, Trait
from identito.domain.events import AuditAction
from identito.domain.identifiers import InsKind
from identito.domain.insi import CollectionMethod, InsiOutcome
from identito.domain.permissions import Role
from identito.domain.status import CollisionLevel, IdentityAttribute, IdentityStatus
from identito.domain.traits import Sex
from identito.entrypoints.web.rendering import label
from identito.services.import_records import ImportState
from identito.services.insi_indicators import NonQualification
from identito.services.insi_records import Decision as InsiDecision
from identito.services.insi_records import ItemState
from identito.services.teleservice import CallMode
from identito.services.verification_records import (
    EntryDecision,
    EntryKind,
    VerificationResult,
)

SRC = Path(identito.__file__).parent
#: The vocabularies a user reads: each must carry a French label per member.
SHOWN = (
    AuditAction, InsiOutcome, InsiDecision, ReviewDecision, CollectionMethod, ReviewStatus,
    Source, IdentityStatus, IdentityAttribute, CollisionLevel, Sex, InsKind, Role, CallMode,
    ItemState, EntryKind, EntryDecision, VerificationResult, Agreement, Trait, ImportState,
    NonQualification,
)  # fmt: skip
#: Where an audit action's value may be written out: the enum, and the migrations (history).
ALLOWED = {SRC / "domain" / "events.py"}
MIGRATIONS = SRC / "migrations" / "versions"


def _modules() -> list[str]:
    prefix = identito.__name__ + "."
    names = [m.name for m in pkgutil.walk_packages(identito.__path__, prefix)]
    return [n for n in names if ".migrations" not in n]


def _labelled_vocabularies() -> list[type[StrEnum]]:
    return [v for v in _all_enums() if isinstance(vars(v).get("label"), property)]


@pytest.mark.parametrize("vocabulary", SHOWN, ids=lambda v: v.__name__)
def test_every_vocabulary_a_user_reads_labels_every_member_in_french(vocabulary) -> None:
    assert isinstance(vars(vocabulary).get("label"), property)
    missing = [m for m in vocabulary if not isinstance(m.label, str) or not m.label.strip()]
    assert missing == []


def test_every_labelled_enum_of_the_code_labels_every_member() -> None:
    vocabularies = _labelled_vocabularies()
    assert set(SHOWN) <= set(vocabularies)
    unlabelled = [
        f"{v.__name__}.{member.name}"
        for v in vocabularies
        for member in v
        if not isinstance(member.label, str) or not member.label.strip()
    ]
    assert unlabelled == []


def test_audit_actions_have_distinct_labels_so_a_filter_can_name_them() -> None:
    labels = [action.label for action in AuditAction]
    assert len(set(labels)) == len(labels)


def test_the_insi_outcome_is_one_enum_for_searches_verifications_and_errors() -> None:
    codes = {"00", "01", "02", "error", "OK", "KO"}
    assert {o.value for o in InsiOutcome} == codes
    others = [v for v in _all_enums() if v is not InsiOutcome and {"00", "01"} <= _values(v)]
    assert others == []


def _all_enums() -> list[type[StrEnum]]:
    found = set()
    for name in _modules():
        for value in vars(importlib.import_module(name)).values():
            if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum:
                found.add(value)
    return list(found)


def _values(vocabulary: type[StrEnum]) -> set[str]:
    return {member.value for member in vocabulary}


def _python_sources() -> list[Path]:
    files = sorted(SRC.rglob("*.py"))
    return [f for f in files if f not in ALLOWED and MIGRATIONS not in f.parents]


def test_no_module_spells_an_audit_action_as_a_string() -> None:
    actions = _values(AuditAction)
    spelled = []
    for path in _python_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in actions:
                spelled.append(f"{path.relative_to(SRC)}:{node.lineno}: {node.value}")
    assert spelled == []


def test_no_template_spells_an_audit_action_as_a_string() -> None:
    quoted = re.compile(r"""["']([a-z_]+\.[a-z_]+)["']""")
    actions = _values(AuditAction)
    spelled = []
    for path in sorted((SRC / "entrypoints" / "web" / "templates").glob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            spelled += [f"{path.name}:{number}" for v in quoted.findall(line) if v in actions]
    assert spelled == []


def test_the_scan_would_find_an_action_spelled_as_a_string() -> None:
    tree = ast.parse('ACTION = "insi.called"\n')
    constants = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    assert set(constants) & _values(AuditAction) == {"insi.called"}


def test_the_label_filter_names_a_member_and_reads_a_stored_value() -> None:
    assert label(AuditAction.COLLISION_DECLARED) == "Déclaration de collision"
    assert label("card", CallMode) == "Carte Vitale"
    assert label("00", InsiOutcome) == "00 — identité trouvée"
    assert label("inconnu", CallMode) == "inconnu"
    assert label(None) == ""


def test_stored_audit_action_values_are_unchanged() -> None:
    assert AuditAction.COLLISION_DECLARED == "identity.collision_declared"
    assert AuditAction.DUPLICATE_DECIDED == "duplicate.decided"
    assert AuditAction.INSI_CALLED == "insi.called"
    assert AuditAction.SETTINGS_CHANGED == "settings.changed"
    assert AuditAction.INTERFACE_ACCOUNT_DECLARED == "interface_account.declared"
    assert AuditAction.MESSAGE_RECEIVED == "reception.message"
