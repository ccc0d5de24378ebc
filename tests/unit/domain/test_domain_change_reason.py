"""The reason of a change of traits (issue 16 §4): required when the change needs a
confirmation, trimmed, bounded, traced on the traits-changed audit row."""

from __future__ import annotations

import doctest

import pytest

from fakes import NOW, make_identity, make_traits
from identito.domain import change_reason as change_reason_module
from identito.domain.change_reason import (
    REASON_MAX_LENGTH,
    change_reason,
    is_downgrade,
    needs_confirmation,
)
from identito.domain.errors import InvalidInput
from identito.domain.events import AuditAction
from identito.domain.status import IdentityStatus
from identito.domain.trait_set import RECEIVED_ENTRY

PROV, RECUP, VALI, QUAL = (
    IdentityStatus.PROVISIONAL,
    IdentityStatus.RETRIEVED,
    IdentityStatus.VALIDATED,
    IdentityStatus.QUALIFIED,
)


def _rule(error: InvalidInput) -> tuple[str, str]:
    [found] = error.errors
    return found.field, found.rule


@pytest.mark.parametrize("blank", [None, "", "   ", "\n\t "])
def test_a_change_that_needs_confirmation_is_refused_without_a_reason(blank: str | None) -> None:
    with pytest.raises(InvalidInput) as refused:
        change_reason(blank, needs_confirmation=True)
    assert _rule(refused.value) == ("reason", "reason_required")
    assert "motif" in refused.value.errors[0].message


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_a_change_that_needs_no_confirmation_may_have_no_reason(blank: str | None) -> None:
    assert change_reason(blank, needs_confirmation=False) is None


def test_the_reason_is_trimmed_and_its_inner_spaces_collapsed() -> None:
    given = "  Erreur de saisie :\n  nom   inversé  "
    assert change_reason(given, needs_confirmation=True) == "Erreur de saisie : nom inversé"


def test_a_reason_of_the_maximum_length_is_kept_and_one_character_more_is_refused() -> None:
    longest = "x" * REASON_MAX_LENGTH
    assert change_reason(f"  {longest}  ", needs_confirmation=True) == longest
    with pytest.raises(InvalidInput) as refused:
        change_reason(longest + "y", needs_confirmation=False)
    assert _rule(refused.value) == ("reason", "reason_too_long")


@pytest.mark.parametrize(
    ("before", "after", "lower"),
    [
        (QUAL, VALI, True), (QUAL, RECUP, True), (QUAL, PROV, True), (RECUP, PROV, True),
        (VALI, PROV, True), (PROV, PROV, False), (VALI, RECUP, False), (RECUP, QUAL, False),
        (QUAL, QUAL, False),
    ],
)  # fmt: skip
def test_a_downgrade_is_a_change_to_a_status_with_less_proof(
    before: IdentityStatus, after: IdentityStatus, lower: bool
) -> None:
    assert is_downgrade(before, after) is lower


def test_losing_the_matricule_or_the_document_check_needs_confirmation_at_the_same_status() -> None:
    quiet = {"ins_invalidated": False, "validation_removed": False}
    assert not needs_confirmation(VALI, VALI, **quiet)
    assert needs_confirmation(VALI, VALI, ins_invalidated=False, validation_removed=True)
    assert needs_confirmation(PROV, PROV, ins_invalidated=True, validation_removed=False)
    assert needs_confirmation(QUAL, PROV, **quiet)


def test_the_reason_is_traced_on_the_traits_changed_row() -> None:
    identity = make_identity(QUAL)
    traits = make_traits(entry=RECEIVED_ENTRY, birth_name="DUPOND")
    identity.change_traits(*traits, may_change_protected=True, now=NOW, reason="Nom mal saisi")
    [changed] = [e for e in identity.events if e.action is AuditAction.TRAITS_CHANGED]
    assert changed.reason == "Nom mal saisi"
    assert changed.details == {"fields": ["birth_name"], "reason": "Nom mal saisi"}
    assert identity.status is PROV  # the downgrade itself is unchanged


def test_a_change_without_a_reason_traces_none() -> None:
    identity = make_identity(PROV)
    identity.change_traits(*make_traits(used_name="MARTIN"), may_change_protected=False, now=NOW)
    [changed] = identity.events
    assert changed.reason is None and "reason" not in changed.details


def test_the_examples_of_the_module_hold() -> None:
    assert doctest.testmod(change_reason_module).attempted > 0
    assert doctest.testmod(change_reason_module).failed == 0
