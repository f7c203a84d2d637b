"""Property-based: malformed FHIR resources given to the parsers give typed errors, never a crash."""

from __future__ import annotations

import copy
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.core.errors import Unavailable
from kiosk.core.models import ins_with_key
from kiosk.services.backend.demo import DEMO_NOW, DEMO_ROLES, load_demo_data
from kiosk.services.backend.fhir import mapping as m
from kiosk.services.backend.fhir.mapping import MalformedResource

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.sampled_from(["2026-12-01", "2026-12-01T10:00:00+01:00", "2026-13-45T99:00", "Patient/x", "#lab-1",
                     "current", "deny", "permit", "active", "MASQUE_PS", "", " ", "\f"]),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(max_size=12), children, max_size=4)),
    max_leaves=20,
)


def valid_resources() -> dict[str, dict]:
    data = load_demo_data()
    rich = data.by_id(DEMO_ROLES["rich"])
    pid = rich.patient.id
    pros = {p.name: p.id for p in data.professionals}
    with_labs = next(d for d in rich.documents if d.lab_results)
    thread = rich.threads[0]
    pro = data.professionals[0]
    return {
        "patient": m.patient_resource(data.by_id(DEMO_ROLES["child"]).patient),
        "document": m.document_resources(pid, with_labs, rich.contents[with_labs.id], pros)[0],
        "communication": m.message_resource(pid, thread.messages[0], root_id=None, previous_id=None,
                                            subject=thread.subject, professional_id=thread.professional.id),
        "appointment": m.appointment_resource(pid, rich.appointments[0]),
        "vaccination": next(m.reminder_resource(pid, r, DEMO_NOW) for r in rich.reminders if r.kind.value == "vaccination"),
        "screening": next(m.reminder_resource(pid, r, DEMO_NOW) for r in rich.reminders if r.kind.value == "screening"),
        "code": dict(m.access_code_consent(pid, "ABCDE23456", DEMO_NOW, DEMO_NOW + timedelta(hours=1)), id="c1"),
        "consent": m.access_consent(pid, pro, True, DEMO_NOW),
        "space": m.space_resource(pid, rich.status),
        "sign_in": m.sign_in_resource(pid, "123456", "sms"),
        "audit": m.audit_event_resource(pid, rich.access_events[0], pros, {d.title: d.id for d in rich.documents}),
        "practitioner": m.practitioner_resource(pro),
        "role": m.practitioner_role_resource(pro),
        "binary": {"resourceType": "Binary", "id": "b", "contentType": "application/pdf", "data": "JVBERi0="},
        "bundle": {"resourceType": "Bundle", "type": "searchset", "total": 1,
                   "entry": [{"resource": m.patient_resource(rich.patient), "search": {"mode": "match"}}],
                   "link": [{"relation": "next", "url": "http://127.0.0.1/fhir/Patient?page=2"}]},
    }


VALID = valid_resources()
PROS = {p.id: p for p in load_demo_data().professionals}
PID = DEMO_ROLES["rich"]

PARSERS = {
    "patient": m.parse_patient,
    "document": m.parse_document,
    "communication": lambda r: m.parse_communication(r, PID, PROS),
    "appointment": m.parse_appointment,
    "vaccination": m.parse_immunization_recommendations,
    "screening": m.parse_screening,
    "code": m.parse_access_code,
    "consent": lambda r: (m.consent_blocked(r), m.consent_actor_id(r)),
    "space": m.parse_space,
    "sign_in": m.parse_sign_in,
    "audit": m.parse_audit_event,
    "practitioner": lambda r: m.parse_professional(r, VALID["role"]),
    "role": lambda r: m.parse_professional(VALID["practitioner"], r),
    "binary": m.parse_binary,
    "bundle": lambda r: (m.bundle_matches(r), m.bundle_total(r), m.bundle_link(r, "next"), m.bundle_included(r)),
}


def only_typed_errors(parse, resource) -> bool:
    """True when parsed, False when refused with the typed error; anything else fails the test."""
    try:
        parse(resource)
    except MalformedResource as error:
        assert isinstance(error, Unavailable) and error.key == "errors.unavailable"
        return False
    return True


def test_the_valid_resources_parse():
    for name, parse in PARSERS.items():
        assert only_typed_errors(parse, copy.deepcopy(VALID[name])), name


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(PARSERS)), junk=json_values)
def test_any_json_gives_a_model_or_a_typed_error(name, junk):
    only_typed_errors(PARSERS[name], junk)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, prefix + (index,))


def _mutate(resource, path, action, junk):
    resource = copy.deepcopy(resource)
    if not path:
        return junk
    parent = resource
    for step in path[:-1]:
        parent = parent[step]
    if action == "delete":
        if isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent.pop(path[-1])
    else:
        parent[path[-1]] = junk
    return resource


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), name=st.sampled_from(sorted(PARSERS)), action=st.sampled_from(["replace", "delete"]),
       junk=json_values)
def test_a_valid_resource_with_one_broken_part_never_crashes(data, name, action, junk):
    resource = VALID[name]
    path = data.draw(st.sampled_from(list(_paths(resource))))
    only_typed_errors(PARSERS[name], _mutate(resource, path, action, junk))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200), st.sampled_from(["text/plain", "application/pdf", "image/png"]),
       st.one_of(st.none(), st.text(max_size=30)))
def test_document_bytes_never_crash(data, media_type, expected_hash):
    only_typed_errors(lambda d: m.content_from_bytes(media_type, d, expected_hash), data)


@given(st.text(max_size=40))
def test_datetimes_and_base64(text):
    only_typed_errors(m.parse_datetime, text)
    only_typed_errors(m.decode_base64, text)


def test_a_changed_content_is_refused_by_its_hash():
    good = m.attachment_hash(b"%PDF-1.4 real")
    assert only_typed_errors(lambda d: m.content_from_bytes("application/pdf", d, good), b"%PDF-1.4 real")
    assert not only_typed_errors(lambda d: m.content_from_bytes("application/pdf", d, good), b"%PDF-1.4 fake")


def test_round_trip_of_every_demo_record():
    """What the seeder writes reads back as the same models (the FHIR mapping loses nothing the port shows)."""
    data = load_demo_data()
    pros = {p.name: p.id for p in data.professionals}
    for record in data.records:
        pid = record.patient.id
        assert m.parse_patient(m.patient_resource(record.patient)) == record.patient
        for document in record.documents[:50]:
            written = m.document_resources(pid, document, record.contents[document.id], pros)
            assert m.parse_document(written[0]) == document
        for appointment in record.appointments:
            assert m.parse_appointment(m.appointment_resource(pid, appointment)) == appointment
        for reminder in record.reminders:
            resource = m.reminder_resource(pid, reminder, DEMO_NOW)
            parsed = (m.parse_immunization_recommendations(resource)[0] if reminder.kind.value == "vaccination"
                      else m.parse_screening(resource))
            assert parsed == reminder
        titles = {d.title: d.id for d in record.documents}
        for event in record.access_events:
            assert m.parse_audit_event(m.audit_event_resource(pid, event, pros, titles)) == event
        assert m.parse_space(m.space_resource(pid, record.status)) == record.status
    assert ins_with_key("2440399999001") == "244039999900168"
