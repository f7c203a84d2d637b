"""Kivy user interface: the only package that imports kivy."""

import logging
import os


def configure_environment() -> None:
    """Before the first `import kivy`: never read the command line, never leave log files behind."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    if "KIVY_HOME" not in os.environ:
        # no config.ini written to the user's home; an installed KIVY_HOME (packaging) is honoured
        os.environ.setdefault("KIVY_NO_CONFIG", "1")
    # Kivy logs through Python's logging: quiet by default, and a traceback is never swallowed
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    logger = logging.getLogger("kivy")
    if not any(getattr(f, "kiosk", False) for f in logger.filters):
        def warnings_only(record: logging.LogRecord) -> bool:
            return record.levelno >= logging.WARNING

        warnings_only.kiosk = True  # type: ignore[attr-defined]
        logger.addFilter(warnings_only)
