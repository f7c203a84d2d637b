"""Flows lead, screens follow, read from the source (no display needed):

- no code of kiosk/ui shows a journey step's screen by its name (`nav.show("documents.list")`):
  it calls `nav.follow(flow)` and the flow's step says which screen comes;
- no screen and no picture set-up (kiosk/ui/screens, kiosk/ui/shot_states) calls `nav.show` with a
  screen named in the source at all (a string, a screen constant such as RESULT, `self.name`):
  a journey starts from its flow, and a picture presses the kiosk's buttons to get there;
- nothing outside the navigator (kiosk/ui/screen.py) calls its private parts (`nav._display`);
- screens, overlays and the journey base use of the app only what kiosk.ui.context.ScreenContext
  offers (a narrow, typed context, not the whole app).

Picture set-ups (`demo_state`, functions with "shot" in their name, a shot-states package) put
the kiosk in a given state for `kiosk shots`: they may name the screen they check they reached
(`on_screen`) and drive the app, but never show a screen by its name.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI = ROOT / "kiosk" / "ui"


def where(path: Path) -> str:
    return str(path.relative_to(ROOT)) if ROOT in path.parents else path.name


def ui_files() -> list[Path]:
    return sorted(p for p in UI.rglob("*.py") if "__pycache__" not in p.parts)


def decorator_call(node: ast.expr) -> tuple[str, list[ast.expr]] | None:
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        return name, node.args
    return None


def step_screen_names(files: list[Path]) -> set[str]:
    """Names given by @screen("…") to classes that are also @step_screen(Flow, Step.X)."""
    names = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            calls = [c for c in (decorator_call(d) for d in node.decorator_list) if c is not None]
            if any(name == "step_screen" for name, _ in calls):
                for name, args in calls:
                    if name == "screen" and args and isinstance(args[0], ast.Constant):
                        names.add(args[0].value)
    return names


def is_picture_setup(name: str) -> bool:
    return name == "demo_state" or "shot" in name


def walk_outside_pictures(tree: ast.AST):
    """Every node, except those inside a picture set-up function."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and is_picture_setup(node.name):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def shown_by_name(files: list[Path], journey_names: set[str]) -> list[str]:
    found = []
    for path in files:
        if UI in path.parents and any("shot" in part for part in path.relative_to(UI).parts):
            continue
        for node in walk_outside_pictures(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in ("show", "return_to", "reset"):
                continue
            target = node.func.value
            if not (isinstance(target, ast.Attribute) and target.attr == "nav" or
                    isinstance(target, ast.Name) and target.id == "nav"):
                continue
            if node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in journey_names:
                found.append(f"{where(path)}:{node.lineno} nav.{node.func.attr}({node.args[0].value!r})")
    return found


def names_a_screen(node: ast.expr) -> bool:
    """A screen named in the source: a string (or f-string), a screen constant (RESULT, module.GOAL),
    a screen's own name (`self.name`), or a choice between such. A name kept from the way the
    person came (`nav.show(name, **params)` of a remembered place) names none."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Name):
        return node.id.isupper()
    if isinstance(node, ast.Attribute):
        return node.attr.isupper() or node.attr == "name"
    if isinstance(node, ast.IfExp):
        return names_a_screen(node.body) or names_a_screen(node.orelse)
    if isinstance(node, ast.BoolOp):
        return any(names_a_screen(value) for value in node.values)
    return False


def is_nav(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "nav" or isinstance(node, ast.Name) and node.id == "nav"


def shows_a_named_screen(files: list[Path]) -> list[str]:
    """Every `nav.show(…)` given a screen named in the source, picture set-ups included."""
    found = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "show" and is_nav(node.func.value)):
                continue
            shown = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "name"), None)
            if shown is not None and names_a_screen(shown):
                found.append(f"{where(path)}:{node.lineno} nav.show({ast.unparse(shown)})")
    return found


def screens_and_picture_files() -> list[Path]:
    return sorted(p for folder in ("screens", "shot_states") for p in (UI / folder).glob("*.py"))


def private_navigator_calls(files: list[Path]) -> list[str]:
    found = []
    for path in files:
        if path == UI / "screen.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                owner = node.value
                if isinstance(owner, ast.Attribute) and owner.attr == "nav" or \
                        isinstance(owner, ast.Name) and owner.id == "nav":
                    found.append(f"{where(path)}:{node.lineno} nav.{node.attr}")
    return found


def context_members() -> set[str]:
    """The names ScreenContext offers (its annotated attributes and its methods)."""
    tree = ast.parse((UI / "context.py").read_text(encoding="utf-8"))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "ScreenContext")
    names = set()
    for item in cls.body:
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            names.add(item.target.id)
        elif isinstance(item, ast.FunctionDef):
            names.add(item.name)
    return names


def app_uses(path: Path) -> list[tuple[int, str]]:
    """(line, name) of every `self.app.name`, `app.name` and `getattr(app, "name")` in the file."""
    uses = []
    for node in walk_outside_pictures(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute):
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id == "app" or \
                    isinstance(owner, ast.Attribute) and owner.attr == "app":
                uses.append((node.lineno, node.attr))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr"):
            if len(node.args) >= 2 and isinstance(node.args[1], ast.Constant):
                owner = node.args[0]
                if isinstance(owner, ast.Name) and owner.id == "app" or \
                        isinstance(owner, ast.Attribute) and owner.attr == "app":
                    uses.append((node.lineno, node.args[1].value))
    return uses


def outside_the_context(files: list[Path], members: set[str]) -> list[str]:
    return [f"{where(path)}:{line} app.{name}" for path in files
            for line, name in app_uses(path) if name not in members]


def screen_side_files() -> list[Path]:
    return [*sorted((UI / "screens").glob("*.py")), UI / "journey.py", UI / "overlays.py"]


def test_every_journey_screen_is_registered_for_a_step():
    names = step_screen_names(ui_files())
    # one screen per step of each journey (a few are checked by name, the rest by the walk tests)
    for name in ("sign_in", "sign_in.code", "documents", "documents.list", "documents.viewer", "messages",
                 "messages.thread", "messages.confirm", "agenda", "agenda.phone", "access", "access.history",
                 "access_code", "access_code.code", "access_code.revoked", "closure", "closure.status"):
        assert name in names


def test_no_screen_names_the_screen_of_a_journey_step():
    assert shown_by_name(ui_files(), step_screen_names(ui_files())) == []


def test_no_screen_or_picture_shows_a_screen_by_its_name():
    assert shows_a_named_screen(screens_and_picture_files()) == []


def test_nothing_outside_the_navigator_calls_its_private_parts():
    assert private_navigator_calls(ui_files()) == []


def test_screens_use_only_what_the_context_offers():
    assert outside_the_context(screen_side_files(), context_members()) == []


def test_the_checks_catch_what_they_look_for(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from kiosk.ui.screen import screen, step_screen\n"
        "@screen('x.one')\n@step_screen(F, S.ONE)\nclass One: pass\n"
        "def go(self):\n"
        "    self.app.nav.show('x.one')\n"
        "    self.app.nav._display(None, 'x', {})\n"
        "    self.app.kiosk_mode = True\n"
        "def demo_state(app):\n"
        "    app.nav.show('x.one')\n"
    )
    assert step_screen_names([bad]) == {"x.one"}
    shown = shown_by_name([bad], {"x.one"})
    assert len(shown) == 1 and shown[0].endswith(":6 nav.show('x.one')")  # not the picture's set-up
    assert [f.split(" ")[-1] for f in private_navigator_calls([bad])] == ["nav._display"]
    assert [f.split(":")[-1] for f in shows_a_named_screen([bad])] == ["6 nav.show('x.one')", "10 nav.show('x.one')"]
    assert [f.split(" ")[-1] for f in outside_the_context([bad], {"nav"})] == ["app.kiosk_mode"]


def test_a_screen_named_any_way_is_caught(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "RESULT = 'training.result'\n"
        "def go(self, app, name, params):\n"
        "    self.app.nav.show(RESULT)\n"
        "    app.nav.show(screens.GOAL, exercise=1)\n"
        "    self.app.nav.show('a.pin' if self.ok else self.name, remember=False)\n"
        "    nav.show(f'documents.{name}')\n"
        "    app.nav.show(name=\"documents.lab\")\n"
        "    app.nav.show(name, **params)\n"  # a place remembered on the way: no name in the source
        "    app.nav.follow(flow)\n"
    )
    assert [int(f.split(":")[1].split(" ")[0]) for f in shows_a_named_screen([bad])] == [3, 4, 5, 6, 7]
