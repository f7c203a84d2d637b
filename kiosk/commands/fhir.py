"""`kiosk fhir seed|check` (also `kiosk admin seed-fhir` and `kiosk admin backend check`).

- seed: load the demo patients into a FHIR server, as transaction Bundles.
- check: print, as JSON, whether the server answers, its FHIR version and, for one
  patient (``--patient INS``), how many documents, messages, appointments, reminders,
  blocked professionals and access events it holds.

The bearer token and CA bundle come from the settings (``backend_token``,
``backend_ca_bundle``, or ``KIOSK_BACKEND_TOKEN`` / ``KIOSK_BACKEND_CA_BUNDLE``).
"""

from __future__ import annotations

import argparse
import json

from kiosk.cli import UserError


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", metavar="URL", help="adresse de base du serveur FHIR (https://…/fhir)")
    parser.add_argument("--config", metavar="FICHIER", default=None, help="fichier de réglages TOML")


def _add_seed(sub, name: str) -> None:
    parser = sub.add_parser(
        name, help="charger les patients de démonstration dans un serveur FHIR",
        description="Charge les patients fictifs de démonstration dans un serveur FHIR de test ou de formation.",
    )
    _common(parser)
    parser.set_defaults(func=run_seed)


def _add_check(sub, name: str) -> None:
    parser = sub.add_parser(
        name, help="vérifier un serveur FHIR (réponse JSON)",
        description="Vérifie que le serveur FHIR répond et compte ce qu'il contient pour un patient.",
    )
    _common(parser)
    parser.add_argument("--patient", metavar="INS", default=None, help="identifiant national de santé (15 chiffres)")
    parser.set_defaults(func=run_check)


def register(subparsers) -> None:
    parser = subparsers.add_parser("fhir", help="serveur FHIR : charger les données de démonstration, vérifier",
                                   description="Outils pour le serveur FHIR de la borne.")
    sub = parser.add_subparsers(dest="fhir_command", metavar="ACTION")
    _add_seed(sub, "seed")
    _add_check(sub, "check")
    parser.set_defaults(func=lambda args: parser.print_help() or 2)


def register_admin(admin_subparsers) -> None:
    """`kiosk admin seed-fhir URL` and `kiosk admin backend check URL [--patient INS]`."""
    _add_seed(admin_subparsers, "seed-fhir")
    backend = admin_subparsers.add_parser("backend", help="vérifier le serveur FHIR",
                                          description="Vérifications du serveur FHIR.")
    backend_sub = backend.add_subparsers(dest="backend_command", metavar="ACTION")
    _add_check(backend_sub, "check")
    backend.set_defaults(func=lambda args: backend.print_help() or 2)


def _client(args: argparse.Namespace, **kw):
    from kiosk import settings as settings_mod
    from kiosk.services.backend.fhir.client import FhirClient

    url = (args.url or "").strip()
    if not url.startswith(("https://", "http://")):
        raise UserError("L'adresse du serveur doit commencer par https:// ou http://.")
    settings = settings_mod.load(args.config) if args.config else settings_mod.load()
    problem = settings_mod.ca_bundle_problem(settings.backend_ca_bundle)
    if problem:
        raise UserError(problem)
    return FhirClient(url, token=settings.backend_token, ca_bundle=settings.backend_ca_bundle, **kw)


def _explain(error) -> str:
    if error.reason == "tls":
        return "Le certificat du serveur n'a pas pu être vérifié : vérifiez le réglage backend_ca_bundle."
    if error.reason in ("connect", "timeout"):
        return "Le serveur FHIR ne répond pas : vérifiez l'adresse et le réseau."
    if error.status in (401, 403):
        return "Le serveur FHIR refuse l'accès : vérifiez le réglage backend_token."
    return f"Le serveur FHIR a refusé la demande (code {error.status or error.reason})."


def run_seed(args: argparse.Namespace) -> int:
    from kiosk.services.backend.fhir.client import ClientError
    from kiosk.services.backend.fhir.seed import seed

    client = _client(args, read_timeout=120.0, total_timeout=300.0)
    try:
        report = seed(client)
    except ClientError as error:
        raise UserError(_explain(error)) from None
    finally:
        client.close()
    print(f"Patients chargés : {report.patients} ({report.resources} ressources, "
          f"{report.transactions} transactions).")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from kiosk.core.models import ins_is_well_formed
    from kiosk.services.backend.fhir.check import check

    ins = None
    if args.patient is not None:
        ins = args.patient.replace(" ", "")
        if not ins_is_well_formed(ins):
            raise UserError("L'identifiant du patient doit avoir 15 chiffres avec une clé valide.")
    client = _client(args)
    try:
        result = check(client, ins)
    finally:
        client.close()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    patient_failed = isinstance(result.get("patient"), dict) and "error" in result["patient"]
    return 0 if result["server"]["answers"] and not patient_failed else 1
