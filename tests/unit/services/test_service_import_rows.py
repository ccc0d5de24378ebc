"""Bulk import: a row its reader could not read is a reject line, never parsed."""

from __future__ import annotations

import pickle

from fakes import FakeUnitOfWork, actor_with_role, fake_rules, identity_input
from identito.domain.errors import FieldError
from identito.domain.permissions import Role
from identito.services.imports import UnreadableRow, import_identities

TOO_LONG = FieldError("ligne", "field_too_long", "Ligne illisible : un champ trop long.")


def test_an_unreadable_row_is_rejected_with_its_line_and_the_others_are_imported():
    uow = FakeUnitOfWork()
    rows = [(2, identity_input()), (3, UnreadableRow(TOO_LONG)), (4, identity_input())]
    report = import_identities(
        rows, uow_factory=lambda: uow, actor=actor_with_role(Role.ADMIN), rules=fake_rules()
    )
    assert report.imported == 2
    assert [(r.line, r.errors) for r in report.rejected] == [(3, (TOO_LONG,))]


def test_an_unreadable_row_crosses_to_a_worker_process_with_its_error():
    copy = pickle.loads(pickle.dumps(UnreadableRow(TOO_LONG)))
    assert isinstance(copy, UnreadableRow) and copy.error == TOO_LONG
