"""Agenda: upcoming appointments and reminders; an appointment put on the phone as a QR code.

One screen per step of kiosk.core.flows.agenda.AgendaFlow. The flow lives in the session's
data (wiped with it); a screen brought back by Retour moves the flow back to its own step.
"""

from __future__ import annotations

from typing import Any

from kiosk.core.flows.agenda import AgendaFlow, AgendaStep
from kiosk.core.i18n import format_date
from kiosk.core.labels import appointment_kind_of, profession_of
from kiosk.ui.blocks import QrBlock
from kiosk.ui.flow_context import session_flow
from kiosk.ui.journey import JourneyScreen
from kiosk.ui.look import look
from kiosk.ui.qr import QrCode
from kiosk.ui.screen import Feature, register_feature, screen, step_screen
from kiosk.ui.screens.access_code import signed_in
from kiosk.ui.widgets import Button, Text

FLOW_KEY = "ui.flow.agenda"


def flow_for(app: Any, *, fresh: bool = False) -> AgendaFlow:
    return session_flow(app, FLOW_KEY, AgendaFlow, fresh=fresh)


class AgendaScreen(JourneyScreen):
    title_key = "flows.agenda.title"
    flow_key = FLOW_KEY
    journey_flow = staticmethod(flow_for)


@screen("agenda", order=50)
@step_screen(AgendaFlow, AgendaStep.OVERVIEW)
class AgendaOverviewScreen(AgendaScreen):
    def fill(self) -> None:
        lang = look().lang
        self.add(Text(key="screens.agenda.appointments", style="heading"))
        if self.flow.appointments_empty_key:
            self.add(Text(key=self.flow.appointments_empty_key))
        for a in self.flow.appointments:
            self.add(Button("screens.agenda.appointment_item", "forward", name=f"agenda.appointment.{a.id}",
                            values={"date": format_date(a.start, lang), "who": a.who, "profession": profession_of(look().catalog, a)},
                            on_activate=lambda i=a.id: self.open_appointment(i)))
        self.add(Text(key="screens.agenda.reminders", style="heading"))
        if self.flow.reminders_empty_key:
            self.add(Text(key=self.flow.reminders_empty_key))
        for r in self.flow.reminders:
            self.add(Button("screens.agenda.reminder_item", "info", name=f"agenda.reminder.{r.id}",
                            values={"kind": look().tr(r.kind.label_key), "title": r.title},
                            on_activate=lambda i=r.id: self.open_reminder(i)))

    def open_appointment(self, appointment_id: str) -> None:
        if self.flow.open_appointment(appointment_id):
            self.follow()

    def open_reminder(self, reminder_id: str) -> None:
        if self.flow.open_reminder(reminder_id):
            self.follow()


@screen("agenda.appointment", order=51)
@step_screen(AgendaFlow, AgendaStep.APPOINTMENT)
class AppointmentScreen(AgendaScreen):

    def fill(self) -> None:
        a = self.flow.appointment
        if a is None:
            return
        kind = appointment_kind_of(look().catalog, a)  # "Rendez-vous de suivi", said with the reason; "" when none
        self.add(Text(key="screens.agenda.when", values={"date": format_date(a.start, look().lang)}, style="strong"),
                 Text(key="screens.agenda.who", values={"who": a.who, "profession": profession_of(look().catalog, a)}),
                 Text(key="screens.agenda.where", values={"place": a.place, "address": a.address}),
                 Text(key="screens.agenda.why_kind" if kind else "screens.agenda.why",
                      values={"reason": a.reason, **({"kind": kind} if kind else {})}))
        if a.to_bring:
            self.add(Text(key=self.flow.to_bring_key, style="strong"))
            for item in a.to_bring:
                self.add(Text(key="screens.agenda.bring_item", values={"item": item}))
        self.add_action(Button("screens.agenda.phone", "forward", kind="primary", name="agenda.phone",
                               on_activate=self.put_on_phone))

    def put_on_phone(self) -> None:
        if self.flow.put_on_phone():
            self.follow()


@screen("agenda.phone", order=52)
@step_screen(AgendaFlow, AgendaStep.PHONE)
class PhoneScreen(AgendaScreen):

    def fill(self) -> None:
        a, ical = self.flow.appointment, self.flow.ical_text
        if a is None or ical is None:
            return
        self.qr = QrCode(ical)
        words = [Text(key=self.flow.phone_keys[0], style="strong"), Text(key=self.flow.phone_keys[1]),
                 Text(key="screens.agenda.when", values={"date": format_date(a.start, look().lang)}),
                 Text(key="screens.agenda.who", values={"who": a.who, "profession": profession_of(look().catalog, a)})]
        # what to do, which appointment, and the QR code share a page at every size (one block)
        self.add(QrBlock([words[0], words[2], words[3]], self.qr), words[1])


@screen("agenda.reminder", order=53)
@step_screen(AgendaFlow, AgendaStep.REMINDER)
class ReminderScreen(AgendaScreen):

    def fill(self) -> None:
        r = self.flow.reminder
        if r is None:
            return
        lang = look().lang
        today = self.app.clock.now().date()
        status = self.flow.reminder_status_key(r, today)
        self.add(Text(raw=look().tr(r.kind.label_key), style="heading"),
                 Text(raw=r.title, style="strong"),
                 Text(key=status, values={"date": format_date(r.due, lang)}),
                 Text(key="screens.agenda.reminder.what", values={"purpose": r.purpose}))


register_feature(Feature("agenda", "clock", "screens.agenda.tile", "agenda", order=50,
                         available=signed_in))
