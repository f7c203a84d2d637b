"""`kiosk admin helper add|list|disable`: the helper accounts."""

from __future__ import annotations

import argparse
import getpass
import sys

from kiosk.cli import UserError
from kiosk.commands.admin import common_options, open_storage


def register_admin(admin_sub) -> None:
    helper = admin_sub.add_parser(
        "helper", help="comptes des aidants (pharmaciens, conseillers)",
        description="Comptes des aidants : ajouter, lister, désactiver.",
    )
    sub = helper.add_subparsers(dest="helper_command", metavar="ACTION")
    helper.set_defaults(func=lambda args: (helper.print_help(), 2)[1])

    add = sub.add_parser(
        "add", parents=[common_options()], help="ajoute un compte d'aidant",
        description="Ajoute un compte d'aidant. Le code PIN est demandé au clavier, jamais sur la ligne de commande.",
    )
    add.add_argument("identifier", metavar="IDENTIFIANT", help="3 à 40 caractères : minuscules, chiffres, . _ -")
    add.add_argument("--name", required=True, metavar="NOM", help="nom affiché de l'aidant")
    add.add_argument("--organisation", required=True, metavar="ORGANISATION", help="pharmacie ou structure")
    add.add_argument(
        "--pin-stdin", action="store_true",
        help="lit le code PIN sur l'entrée standard (une ligne), pour les scripts",
    )
    add.set_defaults(func=run_add)

    lister = sub.add_parser("list", parents=[common_options()], help="liste les comptes d'aidants")
    lister.set_defaults(func=run_list)

    disable = sub.add_parser("disable", parents=[common_options()], help="désactive un compte d'aidant")
    disable.add_argument("identifier", metavar="IDENTIFIANT")
    disable.set_defaults(func=run_disable)


def read_pin(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise UserError("Aucun code PIN reçu sur l'entrée standard : envoyez-le sur une ligne.")
        return line.strip()
    if not sys.stdin.isatty():
        raise UserError("Pas de clavier pour taper le code PIN : utilisez l'option --pin-stdin.")
    first = getpass.getpass("Code PIN de l'aidant (6 chiffres ou plus) : ")
    second = getpass.getpass("Retapez le code PIN : ")
    if first != second:
        raise UserError("Les deux codes PIN sont différents : recommencez.")
    return first


def run_add(args: argparse.Namespace) -> int:
    from kiosk.services.storage.helper_accounts import check_identifier, check_pin
    from kiosk.services.storage import AccountError

    try:  # check what can be checked before asking for the PIN
        check_identifier(args.identifier)
        pin = check_pin(read_pin(args.pin_stdin))
    except AccountError as exc:
        raise UserError(str(exc)) from None
    with open_storage(args) as storage:
        account = storage.helpers.add(args.identifier, args.name, args.organisation, pin)
    print(f"Compte d'aidant ajouté : {account.identifier} ({account.display_name}, {account.organisation}).")
    return 0


def _state(account, now) -> str:
    if account.disabled:
        return "désactivé"
    if account.locked_until is not None and account.locked_until > now:
        return "bloqué jusqu'à " + account.locked_until.astimezone().strftime("%H:%M")
    return "actif"


def run_list(args: argparse.Namespace) -> int:
    from kiosk.core.clock import SystemClock

    with open_storage(args) as storage:
        accounts = storage.helpers.list()
    if not accounts:
        print("Aucun compte d'aidant. Ajoutez-en un avec « kiosk admin helper add ».")
        return 0
    now = SystemClock().now()
    rows = [("IDENTIFIANT", "NOM", "ORGANISATION", "ÉTAT", "EMPREINTE DANS LE JOURNAL")]
    rows += [(a.identifier, a.display_name, a.organisation, _state(a, now), a.fingerprint) for a in accounts]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 0


def run_disable(args: argparse.Namespace) -> int:
    with open_storage(args) as storage:
        account = storage.helpers.disable(args.identifier)
    print(f"Compte d'aidant désactivé : {account.identifier}.")
    return 0
