"""The `kiosk` command line: discovers the sub-commands in kiosk.commands."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from kiosk import __version__


class UserError(Exception):
    """A mistake by the person at the command line: printed as one sentence, no traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Kiosque Santé : la borne d'accès accompagné à Mon espace santé. "
        "Sans argument, la borne démarre en mode démonstration.",
        add_help=False,
    )
    parser.add_argument("-h", "--help", action="help", help="afficher cette aide")
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}",
                        help="afficher la version")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMANDE")
    import kiosk.commands as commands_pkg

    for info in sorted(pkgutil.iter_modules(commands_pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"kiosk.commands.{info.name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv:
        argv = ["run", "--demo"]
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from kiosk.services.storage.errors import StoreError
    from kiosk.settings import SettingsError

    try:
        return int(args.func(args) or 0)
    except (UserError, SettingsError, StoreError) as exc:
        print(f"kiosk : {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
