"""`kiosk run`: start the kiosk (demo mode by default)."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from kiosk.cli import UserError

log = logging.getLogger("kiosk")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="démarrer la borne",
        description="Démarre la borne. Sans option, elle utilise les patients fictifs de démonstration.",
    )
    parser.add_argument("--demo", action="store_true", help="patients fictifs, sans réseau (par défaut)")
    parser.add_argument("--training", action="store_true",
                        help="mode formation : patients fictifs, aucune connexion réseau")
    parser.add_argument("--backend", metavar="URL", help="adresse du serveur FHIR à utiliser")
    parser.add_argument("--windowed", action="store_true", help="dans une fenêtre plutôt qu'en plein écran")
    parser.add_argument("--lang", metavar="LANGUE", help="langue de départ (fr, en)")
    parser.add_argument("--config", metavar="FICHIER", help="fichier de réglages TOML")
    parser.add_argument("--verbose", action="store_true",
                        help="journal détaillé : aussi une ligne par requête au serveur FHIR")
    parser.set_defaults(func=run)


def settings_from_args(args: argparse.Namespace):
    from kiosk import settings as settings_mod

    settings = settings_mod.load(args.config)
    changes: dict = {}
    if getattr(args, "backend", None):
        if args.demo or args.training:
            raise UserError("Choisissez --backend ou --demo/--training, pas les deux.")
        changes["backend"] = args.backend
        if settings_mod.insecure_backend(args.backend.strip(), settings.allow_insecure_http):
            raise UserError("L'adresse donnée à --backend n'est pas chiffrée (http://) : mettez une adresse https://, "
                            "ou allow_insecure_http = true dans les réglages pour un serveur de test seulement.")
    elif getattr(args, "demo", False):
        changes["backend"] = "demo"
    if getattr(args, "training", False) or settings.training:
        # training: the fictional patients only, never a server, even one set in the settings
        if getattr(args, "backend", None):
            raise UserError("Le mode formation n'utilise que les patients fictifs : retirez --backend.")
        changes["training"] = True
        changes["backend"] = "demo"
    if getattr(args, "lang", None):
        if args.lang not in settings_mod.LANGUAGES_AVAILABLE:
            raise UserError(
                f"La langue « {args.lang} » n'existe pas : choisissez parmi "
                + ", ".join(settings_mod.LANGUAGES_AVAILABLE) + "."
            )
        langs = [args.lang] + [lang for lang in settings.languages if lang != args.lang]
        changes["languages"] = tuple(langs)
    if getattr(args, "windowed", False):
        changes["fullscreen"] = False
    return settings.replace(**changes) if changes else settings


def _stop_on_sigterm() -> None:
    """systemd stops the kiosk with SIGTERM: leave through the same door as a normal stop
    (the session is wiped, "kiosk stopped" is logged)."""

    def stop(signum, frame) -> None:
        raise SystemExit(0)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)


def run(args: argparse.Namespace) -> int:
    from kiosk.app import build_services
    from kiosk.services.logs import mode_of, setup_logging

    from kiosk.settings import ca_bundle_problem

    settings = settings_from_args(args)
    if not settings.is_demo and ca_bundle_problem(settings.backend_ca_bundle):
        raise UserError(ca_bundle_problem(settings.backend_ca_bundle))
    setup_logging(settings, verbose=getattr(args, "verbose", False))
    try:
        services = build_services(settings)
    except Exception as error:
        log.error("kiosk could not start: %s", type(error).__name__)
        raise
    _stop_on_sigterm()
    log.info("kiosk started (%s)", mode_of(settings))
    try:
        from kiosk.ui.app import run_app

        run_app(services, windowed=not settings.fullscreen)
    except Exception:  # logged without its text; systemd starts the kiosk again
        log.critical("kiosk stopped after an error", exc_info=True)
        return 1
    finally:
        try:
            services.close()
        finally:
            log.info("kiosk stopped")
    return 0
