"""Potential duplicates of one identity: blocking candidates, scored and explained.

Candidates come from the repository's blocking query (``candidates``), never
from all pairs; each is scored by the domain's Fellegi–Sunter model with the
Jaro-Winkler similarity of rapidfuzz on search keys, the parameters estimated on
the base when there are some (``identito duplicates estimate``), else the
documented defaults, and the term frequencies of the identity's names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple
from uuid import UUID

from rapidfuzz.distance import JaroWinkler

from identito.domain.duplicate_model import DEFAULT, NO_FREQUENCIES, ModelParameters, Trait
from identito.domain.duplicates import (
    MatchRecord,
    PairScore,
    TermFrequencies,
    TraitAgreement,
    record_of,
    score_pair,
    score_records,
)
from identito.domain.identity import Identity
from identito.domain.insi import CollectionMethod
from identito.domain.permissions import Actor, Permission
from identito.domain.trait_set import parse_traits
from identito.services.identities import note_reads
from identito.services.rules import Rules
from identito.services.unit_of_work import UnitOfWork

#: Most candidates scored for one identity (the blocking query's limit).
CANDIDATE_LIMIT = 200


class Duplicate(NamedTuple):
    identity: Identity
    score: float
    explanation: tuple[TraitAgreement, ...]
    blocking: bool


def jaro_winkler(left: str, right: str) -> float:
    return float(JaroWinkler.normalized_similarity(left, right))


def score(
    local: Identity,
    other: Identity,
    *,
    model: ModelParameters = DEFAULT,
    frequencies: TermFrequencies = NO_FREQUENCIES,
) -> PairScore:
    """The duplicate score of two identities, with its per-trait explanation."""
    return score_pair(local, other, similarity=jaro_winkler, model=model, frequencies=frequencies)


def model_for(record: MatchRecord, *, uow: UnitOfWork) -> tuple[ModelParameters, TermFrequencies]:
    """The stored model (or the defaults) and the frequencies of the record's names."""
    stored = uow.duplicate_model.parameters()
    if stored is None:
        return DEFAULT, NO_FREQUENCIES
    keys = {
        Trait.NAME: record.names,
        Trait.FIRST_NAMES: [record.first_key],
        Trait.BIRTH_PLACE: [record.place],
    }
    return stored, uow.duplicate_model.term_frequencies(keys)


def find_duplicates(
    identity_id: UUID,
    *,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    limit: int = 10,
    threshold: float = 0.5,
) -> list[Duplicate]:
    """Potential duplicates of an identity scoring at least ``threshold``, best first.

    A blocking duplicate (same active matricule INS) is always returned.
    """
    actor.require(Permission.IDENTITY_SEARCH)
    with uow:
        identity = uow.identities.get(identity_id)
        kept = _scored(
            identity, uow=uow, actor=actor, rules=rules, limit=limit, threshold=threshold
        )
        if kept:  # each explanation shows the identity's own matricule beside the other's
            note_reads([identity], uow=uow, actor=actor, rules=rules)
    return kept


def check_duplicates(
    data: Mapping[str, Any],
    *,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    limit: int = 10,
    threshold: float = 0.5,
    stored: bool = False,
) -> list[Duplicate]:
    """The check at creation: potential duplicates of traits not saved yet, best first.

    ``data`` is what ``create_identity`` takes; bad traits raise ``InvalidInput``
    exactly as the creation would. Nothing is stored. ``stored``: the traits of a
    change of a stored identity, already checked by the change's own rules (only
    the changed traits meet the entry rules), so no rule of entry refuses them here.
    """
    actor.require(Permission.IDENTITY_SEARCH)
    now = rules.now()
    # the creation asks for the confirmation of a birth date over 120 years, not the check
    traits, warnings = parse_traits(
        data,
        today=now.date(),
        places=rules.places,
        old_birth_date_confirmed=True,
        changed=() if stored else None,
    )
    draft = Identity.create(traits, warnings, now=now, collection_method=CollectionMethod.MANUAL)
    with uow:
        kept = _scored(draft, uow=uow, actor=actor, rules=rules, limit=limit, threshold=threshold)
    return kept


def candidate_scores(
    identity: Identity, *, uow: UnitOfWork, threshold: float, by_id: bool = False
) -> list[tuple[Identity, PairScore]]:
    """The identity's blocking candidates scoring at least ``threshold`` (and the
    blocking ones), with the stored model; ``by_id`` scores each pair lower id first,
    as the batch scan and the review worklist store it."""
    local = record_of(identity)
    model, frequencies = model_for(local, uow=uow)
    kept = []
    for candidate in uow.identities.candidates(identity, limit=CANDIDATE_LIMIT):
        if candidate.id == identity.id:
            continue
        first, second = local, record_of(candidate)
        if by_id and candidate.id < identity.id:
            first, second = second, first
        pair = score_records(
            first, second, similarity=jaro_winkler, model=model, frequencies=frequencies
        )
        if pair.blocking or pair.score >= threshold:
            kept.append((candidate, pair))
    return kept


def _scored(
    identity: Identity, *, uow: UnitOfWork, actor: Actor, rules: Rules, limit: int, threshold: float
) -> list[Duplicate]:
    found = [
        Duplicate(candidate, pair.score, pair.explanation, pair.blocking)
        for candidate, pair in candidate_scores(identity, uow=uow, threshold=threshold)
    ]
    found.sort(key=lambda d: (-d.score, str(d.identity.id)))
    best = found[: max(1, limit)]
    note_reads([d.identity for d in best], uow=uow, actor=actor, rules=rules)
    return best
