"""`kiosk doctor` end to end: one line per check, plain French, non-zero exit on any problem."""

from __future__ import annotations

import os
import subprocess
import sys

from kiosk.services.storage.keys import KEY_FILE_NAME


def doctor(config, tmp_path, *extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_") and k != "CREDENTIALS_DIRECTORY"}
    return subprocess.run([sys.executable, "-m", "kiosk", "doctor", "--config", str(config), *extra],
                          capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)


def write_config(tmp_path, state, backend="demo", **more):
    config = tmp_path / "kiosk.toml"
    extra = "".join(f'{k} = "{v}"\n' for k, v in more.items())
    config.write_text(f'backend = "{backend}"\nstate_dir = "{state}"\n{extra}')
    return config


def test_loose_key_fails_with_a_plain_line(state, tmp_path):
    os.chmod(state / KEY_FILE_NAME, 0o644)
    done = doctor(write_config(tmp_path, state), tmp_path, "--credential", str(state / KEY_FILE_NAME))
    # --credential given a file that is not a credential: systemd-creds refuses it (as root) or
    # the non-root account is told to use sudo; either way, no traceback and a problem line.
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_every_line_is_ok_or_problem_and_exit_status_counts_problems(state, tmp_path, closed_port):
    os.chmod(state / KEY_FILE_NAME, 0o644)
    done = doctor(write_config(tmp_path, state, backend=f"https://127.0.0.1:{closed_port}/fhir"), tmp_path)
    out = done.stdout.splitlines()
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    checks = out[:-1]
    assert all(line.startswith(("ok ", "problème ")) for line in checks), done.stdout
    names = [line.split(None, 1)[1].split(" : ")[0] for line in checks]
    for name in ("Réglages", "Écran", "Écran tactile", "Son", "Voix « fr »", "Voix « en »",
                 "Clé de la base", "Base chiffrée", "Serveur", "Espace disque", "Horloge"):
        assert name in names, done.stdout
    assert any(line.startswith("problème") and "Clé de la base" in line and "chmod 600" in line for line in out)
    assert any(line.startswith("problème") and "Serveur" in line and "ne répond pas" in line for line in out)
    assert out[-1].endswith("problèmes à corriger.")


def test_bad_settings_file_is_one_problem_line(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('backend = "ftp://x"\n')
    done = doctor(config, tmp_path)
    assert done.returncode == 1
    assert done.stdout.startswith("problème  Réglages : ")
    assert "backend" in done.stdout and "Traceback" not in done.stderr
