"""The screens of the kiosk. `load_all()` registers them (see kiosk.ui.screen).

The app imports Welcome alone for its first frame, and calls `load_all()` once Welcome is on
screen (kiosk.ui.app.KioskApp.finish_start). A later journey adds its module to MODULES.
"""

from __future__ import annotations

import importlib

#: The modules whose import registers screens, features and pictures, in this order.
MODULES = ("end", "home", "welcome", "access_code", "agenda", "access", "sign_in", "closure",
           "training", "assisted", "documents", "messages")


def load_all() -> None:
    for name in MODULES:
        importlib.import_module(f"kiosk.ui.screens.{name}")
