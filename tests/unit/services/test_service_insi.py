"""INS recovery use cases on fakes: permissions, tracing, comparison, integration."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from fakes import (
    INS_A,
    NOW,
    FakeTeleservice,
    FakeUnitOfWork,
    actor_with_role,
    identity_input,
    insi_person,
    make_identity,
)
from identito.domain.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleVersion,
)
from identito.domain.events import AuditAction
from identito.domain.insi import CollectionMethod, InsiOutcome
from identito.domain.permissions import Role
from identito.domain.status import IdentityAttribute, IdentityStatus
from identito.services import insi as uc
from identito.services.auth import SYSTEM
from identito.services.insi_records import Decision
from identito.services.rules import Rules
from identito.services.teleservice import (
    Authentication,
    CardQuery,
    Exchange,
    MalformedResponse,
    TeleserviceFault,
    TeleserviceUnavailable,
)

ADMISSION = actor_with_role(Role.ADMISSION)
VIGILANCE = actor_with_role(Role.IDENTITY_VIGILANCE)


def store(uow: FakeUnitOfWork, status=IdentityStatus.PROVISIONAL, **traits) -> UUID:
    identity = make_identity(status, **traits)
    with uow:
        uow.identities.add(identity)
        uow.commit(SYSTEM, NOW)
    uow.audit.entries.clear()
    return identity.id


def recover(uow, rules, teleservice, identity_id, actor=ADMISSION, **kwargs):
    kwargs.setdefault("mode", "traits")
    return uc.recover_ins(
        identity_id, uow=uow, actor=actor, rules=rules, teleservice=teleservice, **kwargs
    )


# -- permissions and refusals ----------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CARE, Role.STATISTICS])
def test_roles_without_the_insi_permission_cannot_call_insi(uow, rules, role):
    identity_id = store(uow)
    teleservice = FakeTeleservice([insi_person()])

    with pytest.raises(PermissionDenied):
        recover(uow, rules, teleservice, identity_id, actor=actor_with_role(role))

    assert teleservice.queries == [] and uow.insi_calls.committed() == []


@pytest.mark.parametrize("attribute", ["DOUT", "FICT"])
def test_no_call_is_made_for_a_doubtful_or_fictitious_identity(uow, rules, attribute):
    identity_id = store(uow)
    with uow:
        identity = uow.identities.get(identity_id)
        identity.change_attributes([IdentityAttribute(attribute)], [], now=NOW)
        uow.identities.update(identity)
        uow.commit(SYSTEM, NOW)
    teleservice = FakeTeleservice([insi_person()])

    with pytest.raises(InvalidTransition):
        recover(uow, rules, teleservice, identity_id)

    assert teleservice.queries == []


def test_a_provisional_identity_is_called_with_a_warning_recommending_a_document_check(uow, rules):
    identity_id = store(uow)

    result = recover(uow, rules, FakeTeleservice([insi_person()]), identity_id)

    assert uc.PROVISIONAL_WARNING in result.warnings


def test_a_validated_identity_is_called_without_the_provisional_warning(uow, rules):
    identity_id = store(uow, IdentityStatus.VALIDATED)

    result = recover(uow, rules, FakeTeleservice([insi_person()]), identity_id)

    assert uc.PROVISIONAL_WARNING not in result.warnings
    assert uow.stored(identity_id).status is IdentityStatus.QUALIFIED


def test_the_organisation_may_refuse_insi_calls_for_provisional_identities(uow, rules):
    identity_id = store(uow)
    uow.preferences.values["allow_insi_for_provisional"] = False
    teleservice = FakeTeleservice([insi_person()])

    with pytest.raises(InvalidTransition):
        recover(uow, rules, teleservice, identity_id)

    assert teleservice.queries == []


def test_an_unknown_mode_or_missing_card_data_is_refused_before_any_call(uow, rules):
    identity_id = store(uow)
    teleservice = FakeTeleservice()

    with pytest.raises(InvalidInput):
        recover(uow, rules, teleservice, identity_id, mode="vitale")
    with pytest.raises(InvalidInput) as raised:
        recover(uow, rules, teleservice, identity_id, mode="card", card={"nir": "1800"})

    assert {e.field for e in raised.value.errors} == {"card.birth_date", "card.rank"}
    assert teleservice.queries == []


# -- automatic integration -------------------------------------------------------------------


def test_identical_traits_are_integrated_at_once_and_traced_as_automatic(uow, rules):
    identity_id = store(uow)

    result = recover(uow, rules, FakeTeleservice([insi_person()]), identity_id)

    stored = uow.stored(identity_id)
    assert (result.outcome, result.applied) == (InsiOutcome.FOUND, True)
    assert stored.status is IdentityStatus.RETRIEVED and stored.ins == INS_A
    assert stored.ins_collection_method is CollectionMethod.INSI
    [call] = uow.insi_calls.committed()
    assert call.decision is Decision.AUTOMATIC and call.similarity == 1.0
    assert call.identity_id == identity_id and call.applied


def test_integration_and_its_trace_are_audited_in_the_same_commit(uow, rules):
    identity_id = store(uow)
    commits = uow.commits

    recover(uow, rules, FakeTeleservice([insi_person()]), identity_id)

    assert uow.commits == commits + 1
    assert uow.audit.actions(identity_id) == [
        AuditAction.INS_RETRIEVED.value,
        AuditAction.INSI_CALLED,
    ]


def test_a_difference_waits_for_the_users_confirmation(uow, rules):
    identity_id = store(uow, birth_place_code="75056")

    result = recover(uow, rules, FakeTeleservice([insi_person()]), identity_id)

    assert result.applied is False
    assert result.comparison is not None
    assert result.comparison.differences == ("birth_place_code",)
    assert result.call.decision is Decision.PENDING
    assert uow.stored(identity_id).status is IdentityStatus.PROVISIONAL


def test_a_lower_threshold_integrates_close_traits_automatically(uow, rules):
    identity_id = store(uow, birth_place_code="75056")
    uow.preferences.values["similarity_threshold"] = 0.8

    result = recover(uow, rules, FakeTeleservice([insi_person()]), identity_id)

    assert result.applied and result.call.decision is Decision.AUTOMATIC
    assert uow.stored(identity_id).traits.birth_place_code == "2B020"


# -- tracing ---------------------------------------------------------------------------------


def test_every_call_of_a_recovery_is_traced_in_order_with_its_raw_messages(uow, rules):
    identity_id = store(uow)
    teleservice = FakeTeleservice(script=["01", "01", insi_person()])

    result = recover(uow, rules, teleservice, identity_id)

    calls = uow.insi_calls.committed()
    assert [c.outcome for c in calls] == [InsiOutcome.NOT_FOUND, InsiOutcome.NOT_FOUND, "00"]
    assert [c.sequence for c in calls] == [1, 2, 3]
    assert len({c.attempt_id for c in calls}) == 1
    assert all(c.request and c.response for c in calls)
    assert calls[0].query["first_names"] == ["JEAN"]
    assert calls[0].message == "Aucune identite trouvee"
    assert [c.id for c in result.calls] == [c.id for c in calls]


def test_a_recovery_that_finds_nobody_ends_with_not_found_and_integrates_nothing(uow, rules):
    identity_id = store(uow)

    result = recover(uow, rules, FakeTeleservice(), identity_id)

    assert result.outcome is InsiOutcome.NOT_FOUND and not result.applied
    assert len(uow.insi_calls.committed()) == 4  # JEAN, CHRISTOPHE, PIERRE, the whole list
    assert uow.stored(identity_id).status is IdentityStatus.PROVISIONAL


def test_homonyms_give_several_found_and_the_strategy_narrows_with_the_birth_place(uow, rules):
    identity_id = store(uow)
    homonym = insi_person(birth_place_code="75056", ins_number="180037505612310")
    teleservice = FakeTeleservice([insi_person(), homonym])

    result = recover(uow, rules, teleservice, identity_id)

    assert [q.birth_place_code for q in teleservice.queries] == [None, None, "2B020"]
    assert result.applied and uow.stored(identity_id).ins == INS_A


def test_a_teleservice_error_is_traced_with_its_code_and_french_message_and_stops(uow, rules):
    identity_id = store(uow)
    exchange = Exchange(b"<req/>", b"<soap:Fault/>", 12.0, Authentication.ORGANISATION_MANUAL)
    fault = TeleserviceFault(
        "Le service INSi a refusé la demande.", code="siram_100", exchange=exchange
    )
    teleservice = FakeTeleservice(script=["01", fault, "00"])

    result = recover(uow, rules, teleservice, identity_id)

    assert len(teleservice.queries) == 2
    assert result.outcome is InsiOutcome.ERROR
    error = uow.insi_calls.committed()[-1]
    assert (error.error_code, error.message) == (
        "siram_100",
        "Le service INSi a refusé la demande.",
    )
    assert error.response == b"<soap:Fault/>"


def test_an_unreachable_service_is_traced_without_raw_messages(uow, rules):
    identity_id = store(uow)
    down = TeleserviceUnavailable("Le téléservice INSi est injoignable.")

    result = recover(uow, rules, FakeTeleservice(script=[down]), identity_id)

    [call] = uow.insi_calls.committed()
    assert (call.outcome, call.error_code) == (InsiOutcome.ERROR, "unavailable")
    assert call.request is None and result.call.message == down.message
    assert uow.audit.actions(identity_id) == [AuditAction.INSI_CALLED]


def test_a_malformed_answer_is_an_error_outcome_and_nothing_is_integrated(uow, rules):
    identity_id = store(uow)

    result = recover(uow, rules, FakeTeleservice(script=[MalformedResponse("x")]), identity_id)

    assert result.outcome is InsiOutcome.ERROR and result.call.error_code == "malformed"
    assert uow.stored(identity_id).ins is None


def test_an_incomplete_00_answer_is_traced_as_refused_and_never_integrated(uow, rules):
    identity_id = store(uow)

    result = recover(uow, rules, FakeTeleservice(script=[insi_person(sex="")]), identity_id)

    assert result.outcome is InsiOutcome.ERROR and result.call.error_code == "incomplete"
    assert result.call.decision is Decision.REFUSED and "sexe" in result.call.message
    assert uow.stored(identity_id).ins is None
    assert uow.insi_calls.committed()[0].answer["sex"] == ""


def test_a_call_whose_integration_fails_is_still_traced(uow, rules):
    identity_id = store(uow)

    class Racing(FakeTeleservice):
        """Someone marks the identity doubtful while INSi answers."""

        def recover_with_traits(self, query, context):
            with uow.sibling() as other:
                identity = other.identities.get(identity_id)
                identity.change_attributes([IdentityAttribute.DOUBTFUL], [], now=NOW)
                other.identities.update(identity)
                other.commit(SYSTEM, NOW)
            return super().recover_with_traits(query, context)

    result = recover(uow, rules, Racing([insi_person()]), identity_id)

    assert not result.applied and result.call.decision is Decision.REFUSED
    assert "douteuse" in result.call.message
    [call] = uow.insi_calls.committed()
    assert call.outcome is InsiOutcome.FOUND and not call.applied
    assert uow.stored(identity_id).ins is None


def test_user_calls_use_the_manual_certificate_and_worklist_calls_the_automatic_one(uow, rules):
    identity_id = store(uow)
    teleservice = FakeTeleservice()

    recover(uow, rules, teleservice, identity_id)
    recover(uow, rules, teleservice, identity_id, automatic=True)

    kinds = {(c.automatic, c.authentication) for c in teleservice.contexts}
    assert kinds == {
        (False, Authentication.ORGANISATION_MANUAL),
        (True, Authentication.ORGANISATION_AUTO),
    }
    assert {c.actor for c in teleservice.contexts} == {ADMISSION.username}


def test_recovery_with_the_card_makes_exactly_one_call(uow, rules):
    identity_id = store(uow)
    card = {"nir": "1 80 03 2B 020 401", "birth_date": "1980-03-12", "rank": "1"}
    teleservice = FakeTeleservice(cards={("180032B020401", "1980-03-12", 1): insi_person()})

    result = recover(uow, rules, teleservice, identity_id, mode="card", card=card)

    assert teleservice.queries == [CardQuery("180032B020401", "1980-03-12", 1)]
    assert result.applied and result.call.mode == "card"


# -- the user's decision ---------------------------------------------------------------------


def pending(uow, rules, **traits):
    identity_id = store(uow, **{"birth_place_code": "75056", **traits})
    result = recover(uow, rules, FakeTeleservice([insi_person()]), identity_id)
    assert result.call.decision is Decision.PENDING
    return identity_id, result.call.id


def test_accepting_a_pending_comparison_integrates_the_insi_traits(uow, rules):
    identity_id, call_id = pending(uow, rules)

    result = uc.accept_insi_call(identity_id, call_id, uow=uow, actor=ADMISSION, rules=rules)

    stored = uow.stored(identity_id)
    assert stored.traits.birth_place_code == "2B020" and stored.status is IdentityStatus.RETRIEVED
    call = uow.insi_calls.get(call_id)
    assert (call.decision, call.applied, call.decided_by) == (
        Decision.ACCEPTED,
        True,
        ADMISSION.username,
    )
    assert result.identity is not None and result.identity.version == stored.version


def test_accepting_after_the_identity_changed_is_refused_as_stale(uow, rules):
    identity_id, call_id = pending(uow, rules)
    with uow:
        identity = uow.identities.get(identity_id)
        identity.change_attributes([IdentityAttribute.HOMONYM], [], now=NOW)
        uow.identities.update(identity)
        uow.commit(SYSTEM, NOW)

    with pytest.raises(StaleVersion):
        uc.accept_insi_call(identity_id, call_id, uow=uow, actor=ADMISSION, rules=rules)
    with pytest.raises(StaleVersion):
        uc.accept_insi_call(
            identity_id, call_id, expected_version=1, uow=uow, actor=ADMISSION, rules=rules
        )

    assert uow.stored(identity_id).ins is None


def test_a_call_can_be_decided_only_once(uow, rules):
    identity_id, call_id = pending(uow, rules)
    uc.reject_insi_call(identity_id, call_id, uow=uow, actor=ADMISSION, rules=rules)

    with pytest.raises(InvalidTransition):
        uc.accept_insi_call(identity_id, call_id, uow=uow, actor=ADMISSION, rules=rules)


def test_rejecting_is_a_traced_decision_that_integrates_nothing(uow, rules):
    identity_id, call_id = pending(uow, rules)

    call = uc.reject_insi_call(
        identity_id, call_id, reason="autre patient", uow=uow, actor=ADMISSION, rules=rules
    )

    assert call.decision is Decision.REJECTED and not call.applied
    assert uow.insi_calls.get(call_id).decision is Decision.REJECTED
    assert uow.audit.actions(identity_id)[-1] == AuditAction.INSI_REJECTED
    assert uow.audit.entries[-1].reason == "autre patient"
    assert uow.stored(identity_id).ins is None


def test_a_call_of_another_identity_is_not_found(uow, rules):
    identity_id, call_id = pending(uow, rules)

    with pytest.raises(NotFound):
        uc.accept_insi_call(uuid4(), call_id, uow=uow, actor=ADMISSION, rules=rules)
    with pytest.raises(NotFound):
        uc.accept_insi_call(identity_id, uuid4(), uow=uow, actor=ADMISSION, rules=rules)


def test_an_automatically_integrated_call_cannot_be_accepted_again(uow, rules):
    identity_id = store(uow)
    result = recover(uow, rules, FakeTeleservice([insi_person()]), identity_id)

    with pytest.raises(InvalidTransition):
        uc.accept_insi_call(identity_id, result.call.id, uow=uow, actor=ADMISSION, rules=rules)


# -- reading the trace -----------------------------------------------------------------------


def test_the_call_list_leaves_out_the_raw_messages(uow, rules):
    identity_id, _ = pending(uow, rules)

    [listed] = uc.list_insi_calls(identity_id, uow=uow, actor=ADMISSION, rules=rules)

    assert listed.request is None and listed.response is None
    assert listed.comparison is not None


def test_the_raw_messages_need_the_audit_permission(uow, rules):
    _, call_id = pending(uow, rules)

    with pytest.raises(PermissionDenied):
        uc.get_insi_call(call_id, uow=uow, actor=ADMISSION, rules=rules)
    call = uc.get_insi_call(call_id, uow=uow, actor=VIGILANCE, rules=rules)

    assert call.response is not None and call.response.startswith(b"<RESULTAT>")


def test_care_staff_cannot_list_insi_calls(uow, rules):
    identity_id, _ = pending(uow, rules)

    with pytest.raises(PermissionDenied):
        uc.list_insi_calls(identity_id, uow=uow, actor=actor_with_role(Role.CARE), rules=rules)


# -- creation from an INSi answer ------------------------------------------------------------


def create(uow, rules, teleservice, **kwargs):
    return uc.create_identity_from_insi(
        uow=uow, actor=ADMISSION, rules=rules, teleservice=teleservice, **kwargs
    )


def test_an_identity_is_created_from_a_card_recovery_with_the_status_recup(uow, rules):
    card = {"nir": "180032B020401", "birth_date": "1980-03-12", "rank": 1}
    teleservice = FakeTeleservice(cards={("180032B020401", "1980-03-12", 1): insi_person()})

    result = create(uow, rules, teleservice, mode="card", card=card)

    assert result.identity is not None and result.applied
    stored = uow.stored(result.identity.id)
    assert stored.status is IdentityStatus.RETRIEVED and stored.ins == INS_A
    assert stored.traits.birth_first_names == ("JEAN", "CHRISTOPHE", "PIERRE")
    assert uow.insi_calls.committed()[0].identity_id == stored.id
    assert uow.audit.actions(stored.id) == [
        AuditAction.IDENTITY_CREATED.value,
        AuditAction.INS_RETRIEVED.value,
        AuditAction.INSI_CALLED,
    ]


def test_an_identity_is_created_from_traits_keeping_the_typed_used_name(uow, rules):
    traits = identity_input(birth_name="Dupont", used_name="Martin")

    result = create(uow, rules, FakeTeleservice([insi_person()]), mode="traits", traits=traits)

    assert result.identity is not None
    assert result.identity.traits.used_name == "MARTIN"
    assert result.comparison is not None and result.comparison.identical


def test_nothing_is_created_when_insi_finds_nobody_but_the_calls_are_traced(uow, rules):
    result = create(uow, rules, FakeTeleservice(), mode="traits", traits=identity_input())

    assert result.identity is None and result.outcome is InsiOutcome.NOT_FOUND
    assert uow.identities.committed == {}
    assert {c.identity_id for c in uow.insi_calls.committed()} == {None}


def test_nothing_is_created_when_an_identity_already_carries_the_matricule(uow, rules):
    existing = store(uow, IdentityStatus.RETRIEVED)

    result = create(
        uow, rules, FakeTeleservice([insi_person()]), mode="traits", traits=identity_input()
    )

    assert result.identity is None and result.call.decision is Decision.REFUSED
    assert str(existing) in result.call.message
    assert list(uow.identities.committed) == [existing]


def test_creation_needs_both_the_create_and_the_insi_permissions(uow, rules: Rules):
    with pytest.raises(PermissionDenied):
        uc.create_identity_from_insi(
            mode="traits",
            traits=identity_input(),
            uow=uow,
            actor=actor_with_role(Role.CARE),
            rules=rules,
            teleservice=FakeTeleservice(),
        )
