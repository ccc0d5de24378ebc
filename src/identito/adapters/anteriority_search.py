"""Prebuilt SQL of the anteriority search (issue 16) on ``identity_search_keys``.

A query's statement depends only on its **shape** (how many typed name and first-name
keys, whether they have sounds, a date list or a range, a sex): one SQLAlchemy Core
statement per shape is built once, with bound parameters (``expanding`` for the date
and sound lists), so that a search only binds values; SQLAlchemy's compiled cache
then serves every search of that shape.

Each typed key is a range ``lo <= value < hi`` (the start of a stored key, served by
any B-tree index whatever the collation, the keys being A-Z only), each sound an
equality; the dates an ``IN`` list (typed date, swapped, one day off) or a range.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, select, union

from identito.adapters.orm import identities, identity_search_keys
from identito.domain.anteriority import KEY_LENGTH, AnteriorityQuery, KeyKind

#: Most identities an anteriority search loads before ranking.
ANTERIORITY_CANDIDATES = 500
#: Above every stored key (A-Z, at most ``KEY_LENGTH`` letters): the end of a range
#: whose prefix is all ``Z``.
_AFTER_ALL = "Z" * (KEY_LENGTH + 1)


@dataclass(frozen=True)
class _Shape:
    names: int  # typed name keys (0, 1 or 2)
    name_sounds: bool
    firsts: int
    first_sounds: bool
    dated: bool  # a list of dates (else a range)
    sex: bool


def anteriority_statement(query: AnteriorityQuery) -> tuple[Select[Any], dict[str, Any]]:
    """The prebuilt statement of the query's shape and the values to bind."""
    params: dict[str, Any] = {}
    dates = query.dates()
    if dates:
        params["dates"] = list(dates)
    else:
        params["born_from"], params["born_to"] = query.date_range()
    counts = []
    for tag, keys in (("n", query.name_keys), ("f", query.first_name_keys)):
        ordered = sorted(keys)
        for i, key in enumerate(ordered):
            params[f"{tag}{i}_lo"], params[f"{tag}{i}_hi"] = key, _after(key)
        sounds = sorted(query.sounds(ordered))
        if sounds:
            params[f"{tag}_sounds"] = sounds
        counts.append((len(ordered), bool(sounds)))
    if query.sex is not None:
        params["sex"] = query.sex.value
    (names, name_sounds), (firsts, first_sounds) = counts
    shape = _Shape(names, name_sounds, firsts, first_sounds, bool(dates), query.sex is not None)
    return _statement(shape), params


def _after(prefix: str) -> str:
    """The first A-Z string after every string starting with ``prefix``.

    >>> _after("MART"), _after("AZZ"), _after("ZZ") == _AFTER_ALL
    ('MARU', 'B', True)
    """
    stem = prefix.rstrip("Z")
    return stem[:-1] + chr(ord(stem[-1]) + 1) if stem else _AFTER_ALL


@lru_cache(maxsize=256)
def _statement(shape: _Shape) -> Select[Any]:
    parts = [
        _key_ids(shape, tag, count, sounds, plain, sounding)
        for tag, count, sounds, plain, sounding in (
            ("n", shape.names, shape.name_sounds, KeyKind.NAME, KeyKind.NAME_SOUND),
            ("f", shape.firsts, shape.first_sounds, KeyKind.FIRST_NAME, KeyKind.FIRST_NAME_SOUND),
        )
        if count
    ]
    if not parts:
        parts = [select(identities.c.id).where(_dated(shape, identities.c.birth_date))]
    statement = select(identities).where(*(identities.c.id.in_(ids) for ids in parts))
    if shape.sex:
        statement = statement.where(identities.c.sex == bindparam("sex"))
    return statement.limit(ANTERIORITY_CANDIDATES)


def _dated(shape: _Shape, column: Any) -> Any:
    if shape.dated:
        return column.in_(bindparam("dates", expanding=True))
    return column.between(bindparam("born_from"), bindparam("born_to"))


def _key_ids(
    shape: _Shape, tag: str, count: int, sounds: bool, plain: KeyKind, sounding: KeyKind
) -> Any:
    k = identity_search_keys.c
    selects = [
        select(k.identity_id).where(
            k.kind == plain.value,
            k.value >= bindparam(f"{tag}{i}_lo"),
            k.value < bindparam(f"{tag}{i}_hi"),
            _dated(shape, k.birth_date),
        )
        for i in range(count)
    ]
    if sounds:
        selects.append(
            select(k.identity_id).where(
                k.kind == sounding.value,
                k.value.in_(bindparam(f"{tag}_sounds", expanding=True)),
                _dated(shape, k.birth_date),
            )
        )
    return union(*selects) if len(selects) > 1 else selects[0]
