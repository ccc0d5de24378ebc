"""The domain error tree.

::

    DomainError                     base of every rule violation
    ├── InvalidInput                one or more fields break a rule (HTTP 422)
    │                               carries ``FieldError(field, rule, message)`` items
    ├── InvalidTransition           a status or attribute change the rules forbid (409)
    │   └── InsAlreadyHeld          another active identity holds the matricule
    │                               (R-DU-03, ``domain.ins_uniqueness``)
    ├── PermissionDenied            the actor's role lacks a permission (403)
    │   └── SenderRefused           an undeclared sender, or one claiming another
    │                               domain (``domain.interface_accounts``; NACK AR)
    ├── StaleVersion                an update based on an outdated version (412)
    └── NotFound                    no such identity or record (404)

Messages are in French because they reach staff unchanged; ``rule`` is a stable
English identifier for programs. Only the entry points translate these errors
into HTTP problem details, CLI messages or page errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One broken rule on one field."""

    field: str
    rule: str
    message: str


class DomainError(Exception):
    """Base class of every rule violation."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """Invalid field values; lists every faulty field."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(f"{e.field} : {e.message}" for e in self.errors))

    @classmethod
    def single(cls, field: str, rule: str, message: str) -> InvalidInput:
        return cls([FieldError(field, rule, message)])


class InvalidTransition(DomainError):
    """A change of status or attributes that the INS rules forbid."""

    def __init__(self, message: str, *, rule: str = "transition") -> None:
        super().__init__(message)
        self.rule = rule


class PermissionDenied(DomainError):
    """The actor lacks a permission."""

    def __init__(self, permission: str, message: str | None = None) -> None:
        super().__init__(message or f"Habilitation manquante : {permission}.")
        self.permission = permission


class StaleVersion(DomainError):
    """An update was based on a version that is no longer the current one."""

    def __init__(self, expected: int, current: int) -> None:
        super().__init__(
            f"La fiche a été modifiée entre-temps (version attendue {expected}, "
            f"version actuelle {current}) ; rechargez-la avant de modifier."
        )
        self.expected = expected
        self.current = current


class NotFound(DomainError):
    """No such record."""


class FieldErrors:
    """Collects field errors, then raises them all at once."""

    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, field: str, rule: str, message: str) -> None:
        self.items.append(FieldError(field, rule, message))

    def extend(self, error: InvalidInput) -> None:
        self.items.extend(error.errors)

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidInput(self.items)
