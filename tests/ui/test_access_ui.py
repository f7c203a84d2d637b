""""Qui voit mes données" tapped through under Xvfb on the demo patients."""

from __future__ import annotations

from kiosk.core.flows.base import PATIENT_SESSION
from kiosk.core.i18n import Catalog, format_date
from kiosk.core.labels import profession_of
from kiosk.services.backend.demo import demo_sign_in_code

RICH = "244039999900168"
FR = Catalog.load("fr")


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
    # the last one, on a later page: the list must come back there
    right = [r for r in flow.rights if not r.blocked and r.professional.gender == "male"][-1]
    pro = right.professional
    find_button(pilot, f"access.block.{pro.id}")
    assert f"{pro.name}, {profession_of(FR, pro)}" in pilot.texts()  # one line a professional
    pilot.tap(f"access.block.{pro.id}")
    # the question names the professional; the words follow his gender
    assert f"Voulez-vous bloquer {pro.name}, {profession_of(FR, pro)} ?" in pilot.texts()
    assert "Il ne pourra plus voir votre dossier." in pilot.texts()
    pilot.tap("confirm.no")
    assert not app.overlays and not app.nav.current.flow._find(pro.id).blocked
    pilot.tap(find_button(pilot, f"access.block.{pro.id}"))
    page = app.nav.current.content.page
    assert page > 0
    pilot.tap("confirm.yes")
    screen = app.nav.current
    assert screen.name == "access" and screen.flow._find(pro.id).blocked
    # the same page, the notice next to his line, "Bloqué" in words and with an icon
    assert screen.content.page == page
    texts = pilot.texts()
    notice = texts.index(f"{pro.name} est bloqué.")
    assert texts[notice + 1] == f"{pro.name}, {profession_of(FR, pro)}"
    assert texts[notice + 2] == "Bloqué : ne peut pas voir votre dossier."
    assert f"access.unblock.{pro.id}" in [b.name for b in pilot.buttons()]
    line = next(w for w in screen.content.pages[screen.content.page] if f"{pro.name} est bloqué." in all_words(w))
    assert "close" in [w.name for w in line.walk() if type(w).__name__ == "Icon"], "never colour alone"
    # unblock again (the demo space is shared by the whole run)
    pilot.tap(f"access.unblock.{pro.id}")
    assert f"Voulez-vous débloquer {pro.name}, {profession_of(FR, pro)} ?" in pilot.texts()
    assert "Il pourra à nouveau voir votre dossier." in pilot.texts()
    pilot.tap("confirm.yes")
    assert f"{pro.name} est débloqué." in pilot.texts()
    assert app.nav.current.content.page == page
    assert not app.nav.current.flow._find(pro.id).blocked


def test_block_words_for_a_woman(pilot):
    app = pilot.app
    flow = open_access(pilot)
    pro = next(r for r in flow.rights if not r.blocked and r.professional.gender == "female").professional
    pilot.tap(find_button(pilot, f"access.block.{pro.id}"))
    assert "Elle ne pourra plus voir votre dossier." in pilot.texts()
    assert "Vous pouvez la débloquer quand vous voulez." in pilot.texts()
    pilot.tap("confirm.yes")
    texts = pilot.texts()
    assert f"{pro.name} est bloquée." in texts and "Bloquée : ne peut pas voir votre dossier." in texts
    pilot.tap(f"access.unblock.{pro.id}")
    pilot.tap("confirm.yes")
    assert not app.nav.current.flow._find(pro.id).blocked


def all_words(widget):
    return [w.text for w in widget.walk() if type(w).__name__ == "Text"]


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
    wanted = f"{format_date(first.when, 'fr')} : {first.who}, {profession_of(FR, first)}, "
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
