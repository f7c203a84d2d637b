"""Answering a message: ready-made answers, the on-screen keyboard, the confirmation before sending.

Steps REPLY_CHOICE, REPLY_TYPING and REPLY_CONFIRM of kiosk.core.flows.messages.MessagesFlow
(the flow and the helpers are in kiosk.ui.screens.messages). Nothing is sent before
"Envoyer"; a send that fails says so in one sentence and "Réessayer" sends the same text
again (with the same idempotency key: never twice), without typing it again.
"""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.core.flows.messages import REPLY_LANGUAGE, MessagesFlow, MessagesStep
from kiosk.core.runner import UNKNOWN_KEY
from kiosk.core.speech import ScreenDescription
from kiosk.ui.flow_context import act
from kiosk.ui.keyboard import Keyboard
from kiosk.ui.look import look
from kiosk.ui.screen import screen, step_screen
from kiosk.ui.screens.messages import (
    MessagesScreen,
)
from kiosk.ui.widgets import CAPS, Button, Measured, Stack, Text, measure

#: Shown after the typed text, so a space or the place of the next letter can be seen.
CARET = "|"


def ready_label(key: str) -> str:
    """The answer in the display language; in another language, also the French words that are sent."""
    text = look().tr(key)
    if look().lang != REPLY_LANGUAGE:
        from kiosk.core.i18n import Catalog

        sent = Catalog.load(REPLY_LANGUAGE).tr(key)
        text += "\n" + look().tr("screens.messages.sent_in_french", text=sent)
    return text


@screen("messages.reply", order=47)
@step_screen(MessagesFlow, MessagesStep.REPLY_CHOICE)
class ReplyChoiceScreen(MessagesScreen):
    """Three ready-made answers as big buttons, or "Écrire un message" on the keyboard."""

    def fill(self) -> None:
        self.add(Text(key=self.flow.choice_prompt_key, style="strong"))
        for index, key in enumerate(self.flow.ready_answers):
            self.add(Button(raw=ready_label(key), icon="check", main=True, name=f"messages.ready.{index}",
                            on_activate=lambda k=key: self.choose(k)))
        self.add(Button("screens.messages.write", "keyboard", main=True, name="messages.write",
                        on_activate=self.write))

    def choose(self, key: str) -> None:
        if self.flow.choose_ready(key):
            self.follow()

    def write(self) -> None:
        if self.flow.type_text():
            self.follow()


# --- the keyboard screen ----------------------------------------------------------------------

class TypedBox(Stack):
    """The typed text, large, in a frame; when it no longer fits, its end is shown after "…".

    A problem ("Votre message est vide.") is said in the frame itself, in place of the text, until
    the next key: a banner would take the room of the keys.
    """

    fill = True

    def __init__(self) -> None:
        super().__init__(bg="surface", edge="surface_edge", radius_mm=3, padding_mm=3)
        self.typed = ""
        self.error_key: str | None = None
        self.label = Text(raw="", style="heading", on="surface")
        self.label.fill = True
        self.add_widget(self.label)
        self.bind(size=self._fit)

    def set_typed(self, text: str, error_key: str | None = None) -> None:
        self.typed, self.error_key = text, error_key
        self._fit()

    def refresh(self) -> None:
        super().refresh()
        if hasattr(self, "label"):
            self._fit()

    def _fit(self, *_: Any) -> None:
        label = self.label
        if self.error_key or not self.typed:
            label.style = "strong" if self.error_key else "body"
            label.set_text(key=self.error_key or "screens.messages.typing.empty")
            return
        width = int(max(1, self.width - self.padding[0] - self.padding[2]))
        room = self.height - self.padding[1] - self.padding[3]
        # the largest words that hold at least one line in the frame (a band leaves it little height)
        for style, cap in (("heading", None), *(("strong", cap) for cap in CAPS)):
            label.style, label.cap = style, cap
            label.refresh()
            if room <= 0 or measure("…" + CARET, int(label.font_size), bool(label.bold), width)[1] <= room:
                break
        font, bold = int(label.font_size), bool(label.bold)
        text = self.typed + CARET
        if measure(text, font, bold, width)[1] > room > 0:
            lo, hi = 1, len(text)  # the longest end of the text that fits after "…"
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if measure("…" + text[-mid:], font, bold, width)[1] <= room:
                    lo = mid
                else:
                    hi = mid - 1
            tail = text[-lo:]
            if " " in tail[1:] and not text[-lo - 1:-lo].isspace():
                tail = tail[tail.index(" ", 1) + 1:]  # start at a whole word
            text = "…" + tail
        label.set_text(raw=text)


class TypedPanel(Measured, BoxLayout):
    """The typed text on the left, "Continuer" on its right: above the keyboard, always on screen."""

    fill = True

    def __init__(self, box: TypedBox, done: Button) -> None:
        super().__init__(orientation="horizontal")
        self.box, self.done = box, done
        done.size_hint_x = None
        self.add_widget(box)
        self.add_widget(done)
        self.bind(height=lambda *_: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        self.spacing = look().mm(4)
        # under a band the panel is short: Continuer's words capped until they hold in its height
        for cap in CAPS:
            if cap is not None and cap >= look().scale:
                continue
            self.done.label.cap = cap
            self.done.refresh()
            if self.height <= 1 or self.done.wanted_height(self.done.natural_width()) <= self.height + 0.5:
                break
        self.done.width = self.done.natural_width()


@screen("messages.keyboard", order=48)
@step_screen(MessagesFlow, MessagesStep.REPLY_TYPING)
class KeyboardScreen(MessagesScreen):
    """The typed text big above the kiosk's own keyboard; no paged content, so all of it always shows."""
    shows_error_in_content = False

    def fill(self) -> None:
        self.remove_widget(self.content)  # the panel and the keyboard take the whole screen, at every size
        self.box = TypedBox()
        self.done = Button("screens.messages.typing.done", "forward", kind="primary", name="messages.typing.done",
                           on_activate=self.done_typing)
        self.panel = TypedPanel(self.box, self.done)
        self.keyboard = Keyboard(on_insert=self.insert, on_space=self.space, on_delete=self.delete)
        self.add_widget(self.panel)
        self.add_widget(self.keyboard)
        self.show_typed()

    def refresh(self) -> None:
        super().refresh()
        self.padding_mm, self.spacing_mm = 3, 3  # the room goes to the keys and the text
        self.padding = [look().mm(3)] * 4
        self.spacing = look().mm(3)

    def show_typed(self) -> None:
        self.box.set_typed(self.flow.typed_text, self.flow.error_key)

    def _after(self, done: bool) -> None:
        self.show_typed()

    def insert(self, text: str) -> None:
        self._after(self.flow.insert(text))

    def space(self) -> None:
        self._after(self.flow.space())

    def delete(self) -> None:
        self._after(self.flow.delete())

    def done_typing(self) -> None:
        if self.flow.done_typing():
            self.follow()
        else:
            self._after(False)

    def describe(self) -> ScreenDescription:
        lines = [look().tr("screens.messages.typing.spoken"),
                 self.flow.typed_text or look().tr("screens.messages.typing.empty"),
                 *self.keyboard.spoken_lines()]
        if self.flow.error_key:
            lines.insert(0, look().tr(self.flow.error_key))
        buttons = [self.done.text, *(k.text for k in self.keyboard.word_keys())]
        return ScreenDescription(title=self.title(), step=self.step_text() or None, lines=tuple(lines),
                                 buttons=tuple(buttons), private=True)


# --- the confirmation -------------------------------------------------------------------------

@screen("messages.confirm", order=49)
@step_screen(MessagesFlow, MessagesStep.REPLY_CONFIRM)
class ConfirmScreen(MessagesScreen):
    """The text repeated, to whom it goes, then "Modifier" or "Envoyer" (or "Réessayer" after a failure)."""
    shows_error_in_content = False

    @property
    def banner_alone(self) -> bool:
        """From size 2 the question and its answers need the whole screen: a message about the
        sending is read first, alone, until Fermer."""
        return look().text_size >= 2

    def fill(self) -> None:
        flow = self.flow
        if flow.step is not MessagesStep.REPLY_CONFIRM or flow.thread is None:
            return
        # the question and to whom in one sentence, then the words that will be sent, quoted
        self.add(Text(key="screens.messages.confirm.question", values={"who": flow.thread.professional.name},
                      style="strong"))
        if flow.reply_key and look().lang != REPLY_LANGUAGE:
            self.add(Text(key="screens.messages.quoted", values={"text": look().tr(flow.reply_key)}, style="heading"),
                     Text(key="screens.messages.sent_in_french", values={"text": flow.reply_text}))
        else:
            self.add(Text(key="screens.messages.quoted", values={"text": flow.reply_text}, style="heading"))
        self.add_action(Button("screens.messages.edit", "back", name="messages.edit", main=True,
                               on_activate=self.edit))
        self.send_button = Button("screens.messages.send", "send", kind="primary", name="messages.send",
                                  on_activate=self.send)
        self.add_action(self.send_button)

    def on_shown(self) -> None:
        self.show_failure()

    def show_failure(self) -> None:
        """One sentence: the message was not sent; the main button becomes "Réessayer"."""
        flow = self.flow
        if not flow.error_key or not hasattr(self, "send_button"):
            return
        if flow.can_retry and flow.error_key != UNKNOWN_KEY:  # unknown: its own sentence, never "not sent"
            self.app.shell.show_banner("screens.messages.not_sent", kind="error")
            self.send_button.label.set_text(key="screens.messages.retry")
            self.send_button.refresh()
        else:
            self.app.shell.show_banner(flow.error_key, kind="error")

    def send(self) -> None:
        flow = self.flow
        act(self.app, flow.retry if flow.can_retry else flow.send, then=self._sent)

    def _sent(self, sent: bool) -> None:
        if sent and self.flow.step is MessagesStep.THREAD:
            self.follow()  # the conversation, with the notice and the reply on top
        else:
            self.show_failure()

    def edit(self) -> None:
        """Back to where the text came from, with the text kept."""
        self.flow.back()
        self.app.shell.clear_banner()
        self.follow()

    def describe(self) -> ScreenDescription:
        return self.private_description()
