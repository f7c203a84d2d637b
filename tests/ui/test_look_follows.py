"""The Look is a Kivy EventDispatcher: one change, one notification, and every widget follows it."""

from __future__ import annotations

import gc
import weakref

import pytest

from kiosk.settings import Settings


def test_one_apply_notifies_once_whatever_it_changes():
    from kiosk.ui.look import Look

    lk = Look(Settings())
    events, revisions = [], []
    lk.bind(on_look=lambda *_: events.append(lk.revision), revision=lambda _l, value: revisions.append(value))
    assert lk.apply(lang="en", theme="contraste", text_size=3) is True
    assert (lk.lang, lk.theme_name, lk.text_size, lk.tr("ui.bar.help")) == ("en", "contraste", 3, "Help")
    assert len(events) == 1 and len(revisions) == 1
    assert lk.apply(lang="en", theme="contraste", text_size=3) is False  # nothing new: no notification
    assert lk.apply() is False
    assert len(events) == 1
    with pytest.raises(ValueError):
        lk.apply(lang="fr", theme="no such theme")
    assert len(events) == 1 and lk.lang == "en"  # a refused change changes nothing
    lk.apply(text_size=1)
    assert len(events) == 2 and revisions == [1, 2]


def test_the_look_keeps_no_widget_alive():
    from kiosk.ui.look import Look

    class Follower:
        calls = 0

        def look_changed(self, _look):
            Follower.calls += 1

    lk = Look(Settings())
    kept, dropped = Follower(), Follower()
    lk.follow(kept)
    lk.follow(dropped)
    gone = weakref.ref(dropped)
    del dropped
    gc.collect()
    assert gone() is None
    lk.apply(text_size=2)
    assert Follower.calls == 1  # only the one still alive, once


def sign_in_on_the_pad(pilot):
    from kiosk.services.backend.demo import demo_sign_in_code
    from kiosk.ui.bench_taps import INS

    pilot.tap("Commencer")
    for digit in INS:
        pilot.tap(f"pad.{digit}")
    pilot.tap("sign_in.next")
    for digit in demo_sign_in_code(INS):
        pilot.tap(f"pad.{digit}")
    pilot.tap("sign_in.ok")
    assert pilot.app.nav.current.name == "home"


def _stale(widgets):
    """The widgets a fresh refresh() would change: words, size or colour drawn from an older Look."""
    stale = []
    for w in widgets:
        before = (w.text, w.font_size, w.bold, tuple(w.color))
        w.refresh()
        if (w.text, w.font_size, w.bold, tuple(w.color)) != before:
            stale.append((w.text[:40], before[1], w.font_size))
    return stale


def test_a_new_text_size_redraws_every_widget_even_on_other_pages(pilot):
    from kiosk.ui.widgets import Icon, Text

    app = pilot.app
    sign_in_on_the_pad(pilot)
    pilot.tap("home.feature.documents")
    pilot.tap("documents.category.all")
    assert len(app.nav.current.content.pages) > 1  # a list with pages the person has not seen yet
    from kiosk.ui.look import STYLES

    size_1 = {style: app.look.font_px(style) for style in STYLES}
    redraws = []
    real_rerender = app.rerender
    app.rerender = lambda: (redraws.append(1), real_rerender())  # type: ignore[method-assign]
    try:
        pilot.tap("bar.display")
        pilot.tap("Plus grand")
        pilot.tap("Plus grand")
        pilot.tap("display.theme.contraste")
        assert len(redraws) == 3  # one redraw per change, not one per widget
        pilot.tap("C'est bon")
    finally:
        del app.rerender
    pilot.pump()
    assert app.look.text_size == 3
    shown = pilot.widgets(Text, everywhere=True)
    assert not _stale(shown)
    assert any(w.font_size > size_1[w.style] for w in shown)  # the words did grow
    for icon in pilot.widgets(Icon, everywhere=True):
        assert list(icon._colour.rgba) == pytest.approx(app.look.rgba(icon.role), abs=1e-3)
    # the items of the other pages were off the window: they follow as soon as they are shown
    content = app.nav.current.content
    for _ in range(len(content.pages) - 1):
        pilot.tap("pager.next")
        assert not _stale(pilot.widgets(Text))


def test_the_words_measured_for_a_person_are_forgotten_when_they_leave(pilot):
    from kiosk.ui.widgets import _Extents

    app = pilot.app
    sign_in_on_the_pad(pilot)
    pilot.tap("home.feature.documents")
    pilot.tap("documents.category.all")
    catalogue = " ".join(app.look.catalog.messages.values())
    titles = [b.text for b in pilot.buttons() if b.name.startswith("documents.open.")]
    words = {word for title in titles for word in title.split() if len(word) > 5 and word not in catalogue}
    kept = {word for cache in _Extents.by_font.values() for word in cache}
    assert words & kept  # the person's words, measured while they were there
    app.session.end()
    app.session.reset_for_next_person()
    pilot.pump()
    kept = {word for cache in _Extents.by_font.values() for word in cache}
    assert not words & kept
