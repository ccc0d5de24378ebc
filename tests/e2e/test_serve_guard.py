"""Issue 13 point 6: ``identito serve`` in production. A real ``identito serve``
subprocess: outside test mode it refuses the simulated INSi unless
``IDENTITO_INSI_ALLOW_SIMULATOR`` says so, warns about cookies that are not Secure,
and answers HTTPS requests (a local proxy's ``X-Forwarded-Proto``) with HSTS."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest
from api_support import TestClient, make_container
from serve_support import IDENTITO, Served, environment, free_port

from identito.adapters.database import dispose_engines
from identito.adapters.migrate import upgrade_database
from identito.entrypoints.api import create_app

HSTS = "strict-transport-security"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'identito.sqlite3'}"
    upgrade_database(url)
    dispose_engines()
    return url


def test_serve_outside_test_mode_refuses_the_simulated_insi_and_names_the_setting(
    tmp_path: Path, database_url: str
) -> None:
    with Served(tmp_path, environment(database_url=database_url)) as served:
        started = served.wait_started()
        code = served.process.wait(timeout=10)

    assert not started and code == 1
    output = " ".join(served.output().split())
    assert "Démarrage refusé" in output and "IDENTITO_INSI_ALLOW_SIMULATOR=true" in output
    assert "IDENTITO_INSI_BACKEND=soap" in output


def test_serve_with_the_simulator_allowed_starts_warns_loudly_and_sends_hsts_over_https(
    tmp_path: Path, database_url: str
) -> None:
    env = environment(database_url=database_url, insi_allow_simulator="true")
    with Served(tmp_path, env) as served:
        assert served.wait_started(), served.output()
        plain = httpx.get(f"{served.base}/login")
        https = httpx.get(f"{served.base}/login", headers={"X-Forwarded-Proto": "https"})
        output = served.stop()

    assert "WARNING identito.startup: ATTENTION : téléservice INSi SIMULÉ" in output
    assert "WARNING identito.startup: ATTENTION : cookies de session sans l'attribut Secure" in (
        output
    )
    assert HSTS not in plain.headers
    assert https.headers[HSTS] == "max-age=31536000"
    assert "secure" in https.headers["set-cookie"].lower()


def test_serve_in_test_mode_starts_with_the_simulator_without_a_warning(
    tmp_path: Path, database_url: str
) -> None:
    env = environment(database_url=database_url, test_mode="true")
    with Served(tmp_path, env) as served:
        assert served.wait_started(), served.output()
        output = served.stop()

    assert "identito.startup" not in output


def test_hsts_is_sent_on_every_https_answer_and_never_over_http(tmp_path: Path) -> None:
    container = make_container(tmp_path)
    app = create_app(container)
    with TestClient(app, base_url="https://testserver") as https:
        answers = [https.get("/login"), https.get("/api/v1/health"), https.get("/fhir/metadata")]
    with TestClient(app, base_url="http://testserver") as http:
        plain = http.get("/login")

    assert [a.headers.get(HSTS) for a in answers] == ["max-age=31536000"] * 3
    assert HSTS not in plain.headers


def test_hsts_max_age_zero_sends_no_hsts(tmp_path: Path) -> None:
    container = make_container(tmp_path, hsts_max_age_seconds=0)
    with TestClient(create_app(container), base_url="https://testserver") as https:
        assert HSTS not in https.get("/login").headers


def test_mllp_serve_outside_test_mode_refuses_the_simulated_insi_too(database_url: str) -> None:
    command = [str(IDENTITO), "mllp", "serve", "--port", str(free_port())]
    env = environment(database_url=database_url)

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)

    assert done.returncode == 1
    assert "IDENTITO_INSI_ALLOW_SIMULATOR=true" in " ".join(done.stderr.split())
