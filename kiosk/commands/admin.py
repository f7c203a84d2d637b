"""`kiosk admin …`: the site administrator's commands.

This module registers the `admin` group and `admin init`. The other admin
sub-commands live in their own modules named ``kiosk/commands/_admin_<name>.py``
(the leading underscore keeps them out of the top-level discovery), each with
``register_admin(admin_subparsers)``. Adding an admin sub-command is adding such
a file; use ``common_options()`` as a parent parser and ``open_storage(args)``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from kiosk.cli import UserError

ADMIN_MODULE_PREFIX = "_admin_"


def common_options() -> argparse.ArgumentParser:
    """Options shared by every admin sub-command (use as `parents=[common_options()]`)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--config", metavar="FICHIER", default=None,
        help="fichier de réglages (par défaut : l'emplacement standard)",
    )
    parent.add_argument(
        "--state-dir", metavar="DOSSIER", default=None,
        help="dossier des données de la borne (remplace le réglage state_dir)",
    )
    return parent


def state_dir(args: argparse.Namespace) -> Path:
    """The state directory: --state-dir, else the settings' state_path()."""
    if getattr(args, "state_dir", None):
        return Path(args.state_dir)
    from kiosk.settings import load

    return load(getattr(args, "config", None)).state_path()


@contextmanager
def open_storage(args: argparse.Namespace, purpose: str | None = None) -> Iterator:
    """The installed store for an admin command; store problems become one-sentence UserErrors."""
    from kiosk.services.storage import StoreError, open_installed

    try:
        storage = open_installed(state_dir(args), purpose=purpose)
    except StoreError as exc:
        raise UserError(str(exc)) from None
    try:
        yield storage
    except StoreError as exc:
        raise UserError(str(exc)) from None
    finally:
        storage.close()


def register(subparsers) -> None:
    admin = subparsers.add_parser(
        "admin",
        help="administration : initialisation, comptes d'aidants, journal d'audit",
        description="Administration de la borne : initialisation, comptes d'aidants, journal d'audit.",
    )
    admin_sub = admin.add_subparsers(dest="admin_command", metavar="ACTION")
    admin.set_defaults(func=lambda args: _print_help(admin))
    _register_init(admin_sub)
    for register_admin in _discovered():
        register_admin(admin_sub)


def _discovered() -> list[Callable]:
    import kiosk.commands as commands_pkg

    found = []
    for info in sorted(pkgutil.iter_modules(commands_pkg.__path__), key=lambda m: m.name):
        if info.name.startswith(ADMIN_MODULE_PREFIX):
            module = importlib.import_module(f"kiosk.commands.{info.name}")
            if hasattr(module, "register_admin"):
                found.append(module.register_admin)
    return found


def _print_help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


# -- kiosk admin init ---------------------------------------------------------
def _register_init(admin_sub) -> None:
    parser = admin_sub.add_parser(
        "init",
        parents=[common_options()],
        help="prépare la borne : dossier privé, clé, base chiffrée",
        description="Prépare la borne : crée le dossier des données, la clé (sauf si systemd la fournit) "
        "et la base chiffrée. Ne remplace jamais une clé ni une base existante.",
    )
    parser.set_defaults(func=run_init)


def run_init(args: argparse.Namespace) -> int:
    from kiosk.services.storage import StoreError, initialise

    directory = state_dir(args)
    try:
        result = initialise(directory)
    except StoreError as exc:
        raise UserError(str(exc)) from None
    if result.key.source == "credential":
        print("Clé reçue de systemd (identifiant kiosk-db-key).")
    elif result.key_created:
        print(f"Clé créée : {result.key.location} (lisible seulement par ce compte).")
    else:
        print(f"Clé existante vérifiée : {result.key.location}.")
    if result.store_created:
        print(f"Base chiffrée créée : {result.database}.")
    else:
        print(f"Base existante vérifiée : {result.database}.")
    if result.witness is not None:
        if result.witness_append_only:
            print(f"Témoin du journal : {result.witness} (protégé, ajout seul).")
        else:
            print(f"Témoin du journal : {result.witness} ; protégez-le avec « sudo chattr +a {result.witness} ».")
    if result.key_created:
        print("Gardez une copie de la clé en lieu sûr : sans elle, la base ne peut plus être lue.")
    print("La borne est prête. Ajoutez un aidant avec « kiosk admin helper add ».")
    return 0
