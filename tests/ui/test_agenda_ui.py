"""Agenda tapped through under Xvfb on the demo patients; the QR code decoded back from a screenshot."""

from __future__ import annotations

import zxingcpp
from PIL import Image

from kiosk.core.flows.base import PATIENT_SESSION
from kiosk.core.i18n import Catalog, format_date
from kiosk.core.labels import profession_of
from kiosk.services.backend.demo import demo_sign_in_code

RICH = "244039999900168"
EMPTY = "158069999900261"


def sign_in(app, ins=RICH):
    backend = app.services.backend
    app.session.data[PATIENT_SESSION] = backend.finish_sign_in(backend.start_sign_in(ins).handle,
                                                               demo_sign_in_code(ins))


def open_agenda(pilot, ins=RICH):
    app = pilot.app
    pilot.tap("Commencer")
    assert "home.feature.agenda" not in [b.name for b in pilot.buttons()]
    sign_in(app, ins)
    app.nav.home()
    pilot.pump()
    pilot.tap("Mes rendez-vous")
    assert app.nav.current.name == "agenda"
    return app.nav.current.flow


def all_pages(pilot) -> list[str]:
    """The words of every page of the content (taps Suivant)."""
    seen = list(pilot.texts())
    for _ in range(10):
        if "pager.next" not in [b.name for b in pilot.buttons()]:
            break
        pilot.tap("pager.next")
        seen += pilot.texts()
    return seen


def test_appointment_details_and_qr_gives_the_ical_event(pilot, shots_dir):
    app = pilot.app
    flow = open_agenda(pilot)
    first = flow.appointments[0]
    when = format_date(first.start, "fr")
    assert f"{when}. {first.who}, {profession_of(Catalog.load('fr'), first)}." in pilot.texts()
    assert "Vos prochains rendez-vous" in pilot.texts()
    pilot.tap(f"agenda.appointment.{first.id}")
    assert app.nav.current.name == "agenda.appointment"
    texts = all_pages(pilot)
    assert f"Quand : {when}." in texts
    assert f"Où : {first.place}, {first.address}." in texts
    if first.to_bring:
        assert "À apporter :" in texts
        for item in first.to_bring:
            assert f"– {item}" in texts
    pilot.tap("Mettre sur mon téléphone")
    screen = app.nav.current
    assert screen.name == "agenda.phone"
    assert "Visez ce code avec l'appareil photo de votre téléphone." in pilot.texts()
    assert screen.qr.side_mm() >= 60
    shot = pilot.screenshot(shots_dir / "phone.png")
    found = zxingcpp.read_barcodes(Image.open(shot).convert("L"))
    assert [r.text for r in found] == [flow.ical_text]
    assert "BEGIN:VEVENT" in flow.ical_text and first.who in flow.ical_text
    # back twice: the appointment, then the list, and the flow follows
    pilot.tap("bar.back")
    assert app.nav.current.name == "agenda.appointment" and flow.ical_text is None
    pilot.tap("bar.back")
    assert app.nav.current.name == "agenda" and flow.appointment is None


def test_reminder_says_what_it_is_for(pilot):
    app = pilot.app
    flow = open_agenda(pilot)
    reminder = flow.reminders[0]
    while f"agenda.reminder.{reminder.id}" not in [b.name for b in pilot.buttons()]:
        pilot.tap("pager.next")
    pilot.tap(f"agenda.reminder.{reminder.id}")
    assert app.nav.current.name == "agenda.reminder"
    texts = all_pages(pilot)
    assert reminder.title in texts
    assert f"À quoi ça sert : {reminder.purpose}" in texts
    assert any(t.startswith("À faire avant le ") or t.startswith("En retard.") for t in texts)


def test_empty_agenda_says_so(pilot):
    flow = open_agenda(pilot, EMPTY)
    texts = all_pages(pilot)
    assert not flow.appointments
    assert "Vous n'avez pas de rendez-vous prévu." in texts
    assert ("Vous n'avez pas de rappel." in texts) == (not flow.reminders)


def test_qr_reachable_and_readable_at_the_largest_text_size(pilot, shots_dir):
    app = pilot.app
    flow = open_agenda(pilot)
    app.set_prefs(text_size=4)
    pilot.pump()
    first = flow.appointments[0]
    while f"agenda.appointment.{first.id}" not in [b.name for b in pilot.buttons()]:
        pilot.tap("pager.next")
    pilot.tap(f"agenda.appointment.{first.id}")
    pilot.tap("Mettre sur mon téléphone")
    screen = app.nav.current
    for _ in range(6):
        if on_page(screen, screen.qr):
            break
        pilot.tap("pager.next")
    assert on_page(screen, screen.qr)
    assert screen.qr.side_mm() >= 60
    shot = pilot.screenshot(shots_dir / "phone4.png")
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(shot).convert("L"))] == [flow.ical_text]


def test_the_end_screen_says_what_was_done_then_forgets_it(pilot):
    app = pilot.app
    flow = open_agenda(pilot)
    pilot.tap(f"agenda.appointment.{flow.appointments[0].id}")
    pilot.tap("Mettre sur mon téléphone")
    pilot.tap("Terminer")
    pilot.tap("Oui, terminer")
    assert app.nav.current.name == "end"
    texts = pilot.texts()
    assert "Ce que vous avez fait :" in texts
    assert "Vous avez mis 1 rendez-vous sur votre téléphone." in texts
    pilot.tap("end.again")
    pilot.tap("Commencer")
    pilot.tap("Terminer")
    pilot.tap("Oui, terminer")
    assert "Ce que vous avez fait :" not in pilot.texts()  # nobody signed in: nothing to report


def on_page(screen, widget) -> bool:
    """The widget is on the page shown (itself an item, or inside one such as a block)."""
    return any(widget in list(item.walk(restrict=True)) for item in screen.content.pages[screen.content.page])
