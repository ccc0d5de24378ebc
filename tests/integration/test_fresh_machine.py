"""A fresh machine (issue 14 point 6): what `make run`, `make test` and CI would execute,
read from `make --dry-run` in a copy of the Makefile (nothing is installed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")


def _dry_run(tmp_path: Path, *args: str) -> str:
    """The commands of `make ARGS` on a machine without .venv (a fresh clone)."""
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    done = subprocess.run(
        ["make", "--dry-run", *args], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_make_run_installs_the_runtime_dependencies_without_the_dev_extra(tmp_path):
    commands = _dry_run(tmp_path, "run")
    assert "pip install --quiet -e .\n" in commands
    assert "[dev]" not in commands and "[bench]" not in commands
    assert "identito serve --host 127.0.0.1 --port 8000" in commands


def test_make_run_serves_on_the_port_given_on_the_command_line(tmp_path):
    commands = _dry_run(tmp_path, "run", "PORT=8080", "HOST=0.0.0.0")
    assert "identito serve --host 0.0.0.0 --port 8080" in commands


@pytest.mark.parametrize("target", ["test", "lint"])
def test_make_test_and_make_lint_install_the_dev_extra(tmp_path, target):
    commands = _dry_run(tmp_path, target)
    assert "pip install --quiet -e '.[dev]'" in commands


def test_ci_runs_make_test_and_make_lint():
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert "make test" in lines and "make lint" in lines
