"""The end of an assisted session: what was done, on the end screen, spoken, and as a QR code to keep.

kiosk/ui/screens/end.py calls `end_section(screen)`; the AssistedSession is the one kept by the
AssistedUi (it stays after a withdrawal, for this list, and goes with the next person).
"""

from __future__ import annotations

from kiosk.core.assisted import END_HELPER_KEY, END_QR_KEY, END_TITLE_KEY
from kiosk.ui.blocks import QrBlock
from kiosk.ui.look import look
from kiosk.ui.qr import QrCode
from kiosk.ui.screen import Screen
from kiosk.ui.screens.assisted import ui_for
from kiosk.ui.widgets import Text

#: Seconds the end screen stays when it shows the list and its QR code (time to take a phone out).
END_RETURN_AFTER_S = 90
#: The end list's QR code: its text is long (many modules), at least 5.5 cm so that it still fits a page
#: beside its words with the pager (the 6 cm codes of the other screens hold fewer modules).
END_QR_MIN_MM = 55.0


def end_section(end_screen: Screen) -> None:
    """On the end screen: what was done with the helper, shown, spoken and as a QR code to keep."""
    app = end_screen.app
    assisted = ui_for(app).ended()
    end_screen.assisted_lines = []
    end_screen.qr = None
    if assisted is None:
        return
    catalog = look().catalog
    lines = assisted.end_list(catalog)
    end_screen.assisted_lines = lines
    end_screen.qr = qr = QrCode(assisted.qr_payload(catalog), min_mm=END_QR_MIN_MM)
    # the code to keep first, with the words that say what it is (one block, on the first page:
    # the patient sees it before the screen can go), then the list itself
    end_screen.add(QrBlock([Text(key=END_TITLE_KEY, style="heading"),
                            Text(key=END_HELPER_KEY, values=assisted.band_values()),
                            Text(source=lambda: " ".join((look().tr(END_QR_KEY),
                                                          look().tr("assisted_ui.end.qr_how"))))], qr),
                   Text(raw="\n".join(lines), style="strong"))  # one text: no gaps, more of it on a page
    # the person needs time to take a phone out: the Welcome screen comes back later
    app.keep_end_screen(END_RETURN_AFTER_S)
