"""The installer's check of a FHIR server: does it answer, which FHIR version, what one patient has.

Reads with the kiosk's own credentials (no patient sign-in). The result holds counts
only: never a name, an identifier or a title.
"""

from __future__ import annotations

from kiosk.core.clock import SystemClock
from kiosk.core.errors import HealthSpaceError
from kiosk.services.backend.fhir import mapping as m
from kiosk.services.backend.fhir.backend import FhirHealthSpace
from kiosk.services.backend.fhir.client import ClientError, FhirClient


def _failure(error: ClientError) -> dict:
    return {"reason": error.reason, "status": error.status}


def check(client: FhirClient, ins: str | None = None) -> dict:
    result: dict = {"server": {"answers": False}}
    try:
        capabilities = client.capabilities()
    except ClientError as error:
        result["server"]["error"] = _failure(error)
        return result
    software = capabilities.get("software") if isinstance(capabilities.get("software"), dict) else {}
    result["server"] = {
        "answers": True,
        "fhir_version": capabilities.get("fhirVersion"),
        "software": software.get("name"),
        "json": any("json" in str(f) for f in capabilities.get("format", []) or []),
    }
    if ins is not None:
        try:
            result["patient"] = patient_counts(client, ins)
        except ClientError as error:
            result["patient"] = {"error": _failure(error)}
        except HealthSpaceError as error:
            result["patient"] = {"error": {"reason": error.key}}
    return result


def patient_counts(client: FhirClient, ins: str) -> dict:
    space = FhirHealthSpace(client, SystemClock())  # counts only: no date is read or written
    bundle = client.search("Patient", [("identifier", f"{m.INS_SYSTEM}|{ins}"), ("_summary", "count")])
    if m.bundle_total(bundle) == 0:
        return {"found": False}
    found = m.bundle_matches(client.search("Patient", [("identifier", f"{m.INS_SYSTEM}|{ins}")]), "Patient")
    patient = m.parse_patient(found[0])

    def count(rtype: str, params: list[tuple[str, str]]) -> int:
        return m.bundle_total(space._search(rtype, patient, params + [("_summary", "count")]))

    documents = count("DocumentReference", [("status", "current")])
    try:
        hidden = count("DocumentReference", [("status", "current"),
                                             ("security-label", f"{m.VISIBILITY_SYSTEM}|{m.MASQUE_PS}")])
    except ClientError as error:
        if not error.not_supported:
            raise
        resources = space._gather("DocumentReference", patient, [("status", "current"),
                                                                 ("_elements", "securityLabel")])
        hidden = sum(1 for r in resources if m.is_hidden(r))
    reminders = len(space._gather("ImmunizationRecommendation", patient, []))
    reminders += count("ServiceRequest", [("intent", "proposal"), ("status", "active"),
                                          ("category", f"{m.SNOMED}|{m.SCREENING_CODE}")])
    access = [c for c in space._gather("Consent", patient, [("category", f"{m.KIOSK_CODES}|{m.CONSENT_ACCESS}")])
              if c.get("status") == "active"]
    emergency = space._gather("Consent", patient, [("category", f"{m.KIOSK_CODES}|{m.CONSENT_EMERGENCY}")])
    space_status = space._space_resource(patient.id)
    return {
        "found": True,
        "space": m.parse_space(space_status).state.value if space_status else "active",
        "documents": {"visible": documents - hidden, "hidden": hidden},
        "messages": count("Communication", []),
        "appointments": count("Appointment", [("status", "booked")]),
        "reminders": reminders,
        "professionals_with_access": len(access),
        "blocked_professionals": sum(1 for c in access if m.consent_blocked(c)),
        "emergency_access": not any(c.get("status") == "active" for c in emergency),
        "access_events": count("AuditEvent", []),
    }


__all__ = ["check", "patient_counts"]
