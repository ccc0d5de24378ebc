"""Potential duplicates: one synthetic pair per error pattern, ordering, the use case."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

import pytest

from fakes import INS_A, INS_B, NOW, FakeUnitOfWork, actor_with_role, in_collision, make_identity
from identito.domain.duplicate_model import DEFAULT, TermFrequencies
from identito.domain.duplicates import COMMON_VALUE_NOTE, HOMONYM_NOTE, Agreement, Trait
from identito.domain.errors import InvalidInput, NotFound, PermissionDenied
from identito.domain.events import AuditAction
from identito.domain.identity import Identity
from identito.domain.permissions import Role
from identito.domain.status import IdentityStatus
from identito.services.auth import SYSTEM
from identito.services.duplicates import check_duplicates, find_duplicates, score
from identito.services.rules import Rules

CARE = actor_with_role(Role.CARE)
#: The reference person of every pair: DUPONT Jean Christophe Pierre, M, 12/03/1980, 2B020.
LOCAL = make_identity()


def _agreement(other: Identity, trait: Trait) -> Agreement:
    return next(t.agreement for t in score(LOCAL, other).explanation if t.trait is trait)


#: (pattern, changes to the reference person, trait, expected agreement)
PATTERNS: list[tuple[str, dict[str, Any], Trait, Agreement]] = [
    ("typing error in the name", {"birth_name": "DUPINT"}, Trait.NAME, Agreement.CLOSE),
    ("same sound, another spelling", {"birth_name": "DUPOND"}, Trait.NAME, Agreement.PHONETIC),
    ("typo in the first letters keeping the sound", {"birth_name": "DUPPONT"},
     Trait.NAME, Agreement.PHONETIC),
    ("typing error in the first name", {"first_birth_first_name": "JAEN",
     "birth_first_names": ["JAEN"]}, Trait.FIRST_NAMES, Agreement.CLOSE),
    ("first names swapped", {"first_birth_first_name": "CHRISTOPHE",
     "birth_first_names": ["CHRISTOPHE", "JEAN"]}, Trait.FIRST_NAMES, Agreement.CLOSE),
    ("first first name missing", {"first_birth_first_name": "PIERRE",
     "birth_first_names": ["PIERRE"]}, Trait.FIRST_NAMES, Agreement.CLOSE),
    ("later first names missing: close, as the side-by-side table shows them differ",
     {"birth_first_names": ["JEAN"]}, Trait.FIRST_NAMES, Agreement.CLOSE),
    ("used name entered as birth name", {"birth_name": "MARTIN", "used_name": "DUPONT"},
     Trait.NAME, Agreement.CLOSE),
    ("hyphen variant", {"birth_name": "DU-PONT"}, Trait.NAME, Agreement.EXACT),
    ("apostrophe variant", {"birth_name": "DU'PONT"}, Trait.NAME, Agreement.EXACT),
    ("space variant", {"birth_name": "DU PONT"}, Trait.NAME, Agreement.EXACT),
    ("day and month swapped", {"birth_date": "1980-12-03"}, Trait.BIRTH_DATE, Agreement.CLOSE),
    ("neighbouring birth place", {"birth_place_code": "2B033"},
     Trait.BIRTH_PLACE, Agreement.CLOSE),
    ("unknown birth place", {"birth_place_code": "99999"}, Trait.BIRTH_PLACE, Agreement.MISSING),
]  # fmt: skip


@pytest.mark.parametrize(("pattern", "changes", "trait", "expected"), PATTERNS)
def test_each_error_pattern_gets_its_agreement_and_stays_a_likely_duplicate(
    pattern: str, changes: dict[str, Any], trait: Trait, expected: Agreement
) -> None:
    other = make_identity(**changes)
    pair = score(LOCAL, other)
    assert _agreement(other, trait) is expected, pattern
    assert 0.9 < pair.score < 1.0, pattern


def test_birth_name_entered_as_used_name_matches_the_other_way_round_too() -> None:
    married = make_identity(birth_name="MARTIN", used_name="DUPONT", sex="F")
    entered = make_identity(birth_name="DUPONT", sex="F")
    line = next(t for t in score(entered, married).explanation if t.trait is Trait.NAME)
    assert line.agreement is Agreement.CLOSE
    assert (line.local, line.other) == ("DUPONT", "MARTIN / DUPONT")


def test_homonyms_score_lower_and_the_explanation_says_so() -> None:
    homonym = make_identity(birth_place_code="75056")
    pair = score(LOCAL, homonym)
    place = next(t for t in pair.explanation if t.trait is Trait.BIRTH_PLACE)
    assert (place.agreement, place.note) == (Agreement.DIFFERENT, HOMONYM_NOTE)
    typo = score(LOCAL, make_identity(birth_name="DUPOND"))
    assert pair.score < typo.score


def test_a_different_person_born_the_same_day_scores_near_0() -> None:
    other = make_identity(
        birth_name="LEFEBVRE", first_birth_first_name="LUC", birth_first_names=["LUC"]
    )
    assert score(LOCAL, other).score < 0.01


def test_the_explanation_lists_every_trait_with_both_sides_and_a_weight() -> None:
    other = make_identity(birth_date="1980-12-03")
    lines = score(LOCAL, other).explanation
    assert [t.trait for t in lines] == list(Trait)
    date_line = lines[2]
    assert (date_line.local, date_line.other) == ("1980-03-12", "1980-12-03")
    assert date_line.weight > 0


# -- the use case -----------------------------------------------------------------------------


def _store(uow: FakeUnitOfWork, *identities: Identity) -> None:
    with uow:
        for identity in identities:
            uow.identities.add(identity)
        uow.commit(SYSTEM, NOW)
    uow.audit.entries.clear()


def _found(uow: FakeUnitOfWork, rules: Rules, identity_id: UUID, **kwargs: Any) -> list[UUID]:
    found = find_duplicates(identity_id, uow=uow, actor=CARE, rules=rules, **kwargs)
    return [d.identity.id for d in found]


def test_duplicates_come_best_first_without_the_identity_itself(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    local = make_identity()
    same, typo, homonym = (
        make_identity(),
        make_identity(birth_name="DUPOND"),
        make_identity(birth_place_code="75056"),
    )
    unrelated = make_identity(
        birth_name="LEFEBVRE", first_birth_first_name="LUC", birth_first_names=["LUC"]
    )
    _store(uow, local, homonym, typo, same, unrelated)
    found = find_duplicates(local.id, uow=uow, actor=CARE, rules=rules)
    assert [d.identity.id for d in found] == [same.id, typo.id, homonym.id]
    assert [d.score for d in found] == sorted((d.score for d in found), reverse=True)


def test_the_threshold_and_the_limit_cut_the_list(uow: FakeUnitOfWork, rules: Rules) -> None:
    local, same, homonym = make_identity(), make_identity(), make_identity(birth_place_code="75056")
    _store(uow, local, same, homonym)
    assert _found(uow, rules, local.id, threshold=0.9) == [same.id]
    assert _found(uow, rules, local.id, limit=1) == [same.id]


def test_candidates_come_from_blocking_on_swapped_dates_and_name_prefixes(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    local = make_identity()
    swapped = make_identity(birth_date="1980-12-03")
    same_year = make_identity(birth_date="1980-07-21", birth_place_code="2B033")
    other_year = make_identity(birth_date="1981-03-12")
    _store(uow, local, swapped, same_year, other_year)
    with uow:
        blocked = {i.id for i in uow.identities.candidates(local, limit=200)}
    assert blocked == {swapped.id, same_year.id}
    assert swapped.id in _found(uow, rules, local.id)


def test_the_same_active_ins_is_found_and_blocking_even_below_the_threshold(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    local = in_collision(make_identity(IdentityStatus.RETRIEVED, ins=INS_A))  # left by 0011
    twin = in_collision(
        make_identity(
            IdentityStatus.RETRIEVED, ins=INS_A, birth_name="LEFEBVRE", birth_date="1990-01-01"
        )
    )
    other = make_identity(IdentityStatus.RETRIEVED, ins=INS_B)
    _store(uow, local, twin, other)
    found = find_duplicates(local.id, uow=uow, actor=CARE, rules=rules, threshold=0.99999)
    assert [(d.identity.id, d.score, d.blocking) for d in found] == [(twin.id, 1.0, True)]


def test_returned_identities_with_an_ins_are_audited_as_reads(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    local = make_identity(IdentityStatus.RETRIEVED, ins=INS_A)
    twin = make_identity(IdentityStatus.RETRIEVED, ins=INS_B)
    _store(uow, local, twin)
    find_duplicates(local.id, uow=uow, actor=CARE, rules=rules)
    assert uow.audit.actions(twin.id) == [AuditAction.IDENTITY_READ.value]


def test_finding_duplicates_needs_the_search_permission(uow: FakeUnitOfWork, rules: Rules) -> None:
    local = make_identity()
    _store(uow, local)
    with pytest.raises(PermissionDenied):
        find_duplicates(local.id, uow=uow, actor=actor_with_role(Role.STATISTICS), rules=rules)


def test_an_unknown_identity_has_no_duplicates_but_a_not_found(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    with pytest.raises(NotFound):
        find_duplicates(make_identity().id, uow=uow, actor=CARE, rules=rules)


def test_the_check_at_creation_scores_traits_not_saved_yet(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    stored = make_identity(birth_name="DUPOND")
    _store(
        uow,
        stored,
        make_identity(
            birth_name="LEFEBVRE", first_birth_first_name="LUC", birth_first_names=["LUC"]
        ),
    )
    draft = {
        "birth_name": "DUPONT",
        "birth_first_names": ["JEAN", "CHRISTOPHE", "PIERRE"],
        "first_birth_first_name": "JEAN",
        "birth_date": "1980-03-12",
        "sex": "M",
        "birth_place_code": "2B020",
    }
    commits = uow.commits
    found = check_duplicates(draft, uow=uow, actor=CARE, rules=rules)
    assert [d.identity.id for d in found] == [stored.id]
    assert found[0].score > 0.9
    assert len(uow.identities.committed) == 2  # nothing stored
    assert uow.commits == commits


def test_the_check_at_creation_refuses_bad_traits_like_the_creation(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    with pytest.raises(InvalidInput) as error:
        check_duplicates({"birth_name": "DUPONT"}, uow=uow, actor=CARE, rules=rules)
    assert "birth_date" in {e.field for e in error.value.errors}


DRAFT = {
    "birth_name": "SCHMIDT",
    "birth_first_names": ["JEAN"],
    "first_birth_first_name": "JEAN",
    "birth_date": "1980-03-12",
    "sex": "M",
    "birth_place_code": "2B020",
}


def test_the_check_at_creation_blocks_a_typo_in_the_first_letters_born_another_day(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    typo = make_identity(birth_name="CHMIDT", birth_date="1980-07-30")
    _store(uow, typo, make_identity(birth_name="LEFEBVRE", birth_date="1980-07-30"))
    found = check_duplicates(DRAFT, uow=uow, actor=CARE, rules=rules, threshold=0.0)
    assert typo.id in [d.identity.id for d in found]
    name = next(t for t in found[0].explanation if t.trait is Trait.NAME)
    assert name.agreement is Agreement.PHONETIC


def test_the_check_at_creation_uses_the_estimated_model_and_name_frequencies(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    common = make_identity(birth_name="MARTIN", birth_place_code="75056")
    rare = make_identity(birth_name="SCHMIDT", birth_place_code="75056")
    _store(uow, common, rare)
    frequencies = TermFrequencies(
        {Trait.NAME: {"MARTIN": 0.01}}, {Trait.NAME: 0.001}, {Trait.NAME: 0.00001}
    )
    uow.duplicate_model.save(replace(DEFAULT, estimated=True), frequencies)

    def name_line(draft: dict[str, Any]) -> Any:
        found = check_duplicates(draft, uow=uow, actor=CARE, rules=rules, threshold=0.0)
        return next(t for t in found[0].explanation if t.trait is Trait.NAME)

    martin, schmidt = name_line({**DRAFT, "birth_name": "MARTIN"}), name_line(DRAFT)
    assert martin.weight < DEFAULT.weight(Trait.NAME, Agreement.EXACT) < schmidt.weight
    assert martin.note == COMMON_VALUE_NOTE
