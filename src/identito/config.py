"""Typed settings, built once and passed in.

Values come from environment variables prefixed ``IDENTITO_`` (for example
``IDENTITO_DATABASE_URL``) or from a TOML file named by ``IDENTITO_SETTINGS_FILE``;
the environment wins over the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def _default_database_url() -> str:
    return f"sqlite:///{Path.cwd() / 'var' / 'identito.sqlite3'}"


class DocumentTypeSetting(BaseModel):
    code: str
    label: str
    high_trust: bool


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITO_", extra="ignore")

    #: SQLAlchemy URL; SQLite in ./var/ by default, PostgreSQL in production.
    database_url: str = Field(default_factory=_default_database_url)
    #: Test mode accepts the test and demo OIDs of the matricule INS.
    test_mode: bool = False
    #: Lifetime of API bearer tokens, in minutes.
    token_ttl_minutes: int = 8 * 60
    #: Replaces the permissions of the named roles (role -> list of permissions).
    role_permissions: dict[str, list[str]] = Field(default_factory=dict)
    #: The configurable list of identity documents; None keeps the default list.
    document_types: list[DocumentTypeSetting] | None = None
    #: Directory holding INSEE files reloaded with `identito geography reload`.
    geography_dir: Path | None = None
    #: Rows per transaction when importing identities.
    import_batch_size: int = 2000

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        settings_file = os.environ.get("IDENTITO_SETTINGS_FILE")
        if settings_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=settings_file))
        return tuple(sources)


def load_settings(**overrides: Any) -> Settings:
    return Settings(**overrides)
