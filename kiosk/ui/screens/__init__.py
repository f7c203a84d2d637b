"""The screens of the kiosk. Importing this package registers them (see kiosk.ui.screen).

A later journey adds its module here (or in its own package) and imports it below.
"""

from kiosk.ui.screens import end, home, welcome  # noqa: F401  (registration)
from kiosk.ui.screens import access_code  # noqa: F401  (registration)
from kiosk.ui.screens import agenda  # noqa: F401  (registration)
from kiosk.ui.screens import access  # noqa: F401  (registration)
from kiosk.ui.screens import sign_in  # noqa: F401  (registration)
from kiosk.ui.screens import closure  # noqa: F401  (registration)
from kiosk.ui.screens import training  # noqa: F401  (registration)
from kiosk.ui.screens import assisted  # noqa: F401  (registration)
from kiosk.ui.screens import documents  # noqa: F401  (registration)
from kiosk.ui.screens import messages  # noqa: F401  (registration)
