"""axe-core in the browser tests: inject it into a Playwright page, assert 0 violations.

axe-core comes from the npm registry, pinned in ``scripts/ensure-axe`` and installed in
``var/axe`` (``make axe``, called by ``make test``, ``make browser`` and ``.ci/run``).
When it is missing the helper runs that script once; when that fails, the test fails:
the accessibility checks are never skipped.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
ENSURE_AXE = ROOT / "scripts" / "ensure-axe"
AXE_DIR = ROOT / "var" / "axe" / "node_modules" / "axe-core"

#: Every rule axe-core runs by default (WCAG 2.0, 2.1, 2.2 A and AA, best practices);
#: experimental rules are off, as in axe's own default.
_RUN = """async (disabled) => {
  const rules = Object.fromEntries(disabled.map(id => [id, {enabled: false}]));
  const result = await axe.run(document, {rules, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html,
                              summary: n.failureSummary})),
  }));
}"""


def pinned_version() -> str:
    """The version ``scripts/ensure-axe`` installs (its ``AXE_CORE_VERSION=`` line)."""
    found = re.search(r'^AXE_CORE_VERSION="([^"]+)"', ENSURE_AXE.read_text(), re.MULTILINE)
    assert found, "scripts/ensure-axe names no AXE_CORE_VERSION"
    return found.group(1)


def _installed_version() -> str | None:
    try:
        return str(json.loads((AXE_DIR / "package.json").read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


@functools.cache
def axe_source() -> str:
    """The text of ``axe.min.js`` at the pinned version, installed first when missing."""
    if _installed_version() != pinned_version():
        done = subprocess.run(["bash", str(ENSURE_AXE)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.fail(
                "axe-core could not be installed (bash scripts/ensure-axe):\n"
                + done.stdout + done.stderr
            )  # fmt: skip
    if _installed_version() != pinned_version():
        pytest.fail(f"axe-core {pinned_version()} is missing from {AXE_DIR}: run `make axe`.")
    return (AXE_DIR / "axe.min.js").read_text()


def axe_violations(page: Page, disabled: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now (``disabled``: rule id -> why it is off).

    The script is evaluated through the DevTools protocol, as the tests' own code: the
    application's Content-Security-Policy stays in force for everything else.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate("() => {\n" + axe_source() + "\n}")  # sets window.axe
    for rule, reason in (disabled or {}).items():
        assert reason.strip(), f"say why the axe rule {rule} is disabled"
    return list(page.evaluate(_RUN, list(disabled or {})))


def describe(violations: list[dict[str, Any]]) -> str:
    """One readable block per violation: rule, impact, help, then each element at fault."""
    lines: list[str] = []
    for violation in violations:
        lines.append(
            f"  [{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {node['target']}: {node['html'][:200]}")
            for reason in (node["summary"] or "").splitlines():
                lines.append(f"      {reason.strip()}")
    return "\n".join(lines)


def assert_accessible(page: Page, disabled: Mapping[str, str] | None = None) -> None:
    """Fail with every axe violation of the page, readable, or pass on none."""
    violations = axe_violations(page, disabled)
    assert not violations, f"axe-core on {page.url}:\n{describe(violations)}"
