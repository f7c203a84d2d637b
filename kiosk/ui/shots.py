"""Render every registered picture (screens, overlays) to PNG, for review: `kiosk shots`.

One process, one app: the language, theme and text size are switched inside the
running app between pictures. Each picture's set-up (kiosk/ui/shot_states) starts on
Welcome and drives the kiosk there as a person would. Needs a display (run it under xvfb-run).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from kiosk.ui.app import start_in_process
from kiosk.ui.screen import SHOTS
from kiosk.ui.testing import Pilot


def shot_names() -> list[str]:
    from kiosk.ui import shot_states

    shot_states.load()
    return [s.name for s in sorted(SHOTS.values(), key=lambda s: (s.order, s.name))]


@dataclass
class Rendered:
    """What `render` did: the files, the accessibility problems, the pictures left out of a band."""

    written: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)  # band -> names


def stem_of(name: str, lang: str, theme: str, size: int, band: str, *, several: bool, bands: int) -> str:
    """home--fr--standard--4 (with the band when several bands are asked: home--fr--standard--4--helper)."""
    if not several:
        return name
    stem = f"{name}--{lang}--{theme}--{size}"
    return f"{stem}--{band}" if bands > 1 else stem


def render(services: Any, out: Path, *, langs: Sequence[str], themes: Sequence[str], sizes: Sequence[int],
           check: bool = False, only: Sequence[str] = (), bands: Sequence[str] = ("none",),
           on_problem: Callable[[str], None] | None = None) -> Rendered:
    """Every picture at every (language, theme, size, band) asked; with check=True, the checker's findings
    (each also given to `on_problem` as soon as it is found: a run of every combination is long)."""
    from kiosk.ui.a11y_check import check_app
    from kiosk.ui.shot_states.drive import with_band

    out.mkdir(parents=True, exist_ok=True)
    names = [n for n in shot_names() if not only or n in only]
    app = start_in_process(services)
    pilot = Pilot(app)
    combos = list(itertools.product(langs, themes, sizes, bands))
    several = len(combos) > 1
    result = Rendered()
    for band in bands:
        left_out = [n for n in names if band not in SHOTS[n].bands]
        if left_out:
            result.skipped[band] = left_out
    for lang, theme, size, band in combos:
        for name in names:
            if band not in SHOTS[name].bands:
                continue
            pilot.reset(pump=False)  # back to Welcome; the set-up starts there
            app.set_prefs(lang=lang, theme=theme, text_size=size)
            with with_band(app, band):
                SHOTS[name].setup(app)
            app.set_prefs(lang=lang, theme=theme, text_size=size)
            pilot.pump(4)
            stem = stem_of(name, lang, theme, size, band, several=several, bands=len(bands))
            result.written.append(pilot.screenshot(out / f"{stem}.png"))
            if check:
                from kiosk.ui.page_check import check_qr_screenshot

                roots = [app.overlays[-1]] if app.overlays else [app.shell]
                found = check_app(app) + check_qr_screenshot(roots, result.written[-1])
                for problem in found:
                    result.problems.append(f"{stem}: {problem}")
                    if on_problem is not None:
                        on_problem(result.problems[-1])
    pilot.reset()
    return result
