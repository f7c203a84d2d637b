"""The checks of `kiosk doctor`: one small function per check, one CheckResult each.

Messages are for the person installing the kiosk: plain French, one sentence,
saying what is wrong and what to do. No check ever prints the store key, a
token or anything about a patient.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

CREDENTIAL_NAME = "kiosk-db-key"
DEFAULT_CREDENTIAL_FILE = Path("/etc/kiosque-sante/kiosk-db-key.cred")
MIN_FREE_BYTES = 500 * 1000 * 1000

# Linux input event codes (linux/input-event-codes.h).
_EV_ABS = 0x03
_ABS_X = 0x00
_ABS_MT_POSITION_X = 0x35
_BTN_TOUCH = 0x14A
_INPUT_PROP_DIRECT = 0x01
_WORD_BITS = 8 * struct.calcsize("l")

_LANGUAGE_NAMES = {"fr": "française", "en": "anglaise"}


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    message: str

    def line(self) -> str:
        return f"{'ok' if self.ok else 'problème':<9} {self.name} : {self.message}"


@dataclass
class Probe:
    """Where the checks look. The defaults are those of an installed kiosk; tests change them."""

    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    input_devices: Path = Path("/proc/bus/input/devices")
    dri_dir: Path = Path("/dev/dri")
    espeak: Sequence[str] = ("espeak-ng",)
    aplay: Sequence[str] = ("aplay",)
    timedatectl: Sequence[str] = ("timedatectl",)
    timesync_flag: Path = Path("/run/systemd/timesync/synchronized")
    credential_file: Path = DEFAULT_CREDENTIAL_FILE
    systemd_creds: Sequence[str] = ("systemd-creds",)
    min_free_bytes: int = MIN_FREE_BYTES
    http_timeout: tuple[float, float] = (3.05, 6.0)
    command_timeout: float = 15.0


def _run(command: Sequence[str], timeout: float) -> subprocess.CompletedProcess | None:
    """Run a command; None when the program is not installed."""
    try:
        return subprocess.run(list(command), capture_output=True, text=True, timeout=timeout,
                              check=False, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        return None
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(list(command), 124, "", "")


# -- display and touch -------------------------------------------------------------------------

def check_display(probe: Probe) -> CheckResult:
    env = probe.environ
    if env.get("WAYLAND_DISPLAY"):
        return CheckResult("Écran", True, "affichage Wayland présent.")
    if env.get("DISPLAY"):
        return CheckResult("Écran", True, "affichage X11 présent.")
    cards = sorted(probe.dri_dir.glob("card*")) if probe.dri_dir.is_dir() else []
    if cards:
        return CheckResult("Écran", True, f"carte graphique trouvée ({cards[0]}) : cage pourra l'utiliser.")
    return CheckResult(
        "Écran", False,
        f"aucun écran n'est détecté (rien dans {probe.dri_dir}) : branchez l'écran et installez son pilote graphique.",
    )


def _bitmap(text: str) -> int:
    value = 0
    for word in text.split():
        value = (value << _WORD_BITS) | int(word, 16)
    return value


def _has(bitmap: int, bit: int) -> bool:
    return bool(bitmap >> bit & 1)


@dataclass(frozen=True)
class InputDevice:
    name: str
    handlers: tuple[str, ...]
    bitmaps: dict[str, int]

    @property
    def event_node(self) -> str:
        return next((h for h in self.handlers if h.startswith("event")), "")

    @property
    def is_touchscreen(self) -> bool:
        b = self.bitmaps
        if not _has(b.get("EV", 0), _EV_ABS):
            return False
        absolute = b.get("ABS", 0)
        touch = _has(absolute, _ABS_MT_POSITION_X) or (
            _has(absolute, _ABS_X) and _has(b.get("KEY", 0), _BTN_TOUCH)
        )
        if "PROP" in b:  # a touchpad is not "direct"; a touch screen is
            return touch and _has(b["PROP"], _INPUT_PROP_DIRECT)
        return touch


def parse_input_devices(text: str) -> list[InputDevice]:
    devices: list[InputDevice] = []
    for block in text.split("\n\n"):
        name, handlers, bitmaps = "", (), {}
        for line in block.splitlines():
            if line.startswith("N: Name="):
                name = line[len("N: Name="):].strip().strip('"')
            elif line.startswith("H: Handlers="):
                handlers = tuple(line[len("H: Handlers="):].split())
            elif line.startswith("B: ") and "=" in line:
                key, _, value = line[3:].partition("=")
                try:
                    bitmaps[key.strip()] = _bitmap(value)
                except ValueError:
                    continue
        if name or handlers:
            devices.append(InputDevice(name, handlers, bitmaps))
    return devices


def touch_devices(probe: Probe) -> list[InputDevice]:
    try:
        text = probe.input_devices.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [d for d in parse_input_devices(text) if d.is_touchscreen and d.event_node]


def check_touch(probe: Probe) -> CheckResult:
    found = touch_devices(probe)
    if not found:
        return CheckResult(
            "Écran tactile", False,
            "aucun écran tactile n'est détecté : branchez son câble USB puis relancez « kiosk doctor ».",
        )
    first = found[0]
    more = f" (et {len(found) - 1} autre)" if len(found) == 2 else (
        f" (et {len(found) - 1} autres)" if len(found) > 2 else "")
    return CheckResult("Écran tactile", True, f"« {first.name} » sur /dev/input/{first.event_node}{more}.")


# -- sound and voices --------------------------------------------------------------------------

def check_audio(probe: Probe) -> CheckResult:
    done = _run([*probe.aplay, "-l"], probe.command_timeout)
    if done is None:
        return CheckResult("Son", False, "le programme aplay manque : installez le paquet alsa-utils.")
    cards = [line for line in done.stdout.splitlines() if line.startswith("card ")]
    if done.returncode == 0 and cards:
        return CheckResult("Son", True, f"sortie son trouvée ({cards[0].split(',')[0]}).")
    return CheckResult(
        "Son", False,
        "aucune carte son n'est trouvée : branchez les haut-parleurs ou le casque, puis vérifiez « aplay -l ».",
    )


def espeak_voices(probe: Probe, lang: str) -> list[tuple[str, str]] | None:
    """(language, voice name) of the espeak-ng voices for `lang`; None if espeak-ng is missing."""
    done = _run([*probe.espeak, f"--voices={lang}"], probe.command_timeout)
    if done is None:
        return None
    voices = []
    for line in done.stdout.splitlines()[1:]:
        parts = line.split()
        if len(parts) < 5:
            continue
        language, name, file = parts[1], parts[3], parts[4]
        if file.startswith("mb/"):  # MBROLA voices need extra packages: not counted
            continue
        if language == lang or language.startswith(lang + "-"):
            voices.append((language, name))
    return voices


def check_voice(probe: Probe, lang: str) -> CheckResult:
    label = f"Voix « {lang} »"
    voices = espeak_voices(probe, lang)
    if voices is None:
        return CheckResult(label, False, "le programme espeak-ng manque : installez le paquet espeak-ng.")
    if not voices:
        return CheckResult(
            label, False,
            f"aucune voix pour la langue « {lang} » : installez le paquet espeak-ng-data "
            "ou retirez cette langue du réglage « languages ».",
        )
    lang_name = _LANGUAGE_NAMES.get(lang, lang)
    return CheckResult(label, True, f"voix {lang_name} trouvée ({voices[0][1]}).")


# -- the store key and the database ------------------------------------------------------------

def _store_probe_in_process(state_dir: Path, environ: Mapping[str, str]) -> dict[str, Any]:
    from kiosk.services.storage import KeyProblem, StoreError, check_installed

    try:
        source = check_installed(state_dir, environ=environ)
    except KeyProblem as exc:
        return {"key_ok": False, "store_ok": False, "message": str(exc)}
    except StoreError as exc:
        return {"key_ok": True, "store_ok": False, "message": str(exc)}
    return {"key_ok": True, "store_ok": True, "source": source}


def _store_probe_as(owner: int, group: int, state_dir: Path, environ: Mapping[str, str],
                    timeout: float) -> dict[str, Any]:
    """Run the store check as the kiosk account, so that nothing in its folder ends up owned by root."""
    env = {k: v for k, v in os.environ.items() if k not in ("CREDENTIALS_DIRECTORY",)}
    env.update({k: v for k, v in environ.items() if k == "CREDENTIALS_DIRECTORY"})
    env["HOME"] = str(state_dir)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "kiosk.services.diagnostics.store_probe", str(state_dir)],
            capture_output=True, text=True, timeout=timeout, env=env, cwd="/",
            user=owner, group=group, extra_groups=[], check=False,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (OSError, ValueError, IndexError, subprocess.TimeoutExpired):
        return {"key_ok": False, "store_ok": False,
                "message": "la vérification sous le compte de la borne a échoué : relancez « sudo kiosk doctor »."}


def _decrypt_credential(probe: Probe, into: Path, owner: int, group: int) -> str | None:
    """Decrypt the systemd credential into a private folder; an error sentence, or None."""
    target = into / CREDENTIAL_NAME
    done = _run([*probe.systemd_creds, "decrypt", f"--name={CREDENTIAL_NAME}",
                 str(probe.credential_file), str(target)], probe.command_timeout)
    if done is None:
        return "le programme systemd-creds manque : installez le paquet systemd."
    if done.returncode != 0 or not target.exists():
        return (f"le fichier {probe.credential_file} ne peut pas être déchiffré sur cette machine : "
                "recréez-le avec « systemd-creds encrypt » (guide, étape 4).")
    os.chmod(target, 0o400)
    os.chown(into, owner, group)
    os.chown(target, owner, group)
    return None


def check_store(probe: Probe, state_dir: Path) -> list[CheckResult]:
    """Two lines: the key (present, private, right format) and the database (opens, integrity)."""
    state_dir = Path(state_dir)
    environ = dict(probe.environ)
    key_name, db_name = "Clé de la base", "Base chiffrée"
    not_checked = CheckResult(db_name, False, "non vérifiée tant que la clé manque.")
    temporary: Path | None = None
    is_root = os.geteuid() == 0
    try:
        st = os.stat(state_dir) if state_dir.exists() else None
        owner = st.st_uid if st else os.geteuid()
        group = st.st_gid if st else os.getegid()
        if not environ.get("CREDENTIALS_DIRECTORY") and probe.credential_file.exists():
            if not is_root:
                return [CheckResult(key_name, False,
                                    "la clé chiffrée ne peut être lue que par root : lancez « sudo kiosk doctor »."),
                        not_checked]
            temporary = Path(tempfile.mkdtemp(prefix="kiosk-doctor-"))
            problem = _decrypt_credential(probe, temporary, owner, group)
            if problem:
                return [CheckResult(key_name, False, problem), not_checked]
            environ["CREDENTIALS_DIRECTORY"] = str(temporary)
        if is_root and owner != 0:
            result = _store_probe_as(owner, group, state_dir, environ, probe.command_timeout * 4)
        else:
            result = _store_probe_in_process(state_dir, environ)
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    if not result.get("key_ok"):
        return [CheckResult(key_name, False, _lower_first(result.get("message", ""))), not_checked]
    where = "identifiant systemd chiffré" if result.get("source") == "credential" else "fichier privé"
    key_line = CheckResult(key_name, True, f"présente et protégée ({where}).")
    if not result.get("store_ok"):
        return [key_line, CheckResult(db_name, False, _lower_first(result.get("message", "")))]
    return [key_line, CheckResult(db_name, True, "s'ouvre avec la clé, contrôle d'intégrité réussi.")]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


# -- the backend -------------------------------------------------------------------------------

def check_backend(probe: Probe, backend: str, ca_bundle: str = "") -> CheckResult:
    name = "Serveur"
    if backend == "demo":
        return CheckResult(name, True, "démonstration, sans réseau.")
    if not backend.startswith("https://"):
        return CheckResult(name, False, "l'adresse du serveur n'est pas chiffrée : elle doit commencer par https://.")
    from kiosk.settings import ca_bundle_problem

    problem = ca_bundle_problem(ca_bundle)
    if problem:  # missing, unreadable or not a certificate file: the settings' own sentence
        return CheckResult(name, False, _lower_first(problem))
    import requests

    url = backend.rstrip("/") + "/metadata"
    try:
        response = requests.get(url, timeout=probe.http_timeout, verify=ca_bundle or True,
                                headers={"Accept": "application/fhir+json"}, allow_redirects=False)
    except requests.exceptions.SSLError:
        return CheckResult(name, False, "le certificat du serveur n'est pas reconnu : vérifiez l'adresse, "
                                        "ou donnez son autorité dans « backend_ca_bundle ».")
    except requests.exceptions.Timeout:
        return CheckResult(name, False, "le serveur ne répond pas à temps : vérifiez le réseau "
                                        "et les adresses permises (IPAddressAllow).")
    except requests.exceptions.RequestException:
        return CheckResult(name, False, "le serveur ne répond pas : vérifiez l'adresse, le réseau "
                                        "et les adresses permises (IPAddressAllow).")
    if response.status_code != 200:
        return CheckResult(name, False, f"le serveur répond avec le code {response.status_code} : "
                                        "vérifiez l'adresse du réglage « backend ».")
    try:
        kind = response.json().get("resourceType")
    except ValueError:
        kind = None
    if kind != "CapabilityStatement":
        return CheckResult(name, False, "le serveur répond mais ce n'est pas un serveur FHIR : "
                                        "vérifiez l'adresse du réglage « backend ».")
    return CheckResult(name, True, "joignable, certificat vérifié.")


# -- disk and clock ----------------------------------------------------------------------------

def _size(n: int) -> str:
    if n >= 1000**3:
        return f"{n / 1000**3:.1f} Go".replace(".", ",")
    return f"{n // 1000**2} Mo"


def _cannot_write(state_dir: Path) -> str | None:
    """Why the journal could not take an entry (a real write beside the database), or None."""
    from kiosk.core.journal_guard import cause_of
    from kiosk.services.storage.room import check_room

    if not state_dir.is_dir():
        return None
    try:
        check_room(state_dir / "kiosk.db")
    except OSError as error:
        cause = cause_of(error)
        if cause == "full":
            return (f"le disque de {state_dir} est plein : le journal ne peut plus être écrit et la borne "
                    "refuse toute action. Libérez de la place.")
        if cause == "read_only":
            return (f"{state_dir} est en lecture seule pour la borne : le journal ne peut plus être écrit. "
                    "Vérifiez le montage et les droits du dossier.")
        return f"écriture impossible dans {state_dir} : le journal ne peut plus être écrit. Vérifiez le disque."
    return None


def check_disk(probe: Probe, state_dir: Path) -> CheckResult:
    path = Path(state_dir)
    while not path.exists() and path != path.parent:
        path = path.parent
    free = shutil.disk_usage(path).free
    unwritable = _cannot_write(Path(state_dir))
    if unwritable:
        return CheckResult("Espace disque", False, unwritable)
    if free >= probe.min_free_bytes:
        return CheckResult("Espace disque", True, f"{_size(free)} libres pour {state_dir}.")
    return CheckResult("Espace disque", False, f"il reste {_size(free)} pour {state_dir} : libérez de la place "
                                               f"(il faut au moins {_size(probe.min_free_bytes)}).")


def check_clock(probe: Probe) -> CheckResult:
    done = _run([*probe.timedatectl, "show", "-p", "NTPSynchronized", "--value"], probe.command_timeout)
    answer = done.stdout.strip() if done is not None and done.returncode == 0 else ""
    if answer == "yes" or (not answer and probe.timesync_flag.exists()):
        return CheckResult("Horloge", True, "heure synchronisée par le réseau.")
    if answer == "no":
        return CheckResult("Horloge", False, "l'heure n'est pas synchronisée : tapez "
                                             "« sudo timedatectl set-ntp true » et vérifiez le réseau.")
    return CheckResult("Horloge", False, "impossible de savoir si l'heure est synchronisée : "
                                         "installez systemd-timesyncd et vérifiez « timedatectl ».")


# -- all of them -------------------------------------------------------------------------------

def run_all(settings: Any, probe: Probe | None = None) -> list[CheckResult]:
    probe = probe or Probe()
    state_dir = settings.state_path()
    results = [check_display(probe), check_touch(probe), check_audio(probe)]
    results += [check_voice(probe, lang) for lang in settings.languages]
    results += check_store(probe, state_dir)
    results.append(check_backend(probe, "demo" if settings.is_demo else settings.backend,
                                 settings.backend_ca_bundle))
    results.append(check_disk(probe, state_dir))
    results.append(check_clock(probe))
    return results
