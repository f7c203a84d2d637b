"""Render every registered picture (screens, overlays) to PNG, for review: `kiosk shots`.

One process, one app: the language, theme and text size are switched inside the
running app between pictures. Needs a display (run it under xvfb-run).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, Sequence

from kiosk.ui.app import start_in_process
from kiosk.ui.screen import SHOTS
from kiosk.ui.testing import Pilot


def shot_names() -> list[str]:
    import kiosk.ui.overlays  # noqa: F401  (registers the overlay pictures)
    import kiosk.ui.screens  # noqa: F401  (registers the screens)

    return [s.name for s in sorted(SHOTS.values(), key=lambda s: (s.order, s.name))]


def render(services: Any, out: Path, *, langs: Sequence[str], themes: Sequence[str], sizes: Sequence[int],
           check: bool = False, only: Sequence[str] = ()) -> tuple[list[Path], list[str]]:
    """Returns the files written and, with check=True, the accessibility problems found."""
    out.mkdir(parents=True, exist_ok=True)
    names = [n for n in shot_names() if not only or n in only]
    app = start_in_process(services)
    pilot = Pilot(app)
    combos = list(itertools.product(langs, themes, sizes))
    several = len(combos) > 1
    written: list[Path] = []
    problems: list[str] = []
    from kiosk.ui.a11y_check import check_app

    for lang, theme, size in combos:
        for name in names:
            pilot.reset(pump=False)  # the picture replaces the Welcome screen at once
            app.set_prefs(lang=lang, theme=theme, text_size=size)
            SHOTS[name].setup(app)
            app.set_prefs(lang=lang, theme=theme, text_size=size)
            pilot.pump(4)
            stem = f"{name}--{lang}--{theme}--{size}" if several else name
            written.append(pilot.screenshot(out / f"{stem}.png"))
            if check:
                problems += [f"{stem}: {p}" for p in check_app(app)]
    pilot.reset()
    return written, problems
