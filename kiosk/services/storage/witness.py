"""The journal's head, kept outside the store: a witness of how far the journal went.

At each session end the kiosk writes the head of its audit journal (its last
sequence number and that entry's MAC, nothing else) in two places outside the
encrypted store:

- one line ``audit head <seq> <mac>`` in the kiosk's log (logger ``kiosk.audit``,
  level info): under systemd, the system journal, which the kiosk account
  cannot rewrite;
- the same line appended to the witness file ``kiosk-audit.witness`` in the
  state folder, always opened with O_APPEND. With the append-only attribute
  (``chattr +a``, which only root can set or clear), the kiosk account can add
  lines but cannot change, shorten, rename or remove the file.

``kiosk admin audit verify`` then compares the store with every line: the store
must still hold each entry the witness saw, with the same MAC. A journal that
stops before the witness's last head is an older copy put back; a MAC that
differs is another store, or a journal rewritten with the key.

The store remembers (setting ``audit.witness``) that it has a witness, so a
witness file that disappears is reported too.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

WITNESS_FILE_NAME = "kiosk-audit.witness"
HEAD_PREFIX = "audit head"
WITNESS_SETTING = "audit.witness"
_HEAD_RE = re.compile(r"audit head (\d{1,15}) ([0-9a-f]{64})(?![0-9a-f])")

# <linux/fs.h>: the inode flags behind lsattr / chattr.
_FS_IOC_GETFLAGS = 0x80086601
_FS_IOC_SETFLAGS = 0x40086602
_FS_APPEND_FL = 0x00000020

log = logging.getLogger("kiosk.audit")


def head_line(seq: int, mac: str) -> str:
    """The witness line for one head: the same in the log and in the witness file."""
    return f"{HEAD_PREFIX} {int(seq)} {mac}"


def parse_heads(text: str) -> list[tuple[int, str]]:
    """Every ``audit head <seq> <mac>`` in a text: the witness file, or lines copied from journalctl."""
    return [(int(seq), mac) for seq, mac in _HEAD_RE.findall(text)]


def witness_path(folder: Path) -> Path:
    return Path(folder) / WITNESS_FILE_NAME


def _flags(fd: int) -> int:
    return struct.unpack("i", fcntl.ioctl(fd, _FS_IOC_GETFLAGS, struct.pack("i", 0)))[0]


def append_only(path: Path) -> bool | None:
    """Whether the file has the append-only attribute; None when the file system cannot tell."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        return bool(_flags(fd) & _FS_APPEND_FL)
    except OSError:
        return None
    finally:
        os.close(fd)


def make_append_only(path: Path) -> bool:
    """Set the append-only attribute (root only: CAP_LINUX_IMMUTABLE). True when the file has it."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    try:
        flags = _flags(fd)
        if not flags & _FS_APPEND_FL:
            fcntl.ioctl(fd, _FS_IOC_SETFLAGS, struct.pack("i", flags | _FS_APPEND_FL))
        return True
    except OSError:  # EPERM for the kiosk account, ENOTTY / EOPNOTSUPP where files have no attributes
        return False
    finally:
        os.close(fd)


def _open_for_append(path: Path) -> int:
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    return os.open(path, flags, 0o600)


def start_witness(folder: Path) -> Path:
    """Create the (empty) witness file if it is not there, so that root can make it append-only
    (``sudo chattr +a``) before the kiosk ever runs. The kiosk account cannot set the attribute."""
    path = witness_path(folder)
    os.close(_open_for_append(path))
    return path


def record_head(folder: Path, seq: int, mac: str) -> Path:
    """Write one head outside the store: a log line first, then a line appended to the witness file.

    Raises OSError when the witness file cannot take the line (full or read-only disk);
    the log line is written before, so the system journal still has it.
    """
    line = head_line(seq, mac)
    log.info("%s", line)
    path = witness_path(folder)
    data = (line + "\n").encode("ascii")
    fd = _open_for_append(path)
    try:
        if os.write(fd, data) != len(data):  # a short write: the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def read_heads(path: Path) -> list[tuple[int, str]] | None:
    """The heads in a witness file; None when there is no such file. OSError when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("ascii", errors="replace")
    except FileNotFoundError:
        return None
    return parse_heads(text)


@dataclass(frozen=True)
class WitnessCheck:
    """How the store compares with its witness."""

    #: "agrees", "none" (no witness yet), "lost" (the store had one), "older" (the store is an older
    #: copy), "differs" (an entry's MAC is not the one the witness saw)
    state: str
    path: Path
    heads: int = 0  # witness lines read
    seen: int | None = None  # the highest sequence number the witness saw
    last: int | None = None  # the store's last entry
    first_different: int | None = None
    append_only: bool | None = None
    extra_heads: int = 0  # lines given on the command line (copied from the system journal)

    @property
    def ok(self) -> bool:
        return self.state in ("agrees", "none")


def compare(
    stored: Iterable[tuple[int, str]],
    last: int,
    heads: Sequence[tuple[int, str]],
) -> tuple[str, int | None, int | None]:
    """Compare the store's entries (seq, mac, in order) with witness heads.

    Returns (state, first different seq, highest seq seen): "differs" when an entry the
    witness saw has another MAC, "older" when the witness saw entries the store does
    not have, else "agrees".
    """
    wanted: dict[int, set[str]] = {}
    for seq, mac in heads:
        wanted.setdefault(seq, set()).add(mac)
    seen = max(wanted) if wanted else None
    for seq, mac in stored:
        if seq in wanted and wanted[seq] != {mac}:
            return "differs", seq, seen
    if seen is not None and seen > last:
        return "older", None, seen
    return "agrees", None, seen


def check(
    journal,
    last: int,
    folder: Path,
    *,
    expected: bool,
    extra: Sequence[tuple[int, str]] = (),
) -> WitnessCheck:
    """Compare the journal (verified up to entry `last`) with the witness file in `folder`
    and with `extra` heads (lines copied from the system journal).

    `expected`: the store says it has had a witness, so a missing or emptied file is "lost".
    """
    path = witness_path(folder)
    heads = read_heads(path)
    protected = append_only(path) if heads is not None else None
    found = list(heads or ()) + list(extra)
    if not heads and expected:
        return WitnessCheck("lost", path, 0, None, last, None, protected, len(extra))
    if not found:
        return WitnessCheck("none", path, 0, None, last, None, protected, 0)
    state, different, seen = compare(journal.stored_macs(), last, found)
    return WitnessCheck(state, path, len(heads or ()), seen, last, different, protected, len(extra))


__all__ = [
    "HEAD_PREFIX",
    "WITNESS_FILE_NAME",
    "WITNESS_SETTING",
    "WitnessCheck",
    "append_only",
    "check",
    "compare",
    "head_line",
    "make_append_only",
    "parse_heads",
    "read_heads",
    "record_head",
    "start_witness",
    "witness_path",
]
