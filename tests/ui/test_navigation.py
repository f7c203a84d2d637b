"""Flows lead, screens follow, under Xvfb with real touches: each journey walked forward by taps
and back by Retour. After every tap the screen shown is the one registered for the flow's step
(kiosk.ui.screen.screen_for), "Étape n sur total" is the flow's, Retour is there exactly when the
flow can step back or the way back holds a screen, and Retour at the first step leaves the journey
the way it came (Home).
"""

from __future__ import annotations

from kiosk.core.flows.access import AccessStep
from kiosk.core.flows.access_code import AccessCodeStep
from kiosk.core.flows.agenda import AgendaStep
from kiosk.core.flows.base import PATIENT_SESSION
from kiosk.core.flows.closure import ClosureStep
from kiosk.core.flows.documents import DocumentsStep
from kiosk.core.flows.messages import MessagesStep
from kiosk.core.flows.sign_in import SignInStep
from kiosk.services.backend.demo import demo_sign_in_code

RICH = "244039999900168"  # the demo patient with documents, messages, appointments
CLOSABLE = "172049999900717"
RESULTS = "paulette-fil-resultats"


def signed_in_home(pilot, backend, ins=RICH):
    app = pilot.app
    pilot.tap("Commencer")
    app.session.data[PATIENT_SESSION] = backend.finish_sign_in(backend.start_sign_in(ins).handle,
                                                                demo_sign_in_code(ins))
    app.nav.home()
    pilot.pump()


def find(pilot, name):
    """Tap Suivant until the button `name` is on the page (a list longer than a page)."""
    for _ in range(12):
        if name in [b.name for b in pilot.buttons()]:
            return name
        if "pager.next" not in [b.name for b in pilot.buttons()]:
            break
        pilot.tap("pager.next")
    raise AssertionError(f"{name} is not on any page")


def follows(pilot, flow, step):
    """The flow is at `step`, and the screen shown is the one registered for it."""
    from kiosk.ui.screen import screen_for

    app = pilot.app
    assert flow.step is step, (flow.step, step)
    shown = app.nav.current
    assert type(shown) is screen_for(flow), (shown.name, step)
    assert getattr(shown, "flow", flow) is flow  # a result screen may show no more of the flow
    if shown.step is not None:
        assert shown.step == (flow.step_number, flow.step_count)
    back = pilot.app.shell.bottom_bar.buttons["back"]
    can_back = shown.can_go_back and (bool(app.nav.history) or not flow.at_first_step)
    assert back.hidden is not can_back


def retour(pilot):
    pilot.tap("bar.back")


def open_tile(pilot, name):
    pilot.tap(find(pilot, f"home.feature.{name}"))
    return pilot.app.nav.current.flow


def back_home(pilot, flow):
    """Retour at the first step: the journey is left the way it came, to Home."""
    retour(pilot)
    assert pilot.app.nav.current.name == "home"


def test_agenda_forward_and_back(pilot, backend):
    signed_in_home(pilot, backend)
    flow = open_tile(pilot, "agenda")
    follows(pilot, flow, AgendaStep.OVERVIEW)
    pilot.tap(find(pilot, f"agenda.appointment.{flow.appointments[0].id}"))
    follows(pilot, flow, AgendaStep.APPOINTMENT)
    pilot.tap("agenda.phone")
    follows(pilot, flow, AgendaStep.PHONE)
    retour(pilot)
    follows(pilot, flow, AgendaStep.APPOINTMENT)
    retour(pilot)
    follows(pilot, flow, AgendaStep.OVERVIEW)
    pilot.tap(find(pilot, f"agenda.reminder.{flow.reminders[0].id}"))
    follows(pilot, flow, AgendaStep.REMINDER)
    retour(pilot)
    follows(pilot, flow, AgendaStep.OVERVIEW)
    back_home(pilot, flow)


def test_access_forward_and_back(pilot, backend):
    signed_in_home(pilot, backend)
    flow = open_tile(pilot, "access")
    follows(pilot, flow, AccessStep.OVERVIEW)
    pilot.tap(find(pilot, "access.emergency"))
    follows(pilot, flow, AccessStep.EMERGENCY)
    retour(pilot)
    follows(pilot, flow, AccessStep.OVERVIEW)
    pilot.tap(find(pilot, "access.history"))
    follows(pilot, flow, AccessStep.HISTORY)
    retour(pilot)
    follows(pilot, flow, AccessStep.OVERVIEW)
    allowed = next(r for r in flow.rights if not r.blocked)
    pilot.tap(find(pilot, f"access.block.{allowed.professional.id}"))
    pilot.tap("confirm.yes")  # the flow goes back to the list: the same screen, drawn again with the notice
    follows(pilot, flow, AccessStep.OVERVIEW)
    back_home(pilot, flow)


def test_access_code_forward_back_and_another(pilot, backend):
    signed_in_home(pilot, backend)
    flow = open_tile(pilot, "access_code")
    follows(pilot, flow, AccessCodeStep.DURATION)
    pilot.tap("access_code.duration.0")
    follows(pilot, flow, AccessCodeStep.CODE)
    retour(pilot)
    follows(pilot, flow, AccessCodeStep.DURATION)
    pilot.tap(find(pilot, f"access_code.active.{flow.active_codes[0].code}"))
    follows(pilot, flow, AccessCodeStep.CODE)
    pilot.tap("access_code.revoke")
    pilot.tap("confirm.yes")
    follows(pilot, flow, AccessCodeStep.REVOKED)
    pilot.tap("access_code.another")  # a new journey from its first step
    fresh = pilot.app.nav.current.flow
    assert fresh is not flow
    follows(pilot, fresh, AccessCodeStep.DURATION)
    back_home(pilot, fresh)


def test_closure_forward_and_back_step_by_step(pilot, backend):
    signed_in_home(pilot, backend, CLOSABLE)
    flow = open_tile(pilot, "closure")
    follows(pilot, flow, ClosureStep.CHOICE)
    pilot.tap("closure.choose.close")
    follows(pilot, flow, ClosureStep.EXPLAIN)
    pilot.tap("closure.next")
    follows(pilot, flow, ClosureStep.DOCUMENTS)
    pilot.tap("closure.next")
    follows(pilot, flow, ClosureStep.DELETION)
    pilot.tap(find(pilot, "closure.keep"))
    follows(pilot, flow, ClosureStep.CONFIRM_FIRST)
    for step in (ClosureStep.DELETION, ClosureStep.DOCUMENTS, ClosureStep.EXPLAIN, ClosureStep.CHOICE):
        retour(pilot)
        follows(pilot, flow, step)
    back_home(pilot, flow)
    assert backend.get_space_status(pilot.app.session.data[PATIENT_SESSION]).is_active  # nothing was sent


def test_closure_no_leaves_the_journey_for_home(pilot, backend):
    signed_in_home(pilot, backend, CLOSABLE)
    flow = open_tile(pilot, "closure")
    pilot.tap("closure.choose.close")
    pilot.tap("closure.next")
    pilot.tap("closure.next")
    pilot.tap(find(pilot, "closure.keep"))
    follows(pilot, flow, ClosureStep.CONFIRM_FIRST)
    pilot.tap(find(pilot, "closure.no"))  # the flow is left: it goes Home
    assert flow.finished and pilot.app.nav.current.name == "home"


def test_documents_forward_and_back(pilot, backend):
    signed_in_home(pilot, backend)
    flow = open_tile(pilot, "documents")
    follows(pilot, flow, DocumentsStep.CATEGORIES)
    pilot.tap(find(pilot, "documents.category.all"))
    follows(pilot, flow, DocumentsStep.LIST)
    pilot.tap(find(pilot, f"documents.open.{flow.documents[0].id}"))
    follows(pilot, flow, DocumentsStep.VIEWER)
    retour(pilot)
    follows(pilot, flow, DocumentsStep.LIST)
    retour(pilot)
    assert pilot.app.nav.current.name == "documents"
    assert pilot.app.nav.current.flow.step is DocumentsStep.CATEGORIES
    back_home(pilot, flow)


def test_messages_forward_and_back(pilot, backend):
    signed_in_home(pilot, backend)
    flow = open_tile(pilot, "messages")
    follows(pilot, flow, MessagesStep.THREADS)
    pilot.tap(find(pilot, f"messages.thread.{RESULTS}"))
    follows(pilot, flow, MessagesStep.THREAD)
    pilot.tap(find(pilot, "messages.reply"))
    follows(pilot, flow, MessagesStep.REPLY_CHOICE)
    pilot.tap("messages.write")
    follows(pilot, flow, MessagesStep.REPLY_TYPING)
    retour(pilot)
    follows(pilot, flow, MessagesStep.REPLY_CHOICE)
    pilot.tap("messages.ready.0")
    follows(pilot, flow, MessagesStep.REPLY_CONFIRM)
    retour(pilot)
    follows(pilot, flow, MessagesStep.REPLY_CHOICE)
    retour(pilot)
    follows(pilot, flow, MessagesStep.THREAD)
    retour(pilot)
    follows(pilot, flow, MessagesStep.THREADS)
    back_home(pilot, flow)


def test_sign_in_forward_and_back(pilot, backend):
    app = pilot.app
    pilot.tap("Commencer")
    flow = app.nav.current.flow
    follows(pilot, flow, SignInStep.IDENTIFIER)
    for digit in RICH:
        pilot.tap(f"pad.{digit}")
    pilot.tap("sign_in.next")
    follows(pilot, flow, SignInStep.CODE)
    retour(pilot)  # the flow's back: the identifier, kept
    follows(pilot, flow, SignInStep.IDENTIFIER)
    pilot.tap("sign_in.next")
    follows(pilot, flow, SignInStep.CODE)
    for digit in demo_sign_in_code(RICH):
        pilot.tap(f"pad.{digit}")
    pilot.tap("sign_in.ok")
    assert flow.step is SignInStep.SIGNED_IN
    assert app.nav.current.name == "home"  # where the signed-in flow goes
