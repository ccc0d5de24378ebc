"""The dependency rule of STYLE.md, checked on the source's import statements."""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from import_graph import PACKAGE, from_base, module_name, within

STDLIB = sys.stdlib_module_names


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """Every module imported by a file (relative imports resolved), with its line."""
    module = module_name(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.lineno, from_base(module, path, node)


def violations(layer: str, allowed: Callable[[str], bool]) -> list[str]:
    found = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for line, imported in _imports(path):
            if not allowed(imported):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {imported}")
    return found


def _top(module: str) -> str:
    return module.split(".")[0]


def _project(module: str) -> bool:
    return within(module, "identito")


def test_the_checker_sees_relative_and_absolute_imports() -> None:
    imported = {name for _, name in _imports(PACKAGE / "domain" / "identity_state.py")}
    assert {"identito.domain.errors", "dataclasses", "uuid"} <= imported


def test_the_domain_imports_nothing_but_the_standard_library_and_stdnum() -> None:
    assert (
        violations(
            "domain",
            lambda m: _top(m) in STDLIB or _top(m) == "stdnum" or within(m, "identito.domain"),
        )
        == []
    )


def test_the_services_import_only_the_domain_geography_services_and_the_standard_library() -> None:
    """rapidfuzz (a pure string-similarity library, no I/O) scores the INSi comparison."""
    layers = ("identito.domain", "identito.services", "identito.geography")
    assert (
        violations(
            "services",
            lambda m: _top(m) in STDLIB or _top(m) == "rapidfuzz" or within(m, *layers),
        )
        == []
    )


def test_geography_imports_nothing_else_of_the_project_but_the_domain() -> None:
    layers = ("identito.domain", "identito.geography")
    assert violations("geography", lambda m: not _project(m) or within(m, *layers)) == []


def test_adapters_never_import_the_entrypoints() -> None:
    assert violations("adapters", lambda m: not within(m, "identito.entrypoints")) == []


def test_messages_import_neither_adapters_nor_entrypoints() -> None:
    forbidden = ("identito.adapters", "identito.entrypoints")
    assert violations("messages", lambda m: not within(m, *forbidden)) == []


DEV_ONLY = {  # the dev and bench extras of pyproject.toml: absent where `make run` installs
    "fhir",
    "hl7apy",
    "httpx2",
    "mypy",
    "playwright",
    "pypdfium2",
    "pytest",
    "ruff",
    "schemathesis",
    "splink",
}


def test_the_application_imports_no_package_of_the_dev_or_bench_extras() -> None:
    """`make run` installs the runtime dependencies only (issue 14 point 6)."""
    assert violations("", lambda m: _top(m) not in DEV_ONLY) == []
