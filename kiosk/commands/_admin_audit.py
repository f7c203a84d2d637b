"""`kiosk admin audit verify|export`: the audit journal."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, time

from kiosk.cli import UserError
from kiosk.commands.admin import common_options, open_storage


def register_admin(admin_sub) -> None:
    audit = admin_sub.add_parser(
        "audit", help="journal d'audit : vérifier, exporter",
        description="Journal d'audit : vérifier la chaîne, exporter en lignes JSON.",
    )
    sub = audit.add_subparsers(dest="audit_command", metavar="ACTION")
    audit.set_defaults(func=lambda args: (audit.print_help(), 2)[1])

    verify = sub.add_parser(
        "verify", parents=[common_options()], help="vérifie que le journal n'a pas été modifié",
        description="Vérifie la chaîne du journal. Code de sortie 1 et numéro de la première entrée abîmée "
        "si le journal a été modifié.",
    )
    verify.set_defaults(func=run_verify)

    export = sub.add_parser(
        "export", parents=[common_options()], help="exporte le journal en lignes JSON",
        description="Exporte le journal, une entrée JSON par ligne, sans nom ni contenu de santé.",
    )
    export.add_argument("--since", metavar="DATE", help="date de début, par exemple 2026-12-01 (défaut : tout)")
    export.add_argument("--out", metavar="FICHIER", help="fichier à écrire (défaut : la sortie standard)")
    export.set_defaults(func=run_export)


def _entries(n: int) -> str:
    return f"{n} entrée" + ("s" if n > 1 else "")


def describe_break(report) -> str:
    from kiosk.core.audit import BreakReason

    n = report.first_broken
    return {
        BreakReason.ALTERED: f"l'entrée n° {n} a été modifiée, déplacée ou insérée",
        BreakReason.MISSING: f"l'entrée n° {n} a été supprimée",
        BreakReason.INSERTED: f"l'entrée n° {n} a été insérée",
        BreakReason.TRUNCATED: f"les entrées à partir du n° {n} ont été supprimées",
        BreakReason.GUARDS_REMOVED: "la protection de la base contre les modifications a été retirée",
    }[report.reason]


def run_verify(args: argparse.Namespace) -> int:
    with open_storage(args) as storage:
        report = storage.journal.verify()
    if report.ok:
        print(f"Journal intact : {_entries(report.checked)} vérifiée{'s' if report.checked > 1 else ''}.")
        return 0
    print(f"Journal altéré : {describe_break(report)}.")
    return 1


def parse_since(text: str | None) -> datetime | None:
    if not text:
        return None
    from kiosk.core.clock import PARIS

    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"La date « {text} » n'est pas comprise : écrivez-la comme 2026-12-01.") from None
    if len(text.strip()) == 10:
        moment = datetime.combine(moment.date(), time(0, 0))
    return moment if moment.tzinfo else moment.replace(tzinfo=PARIS)


def run_export(args: argparse.Namespace) -> int:
    from kiosk.core.audit import AuditAction

    since = parse_since(args.since)
    with open_storage(args) as storage:
        lines = list(storage.journal.export(since))
        if args.out:
            try:
                fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            except OSError:
                raise UserError(f"Le fichier {args.out} ne peut pas être écrit : vérifiez le dossier.") from None
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.writelines(line + "\n" for line in lines)
        else:
            sys.stdout.writelines(line + "\n" for line in lines)
            sys.stdout.flush()
        storage.journal.append(AuditAction.AUDIT_EXPORTED, details={"entries": len(lines)})
    if args.out:
        written = "écrites" if len(lines) > 1 else "écrite"
        print(f"{_entries(len(lines))} {written} dans {args.out}.", file=sys.stderr)
    return 0
