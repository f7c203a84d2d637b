"""Coded data on screen in the person's language: an English screen shows no French data label."""

from __future__ import annotations

from kiosk.core.flows.base import PATIENT_SESSION
from kiosk.services.backend.demo import demo_sign_in_code

RICH = "244039999900168"


def signed_in_in_english(pilot, feature: str):
    app = pilot.app
    pilot.tap("English")
    pilot.tap("Start")
    backend = app.services.backend
    app.session.data[PATIENT_SESSION] = backend.finish_sign_in(backend.start_sign_in(RICH).handle,
                                                               demo_sign_in_code(RICH))
    app.nav.home()
    pilot.pump()
    pilot.tap(f"home.feature.{feature}")
    return app.nav.current


def every_page(pilot) -> list[str]:
    seen = list(pilot.texts())
    for _ in range(20):
        if "pager.next" not in [b.name for b in pilot.buttons()]:
            break
        pilot.tap("pager.next")
        seen += pilot.texts()
    return seen


def test_document_types_in_english(pilot):
    signed_in_in_english(pilot, "documents")
    pilot.tap("documents.category.ordonnance")
    words = " ".join(every_page(pilot))
    assert "Prescription for medicines" in words and "Prescription for care" in words
    assert "Ordonnance de médicaments" not in words and "Ordonnance de kinésithérapie" not in words


def test_appointment_kind_and_profession_in_english(pilot):
    screen = signed_in_in_english(pilot, "agenda")
    first = screen.flow.appointments[0]
    assert "Médecin généraliste" not in " ".join(pilot.texts())
    pilot.tap(f"agenda.appointment.{first.id}")
    words = every_page(pilot)
    assert f"What for: Follow-up visit. {first.reason}" in words
    assert f"With: {first.who}, Family doctor." in words


def test_professions_in_english_on_who_sees_my_data(pilot):
    signed_in_in_english(pilot, "access")
    words = " ".join(every_page(pilot))
    assert "Pharmacist" in words and "Family doctor" in words
    assert "Pharmacienne" not in words and "Médecin généraliste" not in words
