"""Declaring interface accounts and checking senders (fakes): USERS_ADMIN declares, every
change and every refusal is audited, a refused sender stores nothing."""

from __future__ import annotations

import pytest

from fakes import FakeUnitOfWork, actor_with_role
from identito.domain.errors import InvalidInput, NotFound, PermissionDenied
from identito.domain.events import AuditAction
from identito.domain.interface_accounts import Peer, RefusalReason, SenderRefused
from identito.domain.permissions import Permission, Role, role_permissions
from identito.services.auth import add_user, change_user, verify_password
from identito.services.interface_accounts import (
    change_interface_account,
    declare_interface_account,
    disable_interface_account,
    list_interface_accounts,
)
from identito.services.reception_model import Sender
from identito.services.sender_checks import (
    Claim,
    authorize_sender,
    fhir_sender,
    identify_peer,
)

ADMIN = actor_with_role(Role.ADMIN)
LABO = Sender("LABO", "CHU-X")


def declare(uow, rules, name="labo", **given):  # type: ignore[no-untyped-def]
    given = {"domains": ["LABO^CHU-X"], "addresses": ["10.1.2.0/24"], **given}
    return declare_interface_account(name, uow=uow, actor=ADMIN, rules=rules, **given)


def peer_actor(uow, rules, peer, sender=LABO, *, require_declared=True):  # type: ignore[no-untyped-def]
    return identify_peer(
        peer, Claim("mllp", sender, "A28", "MSG-1"), uow=uow, rules=rules,
        permissions=role_permissions, require_declared=require_declared,
    )  # fmt: skip


def refusals(uow: FakeUnitOfWork) -> list[dict[str, object]]:
    return [e.details for e in uow.audit.entries if e.action == AuditAction.SENDER_REFUSED]


def test_declaring_a_sender_creates_its_interface_user_without_a_password_and_audits_it(uow, rules):
    account = declare(uow, rules)

    user = uow.users.get("labo")
    assert user is not None and user.role is Role.INTERFACE
    assert not verify_password("", user.password_hash)  # no login possible
    assert uow.interface_accounts.get("labo") == account
    [entry] = [e for e in uow.audit.entries if e.action == AuditAction.INTERFACE_ACCOUNT_DECLARED]
    assert entry.actor == ADMIN.username and entry.after is not None
    assert entry.after["domains"] == ["LABO^CHU-X"]


def test_a_sender_declared_with_a_password_can_log_in_for_api_tokens(uow, rules):
    declare(uow, rules, password="un-long-secret")

    user = uow.users.get("labo")
    assert user is not None and verify_password("un-long-secret", user.password_hash)


def test_only_an_administrator_of_users_declares_changes_or_lists_senders(uow, rules):
    civ = actor_with_role(Role.IDENTITY_VIGILANCE)
    with pytest.raises(PermissionDenied):
        declare_interface_account("labo", domains=["LABO"], uow=uow, actor=civ, rules=rules)
    declare(uow, rules)
    with pytest.raises(PermissionDenied):
        disable_interface_account("labo", uow=uow, actor=civ, rules=rules)
    with pytest.raises(PermissionDenied):
        list_interface_accounts(uow=uow, actor=civ)


def test_a_user_of_another_role_cannot_be_declared_a_sender(uow, rules):
    add_user("alice", "un-long-secret", "admission", uow=uow, actor=ADMIN, rules=rules)

    with pytest.raises(InvalidInput, match="profil admission"):
        declare(uow, rules, name="alice")
    assert uow.interface_accounts.get("alice") is None


def test_a_sender_is_declared_once(uow, rules):
    declare(uow, rules)

    with pytest.raises(InvalidInput, match="déjà déclaré"):
        declare(uow, rules)


def test_changing_a_sender_audits_before_and_after_and_an_unknown_one_is_not_found(uow, rules):
    declare(uow, rules, certificate_subject="CN=LABO")

    changed = change_interface_account(
        "labo", addresses=["10.9.0.0/16"], certificate_subject="", uow=uow, actor=ADMIN,
        rules=rules,
    )  # fmt: skip

    assert changed.addresses == ("10.9.0.0/16",) and changed.certificate_subject is None
    [entry] = [e for e in uow.audit.entries if e.action == AuditAction.INTERFACE_ACCOUNT_CHANGED]
    assert entry.before and entry.before["certificate_subject"] == "CN=LABO"
    assert entry.after and entry.after["addresses"] == ["10.9.0.0/16"]
    with pytest.raises(NotFound):
        disable_interface_account("inconnu", uow=uow, actor=ADMIN, rules=rules)


def test_a_declared_peer_claiming_its_domain_runs_under_its_account(uow, rules):
    declare(uow, rules)

    actor = peer_actor(uow, rules, Peer("10.1.2.7"))

    assert (actor.username, actor.role) == ("labo", Role.INTERFACE)
    assert actor.can(Permission.MESSAGES_RECEIVE) and not actor.can(Permission.IDENTITY_READ)
    assert refusals(uow) == []


def test_an_undeclared_peer_is_refused_and_the_refusal_names_the_peer_and_the_claim(uow, rules):
    declare(uow, rules)

    with pytest.raises(SenderRefused) as refused:
        peer_actor(uow, rules, Peer("10.1.3.7"))

    assert refused.value.reason is RefusalReason.UNDECLARED_PEER
    assert "10.1.3.7" in refused.value.message
    [details] = refusals(uow)
    assert details["peer"] == "10.1.3.7" and details["claimed_sender"] == "LABO^CHU-X"
    assert details["control_id"] == "MSG-1" and uow.receptions.messages == {}


def test_a_declared_peer_claiming_another_domain_is_refused(uow, rules):
    declare(uow, rules)

    with pytest.raises(SenderRefused) as refused:
        peer_actor(uow, rules, Peer("10.1.2.7"), Sender("GAM", "CHU-X"))

    assert refused.value.reason is RefusalReason.DOMAIN_NOT_DECLARED
    assert refusals(uow)[0]["claimed_sender"] == "GAM^CHU-X"


def test_a_disabled_sender_or_a_deactivated_user_is_refused(uow, rules):
    declare(uow, rules)
    disable_interface_account("labo", uow=uow, actor=ADMIN, rules=rules)

    with pytest.raises(SenderRefused):
        peer_actor(uow, rules, Peer("10.1.2.7"))
    change_interface_account("labo", active=True, uow=uow, actor=ADMIN, rules=rules)
    change_user("labo", active=False, uow=uow, actor=ADMIN, rules=rules)
    with pytest.raises(SenderRefused):
        peer_actor(uow, rules, Peer("10.1.2.7"))


def test_without_required_declarations_an_undeclared_peer_runs_as_its_address_not_as_admin(
    uow, rules
):
    actor = peer_actor(uow, rules, Peer("10.1.3.7"), require_declared=False)

    assert (actor.username, actor.role) == ("mllp:10.1.3.7", Role.INTERFACE)
    assert not actor.can(Permission.USERS_ADMIN)


def test_a_token_whose_role_cannot_receive_is_denied_before_any_check(uow, rules):
    for role in (Role.ADMISSION, Role.CARE, Role.STATISTICS, Role.IDENTITY_VIGILANCE):
        with pytest.raises(PermissionDenied) as denied:
            authorize_sender(actor_with_role(role), Claim("hl7v2", LABO), uow=uow, rules=rules)
        assert not isinstance(denied.value, SenderRefused)
    assert refusals(uow) == []


def test_an_interface_token_may_send_only_as_its_declared_domains(uow, rules):
    declare(uow, rules)
    labo = actor_with_role(Role.INTERFACE, "labo")

    authorize_sender(labo, Claim("hl7v2", LABO), uow=uow, rules=rules)
    with pytest.raises(SenderRefused, match="GAM"):
        authorize_sender(labo, Claim("hl7v2", Sender("GAM")), uow=uow, rules=rules)
    assert refusals(uow)[0]["reason"] == RefusalReason.DOMAIN_NOT_DECLARED.value


def test_an_interface_token_without_a_declaration_is_refused(uow, rules):
    ghost = actor_with_role(Role.INTERFACE, "fantome")

    with pytest.raises(SenderRefused) as refused:
        authorize_sender(ghost, Claim("fhir", LABO), uow=uow, rules=rules)

    assert refused.value.reason is RefusalReason.UNDECLARED_ACCOUNT


def test_an_administrator_token_may_still_send_as_the_message_names_it(uow, rules):
    authorize_sender(ADMIN, Claim("hl7v2", Sender("GAM")), uow=uow, rules=rules)

    assert refusals(uow) == []


def test_the_fhir_sender_is_the_header_or_the_account_first_domain_or_the_user(uow, rules):
    declare(uow, rules, domains=["DPI-Y^*", "LABO"])
    labo = actor_with_role(Role.INTERFACE, "labo")

    assert fhir_sender(labo, None, uow=uow) == Sender("DPI-Y")
    assert fhir_sender(labo, "LABO", uow=uow) == Sender("LABO")
    assert fhir_sender(ADMIN, None, uow=uow) == Sender(f"api:{ADMIN.username}")
