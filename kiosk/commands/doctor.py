"""`kiosk doctor`: the installer's self-check, one line per check, non-zero exit on any problem."""

from __future__ import annotations

import argparse

from kiosk.cli import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="vérifier l'installation de la borne",
        description="Vérifie l'écran, le toucher, le son, les voix, la clé et la base, le serveur, "
        "la place libre et l'heure. Une ligne par point ; le code de sortie n'est pas 0 s'il y a un problème. "
        "Lancez-la avec sudo sur une borne installée.",
    )
    parser.add_argument("--config", metavar="FICHIER", help="fichier de réglages TOML")
    parser.add_argument("--credential", metavar="FICHIER",
                        help="clé chiffrée par systemd-creds (par défaut /etc/kiosque-sante/kiosk-db-key.cred)")
    parser.set_defaults(func=doctor)


def doctor(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kiosk import settings as settings_mod
    from kiosk.services.diagnostics import CheckResult, Probe, run_all

    try:
        settings = settings_mod.load(args.config)
    except settings_mod.SettingsError as exc:
        print(CheckResult("Réglages", False, str(exc)).line())
        return 1
    source = settings.source or "aucun fichier, valeurs par défaut"
    print(CheckResult("Réglages", True, f"{source}.").line())
    probe = Probe()
    if args.credential:
        probe.credential_file = Path(args.credential)
        if not probe.credential_file.exists():
            raise UserError(f"Le fichier {args.credential} n'existe pas : vérifiez son chemin.")
    results = run_all(settings, probe)
    for result in results:
        print(result.line(), flush=True)
    problems = sum(not r.ok for r in results)
    if problems:
        print(f"{problems} problème{'s' if problems > 1 else ''} à corriger.")
        return 1
    print("Tout est prêt.")
    return 0
