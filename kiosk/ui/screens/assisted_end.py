"""The end of an assisted session: what was done, on the end screen, spoken, and as a QR code to keep.

kiosk/ui/screens/end.py calls `end_section(screen)`; the AssistedSession is the one kept by the
AssistedUi (it stays after a withdrawal, for this list, and goes with the next person).
"""

from __future__ import annotations

from typing import Any

from kiosk.core.assisted import END_HELPER_KEY, END_QR_KEY, END_TITLE_KEY
from kiosk.ui.look import look
from kiosk.ui.qr import QrCode
from kiosk.ui.screen import Screen
from kiosk.ui.screens.access_code import beside_qr, side_by_side
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
    words = [Text(key=END_TITLE_KEY, style="heading"),
             Text(key=END_HELPER_KEY, values=assisted.band_values()),
             Text(raw="\n".join(lines), style="strong"),  # one block: no gaps, more of it on a page
             Text(source=lambda: " ".join((look().tr(END_QR_KEY), look().tr("assisted_ui.end.qr_how"))))]
    if side_by_side() and _column_height(words, app, qr) <= qr.side_px():
        end_screen.add(beside_qr(words, qr))  # all of it on the first page
    elif side_by_side():  # a longer list: the list first, then the code with its words beside it
        end_screen.add(*words[:-1], beside_qr(words[-1:], qr))
    else:  # large text: the words, then the code on its own row (paged if it must be)
        end_screen.add(*words, qr)
    # the person needs time to take a phone out: the Welcome screen comes back later
    app.keep_end_screen(END_RETURN_AFTER_S)


def _column_height(words: list[Text], app: Any, qr: QrCode) -> float:
    """The height of the words beside the QR code (as beside_qr lays them out)."""
    from kivy.core.window import Window

    lk = look()
    margin = lk.mm(3 if lk.text_size > 2 else 6)
    width = Window.width - 2 * margin - qr.side_px() - lk.mm(8)
    return sum(w.wanted_height(width) for w in words) + lk.mm(3) * (len(words) - 1)
