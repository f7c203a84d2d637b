"""Loaded (through PYTHONPATH) only by `make test-faketime`: lets Python 3.11 sleep under libfaketime.

The run fakes the wall clock only (FAKETIME_DONT_FAKE_MONOTONIC=1): with a faked
monotonic clock every timed wait of Python's threads (sem_clockwait) blocks for
ever. But libfaketime 0.9.10 (Debian 12) then breaks time.sleep(), which Python
3.11 does with clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME): it hands the
kernel a negative time and gets EINVAL (libfaketime issue #426). Here time.sleep
waits with select() on the real monotonic clock instead. Nothing changes when
the process is not under faketime.
"""

import os
import select
import time


def _under_faketime() -> bool:
    return "faketime" in os.environ.get("LD_PRELOAD", "") and os.environ.get("FAKETIME_DONT_FAKE_MONOTONIC") == "1"


def _sleep(seconds: float, _select=select.select, _monotonic=time.monotonic) -> None:
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    end = _monotonic() + seconds
    while True:
        left = end - _monotonic()
        if left <= 0:
            return
        _select([], [], [], left)


if _under_faketime():
    time.sleep = _sleep
