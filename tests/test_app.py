"""The composition root picks each implementation from the settings."""

from kiosk.app import Lazy, build_services, real
from kiosk.core.audit import AuditAction
from kiosk.core.clock import FakeClock
from kiosk.core.ports import HealthSpace
from kiosk.core.session import EndReason
from kiosk.services.backend.demo import DemoHealthSpace
from kiosk.settings import Settings


def test_demo_settings_give_demo_backend_and_throwaway_store():
    services = build_services(Settings(), FakeClock(), with_voice=False)
    try:
        assert isinstance(services.backend, Lazy) and not services.backend.ready
        assert isinstance(real(services.backend), DemoHealthSpace)
        assert isinstance(real(services.backend), HealthSpace)
        assert services.store.key_source == "memory"
        folder = services.store.store.path.parent
        assert folder.exists()
    finally:
        services.close()
    assert not folder.exists()


def test_session_start_and_timeout_are_journaled():
    clock = FakeClock()
    services = build_services(Settings(inactivity_timeout_s=60, warning_s=20), clock, with_voice=False)
    try:
        services.session.start()
        clock.advance(61)
        services.session.tick()
        assert services.session.end_reason is EndReason.TIMEOUT
        actions = [entry.action for entry in services.store.journal.entries()]
        assert actions[-2:] == [AuditAction.SESSION_STARTED, AuditAction.SESSION_TIMED_OUT]
        assert services.store.journal.verify().ok
    finally:
        services.close()


def test_voice_is_reset_with_the_session():
    services = build_services(Settings(), FakeClock())
    try:
        services.speaker.slower()
        assert services.speaker.rate < 150
        services.session.start()
        services.session.end()
        assert services.speaker.rate == 150
    finally:
        services.close()


def test_slow_parts_wait_for_first_use_and_close_cleanly():
    services = build_services(Settings(), FakeClock())
    assert not services.store.ready and not services.speaker.ready
    services.close()  # nothing built, nothing to close
    assert not services.store.ready

    services = build_services(Settings(), FakeClock())
    services.warm_up()
    assert services.store.ready and services.backend.ready and services.speaker.ready
    folder = services.store.store.path.parent
    services.close()
    assert not folder.exists()


def test_installed_kiosk_opens_its_store_at_start(tmp_path):
    import pytest

    from kiosk.services.storage import StoreError

    with pytest.raises(StoreError):
        build_services(Settings(backend="https://fhir.invalid", state_dir=str(tmp_path)), FakeClock(),
                       with_voice=False)
