"""Home: one tile per feature that exists on this kiosk, and "Terminer ma session"."""

from __future__ import annotations

from kiosk.ui.screen import Screen, features_for, screen
from kiosk.ui.widgets import Button, Text


@screen("home", order=20)
class HomeScreen(Screen):
    title_key = "ui.home.title"
    can_go_back = False
    columns = 2

    def build(self) -> None:
        features = features_for(self.app.services)
        tiles = [
            Button(f.label_key, f.icon, kind="tile", name=f"home.feature.{f.name}",
                   on_activate=lambda f=f: self.app.nav.show(f.screen, **f.params))
            for f in features
        ]
        tiles.append(Button("ui.home.finish", "end", kind="tile", name="home.finish",
                            on_activate=self.app.ask_end_session))
        if features:
            self.add(Text(key="ui.home.intro", style="strong"), *tiles)
        else:
            # nothing else on this kiosk yet: a calm page that says so without "coming soon"
            self.add(Text(key="ui.home.ready", style="strong"), *tiles, Text(key="ui.home.only_finish"))
