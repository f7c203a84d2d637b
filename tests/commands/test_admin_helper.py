"""`kiosk admin helper …` end to end on real SQLCipher files: enable, unlock, reset-pin, remove, each
journaled; `add --totp` prints a QR code that really decodes to the otpauth URI, once; then the
helper signs in with the PIN and a code computed by pyotp at the test clock's time."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import datetime
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest

from kiosk.cli import main
from kiosk.core.clock import PARIS, FakeClock
from kiosk.services.storage import SignInStatus, open_installed

PIN = "482913"
NEW_PIN = "739164"
WRONG = "000111"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.delenv("KIOSK_STATE_DIR", raising=False)


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 12, 1, 10, 0, tzinfo=PARIS))


def admin(state, *args, stdin: str | None = None, monkeypatch=None) -> int:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(["admin", *args, "--state-dir", str(state)])


@pytest.fixture
def ready(tmp_path, capsys, monkeypatch):
    state = tmp_path / "state"
    assert admin(state, "init") == 0
    assert admin(state, "helper", "add", "marie.pharma", "--name", "Marie Test", "--organisation", "Pharmacie",
                 "--pin-stdin", stdin=PIN + "\n", monkeypatch=monkeypatch) == 0
    capsys.readouterr()
    return state


def journal_actions(state, clock) -> list[str]:
    with open_installed(state, clock=clock, environ={}) as storage:
        return [e.action.value for e in storage.journal.entries()]


def lock_for_the_administrator(state, clock) -> None:
    with open_installed(state, clock=clock, environ={}) as storage:
        for _ in range(3):
            for _ in range(5):
                storage.helpers.verify_pin("marie.pharma", WRONG)
            clock.advance(3600)
        assert storage.helpers.verify_pin("marie.pharma", PIN).held_for_admin


def test_disable_then_enable(ready, capsys, clock):
    assert admin(ready, "helper", "disable", "marie.pharma") == 0
    assert admin(ready, "helper", "enable", "marie.pharma") == 0
    assert "réactivé : marie.pharma" in capsys.readouterr().out
    with open_installed(ready, clock=clock, environ={}) as storage:
        assert storage.helpers.verify_pin("marie.pharma", PIN).ok
    assert journal_actions(ready, clock)[-3:-1] == ["helper.disabled", "helper.enabled"]


def test_the_list_says_who_waits_for_the_administrator_and_unlock_lifts_it(ready, capsys, clock):
    lock_for_the_administrator(ready, clock)
    assert admin(ready, "helper", "list") == 0
    assert "kiosk admin helper unlock" in capsys.readouterr().out
    assert admin(ready, "helper", "unlock", "marie.pharma") == 0
    assert "débloqué : marie.pharma" in capsys.readouterr().out
    assert admin(ready, "helper", "list") == 0
    assert "actif" in capsys.readouterr().out
    with open_installed(ready, clock=clock, environ={}) as storage:
        assert storage.helpers.verify_pin("marie.pharma", PIN).ok
    assert "helper.unlocked" in journal_actions(ready, clock)


def test_reset_pin(ready, capsys, monkeypatch, clock):
    lock_for_the_administrator(ready, clock)
    assert admin(ready, "helper", "reset-pin", "marie.pharma", "--pin-stdin",
                 stdin=NEW_PIN + "\n", monkeypatch=monkeypatch) == 0
    out = capsys.readouterr().out
    assert "Nouveau code PIN pour marie.pharma" in out and NEW_PIN not in out
    with open_installed(ready, clock=clock, environ={}) as storage:
        assert storage.helpers.verify_pin("marie.pharma", PIN).status is SignInStatus.WRONG_PIN
        assert storage.helpers.verify_pin("marie.pharma", NEW_PIN).ok
    assert "helper.pin_changed" in journal_actions(ready, clock)


def test_reset_pin_refuses_a_weak_pin_and_an_unknown_account(ready, capsys, monkeypatch):
    assert admin(ready, "helper", "reset-pin", "marie.pharma", "--pin-stdin",
                 stdin="111111\n", monkeypatch=monkeypatch) == 2
    assert "trop facile" in capsys.readouterr().err
    assert admin(ready, "helper", "reset-pin", "personne", "--pin-stdin",
                 stdin=NEW_PIN + "\n", monkeypatch=monkeypatch) == 2
    err = capsys.readouterr().err
    assert "Aucun compte" in err and err.count("\n") == 1


def test_remove_asks_for_confirmation(ready, capsys, monkeypatch, clock):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert admin(ready, "helper", "remove", "marie.pharma") == 2  # no keyboard, no --yes
    assert "--yes" in capsys.readouterr().err
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt="": "marie")
    assert admin(ready, "helper", "remove", "marie.pharma") == 2
    assert "rien n'a été supprimé" in capsys.readouterr().err
    monkeypatch.setattr("builtins.input", lambda prompt="": "marie.pharma")
    assert admin(ready, "helper", "remove", "marie.pharma") == 0
    out = capsys.readouterr().out
    assert "supprimé : marie.pharma" in out and "hlp-" in out
    assert journal_actions(ready, clock)[-1] == "helper.removed"


def test_remove_then_the_identifier_is_free_again(ready, capsys, monkeypatch, clock):
    assert admin(ready, "helper", "disable", "marie.pharma") == 0
    code = admin(ready, "helper", "add", "marie.pharma", "--name", "M", "--organisation", "P", "--pin-stdin",
                 stdin=NEW_PIN + "\n", monkeypatch=monkeypatch)
    err = capsys.readouterr().err
    assert code == 2 and "helper enable marie.pharma" in err and "helper remove" in err
    assert admin(ready, "helper", "remove", "marie.pharma", "--yes") == 0
    assert admin(ready, "helper", "remove", "marie.pharma", "--yes") == 2
    assert "Aucun compte" in capsys.readouterr().err
    assert admin(ready, "helper", "add", "marie.pharma", "--name", "M", "--organisation", "P", "--pin-stdin",
                 stdin=NEW_PIN + "\n", monkeypatch=monkeypatch) == 0


@pytest.mark.parametrize("action", ["enable", "unlock"])
def test_unknown_account_is_one_sentence(ready, capsys, action):
    assert admin(ready, "helper", action, "personne") == 2
    err = capsys.readouterr().err
    assert "Aucun compte" in err and err.count("\n") == 1 and "Traceback" not in err


# -- the second factor ---------------------------------------------------------------------------

def qr_text(secret: str, identifier: str) -> str:
    """The QR code as the command prints it, made here from the URI it should hold."""
    from kiosk.commands._admin_helper import show_totp

    out = io.StringIO()
    show_totp(identifier, secret, out)
    return out.getvalue()


def decode_printed_qr(text: str) -> str:
    """Read the half-block QR code back into pixels and decode it with zxing-cpp."""
    import zxingcpp
    from PIL import Image

    rows = [line for line in text.splitlines() if line and set(line) <= set("█▀▄\u00a0 ")]
    width = max(len(r) for r in rows)
    light = {"█": (1, 1), "▀": (1, 0), "▄": (0, 1), "\u00a0": (0, 0), " ": (0, 0)}  # ink is light
    pixels = []
    for row in rows:
        cells = [light[c] for c in row.ljust(width)]
        pixels.append([top for top, _ in cells])
        pixels.append([bottom for _, bottom in cells])
    scale, margin = 8, 4
    image = Image.new("L", ((width + 2 * margin) * scale, (len(pixels) + 2 * margin) * scale), 255)
    for y, line in enumerate(pixels):
        for x, on in enumerate(line):
            if not on:
                image.paste(0, ((x + margin) * scale, (y + margin) * scale,
                                (x + margin + 1) * scale, (y + margin + 1) * scale))
    found = zxingcpp.read_barcodes(image)
    assert found, "the printed QR code does not decode"
    return found[0].text


def test_add_with_totp_prints_the_qr_code_once_then_the_code_is_asked(tmp_path, capsys, monkeypatch, clock):
    state = tmp_path / "state"
    assert admin(state, "init") == 0
    capsys.readouterr()
    assert admin(state, "helper", "add", "abel", "--name", "Abel", "--organisation", "France Services",
                 "--pin-stdin", "--totp", stdin=PIN + "\n", monkeypatch=monkeypatch) == 0
    out = capsys.readouterr().out
    uri = decode_printed_qr(out)
    assert uri.startswith("otpauth://totp/") and "abel" in uri
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    typed_key = re.search(r"tapez cette clé dans l'application : ([A-Z2-7 ]+)", out).group(1).replace(" ", "")
    assert typed_key == secret and PIN not in out
    assert qr_text(secret, "abel") in out  # exactly what the helper's phone reads

    assert admin(state, "helper", "list") == 0
    listed = capsys.readouterr().out
    assert secret not in listed and "oui" in listed.splitlines()[1]  # shown once: never again

    with open_installed(state, clock=clock, environ={}) as storage:
        first = storage.helpers.verify_pin("abel", PIN)
        assert first.status is SignInStatus.CODE_NEEDED
        refused = storage.helpers.verify_code(first.ticket, pyotp.TOTP(secret).at(clock.now().timestamp() + 120))
        assert refused.status is SignInStatus.WRONG_CODE  # a code from four steps later: refused
        assert storage.helpers.verify_code(first.ticket, pyotp.TOTP(secret).at(clock.now())).ok
    assert journal_actions(state, clock)[-3:] == ["helper.totp_set", "helper.sign_in_failed", "helper.signed_in"]


def test_reset_pin_with_totp_enrols_a_new_factor(ready, capsys, monkeypatch, clock):
    assert admin(ready, "helper", "reset-pin", "marie.pharma", "--pin-stdin", "--totp",
                 stdin=NEW_PIN + "\n", monkeypatch=monkeypatch) == 0
    secret = parse_qs(urlparse(decode_printed_qr(capsys.readouterr().out)).query)["secret"][0]
    with open_installed(ready, clock=clock, environ={}) as storage:
        ticket = storage.helpers.verify_pin("marie.pharma", NEW_PIN).ticket
        assert storage.helpers.verify_code(ticket, pyotp.TOTP(secret).at(clock.now())).ok


def test_every_helper_command_as_a_real_process(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("CREDENTIALS_DIRECTORY", "KIOSK_STATE_DIR")}
    state = str(tmp_path / "state")

    def run(*args, stdin=""):
        done = subprocess.run([sys.executable, "-m", "kiosk", "admin", *args, "--state-dir", state], input=stdin,
                              capture_output=True, text=True, timeout=120, env=env)
        assert "Traceback" not in done.stderr
        return done

    assert run("init").returncode == 0
    assert run("helper", "add", "abel", "--name", "Abel", "--organisation", "O", "--pin-stdin", "--totp",
               stdin=PIN + "\n").returncode == 0
    for args in (("disable", "abel"), ("enable", "abel"), ("unlock", "abel"), ("remove", "abel", "--yes")):
        done = run("helper", *args)
        assert done.returncode == 0, done.stderr
    assert run("helper", "reset-pin", "abel", "--pin-stdin", stdin=NEW_PIN + "\n").returncode == 2
    verify = run("audit", "verify")
    assert verify.returncode == 0 and "Journal intact" in verify.stdout
