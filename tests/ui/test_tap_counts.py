"""The taps a person needs for the common visits, counted on the real kiosk at text size 1.

The README gives the same figures ("Taps for the common visits"); this test fails when a
journey needs more taps than before the screens were rebuilt, or when the README is no
longer true.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.services.backend.demo import demo_sign_in_code

pytestmark = pytest.mark.ui

RICH = "244039999900168"
README = Path(__file__).resolve().parents[2] / "README.md"

#: journey -> (taps now, taps before the screens issue: never more than that)
TAPS = {
    "sign in": (24, 25),
    "read the newest document": (3, 7),
    "reply to a message": (5, 7),
    "give a 1-day code and stop it": (4, 5),
    "block a professional": (3, 3),
    "end": (2, 2),
}


class Counting:
    def __init__(self, pilot) -> None:
        self.pilot, self.count = pilot, 0

    def tap(self, target: str) -> None:
        self.pilot.tap(target)
        self.count += 1

    def starting(self, prefix: str) -> str:
        names = [b.name for b in self.pilot.buttons() if b.name.startswith(prefix)]
        assert names, f"no button {prefix}…"
        return names[0]


def _sign_in(taps: Counting) -> None:
    taps.tap("welcome.start")
    for digit in RICH:
        taps.tap(f"pad.{digit}")
    taps.tap("sign_in.next")
    for digit in demo_sign_in_code(RICH):
        taps.tap(f"pad.{digit}")
    taps.tap("sign_in.ok")


def _journeys(pilot) -> dict[str, int]:
    app = pilot.app
    counts: dict[str, int] = {}
    taps = Counting(pilot)
    _sign_in(taps)
    assert app.nav.current.name == "home"
    counts["sign in"] = taps.count

    taps.count = 0
    taps.tap("home.feature.documents")
    taps.tap("documents.category.all")
    taps.tap(taps.starting("documents.open."))  # the list is newest first
    assert app.nav.current.name == "documents.viewer"
    counts["read the newest document"] = taps.count
    pilot.tap("bar.home")  # back to Home (not counted)

    taps.count = 0
    taps.tap("home.feature.messages")
    taps.tap(taps.starting("messages.thread."))
    taps.tap("messages.reply")
    taps.tap("messages.ready.0")
    taps.tap("messages.send")
    assert "sent" in app.nav.current.name or app.nav.current.name.startswith("messages")
    counts["reply to a message"] = taps.count
    pilot.tap("bar.home")  # back to Home (not counted)

    taps.count = 0
    taps.tap("home.feature.access_code")
    taps.tap("access_code.duration.0")  # 1 jour
    assert app.nav.current.name == "access_code.code"
    taps.tap("access_code.revoke")
    taps.tap("confirm.yes")
    assert app.nav.current.name == "access_code.revoked"
    counts["give a 1-day code and stop it"] = taps.count
    pilot.tap("bar.home")  # back to Home (not counted)

    taps.count = 0
    taps.tap("home.feature.access")
    taps.tap(taps.starting("access.block."))
    taps.tap("confirm.yes")
    assert any(b.name.startswith("access.unblock.") for b in pilot.buttons())
    counts["block a professional"] = taps.count
    pilot.tap("bar.home")  # back to Home (not counted)

    taps.count = 0
    taps.tap("home.finish")
    taps.tap("confirm.yes")
    assert app.nav.current.name == "end"
    counts["end"] = taps.count
    return counts


def test_the_common_visits_take_no_more_taps_than_before_and_the_readme_says_how_many(pilot):
    pilot.app.set_prefs(text_size=1)
    counts = _journeys(pilot)
    assert counts == {name: now for name, (now, _before) in TAPS.items()}
    assert all(counts[name] <= before for name, (_now, before) in TAPS.items())
    readme = README.read_text(encoding="utf-8")
    for name, (now, _before) in TAPS.items():
        assert re.search(rf"\|\s*{re.escape(name)}\s*\|\s*{now}\s*\|", readme, re.IGNORECASE), \
            f"the README's tap count for {name!r} is not {now}"
