"""The kiosk's own large on-screen keyboard (never the system keyboard).

Two layers of 4 rows, 11 units wide, AZERTY:

    letters   a z e r t y u i o p é        signs   1 2 3 4 5 6 7 8 9 0 €
              q s d f g h j k l m è                ? ! : ; ( ) - / @ " %
              [Majuscule] w x c v b n ç [Corriger]  [Majuscule] ù â î û ë ï œ [Corriger]
              [Chiffres] à ê ô ' , . [Espace]       [Lettres] ' , . + = * [Espace]

"Majuscule" makes the next letter a capital (the letters are then drawn as capitals:
the change is seen in their shape, not only in the key's colour). Every key is at
least KEY_MIN_MM high, like the number pad (kiosk.ui.screens.sign_in.PAD_KEY_MM), and
about 27 mm wide. Like the top and bottom bars, the keys keep the same size at every
text size, so the whole keyboard is always on one screen; the typed text above it grows.

The keyboard only reports what was touched (`on_insert(text)`, `on_space()`,
`on_delete()`); what the text is, and its limits, belong to the flow.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from kivy.uix.boxlayout import BoxLayout

from kiosk.ui.look import look
from kiosk.ui.widgets import KINDS, Button, Measured, Row, measure

#: The smallest key height, in millimetres: the number pad's (PAD_KEY_MM in kiosk.ui.screens.sign_in).
KEY_MIN_MM = 18.0
KEY_GAP_MM = 3.0
KEY_PAD_MM = 2.0
#: Units across one row (a letter key is 1 unit).
ROW_UNITS = 11

# (action, value, units): action "char" types `value`; the others are keys with words.
KeySpec = tuple[str, str, int]


def _chars(text: str) -> list[KeySpec]:
    return [("char", c, 1) for c in text]


LAYERS: dict[str, tuple[tuple[KeySpec, ...], ...]] = {
    "letters": (
        tuple(_chars("azertyuiopé")),
        tuple(_chars("qsdfghjklmè")),
        (("shift", "keyboard.shift", 2), *_chars("wxcvbnç"), ("delete", "keyboard.delete", 2)),
        (("layer", "keyboard.signs", 2), *_chars("àêô',."), ("space", "keyboard.space", 3)),
    ),
    "signs": (
        tuple(_chars("1234567890€")),
        tuple(_chars("?!:;()-/@\"%")),
        (("shift", "keyboard.shift", 2), *_chars("ùâîûëïœ"), ("delete", "keyboard.delete", 2)),
        (("layer", "keyboard.letters", 2), *_chars("',.+=*"), ("space", "keyboard.space", 3)),
    ),
}


def key_font_px(char: bool) -> int:
    """Letters a little larger than the body text; words on keys at the body size (text size 1)."""
    return look().font_px("title" if char else "bar")


class Key(Button):
    """One key: a kit button with a fixed label size and a smaller inner margin."""

    def __init__(self, action: str, value: str, units: int, **kwargs: Any) -> None:
        self.action, self.value, self.units = action, value, units
        self.char = action == "char"
        if self.char:
            kwargs.setdefault("raw", value)
            kwargs.setdefault("name", f"key.{value}")
        else:
            kwargs.setdefault("name", f"key.{action}")
        super().__init__(None if self.char else value, vertical=True, min_mm=KEY_MIN_MM, style="bar",
                         size_hint_x=units, **kwargs)

    def _pad(self) -> float:
        return look().mm(KEY_PAD_MM)

    def refresh(self) -> None:
        self.label.refresh()
        self.label.font_size = key_font_px(self.char)
        self.label.bold = True
        self._layout()

    def set_active(self, active: bool) -> None:
        """A key that is "on" (Majuscule) is filled like a main action."""
        self.fill_role, self.text_role, self.edge_role = KINDS["primary" if active else "secondary"]
        self._draw()

    def show_char(self, text: str) -> None:
        self.label.set_text(raw=text)
        self.refresh()


class Keyboard(Measured, BoxLayout):
    """The keyboard: rows of keys, one layer at a time."""

    def __init__(self, *, on_insert: Callable[[str], Any], on_space: Callable[[], Any],
                 on_delete: Callable[[], Any], layer: str = "letters", **kwargs: Any) -> None:
        super().__init__(orientation="vertical", **kwargs)
        self._insert, self._space, self._delete = on_insert, on_space, on_delete
        self.layer = layer
        self.shift = False
        self.keys: list[Key] = []
        self.rows: list[Row] = []
        self._build()

    # -- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.clear_widgets()
        self.keys, self.rows = [], []
        for spec_row in LAYERS[self.layer]:
            row = Row(spacing_mm=KEY_GAP_MM, size_hint_y=None)
            for action, value, units in spec_row:
                key = Key(action, value, units, on_activate=lambda a=action, v=value: self.press(a, v))
                row.add_widget(key)
                self.keys.append(key)
            self.rows.append(row)
            self.add_widget(row)
        self._show_shift()
        self.refresh()

    def row_height(self) -> float:
        lk = look()
        text_h = measure("Ég", key_font_px(True), True, 10000)[1]
        return max(lk.mm(KEY_MIN_MM), text_h + 2 * lk.mm(KEY_PAD_MM))

    def wanted_height(self, width: float) -> float:
        rows = len(LAYERS[self.layer])
        return rows * self.row_height() + (rows - 1) * look().mm(KEY_GAP_MM)

    def refresh(self) -> None:
        self.spacing = look().mm(KEY_GAP_MM)
        height = self.row_height()
        for row in self.rows:
            row.height = height
        self._trigger_layout()

    # -- keys ------------------------------------------------------------------------------
    def key(self, name: str) -> Key:
        return next(k for k in self.keys if k.name == name)

    def press(self, action: str, value: str) -> None:
        if action == "char":
            self._insert(value.upper() if self.shift else value)
            if self.shift:
                self.set_shift(False)
        elif action == "space":
            self._space()
        elif action == "delete":
            self._delete()
        elif action == "shift":
            self.set_shift(not self.shift)
        elif action == "layer":
            self.set_layer("signs" if self.layer == "letters" else "letters")

    def set_shift(self, on: bool) -> None:
        self.shift = on
        self._show_shift()

    def set_layer(self, layer: str) -> None:
        if layer != self.layer:
            self.layer = layer
            self._build()

    def _show_shift(self) -> None:
        for key in self.keys:
            if key.char and key.value.isalpha():
                key.show_char(key.value.upper() if self.shift else key.value)
            elif key.action == "shift":
                key.set_active(self.shift)

    # -- words for the voice -----------------------------------------------------------------
    def spoken_lines(self) -> list[str]:
        lines = [look().tr(f"keyboard.spoken.{self.layer}")]
        if self.shift:
            lines.append(look().tr("keyboard.shift_on"))
        return lines

    def word_keys(self) -> Sequence[Key]:
        """The keys with words (Majuscule, Corriger, Chiffres, Espace), for the spoken description."""
        return [k for k in self.keys if not k.char]


__all__ = ["KEY_MIN_MM", "Key", "Keyboard", "LAYERS"]
