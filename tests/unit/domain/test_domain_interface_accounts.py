"""Interface accounts (comptes d'interface): what a declaration accepts and claims."""

from __future__ import annotations

import doctest

import pytest

from identito.domain import interface_accounts
from identito.domain.errors import InvalidInput
from identito.domain.interface_accounts import InterfaceAccount, Peer, matches_domain

FINGERPRINT = "ab:" * 31 + "ab"


def declare(**changes: object) -> InterfaceAccount:
    given: dict[str, object] = {
        "domains": ["LABO^CHU-X"], "addresses": [], "certificate_sha256": None,
        "certificate_subject": None, **changes,
    }  # fmt: skip
    return InterfaceAccount.declare("labo", **given)  # type: ignore[arg-type]


def test_the_module_examples_hold() -> None:
    assert doctest.testmod(interface_accounts).failed == 0


def test_a_declaration_without_a_domain_or_with_a_wrong_address_or_fingerprint_names_each_field():
    with pytest.raises(InvalidInput) as raised:
        declare(domains=[" "], addresses=["10.0.0.300", "pas-une-adresse"],
                certificate_sha256="1234")  # fmt: skip

    fields = [e.field for e in raised.value.errors]
    assert fields == ["domains", "addresses", "addresses", "certificate_sha256"]
    assert all(e.message[0].isupper() for e in raised.value.errors)  # French sentences


def test_addresses_are_kept_as_networks_and_a_fingerprint_as_64_upper_hex_digits():
    account = declare(addresses=["10.1.2.7", "10.1.0.0/16", "::1"], certificate_sha256=FINGERPRINT)

    assert account.addresses == ("10.1.2.7/32", "10.1.0.0/16", "::1/128")
    assert account.certificate_sha256 == "AB" * 32


@pytest.mark.parametrize(
    ("address", "accepted"),
    [("10.1.2.7", True), ("10.1.2.255", True), ("10.1.3.1", False), ("::ffff:10.1.2.7", True),
     ("fe80::1%eth0", False), ("inconnue", False)],
)  # fmt: skip
def test_a_peer_is_accepted_only_from_a_declared_network(address: str, accepted: bool) -> None:
    assert declare(addresses=["10.1.2.0/24"]).accepts(Peer(address)) is accepted


def test_a_declared_certificate_must_be_shown_by_the_peer_whatever_its_address() -> None:
    account = declare(certificate_sha256=FINGERPRINT)

    assert account.accepts(Peer("192.0.2.1", "AB" * 32))
    assert not account.accepts(Peer("192.0.2.1", "CD" * 32))
    assert not account.accepts(Peer("192.0.2.1"))  # plain TCP: no certificate shown


def test_a_declared_subject_is_compared_without_case_nor_spaces_and_the_address_still_counts():
    account = declare(addresses=["127.0.0.1"], certificate_subject="CN=Labo, O=CHU-X")

    assert account.accepts(Peer("127.0.0.1", "AB" * 32, "cn=LABO,o=chu-x"))
    assert not account.accepts(Peer("127.0.0.2", "AB" * 32, "CN=LABO,O=CHU-X"))
    assert not account.accepts(Peer("127.0.0.1", "AB" * 32, "CN=AUTRE,O=CHU-X"))


def test_an_account_with_neither_address_nor_certificate_is_never_an_mllp_peer() -> None:
    account = declare()

    assert not account.over_mllp and not account.accepts(Peer("127.0.0.1"))


def test_a_disabled_account_accepts_no_peer() -> None:
    account = declare(addresses=["127.0.0.1"], active=False)

    assert not account.accepts(Peer("127.0.0.1"))


@pytest.mark.parametrize(
    ("pattern", "application", "facility", "result"),
    [("DPI^CHU-X", "dpi", " chu-x ", True), ("DPI^CHU-X", "DPI", "CHU-Y", False),
     ("DPI", "DPI", "CHU-Y", True), ("DPI^*", "DPI", None, True), ("*", "AUTRE", "X", True),
     ("DPI^CHU-X", "DPI", None, False), ("DPI", "DPI2", None, False)],
)  # fmt: skip
def test_a_claimed_sender_matches_a_declared_domain_pattern(pattern, application, facility, result):
    assert matches_domain(pattern, application, facility) is result
