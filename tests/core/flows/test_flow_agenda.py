"""Agenda flow and the iCalendar event for the phone."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core import ical
from kiosk.core.audit import AuditAction
from kiosk.core.clock import PARIS
from kiosk.core.flows.agenda import AgendaFlow, AgendaStep
from kiosk.core.flows.base import Outcome
from kiosk.core.models import Appointment

from ical_reader import parse, physical_lines, unescape, unfold, utc

DIABETES = "paulette-rdv-diabeto"


def test_overview_appointment_phone(ctx, sign_in, clock, audit_log):
    sign_in("rich")
    flow = AgendaFlow(ctx).start()
    assert (flow.step, flow.step_number, flow.step_count) == (AgendaStep.OVERVIEW, 1, 3)
    assert [a.id for a in flow.appointments][:1] == ["paulette-rdv-generaliste"], "past ones are gone, soonest first"
    assert all(a.start >= clock.now() for a in flow.appointments)
    assert flow.appointments_empty_key is None and len(flow.reminders) == 4
    overdue = flow.reminders[0]
    assert flow.reminder_status_key(overdue, clock.now().date()) == "flows.agenda.reminder.overdue"
    assert flow.reminder_status_key(flow.reminders[-1], clock.now().date()) == "flows.agenda.reminder.due"

    assert not flow.open_appointment("unknown")
    assert flow.open_appointment(DIABETES) and (flow.step, flow.step_number) == (AgendaStep.APPOINTMENT, 2)
    appointment = flow.appointment
    assert appointment.to_bring and appointment.place
    assert flow.put_on_phone() and (flow.step, flow.step_number) == (AgendaStep.PHONE, 3)

    event = parse(flow.ical_text)["VEVENT"][0]
    assert utc(event["DTSTART"]) == appointment.start and utc(event["DTEND"]) == appointment.end
    assert utc(event["DTSTAMP"]) == clock.now()
    assert event["SUMMARY"] == f"Rendez-vous : {appointment.who}, {appointment.profession}"
    assert event["LOCATION"] == f"{appointment.place}, {appointment.address}"
    assert event["DESCRIPTION"] == appointment.reason + "\nÀ apporter : " + ", ".join(appointment.to_bring) + "."
    assert ctx.session.activity_log.counts["appointment.shared"] == 1
    assert AuditAction.APPOINTMENT_SHARED_BY_QR in [r.action for r in audit_log]

    assert flow.back() and flow.step is AgendaStep.APPOINTMENT and flow.ical_text is None
    assert flow.back() and flow.step is AgendaStep.OVERVIEW and flow.appointment is None
    assert flow.open_reminder(overdue.id) and (flow.step, flow.step_number, flow.step_count) == (AgendaStep.REMINDER, 2, 2)
    assert flow.reminder.purpose
    assert flow.back() and flow.step is AgendaStep.OVERVIEW
    assert flow.back() and flow.finished and flow.outcome is Outcome.CANCELLED


def test_the_event_is_in_the_display_language(ctx, sign_in):
    sign_in("rich")
    ctx.session.prefs.language = "en"
    flow = AgendaFlow(ctx).start()
    flow.open_appointment(DIABETES)
    flow.put_on_phone()
    assert parse(flow.ical_text)["VEVENT"][0]["SUMMARY"].startswith("Appointment: ")


def test_nothing_planned(ctx, sign_in):
    sign_in("empty")
    flow = AgendaFlow(ctx).start()
    assert flow.appointments == [] and flow.appointments_empty_key == "flows.agenda.appointments.empty"


def test_service_down(ctx, sign_in, demo):
    sign_in("rich")
    demo.set_unavailable(True)
    flow = AgendaFlow(ctx).start()
    assert flow.error_key == "errors.unavailable" and flow.appointments == []
    demo.set_unavailable(False)
    assert flow.retry() and flow.appointments


def test_cancel_at_every_step(ctx, sign_in):
    sign_in("rich")
    routes = [
        lambda f: None,
        lambda f: f.open_appointment(DIABETES),
        lambda f: (f.open_appointment(DIABETES), f.put_on_phone()),
        lambda f: f.open_reminder("paulette-rappel-pieds"),
    ]
    for route in routes:
        flow = AgendaFlow(ctx).start()
        route(flow)
        assert flow.cancel() and flow.outcome is Outcome.CANCELLED
        assert flow.appointments == [] and flow.ical_text is None and flow.appointment is None


# ------------------------------------------------------------------ ical.py


def appointment(**kw) -> Appointment:
    values = dict(
        id="rdv-1", who="Dr Test", profession="Médecin", place="Cabinet", address="1 rue, 99000 Ville",
        start=datetime(2026, 7, 3, 14, 30, tzinfo=PARIS), duration=timedelta(minutes=30),
        reason="Suivi", to_bring=(),
    )
    values.update(kw)
    return Appointment(**values)


def test_ical_structure_and_utc_times():
    appt = appointment()
    stamp = appt.start - timedelta(days=3)
    text = ical.appointment_to_ical(appt, dtstamp=stamp, summary="S", description="D")
    lines = unfold(text)
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"] and lines[-1] == "END:VCALENDAR"
    assert any(line.startswith("PRODID:") for line in lines)
    event = parse(text)["VEVENT"][0]
    assert event["DTSTART"] == "20260703T123000Z", "14 h 30 in Paris in summer is 12:30 UTC"
    assert event["DTEND"] == "20260703T130000Z"
    assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "DESCRIPTION"} <= set(event)
    assert event["UID"] == ical.event_uid("rdv-1") and "rdv-1" not in event["UID"]
    assert ical.event_uid("rdv-1") != ical.event_uid("rdv-2")


def test_ical_escaping_and_folding():
    tricky = "Apportez : carte Vitale, ordonnance; lunettes\\étui\nPuis 2e étage — " + "é" * 80
    text = ical.appointment_to_ical(appointment(), dtstamp=appointment().start, summary=tricky, description=tricky)
    assert "\\," in text and "\\;" in text and "\\\\" in text and "\\n" in text
    assert any(line.startswith(" ") for line in physical_lines(text)), "long lines are folded"
    event = parse(text)["VEVENT"][0]
    assert event["SUMMARY"] == event["DESCRIPTION"] == tricky


def test_ical_needs_aware_times():
    naive = appointment().start.replace(tzinfo=None)
    with pytest.raises(ValueError):
        ical.format_utc(naive)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(",;\\\n"), max_size=300))
def test_escape_and_fold_round_trip(text):
    line = "DESCRIPTION:" + ical.escape_text(text)
    folded = ical.fold_line(line) + "\r\n"
    assert unfold(folded) == [line]
    assert unescape(line.partition(":")[2]) == text


def test_parsed_back_by_icalendar_when_installed():
    icalendar = pytest.importorskip("icalendar")
    appt = appointment(to_bring=("Carte Vitale",))
    text = ical.appointment_to_ical(appt, dtstamp=appt.start, summary="Rendez-vous, test", description="Ligne 1\nLigne 2")
    event = icalendar.Calendar.from_ical(text).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == appt.start and str(event["SUMMARY"]) == "Rendez-vous, test"
