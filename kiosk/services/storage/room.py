"""Can the store's disk still take a journal entry? A real write next to the database."""

from __future__ import annotations

import os
from pathlib import Path

#: What one journal entry and its WAL frames may need, with room to spare.
PROBE_BYTES = 64 * 1024


def check_room(database: Path, size: int = PROBE_BYTES) -> None:
    """Write, sync and remove `size` bytes beside `database`; raises the OSError a full or
    read-only disk gives (ENOSPC, EROFS, EACCES)."""
    probe = Path(database).parent / f".room-{os.getpid()}"
    fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, b"\0" * size)
        os.fsync(fd)
    finally:
        os.close(fd)
        try:
            os.unlink(probe)
        except FileNotFoundError:
            pass
