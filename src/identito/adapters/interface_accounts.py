"""``SqlInterfaceAccountRepository``: the declared senders (table ``interface_accounts``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, RowMapping, select, update

from identito.adapters.orm import interface_accounts
from identito.domain.interface_accounts import InterfaceAccount


class SqlInterfaceAccountRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get(self, username: str) -> InterfaceAccount | None:
        query = select(interface_accounts).where(interface_accounts.c.username == username)
        row = self.connection.execute(query).mappings().first()
        return _account(row) if row else None

    def list(self) -> list[InterfaceAccount]:
        query = select(interface_accounts).order_by(interface_accounts.c.username)
        return [_account(row) for row in self.connection.execute(query).mappings()]

    def save(self, account: InterfaceAccount, *, by: str, at: datetime) -> None:
        values = {
            "domains": list(account.domains),
            "addresses": list(account.addresses),
            "certificate_sha256": account.certificate_sha256,
            "certificate_subject": account.certificate_subject,
            "active": account.active,
            "changed_at": at,
            "changed_by": by,
        }
        where = interface_accounts.c.username == account.username
        if self.connection.execute(update(interface_accounts).where(where).values(values)).rowcount:
            return
        self.connection.execute(
            interface_accounts.insert().values(username=account.username, **values)
        )


def _account(row: RowMapping) -> InterfaceAccount:
    return InterfaceAccount(
        username=row["username"],
        domains=tuple(row["domains"]),
        addresses=tuple(row["addresses"]),
        certificate_sha256=row["certificate_sha256"],
        certificate_subject=row["certificate_subject"],
        active=row["active"],
    )
