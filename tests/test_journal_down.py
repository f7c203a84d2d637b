"""A full disk during a session, for real: the store lives on a small tmpfs that the test fills.

No crash; the person reads one sentence; and the journal, the health space and what the person
was told agree: a change that could not be journaled is not made.
"""

from __future__ import annotations

import errno
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from kiosk.app import build_services
from kiosk.core.audit import AuditAction
from kiosk.core.clock import FakeClock
from kiosk.core.flows.base import PATIENT_SESSION, FlowContext, audit_to_journal
from kiosk.core.flows.documents import DocumentsFlow
from kiosk.core.journal_guard import JOURNAL_DOWN_KEY
from kiosk.core.runner import GatedHealthSpace
from kiosk.settings import Settings

PAULETTE, CODE = "244039999900168", "246810"


@pytest.fixture()
def small_disk(tmp_path: Path):
    disk = tmp_path / "disk"
    disk.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(disk)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("a tmpfs can only be mounted as root")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with open(filler, "wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC
    os.sync()
    return filler


def settle(runner) -> None:
    assert runner.wait_for_worker(30)
    runner.drain()


def test_a_full_disk_refuses_the_change_says_one_sentence_and_all_three_agree(small_disk, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(small_disk))  # the demo's throw-away store goes there
    services = build_services(Settings(), FakeClock(), with_voice=False)
    try:
        store = services.store.resolve()
        assert Path(store.path).is_relative_to(small_disk)
        session, runner, backend = services.session, services.runner, services.backend.resolve()
        session.start()
        session.data[PATIENT_SESSION] = backend.finish_sign_in(backend.start_sign_in(PAULETTE).handle, CODE)
        context = FlowContext(GatedHealthSpace(services.backend, runner), session,
                              audit=audit_to_journal(services.journal))
        flow = DocumentsFlow(context)
        for work in (flow.start, lambda: flow.choose_category(None)):
            runner.run(work)
            settle(runner)
        document = next(d for d in flow.documents if not d.hidden_from_professionals)
        runner.run(lambda: flow.open_document(document.id))
        settle(runner)
        before = [e.action for e in store.journal.entries()]

        filler = fill(small_disk)
        assert flow.ask_hide()
        runner.run(flow.confirm)
        settle(runner)  # no exception reached this side: nothing crashed

        assert flow.error_key == JOURNAL_DOWN_KEY and flow.notice_key is None and not flow.can_retry
        assert not backend.get_document(session.data[PATIENT_SESSION], document.id).hidden_from_professionals
        assert [e.action for e in store.journal.entries()] == before
        assert services.journal.down and services.journal.cause == "full"

        session.end()  # its entry cannot be written either: the session still ends and wipes
        assert session.data == {}

        filler.unlink()  # the administrator frees the disk
        assert services.journal.retry()
        session.start()
        session.data[PATIENT_SESSION] = backend.finish_sign_in(backend.start_sign_in(PAULETTE).handle, CODE)
        flow = DocumentsFlow(context)
        for work in (flow.start, lambda: flow.choose_category(None), lambda: flow.open_document(document.id)):
            runner.run(work)
            settle(runner)
        assert flow.ask_hide()
        runner.run(flow.confirm)
        settle(runner)
        assert flow.error_key is None
        assert backend.get_document(session.data[PATIENT_SESSION], document.id).hidden_from_professionals
        assert AuditAction.DOCUMENT_HIDDEN in [e.action for e in store.journal.entries()]
    finally:
        services.close()


def test_kiosk_doctor_names_a_full_disk(small_disk):
    from kiosk.services.diagnostics.checks import Probe, check_disk

    state = small_disk / "state"
    state.mkdir()
    assert check_disk(Probe(min_free_bytes=1), state).ok
    fill(small_disk)
    result = check_disk(Probe(min_free_bytes=1), state)
    assert not result.ok and "plein" in result.line()
