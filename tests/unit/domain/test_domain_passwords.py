"""The password rule (issue 13 point 3): 12 characters, no common password."""

from __future__ import annotations

import doctest
import hashlib
from importlib import resources

import pytest

from identito.domain import passwords
from identito.domain.passwords import common_passwords, password_errors

SHIPPED_SHA256 = "3c1baed62596de36860824eb3f436d5932d37ca8b06e59df78f5a44ec175afe4"


def rules_broken(password: str, **kwargs: str) -> list[str]:
    return [error.rule for error in password_errors(password, **kwargs)]


def test_the_examples_of_the_module_hold() -> None:
    assert doctest.testmod(passwords).failed == 0


def test_the_shipped_list_is_the_one_its_readme_describes() -> None:
    data = resources.files("identito.domain").joinpath("data/common-passwords.txt.gz")
    assert hashlib.sha256(data.read_bytes()).hexdigest() == SHIPPED_SHA256
    assert len(common_passwords()) == 19_640
    assert {"password", "12345678", "azerty", "qwerty123456"} <= common_passwords()


@pytest.mark.parametrize("password", ["password", "12345678", "abcdefghijk"])
def test_a_password_shorter_than_12_characters_is_refused(password: str) -> None:
    assert "password_length" in rules_broken(password)


@pytest.mark.parametrize(
    "password",
    ["password", "PASSWORD", "Qwerty123456", "qwerty123456", "Password2024!",
     "  iloveyou!!!  ", "azerty123456", "Soleil-2025!"],
)  # fmt: skip
def test_a_common_password_is_refused_whatever_its_case_or_decoration(password: str) -> None:
    assert "password_common" in rules_broken(password)


def test_a_password_of_digits_only_is_refused() -> None:
    assert rules_broken("123456789012") == ["password_numeric"]
    assert rules_broken("12345678") == ["password_length", "password_numeric"]


@pytest.mark.parametrize(
    "password", ["quatre-chevaux-bleus", "mot-de-passe-de-test", "Lune&Marée-1984"]
)
def test_a_password_of_12_characters_or_more_that_is_not_common_is_accepted(
    password: str,
) -> None:
    assert password_errors(password) == []


def test_a_password_containing_the_username_is_refused() -> None:
    assert rules_broken("jdupont-2026-hiver", username="JDupont") == ["password_username"]


def test_a_password_longer_than_256_characters_is_refused() -> None:
    assert rules_broken("x" * 257 + "-unique") == ["password_too_long"]


def test_every_message_is_in_french_and_names_the_field_given() -> None:
    errors = password_errors("password", field="new_password")
    assert {e.field for e in errors} == {"new_password"}
    assert all("mot de passe" in e.message.lower() for e in errors)
