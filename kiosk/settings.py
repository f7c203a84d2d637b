"""Kiosk settings: one TOML file, environment overrides, validated at start.

Every setting is declared once in FIELDS; validation, the environment names
and the generated configuration reference all come from that table. The type a
setting takes in the file is the type of its default (a boolean is never a
number, a number never a text); environment variables are text, parsed.

A bad file gets one French sentence for the installer, with the line and the
key: bad encoding, TOML syntax error, unknown section, unknown key, wrong type,
value out of range.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import platformdirs

APP_NAME = "kiosque-sante"
ENV_PREFIX = "KIOSK_"
LANGUAGES_AVAILABLE = ("fr", "en")
THEMES = ("standard", "contraste", "doux")
TEXT_SIZES = (1, 2, 3, 4)


class SettingsError(Exception):
    """A setting has a bad value: the message is one sentence for the installer."""


@dataclass(frozen=True)
class Field:
    name: str
    default: Any
    allowed: str
    doc: str
    parse: Callable[[Any], Any]


def _int_range(lo: int, hi: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, str):
            value = int(value.strip())
        if not isinstance(value, int) or not lo <= value <= hi:
            raise ValueError
        return value

    return parse


def _float_range(lo: float, hi: float) -> Callable[[Any], float]:
    def parse(value: Any) -> float:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, str):
            value = float(value.strip())
        if not isinstance(value, (int, float)) or not lo <= float(value) <= hi:
            raise ValueError
        return float(value)

    return parse


def _choice(options: tuple) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        if isinstance(value, bool):  # True == 1 and True in (1, 2) in Python: a boolean is never a choice
            raise ValueError
        if isinstance(value, str) and value.strip().isdigit() and isinstance(options[0], int):
            value = int(value.strip())
        if value not in options:
            raise ValueError
        return value

    return parse


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "oui", "on"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("0", "false", "no", "non", "off"):
        return False
    raise ValueError


def _languages(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError
    if any(v not in LANGUAGES_AVAILABLE for v in value) or len(set(value)) != len(value):
        raise ValueError
    return tuple(value)


def _backend(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError
    value = value.strip()
    if value == "demo" or value.startswith(("https://", "http://")):
        return value.rstrip("/") if value != "demo" else value
    raise ValueError


def _path_or_empty(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError
    return value.strip()


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError
    return value


FIELDS: tuple[Field, ...] = (
    Field("inactivity_timeout_s", 180, "un nombre entier de 60 à 3600",
          "Secondes sans toucher l'écran avant la fin de la session.", _int_range(60, 3600)),
    Field("warning_s", 30, "un nombre entier de 20 à 300",
          "Durée de l'avertissement affiché et dit avant la fin (au moins 20 secondes).",
          _int_range(20, 300)),
    Field("screen_width_mm", 344.0, "un nombre de 100 à 2000",
          "Largeur physique de la zone affichée de l'écran, en millimètres (344 pour un écran de 15,6 pouces).",
          _float_range(100.0, 2000.0)),
    Field("screen_width_px", 1920, "un nombre entier de 800 à 7680",
          "Largeur de l'écran en pixels.", _int_range(800, 7680)),
    Field("screen_height_px", 1080, "un nombre entier de 600 à 4320",
          "Hauteur de l'écran en pixels.", _int_range(600, 4320)),
    Field("languages", ("fr", "en"), "une liste prise dans : " + ", ".join(LANGUAGES_AVAILABLE),
          "Langues proposées sur l'écran d'accueil, la première est la langue par défaut.", _languages),
    Field("backend", "demo", "« demo » ou une adresse https://… (http://… seulement avec allow_insecure_http)",
          "Espace santé utilisé : « demo » (patients fictifs, sans réseau) ou l'adresse d'un serveur FHIR.",
          _backend),
    Field("backend_ca_bundle", "", "un chemin de fichier, ou vide",
          "Certificats d'autorité pour vérifier le serveur FHIR (vide : ceux du système).", _path_or_empty),
    Field("backend_token", "", "un texte",
          "Jeton OAuth2 (bearer) envoyé au serveur FHIR.", _text),
    Field("allow_insecure_http", False, "true ou false",
          "Pour un serveur de test seulement : accepte une adresse http:// (sans chiffrement) dans "
          "« backend ». Jamais sur une borne en service.", _bool),
    Field("theme", "standard", "une valeur parmi : " + ", ".join(THEMES),
          "Thème de couleurs au début de chaque session.", _choice(THEMES)),
    Field("text_size", 1, "un nombre parmi : 1, 2, 3, 4",
          "Taille du texte au début de chaque session (1 = normale, 4 = la plus grande).",
          _choice(TEXT_SIZES)),
    Field("fullscreen", True, "true ou false",
          "Plein écran, sans sortie par la touche Échap ni fermeture de fenêtre.", _bool),
    Field("headset", False, "true ou false",
          "Un casque est installé : le contenu privé peut être lu à voix haute sans demander.", _bool),
    Field("speech_rate_wpm", 150, "un nombre entier de 80 à 300",
          "Vitesse de la voix en mots par minute.", _int_range(80, 300)),
    Field("state_dir", "", "un chemin de dossier, ou vide",
          "Dossier des données de la borne (vide : l'emplacement standard de l'utilisateur).", _path_or_empty),
    Field("action_deadline_s", 20, "un nombre entier de 5 à 120",
          "Secondes d'attente au plus pour une réponse du service, par action de la personne.",
          _int_range(5, 120)),
    Field("training", False, "true ou false",
          "Mode formation : patients fictifs seulement, aucune connexion réseau.", _bool),
)

FIELD_BY_NAME = {f.name: f for f in FIELDS}


@dataclass(frozen=True)
class Settings:
    inactivity_timeout_s: int = 180
    warning_s: int = 30
    screen_width_mm: float = 344.0
    screen_width_px: int = 1920
    screen_height_px: int = 1080
    languages: tuple[str, ...] = ("fr", "en")
    backend: str = "demo"
    backend_ca_bundle: str = ""
    backend_token: str = ""
    allow_insecure_http: bool = False
    theme: str = "standard"
    text_size: int = 1
    fullscreen: bool = True
    headset: bool = False
    speech_rate_wpm: int = 150
    state_dir: str = ""
    action_deadline_s: int = 20
    training: bool = False
    source: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        # however the settings were made (file, environment, command line, code): never plain
        # http to a real service
        if insecure_backend(self.backend, self.allow_insecure_http, self.training):
            raise SettingsError(MSG_INSECURE_HTTP)

    @property
    def default_language(self) -> str:
        return self.languages[0]

    @property
    def px_per_mm(self) -> float:
        return self.screen_width_px / self.screen_width_mm

    @property
    def is_demo(self) -> bool:
        return self.backend == "demo" or self.training

    def state_path(self) -> Path:
        if self.state_dir:
            return Path(self.state_dir)
        return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))

    def replace(self, **changes: Any) -> "Settings":
        for key, value in changes.items():
            if key in FIELD_BY_NAME:
                changes[key] = _validate(key, value)
        result = dataclasses.replace(self, **changes)
        _check_together(result)
        return result


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "kiosk.toml"


MSG_INSECURE_HTTP = (
    "Le réglage « backend » donne une adresse http:// sans chiffrement : mettez une adresse https://, "
    "ou allow_insecure_http = true pour un serveur de test seulement."
)


def insecure_backend(backend: str, allow_insecure_http: bool, training: bool = False) -> bool:
    """A plain-http service that the settings do not allow (training never uses the backend)."""
    return isinstance(backend, str) and backend.startswith("http://") and not allow_insecure_http and not training


def ca_bundle_problem(ca_bundle: str) -> str | None:
    """The sentence for a `backend_ca_bundle` that cannot be used, or None (empty: the system's)."""
    if not ca_bundle:
        return None
    path = Path(ca_bundle)
    if not path.exists():
        return (f"Le fichier de certificats {ca_bundle} est introuvable : "
                "corrigez le réglage « backend_ca_bundle » ou videz-le.")
    if not (path.is_file() or path.is_dir()) or not os.access(path, os.R_OK):
        return (f"Le fichier de certificats {ca_bundle} ne peut pas être lu : "
                "vérifiez le réglage « backend_ca_bundle » et les droits du fichier.")
    if path.is_file():
        import ssl

        try:
            ssl.create_default_context(cafile=str(path))
        except (ssl.SSLError, ValueError, OSError):
            return (f"Le fichier de certificats {ca_bundle} ne contient aucun certificat lisible : "
                    "donnez dans « backend_ca_bundle » un fichier PEM.")
    return None


def _validate(name: str, value: Any, where: str = "") -> Any:
    spec = FIELD_BY_NAME[name]
    try:
        return spec.parse(value)
    except (ValueError, TypeError):
        if where:
            raise SettingsError(
                f"{where}le réglage « {name} » a une valeur invalide ({_shown(value)}) : il faut {spec.allowed}."
            ) from None
        raise SettingsError(
            f"Le réglage « {name} » a une valeur invalide ({value!r}) : "
            f"il faut {spec.allowed}."
        ) from None


def _check_together(settings: Settings) -> None:
    if settings.warning_s >= settings.inactivity_timeout_s:
        raise SettingsError(
            "Le réglage « warning_s » doit être plus petit que « inactivity_timeout_s » : "
            f"il faut un nombre entier de 20 à {settings.inactivity_timeout_s - 1}."
        )


# -- reading the file ---------------------------------------------------------------------------

def _type_fits(spec: Field, value: Any) -> bool:
    """The value has the TOML type the setting takes: the type of its default."""
    wanted = type(spec.default)
    if wanted is bool:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if wanted is int:
        return isinstance(value, int)
    if wanted is float:
        return isinstance(value, (int, float))
    if wanted is str:
        return isinstance(value, str)
    if wanted is tuple:
        return isinstance(value, list)
    return True


def _shown(value: Any) -> str:
    """A value as it is written in the file (short): true, 12, "texte", [ … ]."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "…"
        return f'"{text}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "une section"
    return str(value)


_HEADER_RE = re.compile(r"^\s*\[\[?\s*([^\]]*?)\s*\]")
_KEY_RE = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_.\-]+))\s*=""")


class _Lines:
    """Where a section or a key is written, to name its line in a message."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def key_on(self, number: int) -> str | None:
        if 1 <= number <= len(self.lines):
            line = self.lines[number - 1]
            found = _KEY_RE.match(line)
            if found:
                return next(g for g in found.groups() if g is not None).strip()
            header = _HEADER_RE.match(line)
            if header:
                return header.group(1).strip().strip("\"'")
        return None

    def of_section(self, name: str) -> int | None:
        for number, line in enumerate(self.lines, 1):
            header = _HEADER_RE.match(line)
            if header and header.group(1).strip().strip("\"'").split(".")[0] == name:
                return number
        return self.of_key(None, name)

    def of_key(self, section: str | None, key: str) -> int | None:
        current: str | None = None
        for number, line in enumerate(self.lines, 1):
            header = _HEADER_RE.match(line)
            if header:
                current = header.group(1).strip().strip("\"'")
                continue
            found = _KEY_RE.match(line)
            if not found:
                continue
            written = next(g for g in found.groups() if g is not None).strip()
            if current == section and (written == key or written.split(".")[0] == key):
                return number
            if current is None and section is not None and written == f"{section}.{key}":
                return number
        return None


def _where(file_name: str, line: int | None) -> str:
    return f"Dans {file_name}, ligne {line}, " if line else f"Dans {file_name}, "


def _decode(data: bytes, file_name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):  # a byte-order mark, as some editors write: not a fault
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        key = _Lines(data.decode("utf-8", errors="replace")).key_on(line)
        about = f" (réglage « {key} »)" if key else ""
        raise SettingsError(
            f"Dans {file_name}, ligne {line}{about}, un caractère n'est pas en UTF-8 : "
            "enregistrez le fichier de réglages en UTF-8."
        ) from None


def _parse(text: str, file_name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        line = int(found.group(1)) if found else max(1, len(text.splitlines()))
        key = _Lines(text).key_on(line)
        about = f" (réglage « {key} »)" if key else ""
        raise SettingsError(
            f"Dans {file_name}, ligne {line}{about}, le fichier de réglages est mal écrit : "
            "corrigez cette ligne ou supprimez le fichier."
        ) from None


def _file_values(raw: dict[str, Any], lines: _Lines, file_name: str) -> dict[str, Any]:
    """The settings of the file: top-level keys and the [kiosk] section; anything else is refused."""
    found: list[tuple[str | None, str, Any]] = []
    for key, value in raw.items():
        if key == "kiosk" and isinstance(value, dict):
            found += [("kiosk", k, v) for k, v in value.items()]
        elif key not in FIELD_BY_NAME and (
            isinstance(value, dict) or (isinstance(value, list) and value and all(isinstance(v, dict) for v in value))
        ):
            close = difflib.get_close_matches(key, ["kiosk"], n=1, cutoff=0.6)
            advice = ("vouliez-vous dire [kiosk] ?" if close
                      else "la seule section permise est [kiosk] ; retirez-la ou corrigez son nom.")
            raise SettingsError(f"{_where(file_name, lines.of_section(key))}la section [{key}] n'existe pas : {advice}")
        else:
            found.append((None, key, value))
    values: dict[str, Any] = {}
    for section, key, value in found:
        where = _where(file_name, lines.of_key(section, key))
        spec = FIELD_BY_NAME.get(key)
        if spec is None:
            close = difflib.get_close_matches(key, list(FIELD_BY_NAME), n=1, cutoff=0.6)
            advice = (f"vouliez-vous dire « {close[0]} » ?" if close
                      else "les réglages permis sont " + ", ".join(FIELD_BY_NAME) + ".")
            raise SettingsError(f"{where}le réglage « {key} » n'existe pas : {advice}")
        if key in values:
            raise SettingsError(f"{where}le réglage « {key} » est donné une deuxième fois : gardez-en un seul.")
        if not _type_fits(spec, value):
            raise SettingsError(
                f"{where}le réglage « {key} » vaut {_shown(value)}, qui n'est pas du bon type : il faut {spec.allowed}."
            )
        values[key] = _validate(key, value, where)
    if insecure_backend(values.get("backend", ""), values.get("allow_insecure_http", False),
                        values.get("training", False)):
        raise SettingsError(_where(file_name, lines.of_key("kiosk" if "kiosk" in raw else None, "backend"))
                            + MSG_INSECURE_HTTP[0].lower() + MSG_INSECURE_HTTP[1:])
    return values


def load(path: str | Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Read the TOML file (if any), then KIOSK_* environment overrides; validate all."""
    env = dict(os.environ if env is None else env)
    explicit = path is not None
    path = Path(path) if path is not None else default_config_path()
    values: dict[str, Any] = {}
    source = ""
    if path.exists():
        try:
            data = path.read_bytes()
        except OSError:
            raise SettingsError(f"Le fichier de réglages {path.name} ne peut pas être lu.") from None
        text = _decode(data, path.name)
        values = _file_values(_parse(text, path.name), _Lines(text), path.name)
        source = str(path)
    elif explicit:
        raise SettingsError(f"Le fichier de réglages {path} n'existe pas.")
    for name in FIELD_BY_NAME:
        env_name = ENV_PREFIX + name.upper()
        if env_name in env:
            values[name] = _validate(name, env[env_name])
    settings = Settings(**values, source=source)
    _check_together(settings)
    return settings


def reference_markdown() -> str:
    """The configuration reference, generated from FIELDS so it never drifts."""
    lines = [
        "# Réglages de la borne",
        "",
        "Fichier TOML (`kiosk.toml`), section `[kiosk]` facultative. Chaque réglage peut aussi "
        f"venir de l'environnement : `{ENV_PREFIX}` suivi du nom en majuscules.",
        "",
        "Le fichier est écrit en UTF-8. Dans le fichier, chaque réglage a le type de sa valeur par défaut : "
        "`true` n'est pas un nombre et `\"300\"` n'est pas un nombre. Une autre section que `[kiosk]`, "
        "un réglage inconnu, une valeur du mauvais type ou hors des valeurs permises arrête la borne : "
        "le message donne la ligne et le réglage (`kiosk doctor` le montre aussi).",
        "",
        "Une adresse `http://` dans `backend` n'est pas chiffrée : la borne la refuse, sauf avec "
        "`allow_insecure_http = true`, pour un serveur de test seulement.",
        "",
        "| réglage | variable | défaut | valeurs permises | rôle |",
        "|---|---|---|---|---|",
    ]
    for f in FIELDS:  # the default as it is written in the file
        lines.append(
            f"| `{f.name}` | `{ENV_PREFIX}{f.name.upper()}` | `{_shown(f.default)}` | {f.allowed} | {f.doc} |"
        )
    return "\n".join(lines) + "\n"
