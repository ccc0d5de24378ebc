"""Settings reach the rules: test mode, document list, role overrides."""

from __future__ import annotations

import pytest

from fakes import FakeUnitOfWork
from identito.bootstrap import bootstrap
from identito.config import DocumentTypeSetting, Settings
from identito.domain.errors import InvalidInput
from identito.domain.identifiers import Ins, Oid
from identito.domain.permissions import Permission, Role, role_permissions

TEST_NIR = "180032B02040123"


@pytest.mark.parametrize("test_mode", [False, True])
def test_test_and_demo_oids_are_accepted_only_by_an_instance_in_test_mode(
    test_mode: bool,
) -> None:
    rules = bootstrap(Settings(test_mode=test_mode), uow_factory=FakeUnitOfWork).rules
    assert rules.allow_test_oids is test_mode
    for oid in (Oid.NIR_TEST, Oid.NIR_DEMO):
        if test_mode:
            assert Ins.parse(TEST_NIR, oid.value, allow_test_oids=rules.allow_test_oids).oid is oid
        else:
            with pytest.raises(InvalidInput) as error:
                Ins.parse(TEST_NIR, oid.value, allow_test_oids=rules.allow_test_oids)
            assert error.value.errors[0].rule == "ins_test_oid"


def test_the_document_list_can_be_set_by_configuration() -> None:
    documents = [DocumentTypeSetting(code="PA", label="Passeport", high_trust=True)]
    rules = bootstrap(Settings(document_types=documents), uow_factory=FakeUnitOfWork).rules
    assert list(rules.document_types) == ["PA"]


def test_settings_come_from_identito_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IDENTITO_DATABASE_URL", "sqlite:////tmp/elsewhere.sqlite3")
    monkeypatch.setenv("IDENTITO_TEST_MODE", "true")
    monkeypatch.setenv("IDENTITO_ROLE_PERMISSIONS", '{"care": ["identity:search"]}')
    settings = Settings()
    assert settings.database_url == "sqlite:////tmp/elsewhere.sqlite3"
    assert settings.test_mode is True
    permissions = role_permissions(Role.CARE, settings.role_permissions)
    assert permissions == frozenset({Permission.IDENTITY_SEARCH})


def test_settings_can_come_from_a_toml_file_and_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "identito.toml"
    path.write_text('database_url = "sqlite:////tmp/from-file.sqlite3"\ntoken_ttl_minutes = 60\n')
    monkeypatch.delenv("IDENTITO_DATABASE_URL", raising=False)
    monkeypatch.setenv("IDENTITO_SETTINGS_FILE", str(path))
    monkeypatch.setenv("IDENTITO_TOKEN_TTL_MINUTES", "30")
    settings = Settings()
    assert settings.database_url == "sqlite:////tmp/from-file.sqlite3"
    assert settings.token_ttl_minutes == 30
