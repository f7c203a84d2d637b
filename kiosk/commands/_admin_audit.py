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
        description="Vérifie la chaîne du journal, de sa première entrée à sa tête scellée, puis la compare "
        "avec son témoin hors de la base (le fichier kiosk-audit.witness). Code de sortie 1 et une phrase "
        "si le journal a été modifié, vidé, ou remis à un état plus ancien.",
    )
    verify.add_argument(
        "--witness", metavar="FICHIER", action="append", default=[],
        help="compare aussi avec les lignes « audit head » de ce fichier, par exemple copiées du journal "
        "système : journalctl -u kiosque-sante -o cat -g 'audit head' > tetes.txt",
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
    missing = getattr(report, "missing_table", None)
    if missing == "audit":
        return "la table du journal a été supprimée"
    if missing == "audit_head":
        return "la tête scellée du journal a été supprimée, les dernières entrées ont pu partir avec elle"
    if report.reason is BreakReason.TRUNCATED and n == 1:
        return "le journal a été vidé, toutes ses entrées ont été supprimées"
    return {
        BreakReason.ALTERED: f"l'entrée n° {n} a été modifiée, déplacée ou insérée",
        BreakReason.MISSING: f"l'entrée n° {n} a été supprimée",
        BreakReason.INSERTED: f"l'entrée n° {n} a été insérée",
        BreakReason.TRUNCATED: f"les entrées à partir du n° {n} ont été supprimées",
        BreakReason.GUARDS_REMOVED: "la protection de la base contre les modifications a été retirée",
    }[report.reason]


def describe_witness(check) -> str:
    """The sentence for a store that does not match its witness."""
    if check.state == "older":
        return (f"la base est plus ancienne que son témoin (son journal s'arrête au n° {check.last}, "
                f"le témoin a vu le n° {check.seen}) : une copie ancienne a été remise en place")
    if check.state == "differs":
        return (f"l'entrée n° {check.first_different} n'est pas celle que le témoin a vue : "
                "la base a été remplacée ou son journal réécrit")
    if check.state == "lost":
        return f"le témoin {check.path} a disparu ou a été vidé, la base ne peut plus lui être comparée"
    raise ValueError(check.state)


def _read_extra_heads(paths: list[str]) -> list[tuple[int, str]]:
    from kiosk.services.storage.witness import parse_heads

    heads: list[tuple[int, str]] = []
    for name in paths:
        try:
            with open(name, "rb") as handle:
                found = parse_heads(handle.read().decode("ascii", errors="replace"))
        except OSError:
            raise UserError(f"Le fichier {name} ne peut pas être lu : vérifiez son nom et ses droits.") from None
        if not found:
            raise UserError(f"Le fichier {name} n'a aucune ligne « audit head » : vérifiez la copie du journal.")
        heads += found
    return heads


def _witness_lines(check) -> list[str]:
    if check.state == "none":
        return ["Témoin hors de la base : pas encore écrit, il le sera à la fin de la prochaine session "
                f"({check.path})."]
    sources = []
    if check.heads:
        sources.append(str(check.path))
    if check.extra_heads:
        sources.append("les lignes données avec --witness")
    lines = [f"Témoin hors de la base : concordant jusqu'au n° {check.seen} ({' et '.join(sources)})."]
    if check.heads and check.append_only is False:
        lines.append(f"Le témoin peut encore être effacé : protégez-le avec « sudo chattr +a {check.path} ».")
    return lines


def run_verify(args: argparse.Namespace) -> int:
    extra = _read_extra_heads(args.witness)
    with open_storage(args) as storage:
        report = storage.journal.verify()
        if not report.ok:
            print(f"Journal altéré : {describe_break(report)}.")
            return 1
        try:
            check = storage.check_witness(report.checked, extra)
        except OSError:
            raise UserError("Le témoin du journal ne peut pas être lu : lancez la vérification "
                            "sous le compte de la borne (kiosque-sante-admin).") from None
    if not check.ok:
        print(f"Journal altéré : {describe_witness(check)}.")
        return 1
    print(f"Journal intact : {_entries(report.checked)} vérifiée{'s' if report.checked > 1 else ''}.")
    for line in _witness_lines(check):
        print(line)
    return 0


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
