"""`kiosk run --training`: the demo backend and no network at all, even with a server configured."""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kiosk.app import build_services, real
from kiosk.cli import UserError
from kiosk.commands.run import settings_from_args
from kiosk.core.clock import FakeClock
from kiosk.services.backend.demo import DemoHealthSpace
from kiosk.settings import load

FHIR_URL = "https://fhir.example.invalid/r4"


def args(**kw) -> argparse.Namespace:
    base = dict(demo=False, training=False, backend=None, windowed=True, lang=None, config=None)
    base.update(kw)
    return argparse.Namespace(**base)


@pytest.fixture
def fhir_config(tmp_path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[kiosk]\nbackend = "{FHIR_URL}"\nstate_dir = "{tmp_path}"\n', encoding="utf-8")
    return path


_NETWORK: list | None = None


def _audit(event: str, payload: tuple) -> None:
    if _NETWORK is not None and event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname"):
        if event == "socket.connect" and getattr(payload[0], "family", None) == socket.AF_UNIX:
            return
        _NETWORK.append(event)


sys.addaudithook(_audit)


@pytest.fixture
def network_attempts():
    global _NETWORK
    _NETWORK = []
    try:
        yield _NETWORK
    finally:
        _NETWORK = None


def test_training_flag_forces_the_demo_backend_over_a_configured_server(fhir_config, monkeypatch):
    monkeypatch.delenv("KIOSK_BACKEND", raising=False)
    monkeypatch.delenv("KIOSK_TRAINING", raising=False)
    plain = settings_from_args(args(config=str(fhir_config)))
    assert plain.backend == FHIR_URL and not plain.is_demo  # the config really names a server
    settings = settings_from_args(args(config=str(fhir_config), training=True))
    assert settings.training and settings.backend == "demo" and settings.is_demo
    services = build_services(settings, FakeClock(), with_voice=False)
    try:
        assert isinstance(real(services.backend), DemoHealthSpace)
        assert services.store.key_source == "memory"  # a throw-away store, not the installed one
    finally:
        services.close()


def test_training_from_the_settings_file_or_environment_is_demo_too(fhir_config, monkeypatch):
    monkeypatch.setenv("KIOSK_TRAINING", "1")
    monkeypatch.setenv("KIOSK_BACKEND", FHIR_URL)
    settings = load(fhir_config)
    assert settings.training and settings.is_demo
    assert settings_from_args(args(config=str(fhir_config))).backend == "demo"
    with pytest.raises(UserError):
        settings_from_args(args(config=str(fhir_config), backend=FHIR_URL))
    services = build_services(settings, FakeClock(), with_voice=False)
    try:
        assert isinstance(real(services.backend), DemoHealthSpace)
    finally:
        services.close()


def test_training_and_backend_together_is_refused():
    with pytest.raises(UserError):
        settings_from_args(args(training=True, backend=FHIR_URL))


JOURNEY = textwrap.dedent('''
    import argparse, sys
    from kiosk.app import build_services
    from kiosk.commands.run import settings_from_args
    from kiosk.core import training as tr
    from kiosk.core.assisted import forward_audit
    from kiosk.core.clock import FakeClock
    from kiosk.core.flows.base import FlowContext
    from kiosk.core.flows.documents import DocumentsFlow
    from kiosk.core.flows.sign_in import SignInFlow, SignInStep
    from kiosk.core.flows.base import audit_to_journal
    from kiosk.services.backend.demo import demo_sign_in_code

    config = sys.argv[1]
    settings = settings_from_args(argparse.Namespace(demo=False, training=True, backend=None, windowed=True,
                                                     lang=None, config=config))
    services = build_services(settings, FakeClock(), with_voice=False)
    services.warm_up()
    session = services.session
    session.start()
    training = tr.Training(services.backend, session=session)
    training.start("hide_document")
    ctx = FlowContext(services.backend, session,
                      audit=forward_audit(audit_to_journal(services.store.journal), training.audit_hook))
    flow = SignInFlow(ctx).start()
    for d in tr.PAULETTE_INS:
        flow.append_digit(d)
    flow.submit_identifier()
    for d in demo_sign_in_code(tr.PAULETTE_INS):
        flow.append_digit(d)
    flow.submit_code()
    assert flow.step is SignInStep.SIGNED_IN, flow.error_key
    docs = DocumentsFlow(ctx).start()
    docs.choose_category(None)
    assert docs.open_document(tr.DOCUMENT_TO_HIDE_ID) and docs.ask_hide() and docs.confirm(), docs.error_key
    assert training.current.verdict.success, training.current.verdict
    session.end()
    services.close()
    print("training journey done")
''')


def test_a_training_journey_opens_no_network_connection(fhir_config, network_attempts, tmp_path):
    script = tmp_path / "journey.py"
    script.write_text(JOURNEY, encoding="utf-8")
    namespace = {"__name__": "journey"}
    argv = sys.argv
    sys.argv = [str(script), str(fhir_config)]
    try:
        exec(compile(JOURNEY, str(script), "exec"), namespace)
    finally:
        sys.argv = argv
    assert network_attempts == []


def test_the_audit_hook_records_a_real_attempt(network_attempts):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        try:
            s.connect(("127.0.0.1", 9))
        except OSError:
            pass
    assert "socket.connect" in network_attempts


def _unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _unshare_works(), reason="no network namespace here (unshare -rn)")
def test_a_training_journey_runs_with_no_network_at_all(fhir_config, tmp_path):
    """In a network namespace without any network: the training journey still works end to end."""
    script = tmp_path / "journey.py"
    script.write_text(JOURNEY, encoding="utf-8")
    done = subprocess.run(["unshare", "-rn", sys.executable, str(script), str(fhir_config)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "training journey done" in done.stdout
