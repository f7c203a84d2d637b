"""`kiosk shots`: every screen of the kiosk as a PNG picture, for review and for the README."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from kiosk.cli import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    from kiosk.settings import LANGUAGES_AVAILABLE, TEXT_SIZES, THEMES

    parser = subparsers.add_parser(
        "shots",
        help="enregistrer chaque écran en image PNG",
        description="Enregistre chaque écran de la borne en image PNG, avec des données fictives et une "
        "heure fixe. Il faut un écran : sur un serveur, lancez la commande avec xvfb-run. "
        "Sans option : français, thème standard, taille 1. Avec plusieurs choix, chaque fichier "
        "porte la langue, le thème et la taille (welcome--fr--contraste--2.png).",
    )
    parser.add_argument("--out", metavar="DOSSIER", required=True, help="dossier des images")
    parser.add_argument("--lang", action="append", choices=LANGUAGES_AVAILABLE, help="langue (répétable)")
    parser.add_argument("--theme", action="append", choices=THEMES, help="thème de couleurs (répétable)")
    parser.add_argument("--text-size", action="append", type=int, choices=TEXT_SIZES,
                        help="taille du texte, de 1 à 4 (répétable)")
    parser.add_argument("--all", action="store_true", help="toutes les langues, tous les thèmes, toutes les tailles")
    parser.add_argument("--only", action="append", metavar="ÉCRAN", help="seulement cet écran (répétable)")
    parser.add_argument("--check", action="store_true",
                        help="vérifier aussi l'accessibilité de chaque image (contraste, tailles, texte coupé)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from datetime import datetime

    from kiosk.app import build_services
    from kiosk.core.clock import PARIS, FakeClock
    from kiosk.settings import LANGUAGES_AVAILABLE, TEXT_SIZES, THEMES, Settings

    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        raise UserError("Il n'y a pas d'écran : lancez la commande avec xvfb-run -a -s \"-screen 0 1920x1080x24\".")
    langs = list(LANGUAGES_AVAILABLE) if args.all else (args.lang or ["fr"])
    themes = list(THEMES) if args.all else (args.theme or ["standard"])
    sizes = list(TEXT_SIZES) if args.all else (args.text_size or [1])
    settings = Settings(fullscreen=False, languages=tuple(dict.fromkeys(["fr", *LANGUAGES_AVAILABLE])))
    clock = FakeClock(datetime(2026, 12, 1, 10, 0, tzinfo=PARIS))
    services = build_services(settings, clock, with_voice=False)
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError:
        raise UserError(f"Le dossier {out} ne peut pas être créé.") from None
    from kiosk.ui.shots import render, shot_names

    if args.only:
        unknown = [n for n in args.only if n not in shot_names()]
        if unknown:
            raise UserError(f"L'écran « {unknown[0]} » n'existe pas : choisissez parmi " + ", ".join(shot_names()) + ".")
    try:
        written, problems = render(services, out, langs=langs, themes=themes, sizes=sizes, check=args.check,
                                   only=args.only or ())
    finally:
        services.close()
    print(f"{len(written)} images dans {out}")
    for problem in problems:
        print(problem)
    return 1 if problems else 0
