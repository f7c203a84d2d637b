"""Each doctor check, made to fail for real (and to pass when things are right)."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from kiosk.core.clock import FakeClock
from kiosk.services.diagnostics import (
    Probe,
    check_audio,
    check_backend,
    check_clock,
    check_disk,
    check_display,
    check_store,
    check_touch,
    check_voice,
)
from kiosk.services.storage.keys import KEY_FILE_NAME

# /proc/bus/input/devices as written by Linux for a USB touch screen, a laptop touchpad and a keyboard.
INPUT_DEVICES = """\
I: Bus=0003 Vendor=0eef Product=0001 Version=0100
N: Name="eGalax Inc. USB TouchController"
P: Phys=usb-0000:00:14.0-2/input0
H: Handlers=mouse2 event9
B: PROP=2
B: EV=1b
B: KEY=400 0 0 0 0 0
B: ABS=260800000000003
B: MSC=10

I: Bus=0018 Vendor=06cb Product=cd8b Version=0100
N: Name="SYNA3602:00 06CB:CD8B Touchpad"
H: Handlers=mouse1 event7
B: PROP=5
B: EV=1b
B: KEY=e520 10000 0 0 0 0
B: ABS=2e0800000000003
B: MSC=20

I: Bus=0011 Vendor=0001 Product=0001 Version=ab83
N: Name="AT Translated Set 2 keyboard"
H: Handlers=sysrq kbd event0 leds
B: PROP=0
B: EV=120013
B: KEY=402000000 3803078f800d001 feffffdfffefffff fffffffffffffffe
"""


def lines(results):
    return "\n".join(r.line() for r in results)


# -- voices ------------------------------------------------------------------------------------

def test_voice_missing_for_a_configured_language_is_a_problem(english_only_espeak):
    probe = Probe(espeak=("espeak-ng", f"--path={english_only_espeak}"))
    french = check_voice(probe, "fr")
    assert not french.ok
    assert french.line().startswith("problème")
    assert "aucune voix pour la langue « fr »" in french.message
    assert check_voice(probe, "en").ok


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng missing")
def test_installed_espeak_has_both_kiosk_languages():
    probe = Probe()
    assert check_voice(probe, "fr").ok and check_voice(probe, "en").ok
    # An exact language: a code espeak-ng has no voice for is refused, not matched loosely.
    assert not check_voice(probe, "zz").ok


def test_voice_program_missing():
    result = check_voice(Probe(espeak=("/nonexistent/espeak-ng",)), "fr")
    assert not result.ok and "installez le paquet espeak-ng" in result.message


# -- store key and database --------------------------------------------------------------------

def test_good_key_and_store_pass(state):
    key, db = check_store(Probe(environ={}), state)
    assert key.ok and db.ok, lines([key, db])
    assert "intégrité" in db.message


def test_loose_key_file_is_a_problem(state):
    os.chmod(state / KEY_FILE_NAME, 0o644)
    key, db = check_store(Probe(environ={}), state)
    assert not key.ok and not db.ok
    assert "chmod 600" in key.message


def test_key_of_wrong_length_is_a_problem(state):
    (state / KEY_FILE_NAME).write_text("0123456789abcdef\n")
    key, _db = check_store(Probe(environ={}), state)
    assert not key.ok and "pas le bon format" in key.message


def test_wrong_key_for_the_real_database_is_a_problem(state):
    (state / KEY_FILE_NAME).write_text(secrets.token_hex(32) + "\n")
    key, db = check_store(Probe(environ={}), state)
    assert key.ok  # a well-formed private key...
    assert not db.ok and "ne correspond pas" in db.message  # ...that does not open this database


def test_damaged_database_is_a_problem(state):
    database = next(p for p in state.iterdir() if p.name != KEY_FILE_NAME and p.suffix in (".db", ".sqlite", ""))
    with database.open("r+b") as handle:
        handle.seek(4096 + 100)
        handle.write(secrets.token_bytes(512))
    key, db = check_store(Probe(environ={}), state)
    assert key.ok and not db.ok, lines([key, db])


def test_missing_key_is_a_problem(tmp_path):
    key, db = check_store(Probe(environ={}, credential_file=tmp_path / "none.cred"), tmp_path / "empty")
    assert not key.ok and "introuvable" in key.message and not db.ok


def test_key_from_credentials_directory(state, tmp_path):
    creds = tmp_path / "creds"
    creds.mkdir(mode=0o700)
    shutil.move(state / KEY_FILE_NAME, creds / "kiosk-db-key")
    key, db = check_store(Probe(environ={"CREDENTIALS_DIRECTORY": str(creds)}), state)
    assert key.ok and db.ok and "systemd" in key.message


def _systemd_creds_usable(tmp_path: Path) -> bool:
    if os.geteuid() != 0 or shutil.which("systemd-creds") is None:
        return False
    done = subprocess.run(["systemd-creds", "encrypt", "--name=probe", "--with-key=host", "-",
                           str(tmp_path / "probe.cred")], input=b"x", capture_output=True)
    return done.returncode == 0


def test_encrypted_credential_is_decrypted_and_checked(state, tmp_path):
    if not _systemd_creds_usable(tmp_path):
        pytest.skip("needs root and a working systemd-creds (host key)")
    cred = tmp_path / "kiosk-db-key.cred"
    key_file = state / KEY_FILE_NAME
    subprocess.run(["systemd-creds", "encrypt", "--name=kiosk-db-key", "--with-key=host",
                    str(key_file), str(cred)], check=True, capture_output=True)
    key_file.unlink()
    key, db = check_store(Probe(environ={}, credential_file=cred), state)
    assert key.ok and db.ok, lines([key, db])
    assert not list(Path(tempfile.gettempdir()).glob("kiosk-doctor-*")), "decrypted key left behind"
    # A damaged credential file cannot be decrypted: said plainly.
    data = bytearray(cred.read_bytes())
    data[len(data) // 2] ^= 0xFF
    cred.write_bytes(bytes(data))
    key, db = check_store(Probe(environ={}, credential_file=cred), state)
    assert not key.ok and "déchiffré" in key.message


def test_root_checks_the_store_as_the_kiosk_account(tmp_path):
    """As root, the check runs under the owner of the state folder, leaving nothing owned by root."""
    if os.geteuid() != 0:
        pytest.skip("needs root")
    nobody = 65534
    try:
        runs = subprocess.run([sys.executable, "-c", "import kiosk.services.storage"], user=nobody,
                              capture_output=True, cwd="/").returncode == 0
    except OSError:
        runs = False
    if not runs:
        pytest.skip("this Python cannot be run by another account here")
    base = Path(tempfile.mkdtemp(prefix="kiosk-doctor-test-"))
    try:
        os.chmod(base, 0o755)
        state = base / "state"
        from kiosk.services.storage import initialise

        initialise(state, clock=FakeClock(), environ={})
        for path in [state, *state.iterdir()]:
            os.chown(path, nobody, nobody)
        key, db = check_store(Probe(environ={}, credential_file=base / "none.cred"), state)
        assert key.ok and db.ok, lines([key, db])
        assert all(p.stat().st_uid == nobody for p in state.iterdir())
    finally:
        shutil.rmtree(base, ignore_errors=True)


# -- backend -----------------------------------------------------------------------------------

def test_demo_backend_needs_no_network():
    result = check_backend(Probe(), "demo")
    assert result.ok and result.message == "démonstration, sans réseau."


def test_backend_down_is_a_problem(closed_port):
    result = check_backend(Probe(), f"https://127.0.0.1:{closed_port}/fhir")
    assert not result.ok and "ne répond pas" in result.message


def test_self_signed_certificate_is_refused(https_server):
    url, _cert = https_server
    result = check_backend(Probe(), url)
    assert not result.ok and "certificat" in result.message


def test_certificate_verified_with_the_configured_ca_bundle(https_server):
    url, cert = https_server
    result = check_backend(Probe(), url, str(cert))
    assert result.ok, result.line()
    assert result.message == "joignable, certificat vérifié."


def test_wrong_address_on_a_real_server(https_server):
    url, cert = https_server
    result = check_backend(Probe(), url + "/pas-ici/x", str(cert))
    assert not result.ok and "code 404" in result.message


def test_plain_http_is_refused():
    result = check_backend(Probe(), "http://127.0.0.1:1/fhir")
    assert not result.ok and "https://" in result.message


def test_missing_ca_bundle_file(tmp_path):
    result = check_backend(Probe(), "https://127.0.0.1:1/fhir", str(tmp_path / "none.pem"))
    assert not result.ok and "backend_ca_bundle" in result.message


# -- display, touch, sound, disk, clock ------------------------------------------------------------

def test_display_found_from_wayland_or_drm(tmp_path):
    assert check_display(Probe(environ={"WAYLAND_DISPLAY": "wayland-0"}, dri_dir=tmp_path)).ok
    (tmp_path / "card0").touch()
    assert check_display(Probe(environ={}, dri_dir=tmp_path)).ok


def test_no_display_is_a_problem(tmp_path):
    result = check_display(Probe(environ={}, dri_dir=tmp_path / "dri"))
    assert not result.ok and "aucun écran" in result.message


def test_touch_screen_found_but_not_touchpad_or_keyboard(tmp_path):
    devices = tmp_path / "devices"
    devices.write_text(INPUT_DEVICES)
    result = check_touch(Probe(input_devices=devices))
    assert result.ok
    assert result.message == "« eGalax Inc. USB TouchController » sur /dev/input/event9."


def test_no_touch_screen_is_a_problem(tmp_path):
    devices = tmp_path / "devices"
    devices.write_text(INPUT_DEVICES.split("\n\n", 1)[1])  # touchpad and keyboard only
    result = check_touch(Probe(input_devices=devices))
    assert not result.ok and "aucun écran tactile" in result.message


def test_touch_check_on_this_machine_agrees_with_the_kernel():
    from kiosk.services.diagnostics import touch_devices

    text = Path("/proc/bus/input/devices").read_text() if Path("/proc/bus/input/devices").exists() else ""
    assert check_touch(Probe()).ok == bool(touch_devices(Probe()))
    if "ABS=" not in text:
        assert not check_touch(Probe()).ok


@pytest.mark.skipif(shutil.which("aplay") is None, reason="aplay missing (apt package alsa-utils)")
def test_audio_check_agrees_with_the_kernel_sound_cards():
    cards = Path("/proc/asound/cards")
    has_card = cards.exists() and "no soundcards" not in cards.read_text() and cards.read_text().strip() != ""
    result = check_audio(Probe())
    assert result.ok == has_card, result.line()


def test_audio_program_missing():
    result = check_audio(Probe(aplay=("/nonexistent/aplay",)))
    assert not result.ok and "alsa-utils" in result.message


def test_disk_space(tmp_path):
    assert check_disk(Probe(min_free_bytes=1), tmp_path / "not-yet").ok
    result = check_disk(Probe(min_free_bytes=10**18), tmp_path)
    assert not result.ok and "libérez de la place" in result.message


def test_clock_unknown_is_said(tmp_path):
    result = check_clock(Probe(timedatectl=("/nonexistent/timedatectl",), timesync_flag=tmp_path / "none"))
    assert not result.ok and "impossible de savoir" in result.message


def test_clock_synchronised_flag_from_timesyncd(tmp_path):
    flag = tmp_path / "synchronized"
    flag.touch()
    assert check_clock(Probe(timedatectl=("/nonexistent/timedatectl",), timesync_flag=flag)).ok


def test_clock_not_synchronised(tmp_path):
    # timedatectl needs a running systemd; a small program answering as it does stands in for it.
    fake = tmp_path / "timedatectl"
    fake.write_text("#!/bin/sh\necho no\n")
    fake.chmod(0o755)
    result = check_clock(Probe(timedatectl=(str(fake),), timesync_flag=tmp_path / "none"))
    assert not result.ok and "set-ntp true" in result.message
