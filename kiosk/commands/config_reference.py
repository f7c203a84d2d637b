"""`kiosk config-reference`: print (or write) the configuration reference generated from the settings."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "config-reference",
        help="écrire la référence des réglages (Markdown)",
        description="Écrit la référence des réglages, tirée de leur définition dans le code. "
        "Sans --out, elle s'affiche.",
    )
    parser.add_argument("--out", metavar="FICHIER", help="fichier à écrire, par exemple packaging/CONFIGURATION.md")
    parser.set_defaults(func=config_reference)


def config_reference(args: argparse.Namespace) -> int:
    from kiosk.settings import reference_markdown

    text = reference_markdown()
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return 0
