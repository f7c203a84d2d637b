from pathlib import Path

import pytest

from kiosk.core.clock import FakeClock
from kiosk.core.session import EndReason, Preferences, Session, State


def make(timeout=120, warning=30):
    clock = FakeClock()
    session = Session(clock, timeout_s=timeout, warning_s=warning,
                      defaults=Preferences(language="fr", text_size=1, theme="standard"))
    return clock, session


def test_warning_then_timeout():
    clock, session = make()
    events = []
    session.on_warning.append(lambda s: events.append("warning"))
    session.on_end.append(lambda s: events.append(("end", s.end_reason)))
    session.start()
    clock.advance(89)
    session.tick()
    assert session.state is State.ACTIVE
    clock.advance(1)
    session.tick()
    assert session.state is State.WARNING and events == ["warning"]
    assert session.seconds_left() == 30
    clock.advance(29)
    session.tick()
    assert session.state is State.WARNING
    clock.advance(1)
    session.tick()
    assert session.state is State.ENDED
    assert events == ["warning", ("end", EndReason.TIMEOUT)]


def test_touch_delays_warning_but_does_not_dismiss_it():
    clock, session = make()
    session.start()
    clock.advance(80)
    session.activity()
    clock.advance(80)
    session.tick()
    assert session.state is State.ACTIVE
    clock.advance(10)
    session.tick()
    assert session.state is State.WARNING
    session.activity()
    clock.advance(30)
    session.tick()
    assert session.state is State.ENDED


def test_still_here_resumes():
    clock, session = make()
    resumed = []
    session.on_resume.append(lambda s: resumed.append(True))
    session.start()
    clock.advance(95)
    session.tick()
    session.still_here()
    assert session.state is State.ACTIVE and resumed == [True]
    clock.advance(89)
    session.tick()
    assert session.state is State.ACTIVE


def test_end_wipes_everything_and_resets_preferences(tmp_path):
    clock, session = make()
    cleaned = []
    session.add_cleanup(lambda: cleaned.append(True))
    session.start()
    session.data["patient"] = object()
    session.prefs.language = "en"
    session.prefs.text_size = 4
    session.prefs.theme = "contraste"
    session.prefs.volume = 5
    folder: Path = session.temp_dir()
    (folder / "page.png").write_bytes(b"x")
    session.end()
    assert session.end_reason is EndReason.USER
    assert session.data == {}
    assert not folder.exists()
    assert cleaned == [True]
    assert session.prefs == Preferences(language="fr", text_size=1, theme="standard")
    session.reset_for_next_person()
    assert session.state is State.IDLE


def test_idle_kiosk_never_times_out():
    clock, session = make()
    clock.advance(10_000)
    session.tick()
    assert session.state is State.IDLE


@pytest.mark.parametrize("timeout, warning", [(120, 10), (60, 60)])
def test_bad_timings_rejected(timeout, warning):
    with pytest.raises(ValueError):
        make(timeout, warning)
