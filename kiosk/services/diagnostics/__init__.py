"""The installer's self-check behind `kiosk doctor`.

Each check is a small function returning a CheckResult; everything it looks at
(paths, commands, environment, timeouts) can be given to it, so that tests can
make it fail for real.

    from kiosk.services.diagnostics import Probe, run_all
    for result in run_all(settings, Probe()):
        print(result.line())
"""

from kiosk.services.diagnostics.checks import (
    CheckResult,
    Probe,
    check_audio,
    check_backend,
    check_clock,
    check_disk,
    check_display,
    check_store,
    check_touch,
    check_voice,
    run_all,
    touch_devices,
)

__all__ = [
    "CheckResult",
    "Probe",
    "check_audio",
    "check_backend",
    "check_clock",
    "check_disk",
    "check_display",
    "check_store",
    "check_touch",
    "check_voice",
    "run_all",
    "touch_devices",
]
