"""The order of the INSi calls by traits for one identity (R-IN-04 to R-IN-06).

A pure generator: it yields the next ``TraitsQuery`` and is sent the outcome of
that call; it stops by itself when there is nothing left worth trying. The
caller stops it on ``00`` or on an error.

1. The first call sends the first birth first name and no birth place.
2. On ``01`` (none found): each other birth first name alone, then the whole list.
3. On ``02`` (several found), from the query that found several: the whole list of
   birth first names, then the birth place added to the last query that still
   found several.

The whole list travels as one ``Prenom`` holding the names separated by spaces,
as the CNDA test cases send it. No query is ever sent twice, and the unknown
birth place ``99999`` is never sent. A sex other than M/F is refused before the
first query (``InvalidInput`` on ``sex``, R-TR-14): INSi knows only M and F.

>>> from identito.domain.traits import BirthDate, Sex
>>> from identito.domain.ins_source import check_insi_sex
from identito.domain.trait_set import Traits
>>> traits = Traits("HOUILLES", ("PIERRE", "PAUL"), "PIERRE", BirthDate.parse("1993-01-27"),
...                 Sex.MALE, "63220")
>>> [q.first_names for q in planned_queries(traits, ["01", "01", "01"])]
[('PIERRE',), ('PAUL',), ('PIERRE PAUL',)]
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from dataclasses import replace

from identito.domain.ins_source import check_insi_sex
from identito.domain.insi import InsiOutcome
from identito.domain.trait_set import Traits
from identito.domain.traits import UNKNOWN_BIRTH_PLACE
from identito.services.teleservice import TraitsQuery

Strategy = Generator[TraitsQuery, InsiOutcome, None]


def traits_queries(traits: Traits) -> Strategy:
    """Yield the queries one by one; send each the outcome of the previous call."""
    check_insi_sex(traits.sex.value)
    sent: list[TraitsQuery] = []
    first = _query(traits, (traits.first_birth_first_name,))
    sent.append(first)
    outcome = yield first
    if outcome is InsiOutcome.NOT_FOUND:
        for query in _one_by_one(traits):
            if query in sent:
                continue
            sent.append(query)
            outcome = yield query
            if outcome is not InsiOutcome.NOT_FOUND:
                break
    if outcome is InsiOutcome.SEVERAL_FOUND:
        yield from _narrow(traits, sent[-1], sent)


def _one_by_one(traits: Traits) -> Iterable[TraitsQuery]:
    for name in traits.birth_first_names:
        yield _query(traits, (name,))
    yield _query(traits, (_whole_list(traits),))


def _narrow(traits: Traits, several: TraitsQuery, sent: list[TraitsQuery]) -> Strategy:
    """From a query that found several: the whole list, then the birth place."""
    whole = _query(traits, (_whole_list(traits),))
    if whole not in sent:
        sent.append(whole)
        outcome = yield whole
        if outcome is InsiOutcome.FOUND:
            return
        if outcome is InsiOutcome.SEVERAL_FOUND:
            several = whole
    place = traits.birth_place_code
    if place and place != UNKNOWN_BIRTH_PLACE:
        located = replace(several, birth_place_code=place)
        if located not in sent:
            sent.append(located)
            yield located


def _whole_list(traits: Traits) -> str:
    names = traits.birth_first_names or (traits.first_birth_first_name,)
    return " ".join(names)


def _query(traits: Traits, first_names: tuple[str, ...]) -> TraitsQuery:
    return TraitsQuery(
        birth_name=traits.birth_name,
        first_names=first_names,
        sex=traits.sex.value,
        birth_date=traits.birth_date.raw,
    )


def planned_queries(traits: Traits, outcomes: Iterable[str]) -> list[TraitsQuery]:
    """The queries the strategy sends when the calls answer ``outcomes`` in turn.

    The strategy is stopped at the first ``00`` (as the use case does); an
    outcome is given for each query sent (a shorter list stops it there).
    """
    strategy = traits_queries(traits)
    queries = [next(strategy)]
    for code in outcomes:
        outcome = InsiOutcome(code)
        if outcome is InsiOutcome.FOUND:
            break
        try:
            queries.append(strategy.send(outcome))
        except StopIteration:
            break
    return queries
