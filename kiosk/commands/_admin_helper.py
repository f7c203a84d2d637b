"""`kiosk admin helper add|list|disable|enable|unlock|reset-pin|remove`: the helper accounts.

Every change is journaled (with the helper's fingerprint, never the identifier). The PIN is
asked at the keyboard (or read from standard input with --pin-stdin), never on the command
line. `add --totp` and `reset-pin --totp` enrol a second factor: the QR code for the helper's
authenticator app is printed once, and never again.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from kiosk.cli import UserError
from kiosk.commands.admin import common_options, open_storage


def _pin_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pin-stdin", action="store_true",
        help="lit le code PIN sur l'entrée standard (une ligne), pour les scripts",
    )


def _totp_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--totp", action="store_true",
        help=f"{what} : un code à 6 chiffres d'une application d'authentification, demandé après le code PIN "
             "(le QR code à scanner s'affiche une seule fois)",
    )


def register_admin(admin_sub) -> None:
    helper = admin_sub.add_parser(
        "helper", help="comptes des aidants (pharmaciens, conseillers)",
        description="Comptes des aidants : ajouter, lister, désactiver, réactiver, débloquer, "
        "changer le code PIN, supprimer.",
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
    _pin_option(add)
    _totp_option(add, "second facteur")
    add.set_defaults(func=run_add)

    lister = sub.add_parser("list", parents=[common_options()], help="liste les comptes d'aidants")
    lister.set_defaults(func=run_list)

    for name, help_text, func in (
        ("disable", "désactive un compte d'aidant (il ne peut plus se connecter)", run_disable),
        ("enable", "réactive un compte d'aidant désactivé", run_enable),
        ("unlock", "débloque un compte d'aidant bloqué après des codes faux", run_unlock),
    ):
        parser = sub.add_parser(name, parents=[common_options()], help=help_text, description=help_text[0].upper()
                                + help_text[1:] + ".")
        parser.add_argument("identifier", metavar="IDENTIFIANT")
        parser.set_defaults(func=func)

    reset = sub.add_parser(
        "reset-pin", parents=[common_options()], help="donne un nouveau code PIN à un aidant (et le débloque)",
        description="Donne un nouveau code PIN à un aidant, choisi avec lui ; le compte est aussi débloqué.",
    )
    reset.add_argument("identifier", metavar="IDENTIFIANT")
    _pin_option(reset)
    _totp_option(reset, "nouveau second facteur (l'ancien ne marche plus)")
    reset.set_defaults(func=run_reset_pin)

    remove = sub.add_parser(
        "remove", parents=[common_options()], help="supprime un compte d'aidant",
        description="Supprime un compte d'aidant : son code PIN et son second facteur. "
        "Le journal garde son empreinte.",
    )
    remove.add_argument("identifier", metavar="IDENTIFIANT")
    remove.add_argument("--yes", action="store_true", help="sans demander de confirmation, pour les scripts")
    remove.set_defaults(func=run_remove)


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


def _checked_pin(args: argparse.Namespace) -> str:
    from kiosk.services.storage import AccountError
    from kiosk.services.storage.helper_accounts import check_identifier, check_pin

    try:  # check what can be checked before asking for the PIN
        check_identifier(args.identifier)
        return check_pin(read_pin(args.pin_stdin))
    except AccountError as exc:
        raise UserError(str(exc)) from None


def show_totp(identifier: str, secret: str, out=None) -> None:
    """The QR code of the otpauth URI, once, and the key for an app that cannot scan."""
    import qrcode

    from kiosk.services.storage.helper_accounts import totp_uri

    out = out or sys.stdout
    code = qrcode.QRCode(border=2)
    code.add_data(totp_uri(identifier, secret))
    code.make(fit=True)
    print("Second facteur : scannez ce QR code avec l'application d'authentification de l'aidant.", file=out)
    print("Il ne sera plus jamais affiché.", file=out)
    code.print_ascii(out=out, invert=True)  # light on a dark terminal, as the phone expects
    print("Sans appareil photo, tapez cette clé dans l'application : "
          + " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)), file=out)
    print("Effacez ensuite ce terminal (commande « clear »).", file=out, flush=True)


def run_add(args: argparse.Namespace) -> int:
    from kiosk.services.storage.helper_accounts import new_totp_secret

    pin = _checked_pin(args)
    secret = new_totp_secret() if args.totp else None
    with open_storage(args) as storage:
        account = storage.helpers.add(args.identifier, args.name, args.organisation, pin, totp_secret=secret)
    print(f"Compte d'aidant ajouté : {account.identifier} ({account.display_name}, {account.organisation}).")
    if secret is not None:
        show_totp(account.identifier, secret)
    return 0


def _state(account, now) -> str:
    if account.disabled:
        return "désactivé"
    if account.held_for_admin:
        return "bloqué (à débloquer : kiosk admin helper unlock)"
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
    rows = [("IDENTIFIANT", "NOM", "ORGANISATION", "ÉTAT", "SECOND FACTEUR", "EMPREINTE DANS LE JOURNAL")]
    rows += [(a.identifier, a.display_name, a.organisation, _state(a, now), "oui" if a.totp else "non",
              a.fingerprint) for a in accounts]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 0


def run_disable(args: argparse.Namespace) -> int:
    with open_storage(args) as storage:
        account = storage.helpers.disable(args.identifier)
    print(f"Compte d'aidant désactivé : {account.identifier}.")
    return 0


def run_enable(args: argparse.Namespace) -> int:
    with open_storage(args) as storage:
        account = storage.helpers.enable(args.identifier)
    print(f"Compte d'aidant réactivé : {account.identifier}.")
    return 0


def run_unlock(args: argparse.Namespace) -> int:
    with open_storage(args) as storage:
        account = storage.helpers.unlock(args.identifier)
    print(f"Compte d'aidant débloqué : {account.identifier}, avec de nouveau 5 essais.")
    return 0


def run_reset_pin(args: argparse.Namespace) -> int:
    from kiosk.services.storage.helper_accounts import new_totp_secret

    from kiosk.services.storage.helper_accounts import no_such_account

    with open_storage(args) as storage:  # an unknown identifier is said before the PIN is asked
        if storage.helpers.get(args.identifier) is None:
            raise UserError(str(no_such_account(args.identifier)))
    pin = _checked_pin(args)
    secret = new_totp_secret() if args.totp else None
    with open_storage(args) as storage:
        account = storage.helpers.reset_pin(args.identifier, pin, totp_secret=secret)
    print(f"Nouveau code PIN pour {account.identifier} ; le compte est débloqué.")
    if secret is not None:
        show_totp(account.identifier, secret)
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from kiosk.services.storage.helper_accounts import no_such_account

    with open_storage(args) as storage:
        account = storage.helpers.get(args.identifier)
        if account is None:
            raise UserError(str(no_such_account(args.identifier)))
        if not args.yes:
            if not sys.stdin.isatty():
                raise UserError("Supprimer un compte se confirme : ajoutez l'option --yes.")
            answer = input(f"Supprimer le compte {account.identifier} ({account.display_name}) ? "
                           "Retapez son identifiant pour confirmer : ")
            if answer.strip() != account.identifier:
                raise UserError("Identifiant différent : rien n'a été supprimé.")
        storage.helpers.remove(args.identifier)
    print(f"Compte d'aidant supprimé : {account.identifier}. Le journal garde son empreinte {account.fingerprint}.")
    return 0
