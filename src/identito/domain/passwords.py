"""The password rule: at least 12 characters, never a common password, not only digits.

The list of common passwords ships with the package (``data/common-passwords.txt.gz``,
provenance in ``data/README.md``); it is compared case-insensitively, and also with
the digits, spaces and punctuation around the password stripped, so that decorating
a common word (``Password2024!``) does not make it acceptable.

>>> [e.rule for e in password_errors("password")]
['password_length', 'password_common']
>>> [e.rule for e in password_errors("Azerty123456")]
['password_common']
>>> [e.rule for e in password_errors("123456789012")]
['password_numeric']
>>> password_errors("quatre-chevaux-bleus")
[]
"""

from __future__ import annotations

import functools
import gzip
import string
from importlib import resources

from identito.domain.errors import FieldError

MIN_LENGTH = 12
MAX_LENGTH = 256
_DECORATION = string.digits + string.punctuation + string.whitespace


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list, lowercased (read once per process)."""
    data = resources.files("identito.domain").joinpath("data/common-passwords.txt.gz")
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def is_common(password: str) -> bool:
    lowered = password.lower().strip()
    core = lowered.strip(_DECORATION)
    common = common_passwords()
    return lowered in common or (bool(core) and core in common)


def password_errors(
    password: str, *, username: str = "", field: str = "password"
) -> list[FieldError]:
    """Every rule ``password`` breaks, in French, naming the field (empty: acceptable).

    A username of 3 characters or more may not appear in the password."""
    errors = []
    if len(password) < MIN_LENGTH:
        message = f"Le mot de passe compte au moins {MIN_LENGTH} caractères."
        errors.append(FieldError(field, "password_length", message))
    if len(password) > MAX_LENGTH:
        message = f"Le mot de passe compte au plus {MAX_LENGTH} caractères."
        errors.append(FieldError(field, "password_too_long", message))
    if password.isdigit():
        message = "Le mot de passe ne se compose pas uniquement de chiffres."
        errors.append(FieldError(field, "password_numeric", message))
    elif is_common(password):
        message = (
            "Ce mot de passe figure dans la liste des mots de passe courants (même avec "
            "d'autres majuscules, chiffres ou ponctuation autour) : choisissez-en un autre."
        )
        errors.append(FieldError(field, "password_common", message))
    name = username.strip().lower()
    if len(name) >= 3 and name in password.lower():
        message = "Le mot de passe ne contient pas l'identifiant."
        errors.append(FieldError(field, "password_username", message))
    return errors
