"""The layers keep their promises about what they import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "storycircle"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)  # importlib.import_module("name")
    return names


def _modules() -> list[tuple[str, set[str]]]:
    return [
        (str(path.relative_to(PACKAGE.parent)), _imports(path)) for path in PACKAGE.rglob("*.py")
    ]


def _uses(imports: set[str], top: str) -> bool:
    return any(name == top or name.startswith(top + ".") for name in imports)


def test_only_the_store_imports_sqlite_utils() -> None:
    offenders = [
        name
        for name, imports in _modules()
        if _uses(imports, "sqlite_utils") and not name.startswith("storycircle/store/")
    ]
    assert offenders == []
    assert any(_uses(i, "sqlite_utils") for n, i in _modules() if n.startswith("storycircle/store"))


def test_only_app_screens_and_widgets_import_textual() -> None:
    allowed = ("storycircle/tui/", "storycircle/screens/", "storycircle/widgets/")
    offenders = [
        name
        for name, imports in _modules()
        if _uses(imports, "textual") and not name.startswith(allowed)
    ]
    assert offenders == []


def test_vault_imports_only_itself_and_libraries() -> None:
    for name, imports in _modules():
        if name.startswith("storycircle/vault/"):
            app_imports = {i for i in imports if i.startswith("storycircle")}
            assert all(i.startswith("storycircle.vault") for i in app_imports), name
            assert not _uses(imports, "textual") and not _uses(imports, "sqlite_utils"), name


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return set(out.split())


def test_importing_the_vault_loads_neither_textual_nor_sqlite() -> None:
    loaded = _loaded_after("import storycircle.vault")
    assert "textual" not in loaded and "sqlite_utils" not in loaded
    assert "storycircle.vault" in loaded


def test_command_line_verbs_do_not_load_textual() -> None:
    loaded = _loaded_after("import storycircle.cli.main, storycircle.cli.commands")
    assert "textual" not in loaded
    assert "storycircle.cli.commands" in loaded


# What a session holds below it; a screen asks the session's verbs instead.
SESSION_INSIDES = {"library", "journal", "sharing", "installation"}


def _reaches_past_the_session(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in SESSION_INSIDES
            and isinstance(node.value, ast.Attribute | ast.Name)
            and (node.value.attr if isinstance(node.value, ast.Attribute) else node.value.id)
            == "session"
        ):
            found.append(f"{path.name}:{node.lineno} session.{node.attr}")
    return found


def test_the_reach_check_sees_a_reach(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def f(self):\n    return self.session.library\n", encoding="utf-8")
    assert _reaches_past_the_session(probe) == ["probe.py:2 session.library"]


def test_screens_go_through_the_session_s_verbs() -> None:
    interface = [
        path
        for folder in ("tui", "screens", "widgets")
        for path in (PACKAGE / folder).rglob("*.py")
    ]
    assert len(interface) > 30
    assert [hit for path in interface for hit in _reaches_past_the_session(path)] == []
