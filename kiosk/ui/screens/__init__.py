"""The screens of the kiosk. Importing this package registers them (see kiosk.ui.screen).

A later journey adds its module here (or in its own package) and imports it below.
"""

from kiosk.ui.screens import end, home, welcome  # noqa: F401  (registration)
