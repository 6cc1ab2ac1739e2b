"""Which app may import which: the apps' imports must not go round in a circle.

Every import of `connexion.<app>` from a module of another app counts, at the
top of the module or inside a function, so a cycle cannot hide in a
function-level import. `ops` is the top layer (the demo seeding and the
commands that start everything import every app); no app may import it."""

from __future__ import annotations

import ast
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

import connexion

SOURCE = Path(connexion.__file__).parent
APPS = {path.parent.name for path in SOURCE.glob("*/__init__.py")}
TOP = "ops"

# Imports that close a cycle today, as (importing app, imported app). Without
# them the graph has no cycle. This set only shrinks: remove an entry once its
# import is gone (the test fails on an entry that no longer exists), never add
# one. accounts -> api: the routers are moving into their domain apps.
# audit -> accounts: the log's pages check permissions and record who acted.
# audit -> people: the log's change rows are masked as a record's history is.
# privacy -> portal: the record of processing names the privacy contact.
# comms -> privacy, sales -> privacy: a template's purpose, a person's timeline
# (privacy -> sales: product interests and partners' products).
KNOWN_CYCLES: set[tuple[str, str]] = {
    ("accounts", "api"),
    ("audit", "accounts"),
    ("audit", "people"),
    ("privacy", "portal"),
    ("comms", "privacy"),
    ("sales", "privacy"),
}


def _imported_modules(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            # `from connexion import people` imports the app too.
            if node.module == "connexion":
                names += [f"connexion.{alias.name}" for alias in node.names]
    return names


def app_imports() -> dict[tuple[str, str], list[str]]:
    """(importing app, imported app) -> the importing modules."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE)
        if "migrations" in relative.parts or len(relative.parts) < 2:
            continue  # migrations, and the project's own modules (settings, urls)
        app = relative.parts[0]
        if app not in APPS:
            continue
        for name in _imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
            parts = name.split(".")
            if len(parts) > 1 and parts[0] == "connexion" and parts[1] in APPS - {app}:
                edges[(app, parts[1])].append(str(relative))
    return edges


def cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """One cycle through each strongly connected group of apps (Tarjan)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        graph[source].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(app: str) -> None:
        index[app] = low[app] = len(index)
        stack.append(app)
        for other in sorted(graph[app]):
            if other not in index:
                visit(other)
                low[app] = min(low[app], low[other])
            elif other in stack:
                low[app] = min(low[app], index[other])
        if low[app] == index[app]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == app:
                    break
            if len(group) > 1:
                groups.append(group)

    for app in sorted(graph):
        if app not in index:
            visit(app)
    return [_cycle_in(group, graph) for group in groups]


def _cycle_in(group: set[str], graph: dict[str, set[str]]) -> list[str]:
    start = min(group)
    path = [start]
    seen = {start}
    while True:
        following = sorted(graph[path[-1]] & group)
        if start in following and len(path) > 1:
            return [*path, start]
        fresh = [app for app in following if app not in seen]
        app = fresh[0] if fresh else following[0]
        if app in seen:
            return [*path[path.index(app) :], app]
        path.append(app)
        seen.add(app)


def test_no_app_imports_ops():
    importers = {
        module
        for (app, imported), modules in app_imports().items()
        if imported == TOP
        for module in modules
    }
    assert not importers, f"only ops may import ops: {sorted(importers)}"


def test_the_apps_imports_have_no_new_cycle():
    edges = app_imports()
    found = cycles({edge for edge in edges if edge not in KNOWN_CYCLES})
    details = [
        " -> ".join(cycle)
        + "\n"
        + "\n".join(
            f"    {a} -> {b}: {', '.join(sorted(set(edges[(a, b)])))}" for a, b in pairwise(cycle)
        )
        for cycle in found
    ]
    assert not found, "import cycles between apps:\n" + "\n".join(details)


def test_every_known_cycle_still_exists():
    """An import that is gone leaves KNOWN_CYCLES: the set only shrinks."""
    gone = KNOWN_CYCLES - set(app_imports())
    assert not gone, f"remove from KNOWN_CYCLES: {sorted(gone)}"


def test_cycles_finds_a_cycle():
    assert cycles({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}) == [["a", "b", "c", "a"]]
    assert cycles({("a", "b"), ("b", "c")}) == []
