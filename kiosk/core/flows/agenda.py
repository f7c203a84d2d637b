"""Agenda: upcoming appointments and reminders; put one appointment on the phone.

Steps::

    OVERVIEW --open_appointment--> APPOINTMENT --put_on_phone--> PHONE (``ical_text`` for the QR code)
             \\--open_reminder--> REMINDER

The flow gives data (dates as datetimes: the UI writes them in words with
``i18n.format_date``). The iCalendar text is written in the display language.
"""

from __future__ import annotations

import enum
from datetime import date

from kiosk.core.flows.base import SCOPE_AGENDA, Flow, action
from kiosk.core.flows.summary import Activity
from kiosk.core.ical import appointment_to_ical
from kiosk.core.labels import profession_label
from kiosk.core.models import Appointment, Reminder

TITLE_KEY = "flows.agenda.title"
NO_APPOINTMENT_KEY = "flows.agenda.appointments.empty"
NO_REMINDER_KEY = "flows.agenda.reminders.empty"
TO_BRING_KEY = "flows.agenda.to_bring"
PHONE_KEYS = ("flows.agenda.phone.how", "flows.agenda.phone.private")
OVERDUE_KEY = "flows.agenda.reminder.overdue"
DUE_KEY = "flows.agenda.reminder.due"
ICAL_SUMMARY_KEY = "flows.agenda.ical.summary"  # {who} {profession}
ICAL_TO_BRING_KEY = "flows.agenda.ical.to_bring"  # {items}


class AgendaStep(enum.Enum):
    OVERVIEW = "overview"
    APPOINTMENT = "appointment"
    REMINDER = "reminder"
    PHONE = "phone"


class AgendaFlow(Flow):
    Step = AgendaStep
    scope = SCOPE_AGENDA
    STEP_NUMBERS = {"OVERVIEW": 1, "APPOINTMENT": 2, "REMINDER": 2, "PHONE": 3}

    title_key = TITLE_KEY
    to_bring_key = TO_BRING_KEY
    phone_keys = PHONE_KEYS

    def __init__(self, context, *, guard=None) -> None:
        super().__init__(context, guard=guard)
        self._clear()

    def _clear(self) -> None:
        self.appointments: list[Appointment] = []
        self.reminders: list[Reminder] = []
        self.appointment: Appointment | None = None
        self.reminder: Reminder | None = None
        self.ical_text: str | None = None

    # ------------------------------------------------------------ reading
    @property
    def step_count(self) -> int:
        return 2 if self.step is AgendaStep.REMINDER else 3

    @property
    def appointments_empty_key(self) -> str | None:
        return NO_APPOINTMENT_KEY if not self.appointments else None

    @property
    def reminders_empty_key(self) -> str | None:
        return NO_REMINDER_KEY if not self.reminders else None

    @staticmethod
    def reminder_status_key(reminder: Reminder, today: date) -> str:
        """"En retard : à faire dès que possible" or "À faire avant le …" (the UI adds the date)."""
        return OVERDUE_KEY if reminder.due < today else DUE_KEY

    # ------------------------------------------------------------ actions
    def _start(self) -> None:
        appointments = self._space.list_appointments(self._patient)
        reminders = self._space.list_reminders(self._patient)
        self.appointments, self.reminders = appointments, reminders

    @action("OVERVIEW")
    def open_appointment(self, appointment_id: str) -> bool:
        found = next((a for a in self.appointments if a.id == appointment_id), None)
        if found is None:
            return False
        self.appointment = found
        self._go(AgendaStep.APPOINTMENT)
        return True

    @action("OVERVIEW")
    def open_reminder(self, reminder_id: str) -> bool:
        found = next((r for r in self.reminders if r.id == reminder_id), None)
        if found is None:
            return False
        self.reminder = found
        self._go(AgendaStep.REMINDER)
        return True

    @action("APPOINTMENT")
    def put_on_phone(self) -> None:
        """"Mettre sur mon téléphone": the iCalendar event to show as a QR code."""
        appointment = self.appointment
        catalog = self.context.catalog()
        profession = profession_label(catalog, appointment.profession_code, appointment.profession)
        summary = catalog.tr(ICAL_SUMMARY_KEY, who=appointment.who, profession=profession)
        description = appointment.reason
        if appointment.to_bring:
            description += "\n" + catalog.tr(ICAL_TO_BRING_KEY, items=", ".join(appointment.to_bring))
        self.ical_text = appointment_to_ical(
            appointment, dtstamp=self.context.clock.now(), summary=summary, description=description
        )
        self._record(Activity.APPOINTMENT_SHARED, format="ical")
        self._go(AgendaStep.PHONE)

    def _on_back(self, leaving, to) -> None:
        if leaving is AgendaStep.PHONE:
            self.ical_text = None
        elif leaving is AgendaStep.APPOINTMENT:
            self.appointment = None
        elif leaving is AgendaStep.REMINDER:
            self.reminder = None


__all__ = ["AgendaFlow", "AgendaStep"]
