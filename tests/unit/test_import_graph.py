"""The package's import graph, read from the source: no cycles, few top-level modules.

A cycle means two modules cannot be understood (or loaded) one without the
other; the layers in ARCHITECTURE.md only hold if there are none. Imports
inside functions count too: moving an import into a function hides a cycle
from Python, not from a reader.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "storycircle"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _imported(name: str, path: Path, modules: dict[str, Path]) -> Iterator[str]:
    """The storycircle modules that ``name`` imports, wherever in the file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                kept = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*kept, base] if base else kept)
            for alias in node.names:
                # ``from package import module`` imports the module, not the package.
                submodule = f"{base}.{alias.name}"
                if submodule in modules:
                    yield submodule
                elif base in modules:
                    yield base


def import_graph() -> dict[str, set[str]]:
    """Each storycircle module and the storycircle modules it imports."""
    modules = _modules()
    return {
        name: {target for target in _imported(name, path, modules) if target != name}
        for name, path in modules.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path that returns to its start, or None."""
    finished: set[str] = set()
    for start in sorted(graph):
        if start in finished:
            continue
        # Depth-first walk with an explicit stack: ``path`` is the chain being
        # followed, ``pending`` the targets still to try at each step of it.
        path = [start]
        pending = [iter(sorted(graph[start]))]
        while pending:
            target = next(pending[-1], None)
            if target is None:
                finished.add(path.pop())
                pending.pop()
            elif target in path:
                return [*path[path.index(target) :], target]
            elif target not in finished:
                path.append(target)
                pending.append(iter(sorted(graph.get(target, ()))))
    return None


def test_the_cycle_finder_finds_a_cycle_and_accepts_a_tree() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_storycircle_module_imports_itself_in_a_circle() -> None:
    graph = import_graph()
    assert len(graph) > 100  # the walk really read the package
    assert find_cycle(graph) is None


def test_the_graph_sees_imports_inside_functions() -> None:
    # storycircle.cli.main imports each verb's module only when it runs.
    assert "storycircle.cli.commands" in import_graph()["storycircle.cli.main"]


def test_at_most_eight_modules_sit_directly_in_the_package() -> None:
    top = sorted(
        path.name
        for path in PACKAGE.glob("*.py")
        if path.name not in {"__init__.py", "__main__.py"}
    )
    assert len(top) <= 8, top


def _unexplained_function_imports(path: Path) -> list[int]:
    """Lines of imports inside functions with no comment near them, in a module
    that does not say once why it imports late (its start-up cost)."""
    source = path.read_text("utf-8")
    if "start-up" in source.lower():
        return []
    lines = source.splitlines()
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom):
                above = lines[max(0, node.lineno - 4) : node.lineno]
                if not any("#" in line for line in above):
                    found.append(node.lineno)
    return found


def test_the_late_import_check_sees_an_unexplained_one(tmp_path: Path) -> None:
    silent, explained = tmp_path / "silent.py", tmp_path / "explained.py"
    silent.write_text("def f():\n    import json\n    return json\n", encoding="utf-8")
    explained.write_text(
        "def f():\n    # Late: json is slow to import.\n    import json\n    return json\n",
        encoding="utf-8",
    )
    assert _unexplained_function_imports(silent) == [2]
    assert _unexplained_function_imports(explained) == []


def test_imports_inside_functions_say_why() -> None:
    unexplained = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line in _unexplained_function_imports(path)
    ]
    assert unexplained == []
