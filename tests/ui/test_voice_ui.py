"""The voice on screen, with real espeak-ng and a real player (aplay on the ALSA null device)."""

from __future__ import annotations

import threading
import time

import pytest

from kiosk.core.i18n import Catalog
from kiosk.core.speech import EventKind, GuardedSpeaker, SpeechPolicy
from kiosk.services.speech import EspeakSpeaker, PlayerConfig, get_engine
from tests.ui.test_journey import start_signed_in

NULL_OUTPUT = PlayerConfig(program="aplay", device="null")
LONG_FRENCH = " ".join(["Bonjour. Vous êtes sur la borne de votre pharmacie.",
                        "Vous pouvez lire vos documents, vos messages et vos rendez-vous."] * 10)


class RecordingSpeaker(GuardedSpeaker):
    """The real guarded espeak-ng speaker, keeping what it was asked to say (after the privacy checks)."""

    def __init__(self, speaker, policy) -> None:
        super().__init__(speaker, policy)
        self.said: list[tuple[str, str]] = []

    def say(self, text, lang, *, private=False):
        super().say(text, lang, private=private)
        self.said.append((text, lang))


class Events:
    def __init__(self) -> None:
        self.items = []
        self.cond = threading.Condition()

    def __call__(self, event) -> None:
        with self.cond:
            self.items.append(event)
            self.cond.notify_all()

    def wait(self, kind, timeout=60.0):
        """Until an event of this kind; the timeout only catches a voice that never answers."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for e in self.items:
                    if e.kind is kind:
                        return e
                left = deadline - time.monotonic()
                assert left > 0, f"no {kind.value}: {[e.kind.value for e in self.items]}"
                self.cond.wait(left)


@pytest.fixture(scope="module")
def espeak():
    engine = get_engine()
    assert engine.wait_ready() is None, "espeak-ng must be installed"
    speaker = EspeakSpeaker(player=NULL_OUTPUT, engine=engine)
    yield speaker
    speaker.close()


@pytest.fixture()
def voice(pilot, espeak):
    speaker = RecordingSpeaker(espeak, SpeechPolicy())
    pilot.app.services.speaker = speaker
    yield speaker
    speaker.reset()
    pilot.app.voice.set_explore(False)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_touch_anywhere_stops_a_long_utterance(pilot, voice):
    from kiosk.ui.testing import FingerTouch

    pilot.tap("Commencer")
    events = Events()
    remove = voice.add_listener(events)
    try:
        voice.say(LONG_FRENCH, "fr")
        started = events.wait(EventKind.STARTED)
        assert started.pid is not None and _alive(started.pid) and voice.is_speaking
        title = pilot.app.shell.top_bar.title
        x, y = title.to_window(*title.center)
        touch = FingerTouch(x, y)
        touch.down()
        # Stopped by the touch itself, before the next frame: the player is killed and reaped
        # inside the touch dispatch (the 200 ms figure is `kiosk bench`'s, tests never time).
        assert not _alive(started.pid)
        assert not voice.is_speaking
        pilot.pump(1)
        touch.up()
        pilot.pump()
        events.wait(EventKind.STOPPED)
    finally:
        remove()


@pytest.mark.parametrize("lang,title,buttons", [
    ("fr", "Accueil", ("J'ai fini", "Écouter", "Taille du texte", "Aide")),
    ("en", "Home", ("Listen", "Text size", "Help")),
])
def test_listen_speaks_the_screen_in_the_display_language(pilot, voice, lang, title, buttons):
    start_signed_in(pilot)
    pilot.app.set_prefs(lang=lang)
    pilot.pump()
    pilot.tap("bar.listen")
    assert len(voice.said) == 1
    text, spoken_lang = voice.said[0]
    assert spoken_lang == lang
    assert text.startswith(title + ".")
    for words in buttons:
        assert words in text


def test_explore_by_touch_first_tap_speaks_second_acts_elsewhere_resets(pilot, voice):
    app = pilot.app
    pilot.tap("Commencer")
    app.voice.set_explore(True)
    pilot.tap("bar.help")
    assert voice.said[-1] == ("Aide", "fr")
    assert not app.overlays                      # first tap: only spoken
    pilot.tap("bar.display")
    assert voice.said[-1] == ("Taille du texte", "fr")
    assert not app.overlays
    title = app.shell.top_bar.title               # a tap elsewhere: start again
    pilot.tap_at(*title.to_window(*title.center))
    pilot.tap("bar.display")
    assert not app.overlays and voice.said[-1] == ("Taille du texte", "fr")
    pilot.tap("bar.display")                     # second tap on the same control: it acts
    assert [o.name for o in app.overlays] == ["display"]


def test_voice_panel_from_the_bottom_bar(pilot, voice):
    app = pilot.app
    pilot.tap("Commencer")
    pilot.tap("Taille du texte")
    pilot.tap("display.voice")
    assert app.overlays[-1].name == "voice"
    for words in ("Répéter", "Arrêter", "Plus lent", "Plus rapide", "Moins fort", "Plus fort",
                  "Explorer au toucher : non"):
        pilot.button(words)
    rate, volume = voice.rate, voice.volume_step
    pilot.tap("Plus lent")
    assert voice.rate < rate
    pilot.tap("Plus fort")
    assert voice.volume_step == volume + 1
    assert voice.said[-1] == ("La voix parle plus fort.", "fr")
    pilot.tap("Répéter")
    assert voice.said[-1] == voice.said[-2]
    pilot.tap("Arrêter")
    assert not voice.is_speaking
    pilot.tap("Explorer au toucher : non")
    assert app.voice.explore
    pilot.tap("voice.done")                      # explore is on: first tap speaks
    assert app.overlays and voice.said[-1] == ("Terminé", "fr")
    pilot.tap("voice.done")
    assert not app.overlays
    app.session.end()                            # a new session: defaults again, explore off
    app.session.reset_for_next_person()
    voice.reset()
    assert not app.voice.explore and voice.rate == rate and voice.volume_step == volume


def test_every_screen_description_is_in_the_display_language_and_names_its_buttons(pilot, screen_states):
    from kiosk.ui.screen import SCREENS, SHOTS

    for lang in ("fr", "en"):
        catalog = Catalog.load(lang)
        other = Catalog.load("en" if lang == "fr" else "fr")
        for name in SCREENS:
            if name not in SHOTS:
                continue
            state = screen_states.get(name, lang=lang)   # shared with the accessibility pass
            description = state.description
            text = description.spoken_text(catalog)
            assert description.title and text, name
            assert description.title == state.title, name
            shown = state.button_texts
            if description.private:  # named without their private details, or as a group (the keyboard)
                assert description.buttons, (name, lang)
            else:
                assert shown <= set(description.buttons), (name, lang, shown - set(description.buttons))
            bar_key = catalog.tr("ui.bar.help")
            assert bar_key in text and other.tr("ui.bar.help") not in text, (name, lang)


def test_the_inactivity_warning_is_spoken(pilot, voice):
    app = pilot.app
    pilot.tap("Commencer")
    voice.said.clear()
    pilot.advance(app.session.timeout_s - app.session.warning_s + 1)
    assert app.warning is not None
    assert len(voice.said) == 1
    text = voice.said[0][0]
    assert text.startswith(app.warning.title.text)
    assert "Je suis encore là" in text
    seconds = app.session.warning_s
    assert f"Il reste {seconds} secondes." in text
    assert "Sans réponse, la borne revient à l'accueil." in text


def test_no_spoken_text_contains_a_registered_secret(pilot, voice):
    from kiosk.core.speech import SecretInText

    app = pilot.app
    pilot.tap("Commencer")
    voice.policy.register_secret("246810")
    with pytest.raises(SecretInText):
        voice.say("Votre code est 24 68 10.", "fr")
    pilot.tap("bar.listen")
    pilot.tap("Taille du texte")
    pilot.tap("display.voice")
    pilot.tap("Répéter")
    assert voice.said
    assert all("246810" not in t.replace(" ", "") for t, _ in voice.said)


def test_without_a_voice_engine_the_panel_says_so(pilot):
    from kiosk.core.speech import Unavailable
    from kiosk.services.speech import NullSpeaker

    app = pilot.app
    app.services.speaker = GuardedSpeaker(NullSpeaker(Unavailable.NO_ENGINE), SpeechPolicy())
    pilot.tap("Commencer")
    pilot.tap("Taille du texte")
    pilot.tap("display.voice")
    pilot.tap("Répéter")
    assert "La voix n'est pas disponible sur cette borne." in pilot.texts(everywhere=True)


def test_listen_reads_stop_while_speaking_and_stop_does_not_start_it_again(pilot, voice):
    pilot.tap("Commencer")
    events = Events()
    remove = voice.add_listener(events)
    try:
        pilot.tap("bar.listen")
        events.wait(EventKind.STARTED)
        pilot.pump()
        listen = pilot.button("bar.listen")
        assert listen.text == "Arrêter" and listen.icon.name == "stop"
        said = len(voice.said)
        pilot.tap("bar.listen")
        events.wait(EventKind.STOPPED)
        assert not voice.is_speaking
        assert len(voice.said) == said  # Arrêter stopped, it did not speak again
        assert pilot.button("bar.listen").text == "Écouter"
    finally:
        remove()


def test_repeat_says_the_last_message_again_or_the_screen_first(pilot, voice):
    start_signed_in(pilot)
    pilot.tap("bar.repeat")  # nothing said yet: the screen is read
    assert len(voice.said) == 1 and voice.said[0][0].startswith("Accueil.")
    pilot.app.voice.say("Votre rendez-vous est mardi.")
    pilot.tap("bar.repeat")
    assert voice.said[-1] == ("Votre rendez-vous est mardi.", "fr")
    assert len(voice.said) == 3


def test_private_content_is_read_only_after_a_yes_asked_once(pilot, voice):
    from kiosk.core.flows.base import PATIENT_SESSION
    from kiosk.services.backend.demo import demo_sign_in_code
    from kiosk.ui.testing import stop_demo_codes

    app = pilot.app
    pilot.tap("Commencer")
    backend = app.services.backend
    ins = "244039999900168"
    app.session.data[PATIENT_SESSION] = backend.finish_sign_in(backend.start_sign_in(ins).handle,
                                                               demo_sign_in_code(ins))
    stop_demo_codes(app)
    app.nav.show("access_code")
    pilot.pump()
    pilot.tap("1 heure")
    assert app.describe().private
    withheld = Catalog.load("fr").tr("speech.private.withheld")
    pilot.tap("bar.listen")
    assert "Lire à voix haute ?" in pilot.texts()
    assert voice.said[-1][0].startswith("Lire à voix haute ?")   # the question is read, whole
    assert "D'autres personnes peuvent entendre." in voice.said[-1][0]
    pilot.tap("Non, ne pas lire")
    assert withheld in voice.said[-1][0]
    pilot.tap("bar.listen")                                      # asked once per session
    assert "Lire à voix haute ?" not in pilot.texts() and withheld in voice.said[-1][0]
    stop_demo_codes(app)
    pilot.tap("Terminer")
    pilot.tap("Oui, terminer")
    pilot.tap("end.again")
    # the next person is asked again; yes reads the content (never the code itself)
    pilot.tap("Commencer")
    app.session.data[PATIENT_SESSION] = backend.finish_sign_in(backend.start_sign_in(ins).handle,
                                                               demo_sign_in_code(ins))
    app.nav.show("access_code")
    pilot.pump()
    pilot.tap("1 heure")
    pilot.tap("bar.listen")
    pilot.tap("Oui, lire à voix haute")
    text = voice.said[-1][0]
    assert withheld not in text and "Temps restant" in text
    assert not any(group in text for group in app.nav.current.flow.code_groups)
    stop_demo_codes(app)
