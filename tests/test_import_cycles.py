"""No import cycle among voicekit's modules, counting imports inside functions.

The graph: one node per module of the package (a package is its `__init__`). An edge goes from a module to every
voicekit module it imports anywhere in its body (top level, inside functions or classes, in try blocks), except
under `if TYPE_CHECKING:`, which never runs. `from voicekit.x import y` is an edge to `voicekit.x.y` when that is a
module, else to `voicekit.x`. The parent packages Python imports on the way are not edges (every module would
otherwise depend on `voicekit/__init__`, which re-exports the public API). The test asserts that this module-level
graph is acyclic.
"""

from __future__ import annotations

import ast
from pathlib import Path

import voicekit

ROOT = Path(voicekit.__file__).parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in ROOT.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement that can run (anywhere but under `if TYPE_CHECKING:`)."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        pending.extend(ast.iter_child_nodes(node))
    return found


def _targets(module: str, path: Path, node: ast.Import | ast.ImportFrom, known: set[str]) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in known}
    if node.level:
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{node.module}" if node.module else package
    else:
        base = node.module or ""
    targets = set()
    for alias in node.names:
        child = f"{base}.{alias.name}"
        if child in known:
            targets.add(child)
        elif base in known:
            targets.add(base)
    return targets


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges: set[str] = set()
        for node in _imports(tree):
            edges |= _targets(name, path, node, known)
        graph[name] = edges - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a list of modules (first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state and (cycle := visit(target)) is not None:
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def test_the_graph_sees_imports_inside_functions() -> None:
    source = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import voicekit.cli\n"
              "def f():\n    from voicekit import errors\n    from ..engines import local\n")
    nodes = _imports(ast.parse(source))
    known = set(_modules())
    targets = set().union(*(_targets("voicekit.jobs", ROOT / "jobs" / "__init__.py", n, known) for n in nodes))
    assert targets == {"voicekit.errors", "voicekit.engines.local"}  # inside a function yes, TYPE_CHECKING no
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_between_modules() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])
