"""R-LK-03: the modifying entity of a hospital group, its FINESS checked by shape only."""

from __future__ import annotations

import doctest

import pytest
from pydantic import ValidationError

from identito.config import Settings
from identito.domain import facility
from identito.domain.errors import InvalidInput
from identito.domain.facility import ModifyingEntity


def test_the_facility_module_examples_hold() -> None:
    result = doctest.testmod(facility)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    ("given", "kept"),
    [("350000121", "350000121"), (" 35 000 012 1", "350000121"), ("2a0000017", "2A0000017")],
)
def test_a_finess_of_nine_characters_is_kept_compact(given: str, kept: str) -> None:
    assert facility.validate(given) == kept


@pytest.mark.parametrize(
    "given", ["", "35000012", "3500001210", "3500001X1", "2C0000017", "AB0000017"]
)
def test_a_finess_of_another_shape_is_refused_in_french(given: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        facility.validate(given)
    assert raised.value.errors[0].rule == "finess"
    assert "FINESS" in raised.value.message


def test_the_modifying_entity_label_names_what_is_known() -> None:
    assert ModifyingEntity("CHU-X", "350000121").label == "CHU-X (FINESS 350000121)"
    assert ModifyingEntity("CHU-X").label == "CHU-X"
    assert ModifyingEntity(None, "350000121").label == "FINESS 350000121"
    assert ModifyingEntity.of(" ", "") is None
    assert ModifyingEntity.of(" CHU-X ", None) == ModifyingEntity("CHU-X", None)


def test_the_setting_takes_a_finess_compact_and_refuses_another_shape() -> None:
    assert Settings(database_url="sqlite://", facility_finess="35 0000 121").facility_finess == (
        "350000121"
    )
    assert Settings(database_url="sqlite://").facility_finess == ""
    with pytest.raises(ValidationError, match="FINESS"):
        Settings(database_url="sqlite://", facility_finess="12345")
