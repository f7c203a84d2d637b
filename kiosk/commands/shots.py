"""`kiosk shots`: every screen of the kiosk as a PNG picture, for review and for the README."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from kiosk.cli import UserError

#: The bands of kiosk.ui.shot_states.drive, named here so that `kiosk --help` loads no Kivy.
BANDS = ("none", "helper", "training")


def register(subparsers: argparse._SubParsersAction) -> None:
    from kiosk.settings import LANGUAGES_AVAILABLE, TEXT_SIZES, THEMES

    parser = subparsers.add_parser(
        "shots",
        help="enregistrer chaque écran en image PNG",
        description="Enregistre chaque écran de la borne en image PNG, avec des données fictives et une "
        "heure fixe. Chaque image part de l'écran d'accueil et va jusqu'à son écran par les mêmes "
        "boutons qu'une personne : l'image est ce que la borne montre, avec Retour quand il y est. "
        "Il faut un écran : sur un serveur, lancez la commande avec xvfb-run. "
        "Sans option : français, thème standard, taille 1, sans bandeau. Avec plusieurs choix, chaque "
        "fichier porte la langue, le thème et la taille (welcome--fr--contraste--2.png), et le bandeau "
        "quand il y en a plusieurs (home--fr--standard--4--helper.png).",
        epilog="Bandeaux : « none » sans bandeau ; « helper » avec un accompagnant : le compte "
        "accompagnant de démonstration se connecte, puis le patient, qui accepte tout, et le bandeau "
        "« Accompagné par … » est sur chaque écran ; « training » en mode formation. Avec « helper », "
        "les images où ce bandeau ne peut pas être (l'accueil, la connexion de l'accompagnant, les "
        "écrans de la formation, la fermeture de l'espace, la fin) ou qui ont déjà le leur "
        "(l'accompagnement) ne sont pas refaites : "
        "la commande en donne la liste.",
    )
    parser.add_argument("--out", metavar="DOSSIER", required=True, help="dossier des images")
    parser.add_argument("--lang", action="append", choices=LANGUAGES_AVAILABLE, help="langue (répétable)")
    parser.add_argument("--theme", action="append", choices=THEMES, help="thème de couleurs (répétable)")
    parser.add_argument("--text-size", action="append", type=int, choices=TEXT_SIZES,
                        help="taille du texte, de 1 à 4 (répétable)")
    parser.add_argument("--band", action="append", choices=BANDS,
                        help="bandeau en haut de chaque écran : none, helper ou training (répétable)")
    parser.add_argument("--all", action="store_true",
                        help="toutes les langues, tous les thèmes, toutes les tailles, tous les bandeaux")
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
    bands = list(BANDS) if args.all else list(dict.fromkeys(args.band or ["none"]))
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
        done = render(services, out, langs=langs, themes=themes, sizes=sizes, check=args.check,
                      only=args.only or (), bands=bands, on_problem=lambda line: print(line, flush=True))
    finally:
        services.close()
    print(f"{len(done.written)} images dans {out}")
    for band, names in done.skipped.items():
        print(f"Pas d'image avec le bandeau {band} pour : " + ", ".join(names) + ".")
    if done.problems:
        print(f"{len(done.problems)} problèmes d'accessibilité (ci-dessus).")
    return 1 if done.problems else 0
