"""The project's import graph, read from the source's import statements (no import runs):
what tests/unit/test_architecture_graph.py checks for cycles and forbidden imports."""

from __future__ import annotations

import ast
from pathlib import Path

import identito

PACKAGE = Path(identito.__file__).parent

Edge = tuple[str, str]  # (importing module, imported module), names without "identito."


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def within(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def _short(module: str) -> str:
    return module.removeprefix("identito.")


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the project modules it imports anywhere in its file (also inside functions
    and ``TYPE_CHECKING``), ``from pkg import sub`` resolved to the submodule ``pkg.sub``."""
    paths = {module_name(path, package): path for path in sorted(package.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = from_base(module, path, node)
                targets.update(
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in paths else base
                    for alias in node.names
                )
        graph[module] = {_owner(t, paths) for t in targets if _owner(t, paths)} - {module}
    return graph


def from_base(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The module named by ``from X import ...`` in ``module`` (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
    return f"{base}.{node.module}" if node.module else base


def _owner(name: str, modules: dict[str, Path]) -> str:
    """The project module a dotted name lives in ("" outside the project)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name


def cycle_imports(graph: dict[str, set[str]]) -> set[Edge]:
    """Every import between two modules of one strongly connected component (Tarjan)."""
    component: dict[str, int] = {}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []

    def visit(start: str) -> None:  # iterative: the graph is deeper than the recursion limit
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        while work:
            node, children = work[-1]
            child = next((c for c in children if c in graph), None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child not in component:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    component[member] = index[node]
                    if member == node:
                        break

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return {
        (_short(a), _short(b))
        for a, targets in graph.items()
        for b in targets
        if b in component and component[a] == component[b]
    }


def imports_between(graph: dict[str, set[str]], source: str, target: str) -> set[Edge]:
    return {
        (_short(a), _short(b))
        for a, targets in graph.items()
        if within(a, source)
        for b in targets
        if within(b, target)
    }
