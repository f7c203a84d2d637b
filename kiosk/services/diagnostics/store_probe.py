"""Run by `kiosk doctor` (as root) under the kiosk's own account: checks the store, prints one JSON line.

    python -m kiosk.services.diagnostics.store_probe STATE_DIR

The key comes from $CREDENTIALS_DIRECTORY or the key file, as for the kiosk itself.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from kiosk.services.diagnostics.checks import _store_probe_in_process

    args = sys.argv[1:] if argv is None else argv
    result = _store_probe_in_process(Path(args[0]), dict(os.environ))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":  # pragma: no cover - run as a child process
    sys.exit(main())
