"""The installed Kivy configuration, read by the real Kivy: one input provider, no exit, no cursor."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

KIVY_INI = Path(__file__).resolve().parents[2] / "packaging" / "config" / "kivy-config.ini"

_READ_CONFIG = """
import json
from kivy.config import Config
print(json.dumps({
    "input": dict(Config.items("input")),
    "exit_on_escape": Config.get("kivy", "exit_on_escape"),
    "show_cursor": Config.get("graphics", "show_cursor"),
    "allow_screensaver": Config.get("graphics", "allow_screensaver"),
    "fullscreen": Config.get("graphics", "fullscreen"),
    "log_enable": Config.get("kivy", "log_enable"),
}))
"""


def kivy_config(tmp_path: Path, code: str, *, with_file: bool = True) -> dict:
    home = tmp_path / "kivy"
    home.mkdir()
    if with_file:
        shutil.copy(KIVY_INI, home / "config.ini")  # what the unit's ExecStartPre does
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIVY_", "KCFG_"))}
    env.update(KIVY_HOME=str(home), KIVY_NO_ARGS="1", KIVY_NO_FILELOG="1", KIVY_NO_CONSOLELOG="1")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_kivy_reads_the_file_with_one_input_provider_and_no_exit(tmp_path):
    config = kivy_config(tmp_path, _READ_CONFIG)
    # Only the pointer events from the compositor: no "%(name)s = probesysfs" reading /dev/input again.
    assert config["input"] == {"mouse": "mouse,disable_multitouch"}
    assert config["exit_on_escape"] == "0"
    assert config["show_cursor"] == "0"
    assert config["allow_screensaver"] == "0"
    assert config["fullscreen"] == "auto"
    assert config["log_enable"] == "0"


def test_without_the_file_kivy_would_read_touch_twice(tmp_path):
    """The reason for the file: Kivy's own defaults on Linux add probesysfs next to the mouse provider."""
    config = kivy_config(tmp_path, _READ_CONFIG, with_file=False)
    assert "probesysfs" in config["input"].values()
    assert config["input"]["mouse"] == "mouse"


def test_the_kiosk_app_honours_the_installed_file(tmp_path):
    code = "from kiosk.ui import configure_environment\nconfigure_environment()\n" + _READ_CONFIG
    config = kivy_config(tmp_path, code)
    assert config["input"] == {"mouse": "mouse,disable_multitouch"}
