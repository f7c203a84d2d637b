"""The journal's head outside the store: the log line, the witness file, the comparison,
and the session-end hook of the kiosk."""

from __future__ import annotations

import io
import logging
import os
import stat
import subprocess

import pytest

from kiosk.app import build_services
from kiosk.core.audit import AuditAction
from kiosk.core.clock import FakeClock
from kiosk.services.logs import PrivateFormatter
from kiosk.services.storage import initialise, open_installed
from kiosk.services.storage.witness import (
    WITNESS_FILE_NAME,
    WITNESS_SETTING,
    append_only,
    compare,
    head_line,
    make_append_only,
    parse_heads,
    read_heads,
    record_head,
)
from kiosk.settings import Settings

from .disks import needs_root

MAC_A, MAC_B, MAC_C = "a" * 64, "b" * 64, "c" * 64


def test_a_head_is_one_line_with_the_number_and_the_mac_only(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="kiosk.audit"):
        path = record_head(tmp_path, 7, MAC_A)
        record_head(tmp_path, 9, MAC_B)
    assert path == tmp_path / WITNESS_FILE_NAME
    assert path.read_text() == f"audit head 7 {MAC_A}\naudit head 9 {MAC_B}\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [r.getMessage() for r in caplog.records] == [head_line(7, MAC_A), head_line(9, MAC_B)]
    assert read_heads(path) == [(7, MAC_A), (9, MAC_B)]


def test_the_log_line_under_systemd_reads_back_as_a_head():
    record = logging.LogRecord("kiosk.audit", logging.INFO, __file__, 1, "%s", (head_line(42, MAC_C),), None)
    line = PrivateFormatter(journal=True).format(record)
    assert line == f"<6>kiosk.audit: audit head 42 {MAC_C}"  # the mask leaves a MAC alone
    # what `journalctl -o cat -g 'audit head'` prints, with the noise around it
    copied = f"kiosk.audit: audit head 42 {MAC_C}\nsome other line\n{line}\naudit head 4 {MAC_A[:40]}\n"
    assert parse_heads(copied) == [(42, MAC_C), (42, MAC_C)]  # a cut line is no head


def test_compare():
    stored = [(1, MAC_A), (2, MAC_B), (3, MAC_C)]
    assert compare(stored, 3, [(1, MAC_A), (3, MAC_C)]) == ("agrees", None, 3)
    assert compare(stored, 3, [(2, MAC_B), (5, MAC_A)]) == ("older", None, 5)
    assert compare(stored, 3, [(2, MAC_C), (5, MAC_A)]) == ("differs", 2, 5)
    assert compare(stored, 3, [(2, MAC_B), (2, MAC_C)]) == ("differs", 2, 2)  # two stores in one witness
    assert compare(stored, 3, []) == ("agrees", None, None)


def test_storage_records_its_head_and_remembers_it_has_a_witness(state, clock):
    with open_installed(state, clock=clock, environ={}) as storage:
        assert not storage.settings.get(WITNESS_SETTING)
        ended = storage.journal.append(AuditAction.SESSION_ENDED)
        head = storage.record_head()
        assert head == (ended.seq, ended.mac)
        assert storage.settings.get(WITNESS_SETTING) is True  # journaled after the head: settings.changed
        assert storage.journal.head()[0] == ended.seq + 1
        storage.record_head()
        heads = read_heads(state / WITNESS_FILE_NAME)
        assert heads[0] == head and len(heads) == 2
        report = storage.journal.verify()
        check = storage.check_witness(report.checked)
        assert check.state == "agrees" and check.seen == heads[-1][0]


def test_init_creates_an_empty_private_witness(tmp_path):
    result = initialise(tmp_path, clock=FakeClock(), environ={})
    assert result.witness == tmp_path / WITNESS_FILE_NAME
    assert result.witness.read_bytes() == b""
    assert stat.S_IMODE(result.witness.stat().st_mode) == 0o600
    assert result.witness_append_only is False  # only root can set it: `sudo chattr +a`


@needs_root
def test_an_append_only_witness_takes_lines_but_cannot_be_cut_or_removed(tmp_path):
    path = record_head(tmp_path, 1, MAC_A)
    assert make_append_only(path) and append_only(path)
    try:
        record_head(tmp_path, 2, MAC_B)
        assert read_heads(path) == [(1, MAC_A), (2, MAC_B)]
        with pytest.raises(PermissionError):
            open(path, "w").close()  # noqa: SIM115 - truncating is what is refused
        with pytest.raises(PermissionError):
            path.unlink()
        with pytest.raises(PermissionError):
            os.rename(path, tmp_path / "elsewhere")
        lsattr = subprocess.run(["lsattr", str(path)], capture_output=True, text=True)
        if lsattr.returncode == 0:
            assert "a" in lsattr.stdout.split()[0]
    finally:
        subprocess.run(["chattr", "-a", str(path)], check=True)


# -- the kiosk's session end ---------------------------------------------------------------------

def installed_services(state, clock):
    return build_services(Settings(backend="https://fhir.invalid", state_dir=str(state)), clock, with_voice=False)


def test_each_session_end_writes_the_head_after_its_entry(state, clock, caplog):
    services = installed_services(state, clock)
    try:
        with caplog.at_level(logging.INFO, logger="kiosk.audit"):
            for _ in range(2):
                services.session.start()
                services.session.end()
        journal = services.store.journal
        ends = [e for e in journal.entries() if e.action is AuditAction.SESSION_ENDED]
        heads = read_heads(state / WITNESS_FILE_NAME)
        assert [seq for seq, _ in heads] == [e.seq for e in ends]  # each head is its session's end
        assert [mac for _, mac in heads] == [e.mac for e in ends]
        assert [r.getMessage() for r in caplog.records if r.name == "kiosk.audit"] == [
            head_line(seq, mac) for seq, mac in heads]
    finally:
        services.close()


def test_a_failed_witness_write_never_stops_a_session_from_ending(state, clock, caplog):
    (state / WITNESS_FILE_NAME).unlink()
    (state / WITNESS_FILE_NAME).mkdir()  # cannot be opened for writing
    services = installed_services(state, clock)
    try:
        services.session.start()
        with caplog.at_level(logging.INFO):
            services.session.end()
        assert services.session.end_reason is not None
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert errors == ["audit head not written outside the store: IsADirectoryError"]
        heads_logged = [r.getMessage() for r in caplog.records if r.name == "kiosk.audit"]
        assert len(heads_logged) == 1  # the system journal still has it
        services.session.start()  # the next person is served
        assert services.journal.down is False
    finally:
        services.close()


def test_a_demo_kiosk_writes_no_witness(caplog):
    services = build_services(Settings(), FakeClock(), with_voice=False)
    try:
        services.session.start()
        with caplog.at_level(logging.INFO, logger="kiosk.audit"):
            services.session.end()
        folder = services.store.store.path.parent
        assert not (folder / WITNESS_FILE_NAME).exists()
        assert not [r for r in caplog.records if r.name == "kiosk.audit"]
    finally:
        services.close()


def test_the_log_says_nothing_but_the_number_and_the_mac(state, clock):
    stream = io.StringIO()
    from kiosk.services.logs import setup_logging

    setup = setup_logging(stream=stream, environ={"INVOCATION_ID": "x"}, catch_crashes=False)
    services = installed_services(state, clock)
    try:
        services.session.start()
        services.session.end()
    finally:
        services.close()
        setup.close()
    lines = [line for line in stream.getvalue().splitlines() if "audit head" in line]
    assert len(lines) == 1
    seq, mac = parse_heads(lines[0])[0]
    assert lines[0] == f"<6>kiosk.audit: audit head {seq} {mac}"


@needs_root
def test_a_full_disk_at_session_end(tmp_path, clock, caplog):
    from .disks import Filler, small_disk

    with small_disk(tmp_path / "disk") as disk:
        state = disk / "state"
        initialise(state, clock=clock, environ={})
        services = installed_services(state, clock)
        try:
            services.session.start()
            services.session.end()  # a first head, and the store's mark that it has a witness
            head = services.store.journal.head()
            Filler(disk).fill()
            services.session.start()
            caplog.clear()  # only this end's lines (another test may have left the level at INFO)
            with caplog.at_level(logging.INFO):
                services.session.end()
            assert services.session.end_reason is not None
            assert services.journal.down and services.journal.cause == "full"
            assert [r.getMessage() for r in caplog.records if r.name == "kiosk.audit"] == [head_line(*head)]
        finally:
            services.close()
        # the line still fitted in the witness's last block; the store's head did not move
        assert read_heads(state / WITNESS_FILE_NAME)[-1] == head


@needs_root
def test_a_witness_that_cannot_grow_never_stops_the_session_end(tmp_path, clock, caplog):
    from .disks import Filler, small_disk

    with small_disk(tmp_path / "disk") as disk:
        state = disk / "state"
        initialise(state, clock=clock, environ={})
        services = installed_services(state, clock)
        try:
            services.session.start()
            services.session.end()
            witness = state / WITNESS_FILE_NAME
            with open(witness, "a") as handle:  # fill the witness's last block to the brim
                handle.write("#" * (4096 - witness.stat().st_size % 4096 - 1) + "\n")
            Filler(disk).fill()
            services.session.start()
            with caplog.at_level(logging.INFO):
                services.session.end()
            assert services.session.end_reason is not None
            errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
            assert "audit head not written outside the store: OSError" in errors
            assert any(r.name == "kiosk.audit" for r in caplog.records)  # the log line went out first
        finally:
            services.close()
