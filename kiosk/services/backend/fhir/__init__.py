"""The FHIR R4 backend: a HealthSpace over a FHIR server (see backend.py for the mapping choices)."""

from __future__ import annotations

from kiosk.services.backend.fhir.backend import FhirHealthSpace, make_fhir_backend

__all__ = ["FhirHealthSpace", "make_fhir_backend"]
