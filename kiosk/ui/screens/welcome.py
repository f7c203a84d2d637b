"""Welcome: choose the language (each in its own name), then Commencer."""

from __future__ import annotations

from kiosk.core.i18n import language_name
from kiosk.ui import theme as th
from kiosk.ui.look import look
from kiosk.ui.screen import Screen, screen
from kiosk.ui.widgets import Button, Row, Spacer, Text


@screen("welcome", order=10)
class WelcomeScreen(Screen):
    title_key = "ui.welcome.title"
    in_session = False
    columns = 2

    def build(self) -> None:
        # the language first: a person who does not read French must find it at once
        self.add(Text(key="ui.welcome.choose_language", style="strong"))
        self.languages: dict[str, Button] = {}
        for lang in self.app.settings.languages:
            button = Button(raw=language_name(lang), icon="language", name=f"welcome.lang.{lang}",
                            on_activate=lambda lang=lang: self.app.set_prefs(lang=lang))
            self.languages[lang] = button
            self.add(button)
        self.add(Text(key="ui.welcome.intro"))
        # the helper's way in: small (the checker's minimum target), outlined, away from Commencer
        self.helper = Button("assisted_ui.entry", "info", kind="secondary", name="welcome.helper",
                             min_mm=th.MIN_TARGET_MM + 1, style="panel", size_hint_x=None,
                             on_activate=self.open_helper)
        entry = Row(spacing_mm=4)
        entry.add_widget(self.helper)
        entry.add_widget(Spacer())
        self.add(entry)
        self.add_action(Button("ui.welcome.start", "forward", kind="primary", name="welcome.start",
                               on_activate=self.app.start_session))
        self.on_prefs()

    def on_prefs(self) -> None:
        for lang, button in self.languages.items():
            button.set_icon("check" if lang == look().lang else "language")
        self.helper.width = self.helper.natural_width()

    def open_helper(self) -> None:
        from kiosk.ui.screens.assisted_sign_in import open_helper_sign_in

        open_helper_sign_in(self.app)
