"""Bad settings files and backend settings through the real commands: one sentence, never a traceback.

`kiosk run` refuses a plain-http backend unless allow_insecure_http is set, and a missing or
unreadable certificate file is a sentence in `kiosk run`, `kiosk fhir check` and `kiosk doctor`.
Each command runs as a real process, with its settings file written as bytes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def kiosk(tmp_path: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_") and k != "CREDENTIALS_DIRECTORY"}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "no-config")  # never the machine's own settings file
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=tmp_path)


def config(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_bytes(data)
    return path


def one_sentence(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.mark.parametrize(
    "data, words",
    [
        ('[kiosk]\nbackend_token = "café"\n'.encode("latin-1"), ("ligne 2", "« backend_token »", "UTF-8")),
        (b"[kiosk]\ntext_size = true\n", ("ligne 2", "« text_size »", "type")),
        (b'[kiosk]\ntheme = "doux"\n[kiosque]\ntext_size = 2\n', ("ligne 3", "[kiosque]")),
        (b"[kiosk]\ncouleur = 2\n", ("ligne 2", "« couleur »")),
        (b'[kiosk]\ntheme = "doux\n', ("ligne 2", "mal écrit")),
    ],
)
def test_kiosk_run_with_a_bad_file_says_one_sentence(tmp_path, data, words):
    line = one_sentence(kiosk(tmp_path, "run", "--windowed", "--config", str(config(tmp_path, data))))
    for word in words:
        assert word in line, line


def test_kiosk_run_refuses_a_plain_http_backend(tmp_path):
    line = one_sentence(kiosk(tmp_path, "run", "--windowed", "--backend", "http://127.0.0.1:9/fhir"))
    assert "http://" in line and "allow_insecure_http" in line
    in_file = config(tmp_path, b'[kiosk]\nbackend = "http://127.0.0.1:9/fhir"\n')
    line = one_sentence(kiosk(tmp_path, "run", "--windowed", "--config", str(in_file)))
    assert "ligne 2" in line and "allow_insecure_http" in line


def test_kiosk_run_gets_past_the_settings_with_allow_insecure_http(tmp_path):
    """Allowed: the settings pass, and what stops this run is the next check (here a missing CA file)."""
    path = config(tmp_path, b'[kiosk]\nbackend = "http://127.0.0.1:9/fhir"\nallow_insecure_http = true\n'
                            b'backend_ca_bundle = "/nonexistent/ca.pem"\n')
    line = one_sentence(kiosk(tmp_path, "run", "--windowed", "--config", str(path)))
    assert "/nonexistent/ca.pem" in line and "allow_insecure_http" not in line


def test_kiosk_run_with_a_missing_ca_file(tmp_path):
    path = config(tmp_path, b'backend = "https://127.0.0.1:9/fhir"\nbackend_ca_bundle = "/nonexistent/ca.pem"\n')
    line = one_sentence(kiosk(tmp_path, "run", "--windowed", "--config", str(path)))
    assert "introuvable" in line and "backend_ca_bundle" in line


@pytest.mark.parametrize("name", ["fhir", "admin"])
def test_fhir_check_with_a_missing_or_unusable_ca_file(tmp_path, name):
    command = ["fhir", "check"] if name == "fhir" else ["admin", "backend", "check"]
    path = config(tmp_path, b'backend_ca_bundle = "/nonexistent/ca.pem"\n')
    line = one_sentence(kiosk(tmp_path, *command, "https://127.0.0.1:9/fhir", "--config", str(path)))
    assert "introuvable" in line and "backend_ca_bundle" in line
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"not a certificate\n")
    path = config(tmp_path, f'backend_ca_bundle = "{garbage}"\n'.encode())
    line = one_sentence(kiosk(tmp_path, *command, "https://127.0.0.1:9/fhir", "--config", str(path)))
    assert "aucun certificat" in line


def test_doctor_with_a_missing_ca_file(tmp_path):
    state = tmp_path / "state"
    path = config(tmp_path, f'backend = "https://127.0.0.1:9/fhir"\nstate_dir = "{state}"\n'
                            'backend_ca_bundle = "/nonexistent/ca.pem"\n'.encode())
    done = kiosk(tmp_path, "doctor", "--config", str(path), timeout=300)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    server = [line for line in done.stdout.splitlines() if "Serveur" in line]
    assert len(server) == 1 and server[0].startswith("problème")
    assert "/nonexistent/ca.pem" in server[0] and "introuvable" in server[0]


def test_doctor_with_a_bad_file_names_line_and_key(tmp_path):
    path = config(tmp_path, b"[kiosk]\n\ntext_size = true\n")
    done = kiosk(tmp_path, "doctor", "--config", str(path), timeout=300)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stdout.startswith("problème  Réglages : ")
    assert "ligne 3" in done.stdout and "« text_size »" in done.stdout
