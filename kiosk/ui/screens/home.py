"""Home: one tile per feature that exists on this kiosk, and "J'ai fini".

Before the patient is signed in there is nothing to choose: Home is never shown then, and
Accueil leads back to the start of the sign-in (kiosk.ui.screens.sign_in).
"""

from __future__ import annotations

from typing import Any

from kiosk.ui.look import look
from kiosk.ui.screen import Screen, features_for, screen
from kiosk.ui.widgets import Button, Text


def before_sign_in(app: Any) -> bool:
    """True while the only tile would be "Me connecter"."""
    return any(f.name == "sign_in" for f in features_for(app.services))


def open_sign_in(app: Any) -> None:
    """The start of the sign-in; a pause or a closed space stays what it is."""
    from kiosk.core.flows.sign_in import SignInStep
    from kiosk.ui.screens import sign_in

    flow = app.session.data.get(sign_in.FLOW_KEY)
    if flow is not None and not flow.finished and flow.step in (SignInStep.PAUSED, SignInStep.SPACE_CLOSED):
        app.nav.follow(flow)
        return
    app.nav.start()  # from the code step: back to the identifier


@screen("home", order=20)
class HomeScreen(Screen):
    title_key = "ui.home.title"
    can_go_back = False

    @property
    def columns(self) -> int:  # type: ignore[override]
        """Three tiles a row at the default size: every tile and Terminer on one page."""
        return 3 if look().text_size <= 1 else 2

    def refresh(self) -> None:
        super().refresh()
        if look().text_size == 2:  # a narrower margin too (as at the larger sizes)
            self.padding_mm = 4
            self.padding = [look().mm(self.padding_mm)] * 4
        self._tight()

    def _tight(self) -> None:
        """Tiles 3 mm apart (the least the rules allow): at size 2, every tile and Terminer on one page."""
        if hasattr(self, "content"):
            self.content.spacing_mm = 3 if look().text_size == 2 else 5

    def build(self) -> None:
        self._tight()
        self.to_sign_in = before_sign_in(self.app)
        if self.to_sign_in:
            return  # on_shown opens the sign-in: nothing is built for nothing
        features = features_for(self.app.services)
        tiles = [
            Button(f.label_key, f.icon, kind="tile", name=f"home.feature.{f.name}",
                   on_activate=lambda f=f: self.app.nav.open(f))
            for f in features
        ]
        tiles.append(Button("ui.home.finish", "end", kind="tile", name="home.finish",
                            on_activate=self.app.ask_end_session))
        self.built_for = look().text_size
        if features:
            # from size 2 the title says it: the room goes to the tiles (at size 2 all on one page;
            # larger, the first page starts with a tile, never with a lone sentence)
            intro = [Text(key="ui.home.intro", style="strong")] if look().text_size == 1 else []
            self.add(*intro, *tiles)
        else:
            # nothing else on this kiosk yet: a calm page that says so without "coming soon"
            self.add(Text(key="ui.home.ready", style="strong"), *tiles, Text(key="ui.home.only_finish"))

    def on_prefs(self) -> None:
        if not self.to_sign_in and look().text_size != self.built_for:
            self.app.nav.redraw()  # another arrangement of the tiles

    def on_shown(self) -> None:
        if self.to_sign_in:
            open_sign_in(self.app)
