"""Domain models <-> FHIR R4 resources, the way the French profiles shape them.

Choices (documented once here; the seeder writes them, the backend reads them):

- Patient: identifier INS (``urn:oid:1.2.250.1.213.1.4.8``), ``name.prefix`` for the
  title, a ``contact`` with relationship GUARD for a child's representative.
- Professional: ``Practitioner`` (identifier IdNat_PS = "8" + RPPS, system
  ``urn:oid:1.2.250.1.71.4.2.1``) + ``PractitionerRole`` (profession coded in the kiosk's
  profession system, with the service's own words in ``code.text``; organisation in
  ``organization.display``). A hospital service without RPPS is a
  Practitioner without identifier.
- Document: ``DocumentReference`` (status current, category coded in the kiosk's
  category system, type coded in LOINC with the service's words in type.text, description = title, author = Practitioner reference +
  Organization display, date, content.attachment inline ``data`` for text — pages
  separated by form feeds — or ``url`` to a ``Binary`` with ``size`` and SHA-1 ``hash``).
  Lab values are contained ``Observation`` resources listed in ``context.related``, their
  ``code`` in LOINC with the laboratory's words in ``code.text``.
  Hidden from professionals = ``securityLabel`` MASQUE_PS (ANS TRE_A07).
- Messages: one ``Communication`` per message. A thread is its first message (the
  professional's); every later message has ``partOf`` -> that first message and
  ``inResponseTo`` -> the message it answers. Subject in ``topic.text``; "read by the
  patient" is ``received`` (the time it reached the patient). A reply carries the
  client's idempotency key as ``identifier`` (conditional create).
- Appointment: ``Appointment`` (status booked) with contained PractitionerRole and
  Location; its kind in ``appointmentType`` (HL7 v2-0276); what to bring in ``patientInstruction`` (one line each), reason in
  ``reasonCode.text``.
- Reminders: vaccination = ``ImmunizationRecommendation`` (one recommendation,
  dateCriterion LOINC 30980-7 "date vaccine due"); screening = ``ServiceRequest``
  intent ``proposal``, category SNOMED CT 20135006 "screening procedure",
  ``occurrenceDateTime`` = due date.
- Access rights: one ``Consent`` per professional (category "acces-professionnel",
  provision.type permit = has access, deny = blocked by the patient).
- Emergency access: one ``Consent`` (category "acces-urgence", provision deny for
  purpose ETREAT): status ``active`` = the patient refused emergency access,
  ``inactive`` = emergency access allowed (the default when there is none).
- Temporary code: ``Consent`` (category "code-acces-temporaire", identifier = the code,
  provision permit with a period); revoked = status ``inactive``.
- Space status: ``Basic`` (code "statut-espace") with extensions state and
  deletion-requested; ``created`` = since.
- Sign-in code (test and training servers only): ``Basic`` (code "code-connexion")
  holding the channel, the length and a salted PBKDF2 hash of the seeded code.
- Access history: ``AuditEvent`` (entity.what -> Patient, agent.who display and
  role coded like a PractitionerRole, subtype = kiosk access action, document in a second entity).

The kiosk says coded things in its own words (kiosk.core.labels); the text beside a code is
kept as the fallback for a code it does not know.

Parsers raise :class:`MalformedResource` (an ``Unavailable``) for anything they cannot
read: a broken server answer is "the service does not work", never a crash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable, TypeVar

from kiosk.core.clock import PARIS
from kiosk.core.errors import Unavailable
from kiosk.core.models import (
    AccessAction,
    AccessEvent,
    Appointment,
    Category,
    Document,
    DocumentContent,
    LabValue,
    Message,
    Patient,
    Professional,
    Reminder,
    ReminderKind,
    SpaceState,
    SpaceStatus,
    TemporaryAccessCode,
    format_access_code,
)

T = TypeVar("T")

# ------------------------------------------------------------------ systems
INS_SYSTEM = "urn:oid:1.2.250.1.213.1.4.8"
IDNAT_PS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"
VISIBILITY_SYSTEM = (
    "https://mos.esante.gouv.fr/NOS/TRE_A07-StatutVisibiliteDocument/FHIR/TRE-A07-StatutVisibiliteDocument"
)
MASQUE_PS = "MASQUE_PS"
MASQUE_PS_LABEL = {
    "coding": [{"system": VISIBILITY_SYSTEM, "code": MASQUE_PS, "display": "Masqué aux professionnels de santé"}]
}
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
SCREENING_CODE = "20135006"
VACCINE_DUE_CODE = "30980-7"
CONSENT_SCOPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentscope"
ACT_REASON_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
ROLE_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
FORECAST_SYSTEM = "http://terminology.hl7.org/CodeSystem/immunization-recommendation-status"
DCM = "http://dicom.nema.org/resources/ontology/DCM"
APPOINTMENT_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0276"

#: The kiosk's own code systems and extensions (a placeholder domain: a deployment
#: against the national service would use the ANS terminologies instead).
KIOSK = "https://kiosque-sante.example/fhir"
CATEGORY_SYSTEM = f"{KIOSK}/CodeSystem/categorie-document"
PROFESSION_SYSTEM = f"{KIOSK}/CodeSystem/profession"
KIOSK_CODES = f"{KIOSK}/CodeSystem/kiosque"
ACCESS_ACTION_SYSTEM = f"{KIOSK}/CodeSystem/action-acces"
IDEMPOTENCY_SYSTEM = f"{KIOSK}/NamingSystem/cle-idempotence"
ACCESS_CODE_SYSTEM = f"{KIOSK}/NamingSystem/code-acces-temporaire"
KIOSK_ID_SYSTEM = f"{KIOSK}/NamingSystem/ressource"
COMPARTMENT_TAG_SYSTEM = f"{KIOSK}/CodeSystem/compartiment-patient"
EXT_SPACE_STATE = f"{KIOSK}/StructureDefinition/etat-espace"
EXT_DELETION = f"{KIOSK}/StructureDefinition/suppression-demandee"
EXT_OTP_CHANNEL = f"{KIOSK}/StructureDefinition/canal-code"
EXT_OTP_LENGTH = f"{KIOSK}/StructureDefinition/longueur-code"
EXT_OTP_HASH = f"{KIOSK}/StructureDefinition/empreinte-code"

CONSENT_ACCESS = "acces-professionnel"
CONSENT_EMERGENCY = "acces-urgence"
CONSENT_TEMPORARY = "code-acces-temporaire"
BASIC_SPACE = "statut-espace"
BASIC_SIGN_IN = "code-connexion"

PAGE_BREAK = "\f"
ID_RE = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


class MalformedResource(Unavailable):
    """A resource from the server that cannot be read: shown as "the service does not work"."""


def guarded(fn: Callable[..., T]) -> Callable[..., T]:
    """Turn any reading mistake inside a parser into MalformedResource (never a crash)."""

    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except MalformedResource:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError, RecursionError):
            raise MalformedResource() from None

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


# ------------------------------------------------------------ small readers
def _obj(value: Any) -> dict:
    if not isinstance(value, dict):
        raise MalformedResource()
    return value


def _list(value: Any) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedResource()
    return value


def _str(value: Any, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise MalformedResource()
    return value


def _expect_type(resource: Any, rtype: str) -> dict:
    resource = _obj(resource)
    if resource.get("resourceType") != rtype:
        raise MalformedResource()
    _str(resource.get("id"))
    return resource


@guarded
def parse_datetime(value: Any) -> datetime:
    """A FHIR dateTime/instant with a time zone; a bare date is midnight in Paris."""
    text = _str(value)
    if len(text) == 10:
        day = date.fromisoformat(text)
        return datetime(day.year, day.month, day.day, tzinfo=PARIS)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise MalformedResource()
    return parsed


@guarded
def parse_date(value: Any) -> date:
    text = _str(value)
    return date.fromisoformat(text[:10])


def fhir_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("aware datetime expected")
    return value.replace(microsecond=0).isoformat()


def reference_id(ref: Any, rtype: str) -> str | None:
    """The id in a reference to ``rtype`` ("Patient/x" or an absolute URL), else None."""
    if not isinstance(ref, dict):
        return None
    text = ref.get("reference")
    if not isinstance(text, str):
        return None
    parts = text.rstrip("/").split("/")
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    if len(parts) >= 2 and parts[-2] == rtype and ID_RE.match(parts[-1]):
        return parts[-1]
    return None


def codes(concept: Any, system: str) -> list[str]:
    if not isinstance(concept, dict):
        return []
    return [c.get("code") for c in _list(concept.get("coding")) if isinstance(c, dict) and c.get("system") == system]


def has_code(concepts: Iterable[Any], system: str, code: str) -> bool:
    return any(code in codes(c, system) for c in concepts)


def extension(resource: dict, url: str) -> dict | None:
    for ext in _list(resource.get("extension")):
        if isinstance(ext, dict) and ext.get("url") == url:
            return ext
    return None


def coded(system: str, code: str, display: str | None = None) -> dict:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def coded_text(system: str, code: str, text: str) -> dict:
    """A concept with its code (when there is one) and the service's own words."""
    concept: dict[str, Any] = {"coding": [{"system": system, "code": code}]} if code else {}
    if text:
        concept["text"] = text
    return concept


def first_code(concept: Any, system: str) -> str:
    """The first code of ``system`` in a concept, or "" (an unknown code is shown by its text)."""
    found = [c for c in codes(concept, system) if isinstance(c, str) and c.strip()]
    return found[0] if found else ""


def concept_text(concept: Any) -> str:
    """The words of a concept: its text, else the first display of a coding, else ""."""
    if not isinstance(concept, dict):
        return ""
    text = concept.get("text")
    if isinstance(text, str) and text.strip():
        return text
    return next((c["display"] for c in _list(concept.get("coding"))
                 if isinstance(c, dict) and isinstance(c.get("display"), str) and c["display"].strip()), "")


def compartment_tag(patient_id: str) -> dict:
    return {"system": COMPARTMENT_TAG_SYSTEM, "code": f"Patient/{patient_id}"}


def kiosk_identifier(value: str) -> dict:
    return {"system": KIOSK_ID_SYSTEM, "value": value}


# ------------------------------------------------------------------ patient
def patient_resource(patient: Patient) -> dict:
    name: dict[str, Any] = {"use": "official", "family": patient.family_name, "given": [patient.given_name]}
    if patient.title:
        name["prefix"] = [patient.title]
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": patient.id,
        "identifier": [{"use": "official", "system": INS_SYSTEM, "value": patient.ins}],
        "name": [name],
        "birthDate": patient.birth_date.isoformat(),
    }
    if patient.representative:
        resource["contact"] = [
            {"relationship": [coded(ROLE_CODE_SYSTEM, "GUARD", "guardian")], "name": {"text": patient.representative}}
        ]
    return resource


@guarded
def parse_patient(resource: Any) -> Patient:
    resource = _expect_type(resource, "Patient")
    ins = next(
        (_str(i.get("value")) for i in _list(resource.get("identifier")) if _obj(i).get("system") == INS_SYSTEM),
        None,
    )
    if ins is None:
        raise MalformedResource()
    names = _list(resource.get("name"))
    name = _obj(next((n for n in names if _obj(n).get("use") == "official"), names[0] if names else None))
    given = " ".join(_str(g) for g in _list(name.get("given")))
    prefix = " ".join(_str(p) for p in _list(name.get("prefix")))
    representative = None
    for contact in _list(resource.get("contact")):
        if has_code(_list(_obj(contact).get("relationship")), ROLE_CODE_SYSTEM, "GUARD"):
            representative = _str(_obj(contact.get("name")).get("text"))
    return Patient(
        id=resource["id"],
        ins=ins,
        title=prefix,
        given_name=given,
        family_name=_str(name.get("family")),
        birth_date=parse_date(resource.get("birthDate")),
        representative=representative,
    )


# ------------------------------------------------------------ professionals
def practitioner_resource(pro: Professional) -> dict:
    resource: dict[str, Any] = {
        "resourceType": "Practitioner",
        "id": pro.id,
        "active": True,
        "name": [{"text": pro.name}],
    }
    if pro.rpps:
        resource["identifier"] = [{"system": IDNAT_PS_SYSTEM, "value": "8" + pro.rpps}]
    if pro.gender:
        resource["gender"] = pro.gender
    return resource


def practitioner_role_resource(pro: Professional) -> dict:
    return {
        "resourceType": "PractitionerRole",
        "id": f"{pro.id}-role",
        "active": True,
        "practitioner": {"reference": f"Practitioner/{pro.id}", "display": pro.name},
        "organization": {"display": pro.organisation},
        "code": [coded_text(PROFESSION_SYSTEM, pro.profession_code, pro.profession)],
    }


@guarded
def parse_professional(practitioner: Any, role: Any | None) -> Professional:
    practitioner = _expect_type(practitioner, "Practitioner")
    names = _list(practitioner.get("name"))
    name = _obj(names[0]) if names else {}
    text = name.get("text") or " ".join(
        [*(_str(p) for p in _list(name.get("prefix"))), *(_str(g) for g in _list(name.get("given"))),
         _str(name.get("family"), required=False)]
    ).strip()
    rpps = ""
    for ident in _list(practitioner.get("identifier")):
        if _obj(ident).get("system") == IDNAT_PS_SYSTEM:
            value = _str(ident.get("value"))
            rpps = value[1:] if value.startswith("8") else value
    profession, profession_code, organisation = "", "", ""
    if role is not None:
        role = _expect_type(role, "PractitionerRole")
        role_codes = _list(role.get("code"))
        if role_codes:
            first = _obj(role_codes[0])
            profession, profession_code = concept_text(first), first_code(first, PROFESSION_SYSTEM)
        organisation = _str(_obj(role.get("organization") or {}).get("display"), required=False)
    # Practitioner.gender (male | female | other | unknown): only the first two change the wording
    gender = practitioner.get("gender")
    gender = gender if gender in ("female", "male") else ""
    return Professional(
        id=practitioner["id"], name=_str(text), profession=_str(profession, required=False),
        rpps=rpps, organisation=organisation, gender=gender, profession_code=profession_code,
    )


# ---------------------------------------------------------------- documents
def attachment_hash(data: bytes) -> str:
    return base64.b64encode(hashlib.sha1(data).digest()).decode("ascii")


def binary_id(document_id: str) -> str:
    return f"{document_id}-contenu"[:64]


def document_resources(
    patient_id: str, document: Document, content: DocumentContent, pro_ids_by_name: dict[str, str],
    *, inline_limit: int = 4096,
) -> list[dict]:
    """The DocumentReference (and its Binary when the content is not small text)."""
    resource: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "id": document.id,
        "status": "current",
        "docStatus": "final",
        "type": coded_text(LOINC, document.type_code, document.type),
        "category": [coded(CATEGORY_SYSTEM, document.category.value)],
        "subject": {"reference": f"Patient/{patient_id}"},
        "date": fhir_datetime(document.date),
        "description": document.title,
        "context": {"period": {"start": fhir_datetime(document.date)}},
    }
    author: dict[str, Any] = {"display": document.author}
    if document.author in pro_ids_by_name:
        author["reference"] = f"Practitioner/{pro_ids_by_name[document.author]}"
    resource["author"] = [author, {"type": "Organization", "display": document.organisation}]
    if document.hidden_from_professionals:
        resource["securityLabel"] = [MASQUE_PS_LABEL]
    if document.lab_results:
        contained = []
        for n, lab in enumerate(document.lab_results, start=1):
            observation: dict[str, Any] = {
                "resourceType": "Observation",
                "id": f"lab-{n}",
                "status": "final",
                "code": coded_text(LOINC, lab.code, lab.name),
                "valueQuantity": {"value": lab.value, "unit": lab.unit},
            }
            bounds = {}
            if lab.low is not None:
                bounds["low"] = {"value": lab.low, "unit": lab.unit}
            if lab.high is not None:
                bounds["high"] = {"value": lab.high, "unit": lab.unit}
            if bounds:
                observation["referenceRange"] = [bounds]
            contained.append(observation)
        resource["contained"] = contained
        resource["context"]["related"] = [{"reference": f"#{o['id']}"} for o in contained]
    data = PAGE_BREAK.join(content.pages).encode("utf-8") if content.is_text else content.data or b""
    attachment: dict[str, Any] = {
        "contentType": content.media_type,
        "title": document.title,
        "size": len(data),
        "hash": attachment_hash(data),
        "creation": fhir_datetime(document.date),
    }
    out = [resource]
    if content.is_text and len(data) <= inline_limit:
        attachment["data"] = base64.b64encode(data).decode("ascii")
    else:
        attachment["url"] = f"Binary/{binary_id(document.id)}"
        out.append({
            "resourceType": "Binary",
            "id": binary_id(document.id),
            "contentType": content.media_type,
            "securityContext": {"reference": f"DocumentReference/{document.id}"},
            "data": base64.b64encode(data).decode("ascii"),
        })
    resource["content"] = [{"attachment": attachment}]
    return out


def is_hidden(resource: dict) -> bool:
    return has_code(_list(resource.get("securityLabel")), VISIBILITY_SYSTEM, MASQUE_PS)


def document_patient_id(resource: dict) -> str | None:
    return reference_id(resource.get("subject"), "Patient")


@guarded
def parse_lab(observation: Any) -> LabValue:
    observation = _expect_type(observation, "Observation")
    quantity = _obj(observation.get("valueQuantity"))
    low = high = None
    ranges = _list(observation.get("referenceRange"))
    if ranges:
        bounds = _obj(ranges[0])
        if bounds.get("low") is not None:
            low = float(_obj(bounds["low"])["value"])
        if bounds.get("high") is not None:
            high = float(_obj(bounds["high"])["value"])
    value = quantity["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MalformedResource()
    concept = _obj(observation.get("code"))
    return LabValue(
        name=_str(concept_text(concept), required=not first_code(concept, LOINC)), value=float(value),
        unit=_str(quantity.get("unit")), low=low, high=high, code=first_code(concept, LOINC),
    )


@guarded
def parse_document(resource: Any) -> Document:
    resource = _expect_type(resource, "DocumentReference")
    category = None
    for concept in _list(resource.get("category")):
        found = codes(concept, CATEGORY_SYSTEM)
        if found:
            category = Category(found[0])
            break
    if category is None:
        category = Category.AUTRE
    authors = _list(resource.get("author"))
    person = next((_obj(a) for a in authors if _obj(a).get("type") != "Organization"), {})
    organisation = next((_obj(a) for a in authors if _obj(a).get("type") == "Organization"), {})
    contents = _list(resource.get("content"))
    if not contents:
        raise MalformedResource()
    attachment = _obj(_obj(contents[0]).get("attachment"))
    contained = {(_obj(c).get("id")): c for c in _list(resource.get("contained"))}
    labs = []
    for related in _list(_obj(resource.get("context") or {}).get("related")):
        ref = _str(_obj(related).get("reference"), required=False)
        if ref.startswith("#") and ref[1:] in contained:
            labs.append(parse_lab(contained[ref[1:]]))
    title = resource.get("description") or attachment.get("title")
    return Document(
        id=resource["id"],
        category=category,
        type=concept_text(_obj(resource.get("type") or {})),
        type_code=first_code(resource.get("type"), LOINC),
        title=_str(title),
        author=_str(person.get("display"), required=False),
        organisation=_str(organisation.get("display"), required=False),
        date=parse_datetime(resource.get("date")),
        media_type=_str(attachment.get("contentType")).split(";")[0].strip(),
        hidden_from_professionals=is_hidden(resource),
        lab_results=tuple(labs),
    )


def attachment_of(resource: dict) -> dict:
    contents = _list(resource.get("content"))
    if not contents:
        raise MalformedResource()
    return _obj(_obj(contents[0]).get("attachment"))


@guarded
def content_from_bytes(media_type: str, data: bytes, expected_hash: str | None = None) -> DocumentContent:
    if expected_hash is not None and not hmac.compare_digest(attachment_hash(data), str(expected_hash)):
        raise MalformedResource()
    if media_type == "text/plain":
        pages = tuple(p for p in data.decode("utf-8").split(PAGE_BREAK) if p.strip())
        return DocumentContent(media_type, pages=pages)
    return DocumentContent(media_type, data=data)


@guarded
def decode_base64(text: Any) -> bytes:
    return base64.b64decode(_str(text, required=False), validate=True)


@guarded
def parse_binary(resource: Any) -> tuple[str, bytes]:
    resource = _expect_type(resource, "Binary")
    return _str(resource.get("contentType")), decode_base64(resource.get("data"))


# ----------------------------------------------------------------- messages
def message_resource(
    patient_id: str, message: Message, *, root_id: str | None, previous_id: str | None,
    subject: str | None, professional_id: str,
) -> dict:
    patient_ref = {"reference": f"Patient/{patient_id}"}
    pro_ref = {"reference": f"Practitioner/{professional_id}"}
    resource: dict[str, Any] = {
        "resourceType": "Communication",
        "id": message.id,
        "status": "completed",
        "subject": patient_ref,
        "sent": fhir_datetime(message.date),
        "sender": patient_ref if message.from_patient else pro_ref,
        "recipient": [pro_ref if message.from_patient else patient_ref],
        "payload": [{"contentString": message.body}]
        + [{"contentReference": {"reference": f"DocumentReference/{a}"}} for a in message.attachments],
    }
    if subject:
        resource["topic"] = {"text": subject}
    if root_id:
        resource["partOf"] = [{"reference": f"Communication/{root_id}"}]
    if previous_id:
        resource["inResponseTo"] = [{"reference": f"Communication/{previous_id}"}]
    if message.read or message.from_patient:
        resource["received"] = fhir_datetime(message.date)
    return resource


def reply_resource(
    patient_id: str, professional_id: str, root_id: str, previous_id: str, body: str, when: datetime, key: str
) -> dict:
    patient_ref = {"reference": f"Patient/{patient_id}"}
    return {
        "resourceType": "Communication",
        "identifier": [{"system": IDEMPOTENCY_SYSTEM, "value": key}],
        "meta": {"tag": [compartment_tag(patient_id)]},
        "status": "completed",
        "subject": patient_ref,
        "partOf": [{"reference": f"Communication/{root_id}"}],
        "inResponseTo": [{"reference": f"Communication/{previous_id}"}],
        "sent": fhir_datetime(when),
        "received": fhir_datetime(when),
        "sender": patient_ref,
        "recipient": [{"reference": f"Practitioner/{professional_id}"}],
        "payload": [{"contentString": body}],
    }


def thread_root_id(resource: dict) -> str:
    """The thread a Communication belongs to: its partOf target, or itself."""
    for part in _list(resource.get("partOf")):
        found = reference_id(part, "Communication")
        if found:
            return found
    return _str(resource.get("id"))


@guarded
def parse_communication(resource: Any, patient_id: str, professionals: dict[str, Professional]) -> Message:
    resource = _expect_type(resource, "Communication")
    sender = _obj(resource.get("sender"))
    from_patient = reference_id(sender, "Patient") == patient_id
    professional = None
    if not from_patient:
        pro_id = reference_id(sender, "Practitioner")
        if pro_id is None or pro_id not in professionals:
            raise MalformedResource()
        professional = professionals[pro_id]
    body_parts, attachments = [], []
    for payload in _list(resource.get("payload")):
        payload = _obj(payload)
        if "contentString" in payload:
            body_parts.append(_str(payload["contentString"]))
        elif "contentReference" in payload:
            doc_id = reference_id(payload["contentReference"], "DocumentReference")
            if doc_id:
                attachments.append(doc_id)
    body = "\n".join(body_parts)
    return Message(
        id=resource["id"],
        thread_id=thread_root_id(resource),
        sender=professional,
        date=parse_datetime(resource.get("sent")),
        body=_str(body),
        read=bool(resource.get("received")) or from_patient,
        attachments=tuple(attachments),
        from_patient=from_patient,
    )


def communication_sender_ids(resources: Iterable[dict]) -> set[str]:
    found = set()
    for r in resources:
        pro = reference_id(r.get("sender") if isinstance(r, dict) else None, "Practitioner")
        if pro:
            found.add(pro)
        for rec in _list(r.get("recipient") if isinstance(r, dict) else None):
            pro = reference_id(rec, "Practitioner")
            if pro:
                found.add(pro)
    return found


# ------------------------------------------------------------- appointments
def appointment_resource(patient_id: str, a: Appointment) -> dict:
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": a.id,
        "status": "booked",
        "contained": [
            {"resourceType": "PractitionerRole", "id": "pro",
             "code": [coded_text(PROFESSION_SYSTEM, a.profession_code, a.profession)],
             "practitioner": {"display": a.who}},
            {"resourceType": "Location", "id": "lieu", "name": a.place, "address": {"text": a.address}},
        ],
        "reasonCode": [{"text": a.reason}],
        "start": fhir_datetime(a.start),
        "end": fhir_datetime(a.end),
        "minutesDuration": int(a.duration.total_seconds() // 60),
        "participant": [
            {"actor": {"reference": f"Patient/{patient_id}"}, "status": "accepted"},
            {"actor": {"reference": "#pro", "display": a.who}, "status": "accepted"},
            {"actor": {"reference": "#lieu", "display": a.place}, "status": "accepted"},
        ],
    }
    if a.to_bring:
        resource["patientInstruction"] = "\n".join(a.to_bring)
    if a.kind_code or a.kind:
        resource["appointmentType"] = coded_text(APPOINTMENT_TYPE_SYSTEM, a.kind_code, a.kind)
    return resource


@guarded
def parse_appointment(resource: Any) -> Appointment:
    resource = _expect_type(resource, "Appointment")
    contained = {_obj(c).get("resourceType"): _obj(c) for c in _list(resource.get("contained"))}
    role = contained.get("PractitionerRole", {})
    location = contained.get("Location", {})
    who = _obj(role.get("practitioner") or {}).get("display")
    if not who:
        who = next(
            (_obj(p).get("actor", {}).get("display") for p in _list(resource.get("participant"))
             if _str(_obj(_obj(p).get("actor") or {}).get("reference"), required=False) == "#pro"),
            None,
        )
    role_codes = _list(role.get("code"))
    role_code = _obj(role_codes[0]) if role_codes else {}
    kind = _obj(resource.get("appointmentType") or {})
    start = parse_datetime(resource.get("start"))
    end = parse_datetime(resource.get("end")) if resource.get("end") else None
    duration = end - start if end else timedelta(minutes=int(resource.get("minutesDuration", 0)))
    if duration <= timedelta(0):
        raise MalformedResource()
    reasons = _list(resource.get("reasonCode"))
    reason = _obj(reasons[0]).get("text") if reasons else resource.get("description")
    instructions = _str(resource.get("patientInstruction"), required=False)
    return Appointment(
        id=resource["id"],
        who=_str(who),
        profession=concept_text(role_code),
        profession_code=first_code(role_code, PROFESSION_SYSTEM),
        kind=concept_text(kind),
        kind_code=first_code(kind, APPOINTMENT_TYPE_SYSTEM),
        place=_str(location.get("name")),
        address=_str(_obj(location.get("address") or {}).get("text"), required=False),
        start=start,
        duration=duration,
        reason=_str(reason),
        to_bring=tuple(line for line in instructions.split("\n") if line.strip()),
    )


# ---------------------------------------------------------------- reminders
def reminder_resource(patient_id: str, reminder: Reminder, created: datetime) -> dict:
    if reminder.kind is ReminderKind.VACCINATION:
        return {
            "resourceType": "ImmunizationRecommendation",
            "id": reminder.id,
            "meta": {"tag": [compartment_tag(patient_id)]},
            "patient": {"reference": f"Patient/{patient_id}"},
            "date": fhir_datetime(created),
            "recommendation": [{
                "vaccineCode": [{"text": reminder.title}],
                "forecastStatus": coded(FORECAST_SYSTEM, "due"),
                "dateCriterion": [{"code": coded(LOINC, VACCINE_DUE_CODE, "Date vaccine due"),
                                   "value": reminder.due.isoformat()}],
                "description": reminder.purpose,
            }],
        }
    return {
        "resourceType": "ServiceRequest",
        "id": reminder.id,
        "status": "active",
        "intent": "proposal",
        "category": [coded(SNOMED, SCREENING_CODE, "Screening procedure")],
        "code": {"text": reminder.title},
        "subject": {"reference": f"Patient/{patient_id}"},
        "occurrenceDateTime": reminder.due.isoformat(),
        "reasonCode": [{"text": reminder.purpose}],
    }


@guarded
def parse_immunization_recommendations(resource: Any) -> list[Reminder]:
    resource = _expect_type(resource, "ImmunizationRecommendation")
    out = []
    recommendations = _list(resource.get("recommendation"))
    for n, rec in enumerate(recommendations):
        rec = _obj(rec)
        due = None
        for criterion in _list(rec.get("dateCriterion")):
            if VACCINE_DUE_CODE in codes(_obj(criterion).get("code"), LOINC):
                due = parse_date(criterion.get("value"))
        if due is None:
            raise MalformedResource()
        vaccine = _list(rec.get("vaccineCode")) or _list([rec.get("targetDisease")] if rec.get("targetDisease") else [])
        title = _obj(vaccine[0]).get("text") if vaccine else None
        reminder_id = resource["id"] if len(recommendations) == 1 else f"{resource['id']}-{n + 1}"
        out.append(Reminder(reminder_id, ReminderKind.VACCINATION, _str(title), due, _str(rec.get("description"))))
    return out


@guarded
def parse_screening(resource: Any) -> Reminder:
    resource = _expect_type(resource, "ServiceRequest")
    reasons = _list(resource.get("reasonCode"))
    return Reminder(
        id=resource["id"],
        kind=ReminderKind.SCREENING,
        title=_str(_obj(resource.get("code")).get("text")),
        due=parse_date(resource.get("occurrenceDateTime")),
        purpose=_str(_obj(reasons[0]).get("text") if reasons else None),
    )


# ----------------------------------------------------------------- consents
def _consent(patient_id: str, rid: str, category: str, status: str, when: datetime, provision: dict) -> dict:
    return {
        "resourceType": "Consent",
        "id": rid,
        "identifier": [kiosk_identifier(rid)],
        "status": status,
        "scope": coded(CONSENT_SCOPE_SYSTEM, "patient-privacy"),
        "category": [coded(KIOSK_CODES, category)],
        "patient": {"reference": f"Patient/{patient_id}"},
        "dateTime": fhir_datetime(when),
        "policyRule": {"text": "Mon espace santé"},
        "provision": provision,
    }


def access_consent(patient_id: str, pro: Professional, blocked: bool, when: datetime) -> dict:
    return _consent(
        patient_id, f"{patient_id}-acces-{pro.id}"[:64], CONSENT_ACCESS, "active", when,
        {"type": "deny" if blocked else "permit",
         "actor": [{"role": coded("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "PRCP"),
                    "reference": {"reference": f"Practitioner/{pro.id}", "display": pro.name}}]},
    )


def emergency_consent(patient_id: str, refused: bool, when: datetime) -> dict:
    return _consent(
        patient_id, f"{patient_id}-urgence"[:64], CONSENT_EMERGENCY, "active" if refused else "inactive", when,
        {"type": "deny", "purpose": [{"system": ACT_REASON_SYSTEM, "code": "ETREAT"}]},
    )


def access_code_consent(patient_id: str, code: str, created: datetime, expires: datetime) -> dict:
    resource = _consent(
        patient_id, "", CONSENT_TEMPORARY, "active", created,
        {"type": "permit", "period": {"start": fhir_datetime(created), "end": fhir_datetime(expires)}},
    )
    del resource["id"]
    resource["identifier"] = [{"system": ACCESS_CODE_SYSTEM, "value": code}]
    resource["meta"] = {"tag": [compartment_tag(patient_id)]}
    return resource


def consent_category(resource: dict) -> str | None:
    for concept in _list(resource.get("category")):
        found = codes(concept, KIOSK_CODES)
        if found:
            return found[0]
    return None


@guarded
def consent_actor_id(resource: Any) -> str:
    provision = _obj(_obj(resource).get("provision"))
    for actor in _list(provision.get("actor")):
        found = reference_id(_obj(actor).get("reference"), "Practitioner")
        if found:
            return found
    raise MalformedResource()


@guarded
def consent_blocked(resource: Any) -> bool:
    kind = _obj(_obj(resource).get("provision")).get("type")
    if kind not in ("permit", "deny"):
        raise MalformedResource()
    return kind == "deny"


@guarded
def parse_access_code(resource: Any) -> TemporaryAccessCode:
    resource = _expect_type(resource, "Consent")
    raw = next(
        (_str(_obj(i).get("value")) for i in _list(resource.get("identifier")) if _obj(i).get("system") == ACCESS_CODE_SYSTEM),
        None,
    )
    if raw is None:
        raise MalformedResource()
    period = _obj(_obj(resource.get("provision")).get("period"))
    start, end = parse_datetime(period.get("start")), parse_datetime(period.get("end"))
    if end <= start:
        raise MalformedResource()
    return TemporaryAccessCode(
        code=format_access_code(raw), duration=end - start, created=start, expires=end,
        revoked=resource.get("status") != "active",
    )


# ------------------------------------------------------------ space status
def space_resource(patient_id: str, status: SpaceStatus) -> dict:
    return {
        "resourceType": "Basic",
        "id": f"{patient_id}-espace"[:64],
        "identifier": [kiosk_identifier(f"{patient_id}-espace")],
        "code": coded(KIOSK_CODES, BASIC_SPACE),
        "subject": {"reference": f"Patient/{patient_id}"},
        "created": status.since.isoformat(),
        "extension": space_extensions(status),
    }


def space_extensions(status: SpaceStatus) -> list[dict]:
    return [
        {"url": EXT_SPACE_STATE, "valueCode": status.state.value},
        {"url": EXT_DELETION, "valueBoolean": bool(status.deletion_requested)},
    ]


@guarded
def parse_space(resource: Any) -> SpaceStatus:
    resource = _expect_type(resource, "Basic")
    state = _obj(extension(resource, EXT_SPACE_STATE)).get("valueCode")
    deletion = _obj(extension(resource, EXT_DELETION) or {"valueBoolean": False}).get("valueBoolean")
    if not isinstance(deletion, bool):
        raise MalformedResource()
    return SpaceStatus(SpaceState(state), parse_date(resource.get("created")), deletion)


# ---------------------------------------------------------------- sign-in
PBKDF2_ROUNDS = 20_000


def hash_code(code: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", code.encode("utf-8"), salt, PBKDF2_ROUNDS)
    return f"pbkdf2-sha256${PBKDF2_ROUNDS}${salt.hex()}${digest.hex()}"


def code_matches(code: str, stored: str) -> bool:
    try:
        scheme, rounds, salt, digest = stored.split("$")
        if scheme != "pbkdf2-sha256":
            return False
        mine = hashlib.pbkdf2_hmac("sha256", code.encode("utf-8"), bytes.fromhex(salt), int(rounds))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(mine.hex(), digest)


def sign_in_resource(patient_id: str, code: str, channel: str) -> dict:
    return {
        "resourceType": "Basic",
        "id": f"{patient_id}-connexion"[:64],
        "code": coded(KIOSK_CODES, BASIC_SIGN_IN),
        "subject": {"reference": f"Patient/{patient_id}"},
        "extension": [
            {"url": EXT_OTP_CHANNEL, "valueCode": channel},
            {"url": EXT_OTP_LENGTH, "valueInteger": len(code)},
            {"url": EXT_OTP_HASH, "valueString": hash_code(code)},
        ],
    }


@guarded
def parse_sign_in(resource: Any) -> tuple[str, int, str]:
    """(channel, code length, stored hash)."""
    resource = _expect_type(resource, "Basic")
    channel = _obj(extension(resource, EXT_OTP_CHANNEL)).get("valueCode")
    length = _obj(extension(resource, EXT_OTP_LENGTH)).get("valueInteger")
    stored = _obj(extension(resource, EXT_OTP_HASH)).get("valueString")
    if channel not in ("sms", "email") or not isinstance(length, int) or isinstance(length, bool) or not 4 <= length <= 12:
        raise MalformedResource()
    return channel, length, _str(stored)


# ---------------------------------------------------------- access history
_ACTION_VERB = {
    AccessAction.VIEWED_RECORD: "R", AccessAction.VIEWED_DOCUMENT: "R", AccessAction.ADDED_DOCUMENT: "C",
    AccessAction.EMERGENCY_ACCESS: "R", AccessAction.TEMPORARY_CODE: "R",
}


def audit_event_resource(patient_id: str, event: AccessEvent, pro_ids_by_name: dict[str, str],
                         document_ids_by_title: dict[str, str]) -> dict:
    who: dict[str, Any] = {"display": event.who}
    if event.who in pro_ids_by_name:
        who["reference"] = f"Practitioner/{pro_ids_by_name[event.who]}"
    entities: list[dict[str, Any]] = [{"what": {"reference": f"Patient/{patient_id}"}}]
    if event.document_title:
        document: dict[str, Any] = {"name": event.document_title}
        if event.document_title in document_ids_by_title:
            document["what"] = {"reference": f"DocumentReference/{document_ids_by_title[event.document_title]}"}
        entities.append(document)
    return {
        "resourceType": "AuditEvent",
        "id": event.id,
        "type": {"system": DCM, "code": "110110", "display": "Patient Record"},
        "subtype": [{"system": ACCESS_ACTION_SYSTEM, "code": event.action.value}],
        "action": _ACTION_VERB[event.action],
        "recorded": fhir_datetime(event.when),
        "outcome": "0",
        "agent": [{"who": who, "role": [coded_text(PROFESSION_SYSTEM, event.profession_code, event.profession)],
                   "requestor": True}],
        "source": {"observer": {"display": "Mon espace santé"}},
        "entity": entities,
    }


@guarded
def parse_audit_event(resource: Any) -> AccessEvent:
    resource = _expect_type(resource, "AuditEvent")
    action = next(
        (AccessAction(_obj(c).get("code")) for c in _list(resource.get("subtype"))
         if _obj(c).get("system") == ACCESS_ACTION_SYSTEM),
        None,
    )
    if action is None:
        raise MalformedResource()
    agents = _list(resource.get("agent"))
    agent = _obj(agents[0]) if agents else {}
    roles = _list(agent.get("role"))
    role = _obj(roles[0]) if roles else {}
    title = None
    for entity in _list(resource.get("entity"))[1:]:
        if _obj(entity).get("name"):
            title = _str(entity["name"])
    return AccessEvent(
        id=resource["id"],
        who=_str(_obj(agent.get("who")).get("display")),
        profession=_str(concept_text(role), required=not first_code(role, PROFESSION_SYSTEM)),
        when=parse_datetime(resource.get("recorded")),
        action=action,
        document_title=title,
        profession_code=first_code(role, PROFESSION_SYSTEM),
    )


# ------------------------------------------------------------------ bundles
@guarded
def bundle_matches(bundle: Any, rtype: str | None = None) -> list[dict]:
    """The matched resources of a searchset Bundle (includes and outcomes left out)."""
    bundle = _obj(bundle)
    if bundle.get("resourceType") != "Bundle":
        raise MalformedResource()
    out = []
    for entry in _list(bundle.get("entry")):
        entry = _obj(entry)
        mode = _obj(entry.get("search") or {}).get("mode", "match")
        if mode != "match":
            continue
        resource = _obj(entry.get("resource"))
        if rtype is not None and resource.get("resourceType") != rtype:
            raise MalformedResource()
        out.append(resource)
    return out


@guarded
def bundle_included(bundle: Any) -> list[dict]:
    out = []
    for entry in _list(_obj(bundle).get("entry")):
        entry = _obj(entry)
        if _obj(entry.get("search") or {}).get("mode") == "include":
            out.append(_obj(entry.get("resource")))
    return out


@guarded
def bundle_total(bundle: Any) -> int:
    total = _obj(bundle).get("total")
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise MalformedResource()
    return total


@guarded
def bundle_link(bundle: Any, relation: str) -> str | None:
    for link in _list(_obj(bundle).get("link")):
        link = _obj(link)
        if link.get("relation") == relation:
            return _str(link.get("url"))
    return None
