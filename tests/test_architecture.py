"""The layout promised in docs/architecture.md, checked so that it stays true as the code grows."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("kam", "accounts", "programme", "api")
LONGEST_MODULE = 800
LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports())"


def _app_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_apps_are_layered_without_cycles():
    """kam.core <- accounts <- programme <- api <- the URLs: import-linter's contract in pyproject.toml."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports())",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_no_import_hides_inside_a_function():
    """A function-local import of our own code would dodge the layering; only AppConfig.ready() may."""
    found = []
    for path in _app_modules():
        tree = ast.parse(path.read_text())
        top_level = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom | ast.Import) or id(node) in top_level:
                continue
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            ours = [
                n
                for n in names
                if n.split(".")[0] in APPS or (isinstance(node, ast.ImportFrom) and node.level)
            ]
            if ours and path.name != "apps.py" and not _under_type_checking(tree, node):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, found


def _under_type_checking(tree, target) -> bool:
    for node in ast.walk(tree):
        is_guard = isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
        if is_guard and any(child is target for child in ast.walk(node)):
            return True
    return False


def test_no_module_is_longer_than_a_newcomer_can_read():
    too_long = {
        str(path.relative_to(ROOT)): n
        for path in _app_modules()
        if (n := len(path.read_text().splitlines())) > LONGEST_MODULE
    }
    assert not too_long, too_long
