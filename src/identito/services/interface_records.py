"""The port of the interface accounts (comptes d'interface): declared senders."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from identito.domain.interface_accounts import InterfaceAccount


class InterfaceAccountRepository(Protocol):
    def get(self, username: str) -> InterfaceAccount | None: ...

    def list(self) -> list[InterfaceAccount]:
        """Every declaration, active or not, by user name."""
        ...

    def save(self, account: InterfaceAccount, *, by: str, at: datetime) -> None:
        """Add the declaration, or replace the one of the same user."""
        ...
