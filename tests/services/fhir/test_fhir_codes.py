"""The FHIR mapping keeps the codes the kiosk says in its own words, and the service's words beside them."""

from __future__ import annotations

import copy

from kiosk.core import labels
from kiosk.core.i18n import Catalog
from kiosk.services.backend.demo import DEMO_ROLES, load_demo_data
from kiosk.services.backend.fhir import mapping as m

DATA = load_demo_data()
RICH = DATA.by_id(DEMO_ROLES["rich"])
PROS = {p.name: p.id for p in DATA.professionals}
EN = Catalog.load("en")


def document_with_labs():
    document = next(d for d in RICH.documents if d.lab_results)
    return document, m.document_resources(RICH.patient.id, document, RICH.contents[document.id], PROS)[0]


def test_codes_go_to_the_server_and_come_back():
    document, resource = document_with_labs()
    assert resource["type"]["coding"] == [{"system": m.LOINC, "code": document.type_code}]
    assert m.parse_document(resource) == document
    appointment = RICH.appointments[0]
    assert m.parse_appointment(m.appointment_resource(RICH.patient.id, appointment)) == appointment
    event = RICH.access_events[0]
    titles = {d.title: d.id for d in RICH.documents}
    parsed = m.parse_audit_event(m.audit_event_resource(RICH.patient.id, event, PROS, titles))
    assert parsed == event and parsed.profession_code == "pharmacien"
    pro = DATA.professionals[1]
    back = m.parse_professional(m.practitioner_resource(pro), m.practitioner_role_resource(pro))
    assert back == pro and labels.profession_of(EN, back) == "Pharmacist"


def test_a_code_of_another_system_is_not_taken_for_ours():
    """A national profession code (ANS TRE_G15) the kiosk does not map: the service's words are shown."""
    pro = DATA.professionals[0]
    role = m.practitioner_role_resource(pro)
    role["code"] = [{"coding": [{"system": "https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante",
                                 "code": "10", "display": "Médecin"}]}]
    back = m.parse_professional(m.practitioner_resource(pro), role)
    assert (back.profession_code, back.profession) == ("", "Médecin")
    assert labels.profession_of(EN, back) == "Médecin"


def test_words_without_text_come_from_the_coding_display():
    _, resource = document_with_labs()
    resource = copy.deepcopy(resource)
    resource["type"] = {"coding": [{"system": m.LOINC, "code": "34874-8", "display": "CR opératoire"}]}
    parsed = m.parse_document(resource)
    assert (parsed.type_code, parsed.type) == ("34874-8", "CR opératoire")
    assert labels.document_type_of(EN, parsed) == "CR opératoire"  # unknown to the kiosk: the service's words
    lab = resource["contained"][0]
    lab["code"] = {"coding": [{"system": m.LOINC, "code": "4548-4"}]}  # a code and no words at all
    assert m.parse_lab(lab).code == "4548-4"
    assert labels.lab_test_of(EN, m.parse_lab(lab)) == "Blood sugar over 3 months (glycated haemoglobin)"


def test_an_appointment_without_a_kind_says_none():
    resource = m.appointment_resource(RICH.patient.id, RICH.appointments[0])
    del resource["appointmentType"]
    parsed = m.parse_appointment(resource)
    assert (parsed.kind_code, parsed.kind) == ("", "")
    assert labels.appointment_kind_of(EN, parsed) == ""
