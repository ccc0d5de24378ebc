"""The import rules of STYLE.md (issue 14 point 3): no import cycle between modules of
identito; the API and the web never import each other; messages never import the services.

Each rule fails on a NEW import and on an allow-listed import that no longer exists, so the
allow-lists stay exact and may only shrink. They hold the violations of December 2026, left
to the capability refactoring of issue 14 (points 1 and 2): remove a line when you remove
the import; never add one.
"""

from __future__ import annotations

from pathlib import Path

from import_graph import Edge, cycle_imports, import_graph, imports_between

CYCLE_IMPORTS_ALLOWED: frozenset[Edge] = frozenset(
    {
        # identities -> duplicate_watch -> duplicate_reviews -> duplicates -> identities, with
        # verification, vigilance, INSi integration and INS refusals on the way
        ("services.identities", "services.duplicate_watch"),
        ("services.identities", "services.ins_refusals"),
        ("services.identities", "services.vigilance"),
        ("services.duplicate_watch", "services.duplicate_reviews"),
        ("services.duplicate_reviews", "services.duplicates"),
        ("services.duplicates", "services.identities"),
        ("services.ins_refusals", "services.duplicate_reviews"),
        ("services.ins_refusals", "services.duplicates"),
        ("services.insi_integration", "services.duplicate_watch"),
        ("services.insi_integration", "services.ins_refusals"),
        ("services.verification", "services.insi_integration"),
        ("services.vigilance", "services.duplicate_watch"),
        ("services.vigilance", "services.verification"),
        # reception re-exports its three parts, which import reception back
        ("services.reception", "services.reception_creations"),
        ("services.reception", "services.reception_merges"),
        ("services.reception", "services.reception_updates"),
        ("services.reception_creations", "services.reception"),
        ("services.reception_merges", "services.reception"),
        ("services.reception_updates", "services.reception"),
        ("services.reception_updates", "services.reception_merges"),
        # the CLI registers its command modules, which reach back through a lazy `_cli()`
        ("entrypoints.cli", "entrypoints.cli_audit"),
        ("entrypoints.cli", "entrypoints.cli_diffusion"),
        ("entrypoints.cli", "entrypoints.cli_duplicates"),
        ("entrypoints.cli", "entrypoints.cli_insi"),
        ("entrypoints.cli", "entrypoints.cli_verify"),
        ("entrypoints.cli_audit", "entrypoints.cli"),
        ("entrypoints.cli_diffusion", "entrypoints.cli"),
        ("entrypoints.cli_duplicates", "entrypoints.cli"),
        ("entrypoints.cli_insi", "entrypoints.cli"),
        ("entrypoints.cli_verify", "entrypoints.cli"),
        ("entrypoints.cli_verify", "entrypoints.cli_insi"),
    }
)

API_WEB_IMPORTS_ALLOWED: frozenset[Edge] = frozenset(
    {
        # the API app mounts the web pages: the app belongs in one shared entrypoints/app.py
        ("entrypoints.api.app", "entrypoints.web"),
        # the web takes the container, settings and actor from the API's dependencies: they
        # belong in one entrypoints/deps.py both import
        *(
            (f"entrypoints.web.{module}", "entrypoints.api.deps")
            for module in (
                "deps",
                "pages_admin",
                "pages_auth",
                "pages_changes",
                "pages_collisions",
                "pages_diffusion",
                "pages_duplicates",
                "pages_identities",
                "pages_indicators",
                "pages_insi",
                "pages_insi_lists",
                "pages_journal",
                "pages_interfaces",
                "pages_reviews",
                "pages_verification",
            )
        ),
    }
)

MESSAGES_TO_SERVICES_ALLOWED: frozenset[Edge] = frozenset(
    {
        # data classes that live in services today and belong in the domain (or messages):
        # the received identity and its sender; the outgoing propagation
        ("messages.fhir_reception", "services.reception_model"),
        ("messages.hl7v2_reception", "services.reception_model"),
        ("messages.hl7v2", "services.propagation"),
    }
)


def _compare(found: set[Edge], allowed: frozenset[Edge]) -> tuple[list[Edge], list[Edge]]:
    """(new violations, allow-listed ones that are gone)."""
    return sorted(found - allowed), sorted(allowed - found)


GRAPH = import_graph()


def test_the_graph_resolves_a_submodule_imported_from_its_package() -> None:
    assert "identito.geography.dataset" in GRAPH["identito.geography.table"]
    assert "identito.geography" not in GRAPH["identito.geography.table"]


def test_the_graph_sees_an_import_inside_a_function() -> None:
    assert "identito.entrypoints.cli" in GRAPH["identito.entrypoints.cli_audit"]


def test_the_cycle_finder_sees_a_three_module_cycle_and_nothing_outside_it() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"a"}}
    assert cycle_imports(graph) == {("a", "b"), ("b", "c"), ("c", "a")}


def test_the_checker_finds_the_violations_of_a_made_up_package(tmp_path: Path) -> None:
    root = tmp_path / "identito"
    for name, text in {
        "__init__.py": "",
        "messages/__init__.py": "",
        "messages/fmt.py": "from identito.services import use_case\n",
        "services/__init__.py": "",
        "services/use_case.py": "def run():\n    from identito.services import other\n",
        "services/other.py": "from . import use_case\n",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    graph = import_graph(root)
    assert cycle_imports(graph) == {
        ("services.use_case", "services.other"),
        ("services.other", "services.use_case"),
    }
    assert imports_between(graph, "identito.messages", "identito.services") == {
        ("messages.fmt", "services.use_case")
    }


def test_a_new_import_and_an_allow_listed_import_that_is_gone_are_both_reported() -> None:
    allowed = frozenset({("messages.a", "services.b"), ("messages.c", "services.d")})
    found = {("messages.a", "services.b"), ("messages.e", "services.f")}
    assert _compare(found, allowed) == (
        [("messages.e", "services.f")],
        [("messages.c", "services.d")],
    )


def test_no_new_import_cycle_and_every_allow_listed_cycle_import_still_exists() -> None:
    new, gone = _compare(cycle_imports(GRAPH), CYCLE_IMPORTS_ALLOWED)
    assert new == [], f"new import cycle (break it, never allow-list it): {new}"
    assert gone == [], f"no longer in a cycle: remove from CYCLE_IMPORTS_ALLOWED: {gone}"


def test_the_api_and_the_web_never_import_each_other_beyond_the_allow_list() -> None:
    found = imports_between(GRAPH, "identito.entrypoints.api", "identito.entrypoints.web")
    found |= imports_between(GRAPH, "identito.entrypoints.web", "identito.entrypoints.api")
    new, gone = _compare(found, API_WEB_IMPORTS_ALLOWED)
    assert new == [], f"the API and the web must not import each other: {new}"
    assert gone == [], f"fixed: remove from API_WEB_IMPORTS_ALLOWED: {gone}"


def test_messages_never_import_the_services_beyond_the_allow_list() -> None:
    found = imports_between(GRAPH, "identito.messages", "identito.services")
    new, gone = _compare(found, MESSAGES_TO_SERVICES_ALLOWED)
    assert new == [], f"messages are formats only, they never import use cases: {new}"
    assert gone == [], f"fixed: remove from MESSAGES_TO_SERVICES_ALLOWED: {gone}"
