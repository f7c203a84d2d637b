"""The production screens hold no picture set-up; `kiosk shots` says what its bands are (no display needed)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def picture_code(files: list[Path]) -> list[str]:
    """Lines that name a picture set-up (demo_state, register_shot, "shot")."""
    found = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"demo_state|register_shot|shot", line, re.IGNORECASE):
                found.append(f"{path.name}:{number}: {line.strip()}")
    return found


def test_the_screens_hold_no_picture_code():
    """Set-ups for `kiosk shots` live in kiosk/ui/shot_states, never beside the production screens."""
    files = sorted((ROOT / "kiosk/ui/screens").glob("*.py")) + [ROOT / "kiosk/ui/overlays.py"]
    assert len(files) > 10
    assert picture_code(files) == []


def test_the_check_finds_a_picture_set_up_in_a_screen(tmp_path):
    screen = tmp_path / "screen.py"
    screen.write_text("class A:\n    @classmethod\n    def demo_state(cls, app):\n        return {}\n"
                      "register_shot('a.detail', lambda app: None)\n", encoding="utf-8")
    assert picture_code([screen]) == ["screen.py:3: def demo_state(cls, app):",
                                      "screen.py:5: register_shot('a.detail', lambda app: None)"]


def test_the_command_knows_the_bands_of_the_pictures():
    from kiosk.commands.shots import BANDS

    drive = (ROOT / "kiosk/ui/shot_states/drive.py").read_text(encoding="utf-8")
    assert 'NONE, HELPER, TRAINING = "none", "helper", "training"' in drive
    assert BANDS == ("none", "helper", "training")


def test_shots_help_says_what_each_band_shows():
    result = subprocess.run([sys.executable, "-m", "kiosk", "shots", "--help"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0
    words = " ".join(result.stdout.split())
    assert "--band {none,helper,training}" in words
    assert "« helper » avec un accompagnant" in words and "« training » en mode formation" in words
    assert "ne sont pas refaites" in words
