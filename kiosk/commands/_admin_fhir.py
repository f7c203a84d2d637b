from kiosk.commands.fhir import register_admin  # noqa: F401  (kiosk admin seed-fhir, kiosk admin backend check)
