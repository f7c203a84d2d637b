""""Qui voit mes données" tapped through under Xvfb on the demo patients."""

from __future__ import annotations

from kiosk.core.flows.base import PATIENT_SESSION
from kiosk.core.i18n import format_date
from kiosk.services.backend.demo import demo_sign_in_code

RICH = "244039999900168"


def open_access(pilot, ins=RICH):
    app = pilot.app
    pilot.tap("Commencer")
    assert "home.feature.access" not in [b.name for b in pilot.buttons()]
    backend = app.services.backend
    app.session.data[PATIENT_SESSION] = backend.finish_sign_in(backend.start_sign_in(ins).handle,
                                                               demo_sign_in_code(ins))
    app.nav.home()
    pilot.pump()
    pilot.tap("home.feature.access")
    assert app.nav.current.name == "access"
    return app.nav.current.flow


def find_button(pilot, name):
    for _ in range(10):
        if name in [b.name for b in pilot.buttons()]:
            return name
        pilot.tap("pager.next")
    raise AssertionError(name)


def test_block_then_unblock_a_professional(pilot):
    app = pilot.app
    flow = open_access(pilot)
    right = next(r for r in flow.rights if not r.blocked)
    pro = right.professional
    assert pro.name in pilot.texts() and pro.profession in pilot.texts()
    pilot.tap(find_button(pilot, f"access.block.{pro.id}"))
    assert "Voulez-vous bloquer ce professionnel ?" in pilot.texts()
    assert "Il ne pourra plus voir votre dossier." in pilot.texts()
    pilot.tap("confirm.no")
    assert not app.overlays and not app.nav.current.flow._find(pro.id).blocked
    pilot.tap(find_button(pilot, f"access.block.{pro.id}"))
    pilot.tap("confirm.yes")
    assert app.nav.current.name == "access"
    assert "Ce professionnel est bloqué." in pilot.texts()
    assert app.nav.current.flow._find(pro.id).blocked
    # unblock again (the demo space is shared by the whole run)
    pilot.tap(find_button(pilot, f"access.unblock.{pro.id}"))
    assert "Voulez-vous débloquer ce professionnel ?" in pilot.texts()
    pilot.tap("confirm.yes")
    assert "Ce professionnel est débloqué." in pilot.texts()
    assert not app.nav.current.flow._find(pro.id).blocked


def test_emergency_access_off_then_on(pilot):
    app = pilot.app
    flow = open_access(pilot)
    was_on = flow.emergency_enabled
    pilot.tap(find_button(pilot, "access.emergency"))
    assert app.nav.current.name == "access.emergency"
    assert "L'accès en urgence permet aux secours de voir votre dossier." in pilot.texts()
    for _ in range(2):
        on = app.nav.current.flow.emergency_enabled
        pilot.tap("access.emergency.change")
        question = "Voulez-vous désactiver l'accès en urgence ?" if on else "Voulez-vous activer l'accès en urgence ?"
        assert question in pilot.texts()
        pilot.tap("confirm.yes")
        assert app.nav.current.name == "access.emergency"
        assert app.nav.current.flow.emergency_enabled is (not on)
        done = "L'accès en urgence est maintenant désactivé." if on else "L'accès en urgence est maintenant activé."
        assert done in pilot.texts()
    assert app.nav.current.flow.emergency_enabled is was_on
    pilot.tap("bar.back")
    assert app.nav.current.name == "access"


def test_history_is_paged(pilot):
    app = pilot.app
    open_access(pilot)
    pilot.tap(find_button(pilot, "access.history"))
    screen = app.nav.current
    assert screen.name == "access.history"
    flow = screen.flow
    first = flow.events[0]
    wanted = f"{format_date(first.when, 'fr')} : {first.who}, {first.profession}, "
    texts = all_texts(pilot)
    assert any(t.startswith(wanted) for t in texts)
    assert len([t for t in texts if " : " in t and t.endswith(".")]) == len(flow.events) == 8


def test_history_fetched_in_pages(pilot):
    from kiosk.ui.screens import access

    app = pilot.app
    old = access.HISTORY_PAGE_SIZE
    access.HISTORY_PAGE_SIZE = 5
    try:
        open_access(pilot)
        pilot.tap(find_button(pilot, "access.history"))
        flow = app.nav.current.flow
        assert flow.history_page_count == 2 and len(flow.events) == 5
        first_page = set(e.id for e in flow.events)
        pilot.tap("Voir les visites plus anciennes")
        flow = app.nav.current.flow
        assert flow.history_page == 2 and not first_page & set(e.id for e in flow.events)
        pilot.tap("Voir les visites plus récentes")
        assert app.nav.current.flow.history_page == 1
    finally:
        access.HISTORY_PAGE_SIZE = old


def all_texts(pilot):
    seen = list(pilot.texts())
    for _ in range(10):
        if "pager.next" not in [b.name for b in pilot.buttons()]:
            break
        pilot.tap("pager.next")
        seen += pilot.texts()
    return seen
