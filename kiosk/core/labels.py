"""Words for coded data: document types, professions, lab tests, appointment kinds.

The health space sends a code with its own words, in its own language ("Ordonnance de
médicaments" even on an English screen, "CR d'examens biologiques" where a patient
needs "Résultats d'analyses"). The kiosk says the codes it knows in its own plain words,
from the catalogues (``domain.po``), so they follow the display language. For a code it
does not know it shows the backend's own words, never the code itself.

Code systems (the FHIR mapping writes and reads them):

- document types: LOINC, as the French health space uses them (ANS TRE_A04);
- lab tests: LOINC;
- professions: the kiosk's own short list (a deployment on the national service would
  map the ANS professions and specialities, TRE_G15 / TRE_R38, onto it);
- appointment kinds: HL7 v2 table 0276 (ROUTINE, CHECKUP, FOLLOWUP, WALKIN, EMERGENCY).
"""

from __future__ import annotations

from typing import Protocol

#: LOINC document type code -> ``domain.document_type.<name>``.
DOCUMENT_TYPES: dict[str, str] = {
    "57833-6": "medicines_prescription",
    "57832-8": "care_prescription",
    "11488-4": "consultation_report",
    "11490-0": "hospital_discharge_letter",
    "11502-2": "lab_report",
    "18748-4": "imaging_report",
    "52040-3": "image",
    "18776-5": "care_plan",
    "11369-6": "vaccination_record",
    "87273-9": "vaccination_certificate",
    "89601-9": "medical_certificate",
}

#: The kiosk's profession code -> ``domain.profession.<name>``.
PROFESSIONS: dict[str, str] = {
    "medecin-generaliste": "general_practitioner",
    "diabetologue": "diabetes_doctor",
    "cardiologue": "cardiologist",
    "ophtalmologue": "ophthalmologist",
    "pediatre": "paediatrician",
    "radiologue": "radiologist",
    "biologiste": "biologist",
    "pharmacien": "pharmacist",
    "infirmier": "nurse",
    "kinesitherapeute": "physiotherapist",
    "psychologue": "psychologist",
    "dentiste": "dentist",
    "service-hospitalier": "hospital_department",
}

#: Professions whose French name follows the person's gender: their keys end in
#: ``.female``, ``.male`` or ``.neutral`` (the gender is not known, or it is an organisation).
GENDERED_PROFESSIONS = frozenset({"pharmacist", "nurse"})

#: LOINC lab test code -> ``domain.lab_test.<name>``.
LAB_TESTS: dict[str, str] = {
    "1558-6": "fasting_glucose",
    "4548-4": "glycated_haemoglobin",
    "2160-0": "creatinine",
    "62238-1": "kidney_filtration",
    "2823-3": "potassium",
    "2951-2": "sodium",
    "13457-7": "ldl_cholesterol",
    "2571-8": "triglycerides",
    "718-7": "haemoglobin",
    "2276-4": "ferritin",
    "3016-3": "thyroid_hormone",
    "14957-5": "urine_albumin",
}

#: HL7 v2-0276 appointment reason code -> ``domain.appointment_kind.<name>``.
APPOINTMENT_KINDS: dict[str, str] = {
    "ROUTINE": "routine",
    "CHECKUP": "checkup",
    "FOLLOWUP": "follow_up",
    "WALKIN": "walk_in",
    "EMERGENCY": "emergency",
}

UNKNOWN_DOCUMENT_TYPE_KEY = "domain.document_type.unknown"
UNKNOWN_PROFESSION_KEY = "domain.profession.unknown"


class Translator(Protocol):
    def tr(self, key: str, **values: object) -> str: ...


def document_type_key(code: str) -> str | None:
    name = DOCUMENT_TYPES.get(code or "")
    return f"domain.document_type.{name}" if name else None


def profession_key(code: str, gender: str = "") -> str | None:
    """The key of a profession; for a gendered one, its female, male or neutral form."""
    name = PROFESSIONS.get(code or "")
    if name is None:
        return None
    if name in GENDERED_PROFESSIONS:
        return f"domain.profession.{name}.{gender if gender in ('female', 'male') else 'neutral'}"
    return f"domain.profession.{name}"


def lab_test_key(code: str) -> str | None:
    name = LAB_TESTS.get(code or "")
    return f"domain.lab_test.{name}" if name else None


def appointment_kind_key(code: str) -> str | None:
    name = APPOINTMENT_KINDS.get((code or "").upper())
    return f"domain.appointment_kind.{name}" if name else None


def _said(catalog: Translator, key: str | None, fallback: str, unknown_key: str | None) -> str:
    if key is not None:
        return catalog.tr(key)
    if fallback.strip():
        return fallback.strip()
    return catalog.tr(unknown_key) if unknown_key else ""


def document_type_label(catalog: Translator, code: str, fallback: str = "") -> str:
    """"Ordonnance de médicaments" / "Prescription for medicines"; else the backend's words, else "Document"."""
    return _said(catalog, document_type_key(code), fallback, UNKNOWN_DOCUMENT_TYPE_KEY)


def profession_label(catalog: Translator, code: str, fallback: str = "", gender: str = "") -> str:
    """"Pharmacienne" / "Pharmacist"; else the backend's words, else "Professionnel de santé"."""
    return _said(catalog, profession_key(code, gender), fallback, UNKNOWN_PROFESSION_KEY)


def lab_test_label(catalog: Translator, code: str, fallback: str = "") -> str:
    """"Sucre dans le sang à jeun (glycémie)" / "Blood sugar before eating"; else the backend's words."""
    return _said(catalog, lab_test_key(code), fallback, None)


def appointment_kind_label(catalog: Translator, code: str, fallback: str = "") -> str:
    """"Rendez-vous de suivi" / "Follow-up visit"; else the backend's words, else "" (nothing to say)."""
    return _said(catalog, appointment_kind_key(code), fallback, None)


# The same, from the values that carry a code and the backend's words (models and flow lines).
def document_type_of(catalog: Translator, document) -> str:
    return document_type_label(catalog, document.type_code, document.type)


def profession_of(catalog: Translator, someone) -> str:
    """A Professional, an AccessEvent or an Appointment: its profession, in the gender the data gives."""
    return profession_label(catalog, someone.profession_code, someone.profession, getattr(someone, "gender", ""))


def lab_test_of(catalog: Translator, line) -> str:
    return lab_test_label(catalog, line.code, line.name)


def appointment_kind_of(catalog: Translator, appointment) -> str:
    return appointment_kind_label(catalog, appointment.kind_code, appointment.kind)


def every_label_key() -> list[str]:
    """Every catalogue key this module can ask for (the catalogue test checks they exist)."""
    keys = [f"domain.document_type.{n}" for n in DOCUMENT_TYPES.values()]
    for name in PROFESSIONS.values():
        forms = ("female", "male", "neutral") if name in GENDERED_PROFESSIONS else (None,)
        keys += [f"domain.profession.{name}" + (f".{g}" if g else "") for g in forms]
    keys += [f"domain.lab_test.{n}" for n in LAB_TESTS.values()]
    keys += [f"domain.appointment_kind.{n}" for n in APPOINTMENT_KINDS.values()]
    return keys + [UNKNOWN_DOCUMENT_TYPE_KEY, UNKNOWN_PROFESSION_KEY]


__all__ = [
    "APPOINTMENT_KINDS",
    "DOCUMENT_TYPES",
    "GENDERED_PROFESSIONS",
    "LAB_TESTS",
    "PROFESSIONS",
    "appointment_kind_key",
    "appointment_kind_label",
    "appointment_kind_of",
    "document_type_key",
    "document_type_label",
    "document_type_of",
    "every_label_key",
    "lab_test_key",
    "lab_test_label",
    "lab_test_of",
    "profession_key",
    "profession_label",
    "profession_of",
]
