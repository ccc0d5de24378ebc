"""Issue 11 §9-§10 on real storage (SQLite and PostgreSQL): the INSi birth place the local
geography refuses, the document check withdrawn by a change, the expired-document tolerance."""

from __future__ import annotations

from datetime import date

from fakes import FakeTeleservice, insi_person
from identito.domain.documents import DocumentCheck
from identito.domain.status import IdentityStatus
from identito.services.identities import update_identity, validate_identity
from identito.services.insi import accept_insi_call, recover_ins
from identito.services.preferences import read_preferences, update_preferences
from identito.services.vigilance import list_entries
from identito.services.vigilance_records import EntryKind

KNOWN = {
    "birth_name": "DUPONT",
    "birth_first_names": "JEAN CHRISTOPHE PIERRE",
    "first_birth_first_name": "JEAN",
    "birth_date": "1980-03-12",
    "birth_place_code": "2B020",
}


def test_an_insi_birth_place_refused_locally_is_kept_listed_and_leaves_the_identity_editable(
    uow_factory, rules, vigilance, make_identity
):
    identity = make_identity(**KNOWN)
    with uow_factory() as uow:
        uow.identities.add(identity)
        uow.commit(vigilance, rules.now())
    teleservice = FakeTeleservice([insi_person(birth_place_code="75056")])
    pending = recover_ins(
        identity.id, mode="traits", uow=uow_factory(), actor=vigilance, rules=rules,
        teleservice=teleservice,
    )  # fmt: skip
    accept_insi_call(identity.id, pending.call.id, uow=uow_factory(), actor=vigilance, rules=rules)
    with uow_factory() as uow:
        recovered = uow.identities.get(identity.id)
    assert (recovered.status, recovered.traits.birth_place_code) == (
        IdentityStatus.RETRIEVED,
        "75056",
    )
    entries = list_entries("place_conflict", uow=uow_factory(), actor=vigilance, rules=rules)
    assert [(e.kind, e.identity_id) for e in entries] == [(EntryKind.PLACE_CONFLICT, identity.id)]
    assert "75056" in entries[0].summary["reason"]
    changed = update_identity(
        identity.id, recovered.version, {"used_name": "Martin"},
        uow=uow_factory(), actor=vigilance, rules=rules,
    )  # fmt: skip
    assert (changed.traits.used_name, changed.status) == ("MARTIN", IdentityStatus.RETRIEVED)


def test_the_expired_document_tolerance_is_stored_and_applied(
    uow_factory, rules, vigilance, admin, make_identity
):
    with uow_factory() as uow:
        assert read_preferences(uow, rules).expired_document_tolerance_days == 0
    update_preferences({"expired_document_tolerance_days": 400}, uow=uow_factory(), actor=admin,
                       rules=rules)  # fmt: skip
    with uow_factory() as uow:
        assert read_preferences(uow, rules).expired_document_tolerance_days == 400
    identity = make_identity(**KNOWN)
    with uow_factory() as uow:
        uow.identities.add(identity)
        uow.commit(vigilance, rules.now())
    expiry = rules.now().date().replace(year=rules.now().year - 1)
    validated = validate_identity(
        identity.id, document_type="CN", document_expiry=expiry,
        uow=uow_factory(), actor=vigilance, rules=rules,
    )  # fmt: skip
    assert validated.status is IdentityStatus.VALIDATED


def test_a_strict_change_of_a_validated_identity_withdraws_or_renews_the_document_check(
    uow_factory, rules, vigilance, make_identity
):
    identity = make_identity(**KNOWN)
    with uow_factory() as uow:
        uow.identities.add(identity)
        uow.commit(vigilance, rules.now())
    validated = validate_identity(
        identity.id, document_type="PA", document_expiry=date(2031, 1, 1),
        uow=uow_factory(), actor=vigilance, rules=rules,
    )  # fmt: skip
    renewed = update_identity(
        identity.id, validated.version, {"birth_name": "DUPOND"},
        uow=uow_factory(), actor=vigilance, rules=rules,
        document=DocumentCheck("CN", date(2032, 2, 2)),
    )  # fmt: skip
    with uow_factory() as uow:
        stored = uow.identities.get(identity.id)
    assert stored.status is IdentityStatus.VALIDATED and stored.validation is not None
    assert stored.validation.document_type == "CN"
    withdrawn = update_identity(
        identity.id, renewed.version, {"birth_name": "DUPONT"},
        uow=uow_factory(), actor=vigilance, rules=rules,
    )  # fmt: skip
    with uow_factory() as uow:
        stored = uow.identities.get(identity.id)
    assert (withdrawn.status, stored.status, stored.validation) == (
        IdentityStatus.PROVISIONAL,
        IdentityStatus.PROVISIONAL,
        None,
    )
