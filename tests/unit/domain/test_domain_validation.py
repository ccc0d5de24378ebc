"""Validation: the check of a high-trust identity document chosen explicitly."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pytest

from fakes import NOW, make_identity
from identito.domain.documents import DEFAULT_DOCUMENT_TYPES, DocumentType, Validation
from identito.domain.errors import InvalidInput, InvalidTransition
from identito.domain.identity import Identity
from identito.domain.status import IdentityAttribute, IdentityStatus

EXPIRY = date(2031, 6, 30)


def validate(
    identity: Identity,
    code: str | None,
    expiry: date | None = EXPIRY,
    types: Mapping[str, DocumentType] = DEFAULT_DOCUMENT_TYPES,
) -> None:
    identity.validate(code, expiry, document_types=types, actor="agent-1", now=NOW)


def refused_rule(identity: Identity, code: str | None, **kwargs: object) -> str:
    before = identity.snapshot()
    with pytest.raises(InvalidInput) as error:
        validate(identity, code, **kwargs)  # type: ignore[arg-type]
    assert identity.snapshot() == before
    assert identity.events == []
    (only,) = error.value.errors
    return only.rule


@pytest.mark.parametrize("code", [None, "", "  "])
def test_validation_requires_a_document_type_chosen_explicitly(code: str | None) -> None:
    assert refused_rule(make_identity(), code) == "required"


@pytest.mark.parametrize("code", ["CN", "PA", "CS", "IE", "cn"])
def test_national_id_card_passport_residence_permit_and_eidas_are_high_trust_by_default(
    code: str,
) -> None:
    identity = make_identity()
    validate(identity, code)
    assert identity.validation is not None
    assert identity.validation.document_type == code.upper()


def test_a_driving_licence_is_refused_as_not_high_trust() -> None:
    assert refused_rule(make_identity(), "PC") == "document_not_high_trust"


@pytest.mark.parametrize("code", ["XX", "ACTE", "CARTE VITALE"])
def test_an_unknown_document_type_is_refused(code: str) -> None:
    assert refused_rule(make_identity(), code) == "document_unknown"


def test_the_list_of_high_trust_documents_is_configurable() -> None:
    custom = {
        "TS": DocumentType("TS", "Titre de séjour pluriannuel", True),
        "CN": DocumentType("CN", "Carte nationale d'identité périmée", False),
    }
    identity = make_identity()
    assert refused_rule(identity, "CN", types=custom) == "document_not_high_trust"
    assert refused_rule(identity, "PA", types=custom) == "document_unknown"
    validate(identity, "TS", types=custom)
    assert identity.status is IdentityStatus.VALIDATED


def test_validation_records_document_type_expiry_date_and_actor() -> None:
    identity = make_identity()
    validate(identity, "PA")
    assert identity.validation == Validation("PA", EXPIRY, NOW, "agent-1")


def test_validation_requires_the_document_expiry_date() -> None:
    assert refused_rule(make_identity(), "CN", expiry=None) == "required"


@pytest.mark.parametrize(
    ("status", "target"),
    [
        (IdentityStatus.PROVISIONAL, IdentityStatus.VALIDATED),
        (IdentityStatus.RETRIEVED, IdentityStatus.QUALIFIED),
        (IdentityStatus.VALIDATED, IdentityStatus.VALIDATED),
        (IdentityStatus.QUALIFIED, IdentityStatus.QUALIFIED),
    ],
)
def test_validation_moves_provisional_to_validated_and_retrieved_to_qualified(
    status: IdentityStatus, target: IdentityStatus
) -> None:
    identity = make_identity(status)
    validate(identity, "CN")
    assert identity.status is target
    identity.check_invariants()


def test_a_doubtful_identity_cannot_be_validated() -> None:
    identity = make_identity()
    identity.change_attributes([IdentityAttribute.DOUBTFUL], [], now=NOW)
    with pytest.raises(InvalidTransition):
        validate(identity, "CN")


# -- expired documents (issue 11 §9) ------------------------------------------------------


def test_an_expired_document_does_not_validate_without_a_tolerance() -> None:
    identity = make_identity()
    assert refused_rule(identity, "CN", expiry=date(2020, 6, 1)) == "document_expired"
    assert identity.status is IdentityStatus.PROVISIONAL


def test_a_document_valid_until_today_validates() -> None:
    identity = make_identity()
    validate(identity, "CN", NOW.date())
    assert identity.status is IdentityStatus.VALIDATED


def test_an_expired_document_validates_when_the_administrators_tolerance_covers_it() -> None:
    identity = make_identity()
    expiry = date(2025, 3, 16)
    with pytest.raises(InvalidInput) as error:
        identity.validate(
            "CN", expiry, document_types=DEFAULT_DOCUMENT_TYPES, actor="a", now=NOW,
            expired_tolerance_days=364,
        )  # fmt: skip
    assert "364 jours" in error.value.errors[0].message
    identity.validate(
        "CN", expiry, document_types=DEFAULT_DOCUMENT_TYPES, actor="a", now=NOW,
        expired_tolerance_days=365,
    )  # fmt: skip
    assert identity.status is IdentityStatus.VALIDATED
