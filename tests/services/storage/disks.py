"""Real disk faults for the store tests: a small tmpfs that fills up, a read-only bind mount.

Both need root (CI runs as root); each mount is undone in the fixture's teardown.
"""

from __future__ import annotations

import errno
import os
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs or a bind mount needs root")


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=30)


@contextmanager
def small_disk(where: Path, size: str = "1m") -> Iterator[Path]:
    """A tmpfs of `size` mounted at `where`, unmounted afterwards."""
    where.mkdir(parents=True, exist_ok=True)
    _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where))
    try:
        yield where
    finally:
        _run("umount", "-l", str(where))


@contextmanager
def read_only_view(source: Path, where: Path) -> Iterator[Path]:
    """`source` seen read-only at `where` (a bind mount remounted read-only), unmounted afterwards."""
    where.mkdir(parents=True, exist_ok=True)
    _run("mount", "--bind", str(source), str(where))
    try:
        _run("mount", "-o", "remount,bind,ro", str(where))
        yield where
    finally:
        _run("umount", "-l", str(where))


class Filler:
    """Takes every free block of a disk, and gives room back on demand."""

    def __init__(self, disk: Path) -> None:
        self.path = disk / "filler"

    def fill(self, leave: int = 0) -> "Filler":
        """Write until the disk is full, then give back `leave` bytes."""
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for size in (1 << 20, 1 << 16, 1 << 12, 1):
                while True:
                    try:
                        os.write(fd, b"\0" * size)
                    except OSError as error:
                        assert error.errno == errno.ENOSPC
                        break
        finally:
            os.close(fd)
        if leave:
            os.truncate(self.path, max(0, self.path.stat().st_size - leave))
        return self

    def free(self) -> None:
        self.path.unlink(missing_ok=True)
