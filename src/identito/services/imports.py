"""Bulk import of identities: every row checked by the domain rules.

Good rows are created in batches (one transaction each, audit rows included);
bad rows are reported with their line number and reason, never half-imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from identito.domain.errors import FieldError, InvalidInput
from identito.domain.identity import Identity
from identito.domain.permissions import Actor, Permission
from identito.domain.trait_set import parse_traits
from identito.services.rules import Rules
from identito.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class RejectedRow:
    line: int
    errors: tuple[FieldError, ...]


@dataclass
class ImportReport:
    imported: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)

    @property
    def read(self) -> int:
        return self.imported + len(self.rejected)


def import_identities(
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    *,
    uow_factory: Callable[[], UnitOfWork],
    actor: Actor,
    rules: Rules,
    batch_size: int = 2000,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import ``(line number, raw traits)`` rows; return what was imported and rejected.

    ``on_progress`` receives the number of rows handled since its previous call.
    """
    actor.require(Permission.IDENTITY_IMPORT)
    report = ImportReport()
    batch: list[Identity] = []
    handled = 0
    today = rules.now().date()
    for line, row in rows:
        handled += 1
        try:
            traits, warnings = parse_traits(row, today=today, places=rules.places)
        except InvalidInput as error:
            report.rejected.append(RejectedRow(line, error.errors))
        else:
            batch.append(Identity.create(traits, warnings, now=rules.now()))
        if handled >= batch_size:
            _save(batch, uow_factory, actor, rules, report)
            batch = []
            if on_progress:
                on_progress(handled)
            handled = 0
    _save(batch, uow_factory, actor, rules, report)
    if on_progress and handled:
        on_progress(handled)
    return report


def _save(
    batch: list[Identity],
    uow_factory: Callable[[], UnitOfWork],
    actor: Actor,
    rules: Rules,
    report: ImportReport,
) -> None:
    if not batch:
        return
    with uow_factory() as uow:
        for identity in batch:
            uow.identities.add(identity)
        uow.commit(actor, rules.now())
    report.imported += len(batch)
