"""The real kiosk under Xvfb, driven by touches: Welcome → Home → End, time, language, look."""

from __future__ import annotations

from kiosk.core.session import State
from kiosk.ui import theme as th


def start_signed_in(pilot):
    """Commencer opens the sign-in; a demo patient signs in, and Home shows the tiles."""
    from kiosk.core.flows.base import PATIENT_SESSION
    from kiosk.services.backend.demo import demo_sign_in_code

    pilot.tap("Commencer")
    assert pilot.app.nav.current.name == "sign_in"
    backend, ins = pilot.app.services.backend, "244039999900168"
    pilot.app.session.data[PATIENT_SESSION] = backend.finish_sign_in(backend.start_sign_in(ins).handle,
                                                                     demo_sign_in_code(ins))
    pilot.app.nav.home()
    pilot.pump()


def test_tap_through_welcome_home_end(pilot, shots_dir):
    app = pilot.app
    assert app.nav.current.name == "welcome"
    assert "Choisissez votre langue\u00a0:" in pilot.texts()
    start_signed_in(pilot)
    assert app.nav.current.name == "home"
    assert app.session.state is State.ACTIVE
    assert "J'ai fini" in pilot.texts()
    pilot.tap("J'ai fini")
    assert app.overlays and "Vous avez fini ?" in pilot.texts()
    pilot.tap("Oui, terminer")
    assert app.nav.current.name == "end"
    assert app.session.state is State.ENDED
    assert "Vos informations ont été effacées de cette borne." in pilot.texts()
    pilot.screenshot(shots_dir / "end.png")
    assert (shots_dir / "end.png").stat().st_size > 10_000
    pilot.tap("Revenir au début")
    assert app.nav.current.name == "welcome"
    assert app.session.state is State.IDLE


def test_confirmation_no_keeps_the_session(pilot):
    start_signed_in(pilot)
    pilot.tap("bar.finish")
    pilot.tap("Non, continuer")
    assert pilot.app.nav.current.name == "home"
    assert pilot.app.session.state is State.ACTIVE
    assert not pilot.app.overlays


def test_end_screen_returns_to_welcome_by_itself(pilot):
    pilot.tap("Commencer")
    pilot.app.session.end()
    pilot.pump()
    assert any("20 secondes" in t for t in pilot.texts())
    pilot.advance(10)
    assert any("10 secondes" in t for t in pilot.texts())
    pilot.advance(10)
    assert pilot.app.nav.current.name == "welcome"


def test_end_screen_a_tap_anywhere_returns(pilot):
    pilot.tap("Commencer")
    pilot.app.session.end()
    pilot.pump()
    screen = pilot.app.nav.current
    x, y = screen.to_window(screen.x + 40, screen.y + screen.height / 2)
    pilot.tap_at(x, y)
    assert pilot.app.nav.current.name == "welcome"


def test_end_screen_says_first_that_all_is_erased_and_a_touch_gives_the_time_back(pilot):
    app = pilot.app
    start_signed_in(pilot)
    app.session.end()
    pilot.pump()
    first = app.nav.current.content.pages[0][0]
    assert first.text == "Vos informations ont été effacées de cette borne."
    pilot.advance(15)
    assert any("5 secondes" in t for t in pilot.texts())
    title = app.shell.top_bar.title
    pilot.tap_at(*title.to_window(*title.center))  # a touch that is not on the screen's content
    assert app.nav.current.name == "end"
    assert any("20 secondes" in t for t in pilot.texts())
    pilot.advance(15)
    assert app.nav.current.name == "end"
    pilot.advance(5)
    assert app.nav.current.name == "welcome"


def test_paging_a_long_end_screen_never_loses_it(pilot):
    app = pilot.app
    provider = lambda _session: [f"Vous avez lu le document numéro {i}." for i in range(1, 13)]  # noqa: E731
    app.end_summary_providers.append(provider)
    try:
        start_signed_in(pilot)
        app.set_prefs(text_size=4)
        app.session.end()
        pilot.pump()
        pages = app.nav.current.content.pages
        assert len(pages) >= 3
        assert pages[0][0].text == "Vos informations ont été effacées de cette borne."
        for _ in range(len(pages) - 1):
            pilot.advance(15)
            pilot.tap("pager.next")
            assert app.nav.current.name == "end"
        pilot.advance(15)
        assert app.nav.current.name == "end"
        # with several pages, a tap beside Suivant is not "anywhere": the screen stays
        screen = app.nav.current
        pilot.tap_at(*screen.to_window(screen.x + 5, screen.center_y))
        assert app.nav.current.name == "end"
        pilot.advance(20)
        assert app.nav.current.name == "welcome"
    finally:
        app.end_summary_providers.remove(provider)


def test_inactivity_warning_then_still_here(pilot):
    app = pilot.app
    start_signed_in(pilot)
    session = app.session
    pilot.advance(session.timeout_s - session.warning_s - 1)
    assert app.warning is None
    pilot.advance(1)
    assert app.warning is not None
    assert session.warning_s >= 20
    assert f"Il reste {session.warning_s} secondes." in pilot.texts()
    pilot.advance(7)
    assert f"Il reste {session.warning_s - 7} secondes." in pilot.texts()
    pilot.tap("Je suis encore là")
    assert app.warning is None
    assert session.state is State.ACTIVE
    assert app.nav.current.name == "home"


def test_inactivity_timeout_ends_wipes_and_resets_prefs(pilot):
    app = pilot.app
    pilot.tap("Commencer")
    app.set_prefs(lang="en", theme="contraste", text_size=3)
    app.session.data["document"] = object()
    pilot.advance(app.session.timeout_s - app.session.warning_s)
    assert app.warning is not None
    pilot.advance(app.session.warning_s)
    assert app.session.state is State.ENDED
    assert app.nav.current.name == "end"
    assert app.session.data == {}
    prefs = app.session.prefs
    assert (prefs.language, prefs.theme, prefs.text_size) == ("fr", "standard", 1)
    # the person still reads the end screen in their own language and size
    assert "Your information has been erased from this kiosk." in pilot.texts()
    pilot.tap("Back to the start")
    assert (app.look.lang, app.look.theme_name, app.look.text_size) == ("fr", "standard", 1)
    assert "Commencer" in pilot.texts()


def test_touches_count_as_activity(pilot):
    app = pilot.app
    pilot.tap("Commencer")
    pilot.advance(app.session.timeout_s - app.session.warning_s - 5)
    pilot.tap_at(5, app.shell.height / 2)   # anywhere: an empty place
    pilot.advance(10)
    assert app.warning is None


def test_language_switch_changes_every_visible_label(pilot):
    before = set(pilot.texts())
    pilot.tap("English")
    after = set(pilot.texts())
    assert "Choose your language:" in after and "Start" in after
    assert {"Listen", "Text size", "Help"} <= after
    # every word changed but the language names, which are written in their own language
    assert before & after == {"Français", "English"}
    assert pilot.app.shell.top_bar.title.text == "Welcome"
    pilot.tap("Français")
    assert "Commencer" in pilot.texts()


def test_text_size_and_theme_from_the_display_panel(pilot):
    app = pilot.app
    start_signed_in(pilot)
    body = pilot.button("home.feature.documents").label  # a tile's words
    size_1 = body.font_size
    pilot.tap("bar.display")
    assert "Affichage" in pilot.texts()
    assert "Taille du texte\u00a0: 1\u00a0sur\u00a04" in pilot.texts()
    for _ in range(3):
        pilot.tap("Plus grand")
    assert "Taille du texte\u00a0: 4\u00a0sur\u00a04" in pilot.texts()
    assert "Plus grand" not in [b.text for b in pilot.buttons()]
    pilot.tap("display.theme.contraste")
    assert "Contrasté, choisi" in pilot.texts()
    assert "Clair" in pilot.texts()
    pilot.tap("C'est bon")
    assert app.session.prefs.text_size == 4 and app.session.prefs.theme == "contraste"
    body = pilot.button("home.feature.documents").label
    assert body.font_size >= 2 * size_1
    assert tuple(body.color[:3]) == th.THEMES["contraste"].text
    assert tuple(app.shell._bg_colour.rgba[:3]) == th.THEMES["contraste"].bg


def test_slide_off_cancels_a_button(pilot):
    app = pilot.app
    button = pilot.slide_off("Commencer")
    assert app.nav.current.name == "welcome"
    assert app.session.state is State.IDLE
    assert not button.pressed
    pilot.tap("Commencer")
    assert app.nav.current.name == "sign_in"


def test_button_acts_on_release_not_on_press(pilot):
    from kiosk.ui.testing import FingerTouch

    button = pilot.button("Commencer")
    x, y = button.to_window(*button.center)
    touch = FingerTouch(x, y)
    touch.down()
    pilot.pump(2)
    assert button.pressed and pilot.app.nav.current.name == "welcome"
    touch.up()
    pilot.pump()
    assert pilot.app.nav.current.name == "sign_in"


def test_help_opens_and_closes(pilot):
    pilot.tap("Aide")
    assert "Besoin d'aide ?" in pilot.texts()
    assert "Levez la main ou allez au comptoir." in pilot.texts()
    # modal: the screen under it does not react
    assert "Commencer" not in [b.text for b in pilot.buttons()]
    pilot.tap("J'ai compris")
    assert not pilot.app.overlays
    assert "Commencer" in pilot.texts()


def test_back_and_home_buttons_follow_the_history(pilot):
    from kiosk.ui.screen import SCREENS, Screen, screen
    from kiosk.ui.widgets import Text

    if "test.detail" not in SCREENS:
        @screen("test.detail")
        class Detail(Screen):
            title_key = "ui.help.title"

            def build(self):
                self.add(Text(key="ui.help.line1"))

    start_signed_in(pilot)
    bar = pilot.app.shell.bottom_bar.buttons
    assert bar["back"].hidden and bar["home"].hidden
    pilot.app.nav.show("test.detail", step=(2, 4))
    pilot.pump()
    assert pilot.app.shell.top_bar.step.text == "Étape 2 sur 4"
    assert not bar["back"].hidden and not bar["home"].hidden
    pilot.tap("Retour")
    assert pilot.app.nav.current.name == "home"
    pilot.app.nav.show("test.detail")
    pilot.pump()
    pilot.tap("Accueil")
    assert pilot.app.nav.current.name == "home"


def test_listen_without_voice_says_so(pilot):
    pilot.tap("Écouter")
    assert "La voix n'est pas disponible sur cette borne." in pilot.texts()
    pilot.tap("banner.close")
    assert pilot.app.shell.banner is None


def test_listen_gives_the_screen_description_to_the_voice(pilot):
    said = []

    class Voice:
        available = True

        def say_screen(self, description, catalog):
            said.append(description.spoken_text(catalog))

    pilot.app.services.speaker = Voice()
    start_signed_in(pilot)
    pilot.tap("Écouter")
    assert len(said) == 1
    text = said[0]
    assert text.startswith("Accueil.")
    for words in ("Touchez ce que vous voulez faire.", "J'ai fini", "Écouter", "Aide"):
        assert words in text


def test_home_shows_registered_features_as_tiles(pilot):
    from kiosk.ui import screen as registry

    registry.register_feature(registry.Feature("test.help", "help", "ui.help.title", "welcome", order=1))
    try:
        start_signed_in(pilot)
        names = [b.name for b in pilot.buttons()]
        assert "home.feature.test.help" in names and "home.finish" in names
        assert "Touchez ce que vous voulez faire." in pilot.texts()
    finally:
        registry.FEATURES.pop("test.help")


def test_paged_list_has_previous_and_next(pilot):
    from kiosk.ui import screen as registry

    for i in range(14):
        registry.register_feature(registry.Feature(f"test.f{i}", "info", "ui.help.title", "welcome", order=i))
    try:
        start_signed_in(pilot)
        pages = pilot.app.nav.current.content.pages
        assert len(pages) >= 2
        assert f"Page 1 sur {len(pages)}" in pilot.texts()
        assert "Précédent" not in [b.text for b in pilot.buttons()]
        first = {b.name for b in pilot.buttons()}
        pilot.tap("Suivant")
        assert f"Page 2 sur {len(pages)}" in pilot.texts()
        assert {b.name for b in pilot.buttons()} != first
        pilot.tap("Précédent")
        assert f"Page 1 sur {len(pages)}" in pilot.texts()
    finally:
        for i in range(14):
            registry.FEATURES.pop(f"test.f{i}")


def test_escape_and_close_do_nothing_in_kiosk_mode(pilot):
    app = pilot.app
    app.kiosk_mode = True
    try:
        assert app._on_request_close() is True
        assert app._on_keyboard(None, 27) is True
    finally:
        app.kiosk_mode = False
    assert app._on_request_close() is False
