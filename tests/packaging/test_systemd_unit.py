"""The service unit: systemd accepts it, and it is as locked down as the deployment issue asks."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
UNIT = PACKAGING / "systemd" / "kiosque-sante.service"


def unit_options(path: Path = UNIT) -> dict[str, list[str]]:
    """Every `Key=value` of the unit, repeated keys kept in order (section names dropped)."""
    options: dict[str, list[str]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        options.setdefault(key.strip(), []).append(value.strip())
    return options


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing (apt package systemd)")
def test_systemd_analyze_verify_passes(tmp_path):
    # verify insists that ExecStart's program exists; cage is not installed on a build machine,
    # so the copy checked here starts an existing program instead. Everything else is the real unit.
    text = UNIT.read_text(encoding="utf-8")
    assert "ExecStart=/usr/bin/cage " in text
    copy = tmp_path / "kiosque-sante.service"
    copy.write_text(text.replace("/usr/bin/cage ", shutil.which("true") + " "), encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "kiosque-sante.service" not in done.stderr, done.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing (apt package systemd)")
def test_systemd_analyze_verify_catches_a_broken_unit(tmp_path):
    broken = tmp_path / "kiosque-sante.service"
    broken.write_text(UNIT.read_text(encoding="utf-8").replace("/usr/bin/cage ", "/nonexistent/cage "),
                      encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", str(broken)], capture_output=True, text=True)
    assert done.returncode != 0


def test_runs_kiosk_under_cage_as_unprivileged_user_on_tty1():
    o = unit_options()
    assert o["ExecStart"] == ["/usr/bin/cage -d -- /opt/kiosque-sante/bin/kiosk run --config /etc/kiosque-sante/kiosk.toml"]
    assert o["User"] == ["kiosque"] and o["Group"] == ["kiosque"]
    assert o["PAMName"] == ["kiosque-sante"]
    assert o["TTYPath"] == ["/dev/tty1"]
    assert o["StandardInput"] == ["tty-fail"]
    assert o["UtmpIdentifier"] == ["tty1"]
    assert o["Conflicts"] == ["getty@tty1.service"]
    assert o["Restart"] == ["always"]
    assert o["StartLimitIntervalSec"] == ["0"]
    assert o["WantedBy"] == ["graphical.target"]
    pam = (PACKAGING / "pam" / "kiosque-sante").read_text()
    assert "pam_systemd.so" in pam and "auth" not in pam.split("\n", 3)[-1]


@pytest.mark.parametrize("key, value", [
    ("NoNewPrivileges", "yes"),
    ("CapabilityBoundingSet", ""),
    ("AmbientCapabilities", ""),
    ("ProtectSystem", "strict"),
    ("ProtectHome", "yes"),
    ("PrivateTmp", "yes"),
    ("ProtectKernelTunables", "yes"),
    ("ProtectKernelModules", "yes"),
    ("ProtectKernelLogs", "yes"),
    ("ProtectControlGroups", "yes"),
    ("ProtectClock", "yes"),
    ("RestrictNamespaces", "yes"),
    ("RestrictSUIDSGID", "yes"),
    ("RestrictRealtime", "yes"),
    ("LockPersonality", "yes"),
    ("SystemCallArchitectures", "native"),
    ("DevicePolicy", "closed"),
    ("IPAddressDeny", "any"),
    ("UMask", "0077"),
    ("StateDirectoryMode", "0700"),
])
def test_hardening_option_present(key, value):
    assert unit_options().get(key) == [value], f"{key}={value} missing"


def test_only_writable_places_are_the_state_dir_and_the_session_runtime_dir():
    o = unit_options()
    assert o["StateDirectory"] == ["kiosque-sante kiosque-sante/kivy"]
    assert o["ReadWritePaths"] == ["/run/user"]  # the Wayland socket of the logind session
    assert "ReadWriteDirectories" not in o and "BindPaths" not in o


def test_network_is_closed_except_unix_netlink_ip_and_allow_list_via_drop_in():
    o = unit_options()
    assert o["RestrictAddressFamilies"] == ["AF_UNIX AF_NETLINK AF_INET AF_INET6"]
    assert o["IPAddressAllow"] == ["localhost"]
    example = configparser.ConfigParser(strict=False)
    example.read(PACKAGING / "systemd" / "backend.conf.example")
    assert example.has_option("Service", "IPAddressAllow")


def test_devices_limited_to_screen_touch_sound_and_tty():
    allowed = unit_options()["DeviceAllow"]
    assert sorted(allowed) == sorted(["char-drm rw", "char-input r", "char-alsa rw", "/dev/tty1 rw", "/dev/tty0 rw"])


def test_store_key_is_an_encrypted_credential_never_an_environment_variable():
    o = unit_options()
    assert o["LoadCredentialEncrypted"] == ["kiosk-db-key:/etc/kiosque-sante/kiosk-db-key.cred"]
    assert not any("key" in env.lower() and "kivy" not in env.lower() for env in o.get("Environment", []))
    assert "LoadCredential" not in o and "SetCredential" not in o


def test_locked_down_kivy_environment():
    env = dict(e.split("=", 1) for e in unit_options()["Environment"])
    assert env["KIVY_HOME"] == "/var/lib/kiosque-sante/kivy"
    assert env["KCFG_KIVY_EXIT_ON_ESCAPE"] == "0"
    assert env["KCFG_GRAPHICS_SHOW_CURSOR"] == "0"
    assert env["KCFG_GRAPHICS_ALLOW_SCREENSAVER"] == "0"
    assert env["SDL_VIDEO_ALLOW_SCREENSAVER"] == "0"
    assert env["KIVY_NO_FILELOG"] == "1"
    assert env["KIOSK_STATE_DIR"] == "/var/lib/kiosque-sante"
    pre = unit_options()["ExecStartPre"]
    assert pre == ["/usr/bin/install -m 0600 /etc/kiosque-sante/kivy-config.ini /var/lib/kiosque-sante/kivy/config.ini"]
