"""Speech: the `Speaker` port and the pure rules around it.

What is here (no Kivy, no services):

- `Speaker`, the port every voice implementation follows (the espeak-ng one and
  the null one in kiosk.services.speech). A new message replaces the one being
  spoken: there is never a queue.
- `SpeechPolicy`, the privacy rules of EN 301 549 5.1.3.8-9: private content (a
  document, a message) is spoken only with a headset, or after the person said
  yes once in this session; a code or PIN typed by the person is never spoken.
- `GuardedSpeaker`, the object the UI talks to: a `Speaker` with the policy
  applied to every message, with Repeat, slower/faster and quieter/louder.
- `ScreenDescription`, the spoken description of one screen, built from the
  same text as shown.

Listeners receive `SpeechEvent`s from a speech thread: the UI must hand them to
its own thread before touching widgets.
"""

from __future__ import annotations

import enum
import re
import threading
from dataclasses import dataclass
from typing import Callable, Iterable, Protocol, Sequence, runtime_checkable

from kiosk.core.i18n import Catalog

# --- rate and volume -------------------------------------------------------------------------

DEFAULT_RATE_WPM = 150
MIN_RATE_WPM = 80
MAX_RATE_WPM = 300
#: The steps offered by the "slower" / "faster" buttons, in words per minute.
RATE_STEPS_WPM: tuple[int, ...] = (100, 125, 150, 175, 200)

#: Volume levels, as a fraction of the engine's full volume; set_volume() takes an index.
VOLUME_LEVELS: tuple[float, ...] = (0.2, 0.4, 0.6, 0.8, 1.0)
DEFAULT_VOLUME_STEP = 3


def check_rate(wpm: int) -> int:
    if isinstance(wpm, bool) or not isinstance(wpm, int) or not MIN_RATE_WPM <= wpm <= MAX_RATE_WPM:
        raise ValueError(f"rate must be an integer from {MIN_RATE_WPM} to {MAX_RATE_WPM} words per minute")
    return wpm


def check_volume_step(step: int) -> int:
    if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step < len(VOLUME_LEVELS):
        raise ValueError(f"volume step must be an integer from 0 to {len(VOLUME_LEVELS) - 1}")
    return step


def slower(wpm: int) -> int:
    """The next step below `wpm` (or `wpm` itself at the slowest step)."""
    below = [s for s in RATE_STEPS_WPM if s < wpm]
    return below[-1] if below else min(wpm, RATE_STEPS_WPM[0])


def faster(wpm: int) -> int:
    """The next step above `wpm` (or `wpm` itself at the fastest step)."""
    above = [s for s in RATE_STEPS_WPM if s > wpm]
    return above[0] if above else max(wpm, RATE_STEPS_WPM[-1])


# --- states and events -----------------------------------------------------------------------


class Unavailable(str, enum.Enum):
    """Why a speaker cannot speak at all (`Speaker.reason`)."""

    NO_ENGINE = "no-engine"          # espeak-ng (or pyttsx3) is not installed
    ENGINE_FAILED = "engine-failed"  # it is installed but did not start


class AudioOutput(str, enum.Enum):
    """What is known about the sound output. NONE is a state, not an error."""

    UNKNOWN = "unknown"  # nothing played yet
    OK = "ok"            # the last player ran normally
    NONE = "none"        # the last player could not open a sound output (no sound card...)


class EventKind(str, enum.Enum):
    STARTED = "started"                  # the first audio sample was handed to the player
    FINISHED = "finished"                # played to the end
    STOPPED = "stopped"                  # stopped by stop(), reset() or a new message
    NO_AUDIO_OUTPUT = "no-audio-output"  # synthesised, but no sound output: silent playback
    NO_VOICE = "no-voice"                # no voice for the language asked for: nothing spoken
    UNAVAILABLE = "unavailable"          # the speaker cannot speak at all (see `reason`)
    ERROR = "error"                      # the engine failed on this message (logged)


@dataclass(frozen=True)
class SpeechEvent:
    """One event about one message. Carries no text, so no personal data."""

    kind: EventKind
    message_id: int
    lang: str
    at: float                 # time.monotonic() when it happened
    pid: int | None = None    # the player process, when there is one


Listener = Callable[[SpeechEvent], None]


@dataclass(frozen=True)
class Voice:
    """The voice used for a display language."""

    lang: str        # display language, "fr"
    voice_id: str    # engine identifier, "roa/fr"
    name: str        # engine name, "French (France)"
    language: str    # exact language tag of the voice, "fr-fr"


#: For each display language, the exact voice languages accepted, best first.
#: French is French (France) only: never fr-be or fr-ch.
VOICE_LANGUAGES: dict[str, tuple[str, ...]] = {
    "fr": ("fr-fr",),
    "en": ("en-gb", "en-us"),
}


def voice_languages(lang: str) -> tuple[str, ...]:
    return VOICE_LANGUAGES.get(lang, (lang.lower(),))


# --- the port --------------------------------------------------------------------------------


@runtime_checkable
class Speaker(Protocol):
    """A voice. Every method returns at once; the audio plays in the background."""

    @property
    def available(self) -> bool:
        """False when this speaker can never speak (then `reason` says why)."""

    @property
    def reason(self) -> Unavailable | None: ...

    @property
    def audio_output(self) -> AudioOutput: ...

    @property
    def is_speaking(self) -> bool: ...

    @property
    def rate(self) -> int:
        """Words per minute."""

    @property
    def volume_step(self) -> int:
        """Index into VOLUME_LEVELS."""

    def say(self, text: str, lang: str) -> None:
        """Speak `text` in the voice of `lang`, replacing whatever is being spoken."""

    def stop(self) -> None:
        """Stop at once. When it returns, the player process is gone."""

    def repeat(self) -> None:
        """Say the last message again (nothing if there was none)."""

    @property
    def can_repeat(self) -> bool:
        """True when there is a last message to say again."""

    def set_rate(self, wpm: int) -> None: ...

    def set_volume(self, step: int) -> None: ...

    def reset(self) -> None:
        """New session: stop, forget the last message, default rate and volume."""

    def voice_for(self, lang: str) -> Voice | None:
        """The voice for a display language, or None if there is none on this machine."""

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` on every event; returns a function that removes it."""

    def close(self) -> None: ...


class Listeners:
    """A small thread-safe list of listeners, shared by the implementations."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[Listener] = []

    def add(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._items.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._items:
                    self._items.remove(listener)

        return remove

    def emit(self, event: SpeechEvent) -> None:
        with self._lock:
            items = list(self._items)
        for listener in items:
            listener(event)


# --- privacy ---------------------------------------------------------------------------------


class SpeechRefused(Exception):
    """Base of the refusals below. Messages never contain the text or the secret."""


class ConsentRequired(SpeechRefused):
    """Private content, no headset and no yes yet: ask with `speech.private.prompt.*`."""


class SecretInText(SpeechRefused):
    """The text contains a code or PIN typed by the person: it is never spoken."""


class PrivateSpeech(str, enum.Enum):
    ALLOWED = "allowed"  # headset, or the person said yes in this session
    ASK = "ask"          # show the prompt first


# Separators people or formatters put inside codes: "12 34", "12-34", "12.34", "AB12 CD34".
_SEPARATORS = re.compile(r"[\s\-\.\u00a0\u202f_/]+")
MIN_SECRET_LENGTH = 3


def _normalise(text: str) -> tuple[str, str]:
    folded = text.casefold()
    return folded, _SEPARATORS.sub("", folded)


class SpeechPolicy:
    """What may be spoken in this session. Reset it for every new session."""

    def __init__(self, headset: bool = False) -> None:
        self.headset = headset
        self._consent = False
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    # private content
    @property
    def private_speech(self) -> PrivateSpeech:
        return PrivateSpeech.ALLOWED if (self.headset or self._consent) else PrivateSpeech.ASK

    @property
    def private_allowed(self) -> bool:
        return self.private_speech is PrivateSpeech.ALLOWED

    def grant_consent(self) -> None:
        """The person answered yes to the prompt: valid until the end of the session."""
        self._consent = True

    # secrets
    def register_secret(self, secret: str) -> None:
        """A code or PIN the person typed (or was shown): no spoken text may contain it."""
        cleaned = _SEPARATORS.sub("", secret.casefold())
        if len(cleaned) < MIN_SECRET_LENGTH:
            raise ValueError("a secret is at least 3 characters long")
        with self._lock:
            self._secrets.add(cleaned)

    def forget_secret(self, secret: str) -> None:
        with self._lock:
            self._secrets.discard(_SEPARATORS.sub("", secret.casefold()))

    def contains_secret(self, text: str) -> bool:
        folded, squeezed = _normalise(text)
        with self._lock:
            secrets = tuple(self._secrets)
        return any(s in folded or s in squeezed for s in secrets)

    def check(self, text: str, *, private: bool = False) -> None:
        """Raise a `SpeechRefused` if `text` must not be spoken now."""
        if self.contains_secret(text):
            raise SecretInText("the text contains a code typed by the person")
        if private and not self.private_allowed:
            raise ConsentRequired("private content needs a headset or the person's yes")

    def reset(self) -> None:
        """New session: no consent, no secrets (the headset is a setting: it stays)."""
        with self._lock:
            self._consent = False
            self._secrets.clear()


def masked_entry_text(n_digits: int, catalog: Catalog) -> str:
    """What is shown and spoken for a code being typed: "Code saisi : 6 chiffres"."""
    if n_digits < 0:
        raise ValueError("n_digits must be 0 or more")
    if n_digits == 0:
        return catalog.tr("speech.entry.empty")
    return catalog.tr_n("speech.entry.masked", n_digits)


def private_prompt(catalog: Catalog, kind: str = "document") -> str:
    """The question asked before reading a document or a message aloud."""
    if kind not in ("document", "message"):
        raise ValueError("kind is 'document' or 'message'")
    return catalog.tr(f"speech.private.prompt.{kind}")


def status_text(speaker: Speaker, lang: str, catalog: Catalog) -> str | None:
    """The line the UI shows when the voice cannot be heard in `lang`, or None when all is well."""
    if not speaker.available:
        return catalog.tr("speech.unavailable")
    if speaker.voice_for(lang) is None:
        return catalog.tr("speech.no_voice")
    if speaker.audio_output is AudioOutput.NONE:
        return catalog.tr("speech.no_output")
    return None


# --- spoken description of a screen ----------------------------------------------------------

_END_PUNCTUATION = (".", "!", "?", ":", "…", ";")


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    if text and not text.endswith(_END_PUNCTUATION):
        text += "."
    return text


def join_list(items: Sequence[str], catalog: Catalog) -> str:
    """ "Retour, Accueil et Aide" / "Back, Home and Help"."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {catalog.tr('speech.list.and')} " + items[-1]


@dataclass(frozen=True)
class ScreenDescription:
    """What a screen says when the person touches Écouter.

    title, content lines and button labels are the very strings shown on screen.
    `step` is (n, total) or the step text as shown ("Étape 2 sur 4").
    `private` marks content that is a document or a message.
    """

    title: str
    step: tuple[int, int] | str | None = None
    lines: tuple[str, ...] = ()
    buttons: tuple[str, ...] = ()
    private: bool = False

    def step_text(self, catalog: Catalog) -> str:
        if self.step is None:
            return ""
        if isinstance(self.step, str):
            return self.step
        n, total = self.step
        return catalog.tr("speech.screen.step", n=n, total=total)

    def spoken_text(self, catalog: Catalog, *, private_allowed: bool = True) -> str:
        parts = [_sentence(self.title), _sentence(self.step_text(catalog))]
        if self.private and not private_allowed:
            parts.append(catalog.tr("speech.private.withheld"))
        else:
            parts.extend(_sentence(line) for line in self.lines)
        if self.buttons:
            parts.append(catalog.tr_n("speech.screen.buttons", len(self.buttons),
                                      buttons=join_list(self.buttons, catalog)))
        return " ".join(p for p in parts if p)


# --- what the UI calls -----------------------------------------------------------------------


@dataclass
class _Last:
    text: str
    lang: str
    private: bool


class GuardedSpeaker:
    """A `Speaker` with the `SpeechPolicy` applied to every message.

    This is the object the UI holds. `say()` raises `SecretInText` or
    `ConsentRequired` (a `SpeechRefused`) instead of speaking what must not be
    heard; the UI answers ConsentRequired by showing `private_prompt()`.
    """

    def __init__(self, speaker: Speaker, policy: SpeechPolicy,
                 default_rate: int = DEFAULT_RATE_WPM) -> None:
        self.speaker = speaker
        self.policy = policy
        self.default_rate = check_rate(default_rate)
        self._last: _Last | None = None
        speaker.set_rate(self.default_rate)

    # state, passed through
    @property
    def available(self) -> bool:
        return self.speaker.available

    @property
    def reason(self) -> Unavailable | None:
        return self.speaker.reason

    @property
    def audio_output(self) -> AudioOutput:
        return self.speaker.audio_output

    @property
    def is_speaking(self) -> bool:
        return self.speaker.is_speaking

    @property
    def rate(self) -> int:
        return self.speaker.rate

    @property
    def volume_step(self) -> int:
        return self.speaker.volume_step

    def voice_for(self, lang: str) -> Voice | None:
        return self.speaker.voice_for(lang)

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        return self.speaker.add_listener(listener)

    def status_text(self, lang: str, catalog: Catalog) -> str | None:
        return status_text(self.speaker, lang, catalog)

    # speaking
    def say(self, text: str, lang: str, *, private: bool = False) -> None:
        self.policy.check(text, private=private)
        self._last = _Last(text, lang, private)
        self.speaker.say(text, lang)

    def say_screen(self, screen: ScreenDescription, catalog: Catalog) -> None:
        """Écouter: the screen's description, private content only when allowed."""
        text = screen.spoken_text(catalog, private_allowed=self.policy.private_allowed)
        self.say(text, catalog.lang)

    @property
    def can_repeat(self) -> bool:
        return self._last is not None

    def repeat(self) -> None:
        """Répéter: the last message, checked again (a secret may have been typed since)."""
        if self._last is not None:
            self.say(self._last.text, self._last.lang, private=self._last.private)

    def stop(self) -> None:
        self.speaker.stop()

    # rate and volume
    def set_rate(self, wpm: int) -> None:
        self.speaker.set_rate(check_rate(wpm))

    def slower(self) -> int:
        self.set_rate(slower(self.rate))
        return self.rate

    def faster(self) -> int:
        self.set_rate(faster(self.rate))
        return self.rate

    def set_volume(self, step: int) -> None:
        self.speaker.set_volume(check_volume_step(step))

    def quieter(self) -> int:
        self.set_volume(max(0, self.volume_step - 1))
        return self.volume_step

    def louder(self) -> int:
        self.set_volume(min(len(VOLUME_LEVELS) - 1, self.volume_step + 1))
        return self.volume_step

    # session
    def reset(self) -> None:
        """Every new session: silence, no last message, no consent, no secrets, defaults."""
        self.speaker.reset()
        self.speaker.set_rate(self.default_rate)
        self.policy.reset()
        self._last = None

    def close(self) -> None:
        self.speaker.close()


def chunk_text(text: str, max_words: int = 40) -> list[str]:
    """Cut a message into sentences, so the first one can play while the rest is made."""
    pieces: list[str] = []
    for block in re.split(r"\n+", text):
        for sentence in re.split(r"(?<=[.!?…])\s+", block.strip()):
            words = sentence.split()
            while len(words) > max_words:
                pieces.append(" ".join(words[:max_words]))
                words = words[max_words:]
            if words:
                pieces.append(" ".join(words))
    return pieces


__all__: Iterable[str] = (
    "AudioOutput", "ConsentRequired", "DEFAULT_RATE_WPM", "DEFAULT_VOLUME_STEP", "EventKind",
    "GuardedSpeaker", "Listeners", "PrivateSpeech", "RATE_STEPS_WPM", "ScreenDescription",
    "SecretInText", "Speaker", "SpeechEvent", "SpeechPolicy", "SpeechRefused", "Unavailable",
    "VOLUME_LEVELS", "Voice", "chunk_text", "faster", "masked_entry_text", "private_prompt",
    "slower", "status_text",
)
