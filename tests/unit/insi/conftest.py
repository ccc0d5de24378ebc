"""Fixtures of the INSi unit tests."""

from __future__ import annotations

import pytest

from identito.adapters.insi.simulator.certs import CertificateSet, ensure_certificates


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> CertificateSet:
    return ensure_certificates(tmp_path_factory.mktemp("insi-certs"))
