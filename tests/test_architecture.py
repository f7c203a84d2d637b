"""The layers stay honest: kivy only in kiosk/ui; core imports neither services nor ui."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "kiosk"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module", "__import__"
        ):
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                names.add(node.args[0].value)
    return names


def python_files(folder: Path):
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def offenders(folder: Path, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in python_files(folder):
        for name in imported_modules(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_kivy_only_in_ui():
    found = []
    for path in python_files(PKG):
        if (PKG / "ui") in path.parents:
            continue
        for name in imported_modules(path):
            if name == "kivy" or name.startswith("kivy."):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    assert found == []


def test_core_imports_neither_services_nor_ui():
    assert offenders(PKG / "core", ("kiosk.services", "kiosk.ui", "kiosk.app", "kiosk.commands", "kiosk.cli")) == []


def test_services_do_not_import_ui():
    assert offenders(PKG / "services", ("kiosk.ui", "kiosk.app", "kiosk.commands")) == []


def test_checker_catches_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import kivy.uix.label\nfrom kiosk.services.backend import demo\n")
    names = imported_modules(bad)
    assert "kivy.uix.label" in names and "kiosk.services.backend" in names


def test_import_linter_contracts_hold():
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
         "sys.exit(lint_imports_command())"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
