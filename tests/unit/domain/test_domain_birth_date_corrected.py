"""The "date de naissance corrigée" indicator (HL7 ZFD-4, FR Core birthdate-update-indicator):
a corrected date is uncertain like an exceptional one (R-TR-11, R-TR-12)."""

from __future__ import annotations

from fakes import make_identity, make_traits
from identito.domain.diffusion import WithheldReason, diffusion_view
from identito.domain.status import IdentityStatus
from identito.domain.trait_set import WarningCode
from identito.domain.traits import BirthDate


def test_a_corrected_birth_date_is_uncertain_but_not_exceptional():
    corrected = BirthDate.parse("1980-03-12", corrected=True)
    assert corrected.uncertain and not corrected.exceptional
    assert not BirthDate.parse("1980-03-12").uncertain


def test_parse_traits_reads_the_optional_birth_date_corrected_input():
    traits, warnings = make_traits(birth_date_corrected=True)
    assert traits.birth_date.corrected
    assert WarningCode.UNCERTAIN_BIRTH_DATE in {w.code for w in warnings}
    assert not make_traits()[0].birth_date.corrected


def test_the_audit_snapshot_carries_the_corrected_indicator_only_when_set():
    traits, _ = make_traits(birth_date_corrected=True)
    assert traits.as_dict()["birth_date_corrected"] is True
    assert "birth_date_corrected" not in make_traits()[0].as_dict()


def test_a_corrected_date_is_a_change_of_the_birth_date():
    before, after = make_traits()[0], make_traits(birth_date_corrected=True)[0]
    assert before.changed_fields(after) == ("birth_date",)


def test_the_matricule_of_an_identity_with_a_corrected_date_is_never_diffused():
    identity = make_identity(IdentityStatus.QUALIFIED, birth_date_corrected=True)
    view = diffusion_view(identity, may_read_ins=True)
    assert view.ins is None and view.birth_date_uncertain
    assert view.withheld is WithheldReason.UNCERTAIN_BIRTH_DATE
