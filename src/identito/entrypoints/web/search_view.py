"""The anteriority search of the search page (issue 16): typed fields in, ranked rows out.

Rows carry the identity, how close it answers (``domain.anteriority.Closeness``: the
matching traits are highlighted) and, when it was found by the old traits of an
identity merged into it, that merged identity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from identito.bootstrap import Container
from identito.domain.anteriority import Closeness
from identito.domain.identity import Identity
from identito.domain.permissions import Actor
from identito.entrypoints.web.forms import iso_date
from identito.services.anteriority import anteriority_query, find_anteriority

#: The fields of the search by traits; the last three serve when the date is unknown.
TRAIT_SEARCH_FIELDS = (
    "birth_date", "name", "first_name", "sex", "birth_year", "born_from", "born_to",
)  # fmt: skip


@dataclass(frozen=True)
class ResultRow:
    identity: Identity
    closeness: Closeness | None = None  # None: found by its matricule
    merged: Identity | None = None

    def matched(self, field: str) -> bool:
        return self.closeness is not None and field in self.closeness.matched


def search_by_traits(
    values: Mapping[str, str], *, container: Container, actor: Actor
) -> list[ResultRow]:
    """Raise ``InvalidInput`` for faulty fields (French messages, by field)."""
    query = anteriority_query(
        birth_date=iso_date(values.get("birth_date")),
        name=values.get("name") or None,
        first_name=values.get("first_name") or None,
        sex=values.get("sex") or None,
        birth_year=values.get("birth_year") or None,
        born_from=iso_date(values.get("born_from")),
        born_to=iso_date(values.get("born_to")),
    )
    found = find_anteriority(query, uow=container.uow_factory(), actor=actor, rules=container.rules)
    return [ResultRow(m.identity, m.closeness, m.merged) for m in found]


def plain_rows(found: Iterable[Identity]) -> list[ResultRow]:
    return [ResultRow(identity) for identity in found]
