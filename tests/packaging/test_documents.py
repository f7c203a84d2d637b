"""The installer documents: the configuration reference never drifts from the settings definitions."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from kiosk.settings import FIELDS, reference_markdown

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"


def test_configuration_reference_is_the_generated_one():
    on_disk = (PACKAGING / "CONFIGURATION.md").read_text(encoding="utf-8")
    assert on_disk == reference_markdown(), (
        "packaging/CONFIGURATION.md is out of date: run `kiosk config-reference --out packaging/CONFIGURATION.md`"
    )
    for spec in FIELDS:
        assert f"`{spec.name}`" in on_disk


def test_config_reference_command_writes_the_same_text(tmp_path):
    out = tmp_path / "CONFIGURATION.md"
    done = subprocess.run([sys.executable, "-m", "kiosk", "config-reference", "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == reference_markdown()


def test_shipped_settings_file_uses_only_real_settings():
    from kiosk.settings import load

    settings = load(PACKAGING / "config" / "kiosk.toml", env={})
    assert settings.state_dir == "/var/lib/kiosque-sante"
    assert settings.backend == "demo"


def test_readme_has_numbered_install_steps_and_the_key_commands():
    text = (PACKAGING / "README.md").read_text(encoding="utf-8")
    steps = [int(n) for n in re.findall(r"^(\d+)\. \*\*", text, flags=re.M)]
    assert steps == list(range(1, len(steps) + 1)) and len(steps) >= 8
    for needed in ("apt install ./kiosque-sante_", "systemd-creds encrypt --name=kiosk-db-key --with-key=auto",
                   "kiosk doctor", "systemctl start kiosque-sante", "journalctl -u kiosque-sante",
                   "admin audit export", "apt purge kiosque-sante", "/etc/kiosque-sante/kiosk-db-key.cred"):
        assert needed in text, needed


def test_counter_guide_fits_on_one_page_in_short_sentences():
    text = (PACKAGING / "GUIDE-COMPTOIR.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 60
    prose = re.sub(r"\*\*[^*]+\*\*\s*:", "", text)
    for sentence in re.split(r"(?<=[.!?:])\s+", prose):
        words = re.sub(r"^[#\-\d. ]+", "", sentence.strip()).split()
        assert len(words) <= 15, sentence
