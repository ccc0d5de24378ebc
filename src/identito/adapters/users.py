"""``SqlUserRepository``: users and their API tokens (stored hashed)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, RowMapping, delete, select, update

from identito.adapters.orm import api_tokens, users
from identito.domain.permissions import Role
from identito.services.unit_of_work import Token, User


class SqlUserRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, user: User) -> None:
        self.connection.execute(
            users.insert(),
            {
                "id": user.id,
                "username": user.username,
                "role": user.role.value,
                "password_hash": user.password_hash,
                "active": user.active,
                "created_at": datetime.now(UTC),
            },
        )

    def get(self, username: str) -> User | None:
        row = (
            self.connection.execute(select(users).where(users.c.username == username))
            .mappings()
            .first()
        )
        return _user(row) if row else None

    def list(self) -> list[User]:
        rows = self.connection.execute(select(users).order_by(users.c.username)).mappings()
        return [_user(row) for row in rows]

    def update(self, user: User) -> None:
        self.connection.execute(
            update(users)
            .where(users.c.username == user.username)
            .values(role=user.role.value, active=user.active, password_hash=user.password_hash)
        )

    def add_token(self, token: Token) -> None:
        self.connection.execute(
            api_tokens.insert(),
            {
                "token_hash": token.token_hash,
                "username": token.username,
                "expires_at": token.expires_at,
            },
        )

    def get_token(self, token_hash: str) -> Token | None:
        row = (
            self.connection.execute(select(api_tokens).where(api_tokens.c.token_hash == token_hash))
            .mappings()
            .first()
        )
        if row is None:
            return None
        return Token(row["token_hash"], row["username"], row["expires_at"])

    def delete_token(self, token_hash: str) -> bool:
        query = delete(api_tokens).where(api_tokens.c.token_hash == token_hash)
        return self.connection.execute(query).rowcount > 0

    def delete_tokens(self, username: str, *, expired_at: datetime | None = None) -> int:
        query = delete(api_tokens).where(api_tokens.c.username == username)
        if expired_at is not None:
            query = query.where(api_tokens.c.expires_at <= expired_at)
        return int(self.connection.execute(query).rowcount)


def _user(row: RowMapping) -> User:
    return User(
        username=row["username"],
        role=Role(row["role"]),
        password_hash=row["password_hash"],
        active=row["active"],
        id=row["id"],
    )
