"""Pieces of the kit that do not need the whole journey: icons, registries, shots, descriptions."""

from __future__ import annotations

import subprocess
import sys

from PIL import Image

from kiosk.ui import icons


def test_icons_are_committed_drawn_images():
    for name in icons.ICONS:
        path = icons.icon_path(name)
        assert path.is_file(), f"missing {path.name}: run python -m kiosk.ui.icons"
        image = Image.open(path)
        assert image.mode == "RGBA" and image.size == (icons.SIZE, icons.SIZE)
        alpha = image.getchannel("A")
        assert 0.03 < sum(1 for a in alpha.tobytes() if a > 128) / (icons.SIZE ** 2) < 0.8


def test_icons_redraw_the_same(tmp_path):
    icons.generate(tmp_path)
    for name in icons.ICONS:
        new = Image.open(tmp_path / f"{name}.png")
        old = Image.open(icons.icon_path(name))
        assert new.getchannel("A").tobytes() == old.getchannel("A").tobytes(), name


def test_every_screen_describes_itself(pilot, screen_states):
    for name in ("welcome", "home", "end", "help", "warning", "display"):
        state = screen_states.get(name)   # French, standard, size 1: shared with the other checks
        description = state.description
        assert description.title and description.buttons, name
        assert set(description.buttons) <= set(state.texts), name


def test_shots_command_writes_one_file_per_screen(pilot, tmp_path):
    from kiosk.ui.shots import render, shot_names

    done = render(pilot.app.services, tmp_path, langs=["fr"], themes=["doux"], sizes=[2],
                  check=True, only=["welcome", "warning"])
    assert [p.name for p in done.written] == ["welcome.png", "warning.png"]
    image = Image.open(done.written[0])
    assert image.size == (1920, 1080)
    assert done.problems == []
    done = render(pilot.app.services, tmp_path, langs=["fr", "en"], themes=["standard"], sizes=[1],
                  only=["home"])
    assert sorted(p.name for p in done.written) == ["home--en--standard--1.png", "home--fr--standard--1.png"]
    assert "welcome" in shot_names()


def test_shots_command_line_needs_a_display(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "kiosk", "shots", "--out", str(tmp_path / "s")],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2
    assert "xvfb-run" in result.stderr and "Traceback" not in result.stderr


def test_the_pilot_settles_frames_without_drawing_and_without_sleeping(pilot, monkeypatch, tmp_path):
    """pump() runs the clock, the touches and the layout but draws nothing; pixels only on demand."""
    from kivy.base import EventLoop
    from kivy.clock import Clock

    def slept(*_args):
        raise AssertionError("the clock slept to honour maxfps")

    monkeypatch.setattr(Clock, "usleep", slept)
    window = EventLoop.window
    flips = []

    def count(*_args):
        flips.append(1)

    window.bind(on_flip=count)
    try:
        pilot.tap("Commencer")
        assert pilot.app.nav.current.name == "sign_in"
        start = pilot.button("bar.help")
        assert start.width > 0 and start.to_window(*start.pos)[1] >= 0   # laid out
        assert flips == []
        shot = Image.open(pilot.screenshot(tmp_path / "home.png")).convert("RGB")
        assert shot.size == (1920, 1080) and len(shot.getcolors(1 << 16) or range(1 << 16)) > 2   # real pixels
        assert flips == []
        pilot.draw()
        assert flips == [1]
    finally:
        window.unbind(on_flip=count)
