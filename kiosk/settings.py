"""Kiosk settings: one TOML file, environment overrides, validated at start.

Every setting is declared once in FIELDS; validation, the environment names
and the generated configuration reference all come from that table.
"""

from __future__ import annotations

import dataclasses
import os
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
    Field("backend", "demo", "« demo » ou une adresse https://…",
          "Espace santé utilisé : « demo » (patients fictifs, sans réseau) ou l'adresse d'un serveur FHIR.",
          _backend),
    Field("backend_ca_bundle", "", "un chemin de fichier, ou vide",
          "Certificats d'autorité pour vérifier le serveur FHIR (vide : ceux du système).", _path_or_empty),
    Field("backend_token", "", "un texte",
          "Jeton OAuth2 (bearer) envoyé au serveur FHIR.", _text),
    Field("theme", "standard", "une valeur parmi : " + ", ".join(THEMES),
          "Thème de couleurs au début de chaque session.", _choice(THEMES)),
    Field("text_size", 1, "un nombre parmi : 1, 2, 3, 4",
          "Taille du texte au début de chaque session (1 = normale, 4 = la plus grande).", _choice(TEXT_SIZES)),
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
    theme: str = "standard"
    text_size: int = 1
    fullscreen: bool = True
    headset: bool = False
    speech_rate_wpm: int = 150
    state_dir: str = ""
    action_deadline_s: int = 20
    training: bool = False
    source: str = field(default="", compare=False)

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


def _validate(name: str, value: Any) -> Any:
    spec = FIELD_BY_NAME[name]
    try:
        return spec.parse(value)
    except (ValueError, TypeError):
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


def load(path: str | Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Read the TOML file (if any), then KIOSK_* environment overrides; validate all."""
    env = dict(os.environ if env is None else env)
    explicit = path is not None
    path = Path(path) if path is not None else default_config_path()
    values: dict[str, Any] = {}
    source = ""
    if path.exists():
        try:
            with path.open("rb") as handle:
                raw = tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(
                f"Le fichier de réglages {path.name} est mal écrit (ligne {getattr(exc, 'lineno', '?')}) : "
                "corrigez-le ou supprimez-le."
            ) from None
        except OSError:
            raise SettingsError(f"Le fichier de réglages {path.name} ne peut pas être lu.") from None
        raw = raw.get("kiosk", raw)
        for key, value in raw.items():
            if key not in FIELD_BY_NAME:
                raise SettingsError(
                    f"Le réglage « {key} » n'existe pas : les réglages permis sont "
                    + ", ".join(FIELD_BY_NAME) + "."
                )
            values[key] = _validate(key, value)
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
        "| réglage | variable | défaut | valeurs permises | rôle |",
        "|---|---|---|---|---|",
    ]
    for f in FIELDS:
        default = ", ".join(f.default) if isinstance(f.default, tuple) else f.default
        lines.append(
            f"| `{f.name}` | `{ENV_PREFIX}{f.name.upper()}` | `{default!s}` | {f.allowed} | {f.doc} |"
        )
    return "\n".join(lines) + "\n"
