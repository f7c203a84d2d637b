"""The accessible screen kit: text, buttons, icons, panels, banners, a paged list, the bars.

Every widget that shows text or acts answers `a11y()` with an `A11y` record
(its role, label, colours and text widget) that kiosk.ui.a11y_check reads, and
has `refresh()` to redraw itself from the current Look (language, theme, size).
Every kit widget also answers `wanted_height(width)`: `Stack` lays its
children out from it, so nothing relies on a scroll view.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, ClassVar, Iterable, Sequence

from kivy.core.image import Image as CoreImage
from kivy.core.text import Label as CoreLabel
from kivy.graphics import Color, Line, Rectangle, RoundedRectangle
from kivy.properties import BooleanProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.ui import icons as icon_files
from kiosk.ui import theme as th
from kiosk.ui.look import look

RGB = th.RGB

#: Background role -> the text role read on it.
TEXT_ON = {
    "bg": "text",
    "bar_bg": "bar_text",
    "surface": "surface_text",
    "btn_bg": "btn_text",
    "primary_bg": "primary_text",
    "error_bg": "error_text",
    "info_bg": "info_text",
}


# --- the accessibility protocol -------------------------------------------------------------

@dataclass
class A11y:
    """What the accessibility checker (and later the voice) needs to know about a widget.

    role: "text" (something to read), "button" (something to touch) or "icon".
    label: the words shown (and spoken); a button without words fails the check.
    fg / bg: text or icon colour, and the colour right behind it.
    edge / backdrop: for a control, the colour that shows where it is, and what is around it.
    main: the main action of the screen (a bigger target is required).
    text: the Kivy Label that draws the words (for clipping and capital height checks).
    """

    role: str
    label: str
    fg: RGB | None = None
    bg: RGB | None = None
    edge: RGB | None = None
    backdrop: RGB | None = None
    main: bool = False
    text: Label | None = None
    font_px: float | None = None


def rgb(role: str) -> RGB:
    return look().theme.role(role)[:3]  # type: ignore[return-value]


def refresh_tree(root: Widget) -> None:
    """Redraw every widget from the current Look: language, theme and size change at once."""
    for widget in list(root.walk(restrict=True)):
        refresh = getattr(widget, "refresh", None)
        if callable(refresh):
            refresh()


def refresh_stale(root: Widget) -> None:
    """After a change of the Look: redraw what did not follow it by itself (the containers,
    and kit widgets that were off the window, such as the items of another page)."""
    revision = look().revision
    for widget in list(root.walk(restrict=True)):
        if getattr(widget, "look_seen", None) == revision:
            continue
        refresh = getattr(widget, "refresh", None)
        if callable(refresh):
            refresh()


class FollowsLook:
    """A kit widget that redraws itself when the Look changes (its `revision` property).

    Only a widget on the window redraws at once; one off it (a list item on another page,
    a screen being dropped) is left to `refresh_stale`, or is never drawn again.
    The Look holds it weakly: it keeps no widget alive.
    """

    look_seen: int = -1

    def follow_look(self) -> None:
        lk = look()
        self.look_seen = lk.revision
        lk.follow(self)

    def look_changed(self, lk: Any) -> None:
        if self.look_seen != lk.revision and self.get_root_window() is not None:  # type: ignore[attr-defined]
            self.refresh()  # type: ignore[attr-defined]
            self.look_seen = lk.revision


def is_shown(widget: Widget) -> bool:
    """A widget is shown when it and every parent are visible and it is on screen."""
    node = widget
    while node is not None:
        if getattr(node, "opacity", 1) == 0 or getattr(node, "hidden", False):
            return False
        parent = node.parent
        if parent is node:
            break
        node = parent
    return True


class _Extents:
    """Word widths by font, shared by every label of the kit.

    Kivy's SDL2 label asks SDL_ttf for the width of every word it tries on a line, again
    for every label and every layout pass: most of the time of building a screen. They are
    kept here, per font, until `forget_measures()` (at the end of each session: a patient's
    words never stay on the kiosk).
    """

    by_font: dict[str, dict[str, tuple[int, int]]] = {}
    limit = 50_000  # words per font: a very long document cannot make it grow without end

    @classmethod
    def getter(cls, label: Any) -> Callable[[str], tuple[int, int]]:
        cache = cls.by_font.setdefault(label._get_font_id(), {})
        measure_word = label.get_extents

        def extents(text: str) -> tuple[int, int]:
            size = cache.get(text)
            if size is None:
                if len(cache) >= cls.limit:
                    cache.clear()
                size = cache[text] = measure_word(text)
            return size

        return extents


class KitCoreLabel(CoreLabel):  # type: ignore[misc, valid-type]
    """Kivy's core label, with the word widths kept (see `_Extents`)."""

    def get_cached_extents(self):  # type: ignore[override]
        return _Extents.getter(self)


def use_kit_core_label(widget: Label) -> None:
    """Make a Kivy Label measure its words through the kit's cache."""
    core = getattr(widget, "_label", None)
    if core is not None and type(core) is CoreLabel:
        core.__class__ = KitCoreLabel


def forget_measures() -> None:
    """Drop every kept measure: the words of the person who just left go with them."""
    _Extents.by_font.clear()
    measure.cache_clear()
    text_width.cache_clear()


@lru_cache(maxsize=8192)
def measure(text: str, font_px: int, bold: bool, width: int, halign: str = "left") -> tuple[int, int]:
    """Size of `text` wrapped in `width` pixels, as Kivy draws it (only laid out: nothing is rendered)."""
    if not text:
        return (0, 0)
    label = KitCoreLabel(text=text, font_size=font_px, font_name=th.FONT_NAME, bold=bold,
                         text_size=(max(1, width), None), halign=halign)
    label.resolve_font_name()
    size = label.render()  # the layout pass of CoreLabel.refresh(), without making a texture
    return (size[0], size[1]) if size[0] > 1 and size[1] > 1 else (1, 1)


def word_fits(text: str, font_px: int, bold: bool, width: float) -> bool:
    """True when the longest word of `text` fits in `width` on one line."""
    words = text.split() or [""]
    return text_width(max(words, key=len), font_px, bold) <= width


@lru_cache(maxsize=8192)
def text_width(text: str, font_px: int, bold: bool) -> int:
    """Width of `text` on one line."""
    if not text:
        return 0
    label = KitCoreLabel(text=text, font_size=font_px, font_name=th.FONT_NAME, bold=bold)
    label.resolve_font_name()
    return int(label.get_cached_extents()(text)[0])


class Measured:
    """Mixin: `wanted_height(width)`, the height the widget needs at that width."""

    fill: bool = False      # True: takes the height left in a Stack (a paged list, a spacer)
    full_row: bool = True   # in a PagedList with several columns: a row of its own

    def wanted_height(self, width: float) -> float:  # pragma: no cover - overridden
        return getattr(self, "height", 0)


# --- text -----------------------------------------------------------------------------------

#: The largest scale of words that must fit their room, tried in turn (None: as the person chose);
#: never below the default size. Blocks, the page splitter and the reading view share the steps.
CAPS: tuple[float | None, ...] = (None, 1.6, 1.3, 1.0)


def cap_words(widgets: Iterable[Widget], cap: float | None) -> None:
    """Every text inside `widgets` at most `cap` times the default size, redrawn."""
    for widget in widgets:
        for node in widget.walk(restrict=True):
            if isinstance(node, Text):
                node.cap = cap
        refresh_tree(widget)


def capped_font_px(style: str, cap: float) -> int:
    """The style's font size when the text size is at most `cap` (the scale of the body)."""
    from kiosk.ui.look import STYLES

    lk = look()
    factor, style_cap, _bold = STYLES[style]
    return round(lk.base_px * min(min(lk.scale, cap) * factor, max(style_cap, factor)))


class Text(FollowsLook, Measured, Label):
    """Words from the catalogue (`key`, `values`) or given as data (`raw`), left-aligned, wrapped."""

    cap: float | None = None

    def __init__(self, key: str | None = None, values: dict | None = None, raw: str | None = None,
                 style: str = "body", on: str = "bg", halign: str = "left", fg: str | None = None,
                 source: Callable[[], str] | None = None, **kwargs: Any) -> None:
        self.key, self.values, self.raw, self.source = key, dict(values or {}), raw, source
        self.style, self.on, self.fg_role = style, on, fg or TEXT_ON[on]
        kwargs.setdefault("size_hint_y", None)
        super().__init__(font_name=th.FONT_NAME, halign=halign, valign="middle", **kwargs)
        use_kit_core_label(self)
        self.bind(width=self._wrap)
        self.refresh()
        self.follow_look()

    def set_text(self, key: str | None = None, raw: str | None = None, **values: Any) -> None:
        self.key, self.raw, self.values = key, raw, values
        self.refresh()

    def words(self) -> str:
        if self.source is not None:
            return self.source()
        if self.raw is not None:
            return self.raw
        if self.key is None:
            return ""
        return look().tr(self.key, **self.values)

    def refresh(self) -> None:
        lk = look()
        self.font_size = lk.font_px(self.style)
        if self.cap is not None:  # a block that must fit its page caps its words (kiosk.ui.blocks)
            self.font_size = min(self.font_size, capped_font_px(self.style, self.cap))
        self.bold = lk.bold(self.style)
        self.color = lk.rgba(self.fg_role)
        self.text = self.words()
        self.line_height = 1.0
        self._wrap()

    def _wrap(self, *_: Any) -> None:
        # The height comes from the kept measure; Kivy renders the texture once, before the
        # frame, instead of at every width a layout pass tries. Whole pixels, as `measure`.
        width = max(1, int(self.width))
        self.text_size = (width, None)
        if self.size_hint_y is None:
            self.height = measure(self.text, int(self.font_size), bool(self.bold), width, self.halign)[1]

    def wanted_height(self, width: float) -> float:
        return measure(self.text, int(self.font_size), bool(self.bold), int(width), self.halign)[1]

    def a11y(self) -> A11y:
        return A11y("text", self.text, fg=rgb(self.fg_role), bg=rgb(self.on), text=self,
                    font_px=float(self.font_size))


# --- icons ----------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _icon_texture(name: str):
    # No mipmaps: the icons are drawn at most 2x smaller than their file, where linear filtering
    # is smooth, and building mipmaps cost about 20 ms an icon on the way to the first frame.
    texture = CoreImage(str(icon_files.icon_path(name))).texture
    texture.mag_filter = "linear"
    texture.min_filter = "linear"
    return texture


class Icon(FollowsLook, Widget):
    """A drawn icon tinted with a colour role (the colour of the text next to it)."""

    def wanted_height(self, width: float) -> float:
        return self.width if self.size_hint_x is None else 0

    def __init__(self, name: str, role: str = "text", on: str = "bg", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.name, self.role, self.on = name, role, on
        with self.canvas:
            self._colour = Color(1, 1, 1, 1)
            self._rect = Rectangle(texture=_icon_texture(name))
        self.bind(pos=self._place, size=self._place)
        self.refresh()
        self.follow_look()

    def set_colour(self, rgba: Sequence[float]) -> None:
        self._colour.rgba = list(rgba)

    def refresh(self) -> None:
        self._colour.rgba = look().rgba(self.role)

    def _place(self, *_: Any) -> None:
        side = min(self.width, self.height)
        self._rect.pos = (self.x + (self.width - side) / 2, self.y + (self.height - side) / 2)
        self._rect.size = (side, side)

    def a11y(self) -> A11y:
        return A11y("icon", self.name, fg=tuple(self._colour.rgba[:3]), bg=rgb(self.on))


# --- panels and layout ----------------------------------------------------------------------

class Stack(Measured, BoxLayout):
    """A vertical column: each child gets `wanted_height(width)`; `fill` children share the rest."""

    def __init__(self, bg: str | None = None, edge: str | None = None, radius_mm: float = 0,
                 padding_mm: float = 0, spacing_mm: float = 0, **kwargs: Any) -> None:
        kwargs.setdefault("orientation", "vertical")
        super().__init__(**kwargs)
        self.bg_role, self.edge_role, self.radius_mm = bg, edge, radius_mm
        self.padding_mm, self.spacing_mm = padding_mm, spacing_mm
        with self.canvas.before:
            self._bg_colour = Color(0, 0, 0, 0)
            self._bg = RoundedRectangle()
            self._edge_colour = Color(0, 0, 0, 0)
            self._edge = Line(width=1)
        self.bind(pos=self._draw, size=self._draw)
        self.refresh()

    def refresh(self) -> None:
        lk = look()
        self.padding = [lk.mm(self.padding_mm)] * 4
        self.spacing = lk.mm(self.spacing_mm)
        self._draw()
        self._trigger_layout()

    def _draw(self, *_: Any) -> None:
        lk = look()
        radius = lk.mm(self.radius_mm)
        self._bg_colour.rgba = lk.rgba(self.bg_role) if self.bg_role else [0, 0, 0, 0]
        self._bg.pos, self._bg.size, self._bg.radius = self.pos, self.size, [radius] * 4
        self._edge_colour.rgba = lk.rgba(self.edge_role) if self.edge_role else [0, 0, 0, 0]
        w = lk.line_px()
        self._edge.width = w / 2
        self._edge.rounded_rectangle = (self.x + w / 2, self.y + w / 2, max(1, self.width - w),
                                        max(1, self.height - w), max(1, radius))

    def _inner_width(self) -> float:
        return self.width - self.padding[0] - self.padding[2]

    def wanted_height(self, width: float) -> float:
        inner = width - self.padding[0] - self.padding[2]
        kids = [c for c in self.children if not getattr(c, "hidden", False)]
        if self.orientation == "horizontal":
            return self.padding[1] + self.padding[3] + max(
                [getattr(c, "wanted_height", lambda w: c.height)(c.width) for c in kids] or [0])
        total = sum(_wanted(c, inner) for c in kids) + self.spacing * max(0, len(kids) - 1)
        return total + self.padding[1] + self.padding[3]

    def do_layout(self, *args: Any) -> None:
        if self.orientation == "vertical":
            inner = self._inner_width()
            for child in self.children:
                if getattr(child, "hidden", False):
                    child.size_hint_y, child.height = None, 0
                elif getattr(child, "fill", False):
                    child.size_hint_y = 1
                else:
                    child.size_hint_y = None
                    child.height = _wanted(child, inner)
        super().do_layout(*args)


def _wanted(child: Widget, width: float) -> float:
    fn = getattr(child, "wanted_height", None)
    if fn is None:
        return child.height
    return fn(width)


class Spacer(Measured, Widget):
    fill = True

    def wanted_height(self, width: float) -> float:
        return 0


class Gap(Measured, Widget):
    """A fixed vertical gap, in millimetres."""

    def __init__(self, mm: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mm = mm

    def wanted_height(self, width: float) -> float:
        return look().mm(self.mm)


class Row(Measured, BoxLayout):
    """Widgets side by side, equal widths unless they have a size_hint_x; height = the tallest."""

    def __init__(self, spacing_mm: float = 4, **kwargs: Any) -> None:
        super().__init__(orientation="horizontal", **kwargs)
        self.spacing_mm = spacing_mm
        self.refresh()

    def refresh(self) -> None:
        self.spacing = look().mm(self.spacing_mm)

    def _widths(self, width: float) -> list[float]:
        kids = list(reversed(self.children))
        fixed = sum(c.width for c in kids if c.size_hint_x is None)
        hints = sum(c.size_hint_x for c in kids if c.size_hint_x is not None) or 1
        free = width - fixed - self.spacing * max(0, len(kids) - 1)
        return [c.width if c.size_hint_x is None else free * c.size_hint_x / hints for c in kids]

    def wanted_height(self, width: float) -> float:
        kids = list(reversed(self.children))
        return max([_wanted(c, w) for c, w in zip(kids, self._widths(width))] or [0])

    def do_layout(self, *args: Any) -> None:
        h = self.height
        for child in self.children:
            child.size_hint_y = None
            child.height = h
        super().do_layout(*args)


# --- buttons --------------------------------------------------------------------------------

class TapBehaviour:
    """Act on release; sliding off before lifting the finger cancels.

    `TapBehaviour.activation_filter`, when set, is asked before any button acts
    (explore-by-touch: the first tap speaks the label, the second acts).
    """

    activation_filter: ClassVar[Callable[[Widget], bool] | None] = None
    pressed = BooleanProperty(False)

    def on_touch_down(self, touch):  # type: ignore[override]
        if self.disabled or not is_shown(self) or not self.collide_point(*touch.pos):
            return super().on_touch_down(touch)
        touch.grab(self)
        self.pressed = True
        return True

    def on_touch_move(self, touch):  # type: ignore[override]
        if touch.grab_current is self:
            self.pressed = self.collide_point(*touch.pos)
            return True
        return super().on_touch_move(touch)

    def on_touch_up(self, touch):  # type: ignore[override]
        if touch.grab_current is self:
            touch.ungrab(self)
            inside = self.collide_point(*touch.pos)
            self.pressed = False
            if inside:
                self.activate()
            return True
        return super().on_touch_up(touch)

    def activate(self) -> None:
        hook = TapBehaviour.activation_filter
        if hook is not None and not hook(self):
            return
        self.dispatch("on_activate")

    def on_activate(self) -> None:
        pass


KINDS = {
    # kind: (fill role, text role, edge role)
    "primary": ("primary_bg", "primary_text", "primary_bg"),
    "secondary": ("btn_bg", "btn_text", "btn_edge"),
    "tile": ("btn_bg", "btn_text", "btn_edge"),
    "bar": ("btn_bg", "btn_text", "btn_edge"),
}


class KioskButton(FollowsLook, Measured, TapBehaviour, Widget):
    """A large rounded button: an icon and words, acting on release.

    kind: "primary" (the main action, filled), "secondary", "tile" (Home), "bar" (bottom bar:
    icon above the words). `on` is the background around the button. `hidden` keeps the
    place of a button that has no use on this screen (the bottom bar never moves).
    """

    __events__ = ("on_activate",)
    hidden = BooleanProperty(False)
    full_row = False

    def __init__(self, key: str | None = None, icon: str | None = None, *, kind: str = "secondary",
                 on: str = "bg", main: bool = False, raw: str | None = None, values: dict | None = None,
                 vertical: bool | None = None, on_activate: Callable[[], Any] | None = None,
                 name: str = "", min_mm: float | None = None, style: str | None = None,
                 row: bool = False, inner_mm: float | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kind, self.on, self.main, self.name = kind, on, main or kind == "primary", name or (key or "")
        #: a line of a list (a document, a message): the smallest target and a thinner edge padding,
        #: so a page holds five of them at the default size
        self.row = row
        #: the room between the edge and the words (thinner for list lines and pad keys)
        self.inner_mm = inner_mm if inner_mm is not None else (2.0 if kind == "bar" or row else 3.5)
        if row:
            min_mm = th.MIN_TARGET_MM if min_mm is None else min_mm
            self.full_row = True
        self.fill_role, self.text_role, self.edge_role = KINDS[kind]
        self.vertical = False if vertical is None else vertical
        self.min_mm = min_mm if min_mm is not None else (
            th.MIN_MAIN_TARGET_MM + 2 if self.main or kind == "tile" else th.MIN_TARGET_MM + 3)
        style = style or {"tile": "strong", "bar": "bar", "primary": "button"}.get(kind, "button")
        self.label = Text(key=key, raw=raw, values=values, style=style, on=self.fill_role,
                          halign="center" if self.vertical else "left", size_hint=(None, None))
        self.icon = Icon(icon, role=self.text_role, on=self.fill_role, size_hint=(None, None)) if icon else None
        with self.canvas.before:
            self._fill_colour = Color()
            self._fill = RoundedRectangle()
            self._edge_colour = Color()
            self._edge = Line(width=1)
        if self.icon:
            self.add_widget(self.icon)
        self.add_widget(self.label)
        self.bind(pos=self._layout, size=self._layout, pressed=self._draw, hidden=self._on_hidden)
        if on_activate is not None:
            self.bind(on_activate=lambda *_: on_activate())
        self.refresh()
        self.follow_look()

    # geometry in pixels
    def _pad(self) -> float:
        return look().mm(self.inner_mm)

    def _icon_px(self) -> float:
        # the words' own size (a block may have capped them): the icon follows
        return float(self.label.font_size) * (1.0 if self.kind == "bar" else 1.15)

    def _text_width(self, width: float) -> float:
        pad = self._pad()
        if self.vertical or not self.icon:
            return width - 2 * pad
        return width - 3 * pad - self._icon_px()

    def natural_width(self) -> float:
        """The width that holds the words on one line (for buttons sized to their words)."""
        return text_width(self.label.text, int(self.label.font_size), bool(self.label.bold)) + \
            (self._icon_px() + self._pad() if self.icon and not self.vertical else 0) + 2 * self._pad() + 4

    def wanted_height(self, width: float) -> float:
        pad = self._pad()
        text_h = measure(self.label.text, int(self.label.font_size), bool(self.label.bold),
                         int(self._text_width(width)), self.label.halign)[1]
        if self.vertical:
            content = (self._icon_px() + pad * 0.6 if self.icon else 0) + text_h
        else:
            content = max(text_h, self._icon_px() if self.icon else 0)
        return max(content + 2 * pad, look().mm(self.min_mm))

    def _layout(self, *_: Any) -> None:
        pad, icon_px = self._pad(), self._icon_px()
        tw = max(1, self._text_width(self.width))
        self.label.width = tw
        self.label._wrap()
        th_ = self.label.height
        if self.vertical:
            block = (icon_px + pad * 0.6 if self.icon else 0) + th_
            top = self.y + (self.height + block) / 2
            if self.icon:
                self.icon.size = (icon_px, icon_px)
                self.icon.pos = (self.x + self.width / 2 - icon_px / 2, top - icon_px)
            self.label.pos = (self.x + pad, top - block)
        else:
            x = self.x + pad
            if self.icon:
                self.icon.size = (icon_px, icon_px)
                self.icon.pos = (x, self.y + self.height / 2 - icon_px / 2)
                x += icon_px + pad
            self.label.pos = (x, self.y + self.height / 2 - th_ / 2)
        self._draw()

    def _draw(self, *_: Any) -> None:
        lk = look()
        fill, text = lk.rgba(self.fill_role), lk.rgba(self.text_role)
        if self.pressed:  # pressed: the colours swap, so contrast stays the same
            fill, text = text, fill
        self._fill_colour.rgba = fill
        radius = lk.mm(3)
        self._fill.pos, self._fill.size, self._fill.radius = self.pos, self.size, [radius] * 4
        self._edge_colour.rgba = lk.rgba(self.edge_role)
        w = lk.line_px() * (2 if self.pressed else 1)
        self._edge.width = w / 2
        self._edge.rounded_rectangle = (self.x + w / 2, self.y + w / 2, max(1, self.width - w),
                                        max(1, self.height - w), radius)
        self.label.color = text
        if self.icon:
            self.icon.set_colour(text)

    def set_icon(self, name: str) -> None:
        if self.icon is not None and self.icon.name != name:
            self.icon.name = name
            self.icon._rect.texture = _icon_texture(name)

    def _on_hidden(self, *_: Any) -> None:
        self.opacity = 0 if self.hidden else 1
        self.disabled = self.hidden

    def refresh(self) -> None:
        self.label.refresh()
        if self.icon:
            self.icon.refresh()
        self._layout()

    @property
    def text(self) -> str:
        return self.label.text

    def a11y(self) -> A11y:
        return A11y("button", self.label.text, fg=rgb(self.text_role), bg=rgb(self.fill_role),
                    edge=rgb(self.edge_role), backdrop=rgb(self.on), main=self.main)


#: Short name used across the kit (the class is not called "Button": Kivy's style rules match by name).
Button = KioskButton


# --- banners --------------------------------------------------------------------------------

class Banner(Stack):
    """A message across the screen: an icon and one sentence, never colour alone.

    kind "error" (icon "!" in a circle) or "info" (icon "i"). It has a Fermer button when
    something can close it (`on_close`); a banner inside a screen has none, never a dead button.
    """

    def __init__(self, key: str | None = None, *, kind: str = "error", raw: str | None = None,
                 values: dict | None = None, on_close: Callable[[], Any] | None = None, **kwargs: Any) -> None:
        bg = f"{kind}_bg"
        super().__init__(bg=bg, edge=f"{kind}_edge", radius_mm=3, padding_mm=3,
                         orientation="horizontal", **kwargs)
        self.kind = kind
        self.icon = Icon("error" if kind == "error" else "info", role=TEXT_ON[bg], on=bg, size_hint=(None, 1))
        self.message = Text(key=key, raw=raw, values=values, style="panel", on=bg, size_hint_y=1)
        self.close: Button | None = None
        if on_close is not None:
            self.close = Button("ui.banner.close", "close", kind="secondary", on=bg, size_hint=(None, 1),
                                on_activate=on_close, name="banner.close", style="panel")
        for w in (self.icon, self.message, self.close):
            if w is not None:
                self.add_widget(w)
        self.ready = True
        self.refresh()

    def refresh(self) -> None:
        super().refresh()
        if getattr(self, "ready", False):
            lk = look()
            self.spacing = lk.mm(4)
            self.icon.width = lk.font_px("panel") * 1.2
            if self.close is not None:
                self.close.width = self.close.natural_width()

    def wanted_height(self, width: float) -> float:
        close_w = self.close.width + self.spacing if self.close is not None else 0
        text_w = width - self.padding[0] - self.padding[2] - self.icon.width - close_w - self.spacing
        text_h = measure(self.message.text, int(self.message.font_size), True, int(text_w))[1]
        close_h = self.close.wanted_height(self.close.width) if self.close is not None else 0
        return max(text_h, close_h) + self.padding[1] + self.padding[3]

    def do_layout(self, *args: Any) -> None:
        BoxLayout.do_layout(self, *args)


# --- paged list -----------------------------------------------------------------------------

class PagedList(Measured, BoxLayout):
    """Items shown a page at a time with Précédent / Suivant and "Page 2 sur 5" — never a scroll.

    `items` are kit widgets (with `wanted_height`); `cols` puts them in a grid. The page size
    follows the space available, so a bigger text size gives more pages, never clipped items.
    """

    fill = True

    def __init__(self, items: Iterable[Widget] = (), cols: int = 1, spacing_mm: float = 4,
                 on: str = "bg", **kwargs: Any) -> None:
        super().__init__(orientation="vertical", **kwargs)
        self.items: list[Widget] = list(items)
        self.cols, self.spacing_mm, self.on = cols, spacing_mm, on
        self.page = 0
        self.pages: list[list[Widget]] = [[]]
        self.body = Widget()
        self.body.bind(pos=self._place_rows, size=self._place_rows)
        self._lines: list[tuple[BoxLayout, float]] = []
        # Précédent, "Page 2 sur 5", Suivant on one line; in a narrow list, the page number above.
        self.nav = Stack(spacing_mm=2, size_hint_y=None)
        self._nav_row = Row()
        # the pager's buttons at the smallest target (15 mm): the page keeps the height for its items
        self.prev = Button("ui.pager.previous", "prev", on=on, name="pager.previous", on_activate=self.previous,
                           style="panel", min_mm=th.MIN_TARGET_MM)
        self.where = Text(key="ui.pager.page", values={"page": 1, "total": 1}, on=on, halign="center",
                          style="panel", size_hint_y=None)
        self.next = Button("ui.pager.next", "next", on=on, name="pager.next", on_activate=self.next_page,
                           style="panel", min_mm=th.MIN_TARGET_MM)
        for w in (self.prev, self.where, self.next):
            w.pager_part = True  # type: ignore[attr-defined]
        self.nav.add_widget(self._nav_row)
        self._narrow: bool | None = None
        self._arrange_nav(False)
        self.add_widget(self.body)
        self.bind(size=self._schedule, pos=self._schedule)
        self._pending = False

    def _arrange_nav(self, narrow: bool) -> None:
        if narrow == self._narrow:
            return
        self._narrow = narrow
        for w in (self.prev, self.where, self.next):
            if w.parent is not None:
                w.parent.remove_widget(w)
        if narrow:
            self.nav.add_widget(self.where, index=len(self.nav.children))
            self._nav_row.add_widget(self.prev)
            self._nav_row.add_widget(self.next)
        else:
            for w in (self.prev, self.where, self.next):
                self._nav_row.add_widget(w)

    #: The row under the list that holds the screen's main actions. When Précédent, the page
    #: number and Suivant fit beside them, they go there, and the page keeps the pager's height.
    foot: Any = None
    _outside = False

    #: None, or 1.0 once the foot's words were capped to make room (kept until the size changes)
    _foot_cap: float | None = None
    _foot_before: dict = {}

    def _cap_foot(self, cap: float | None) -> None:
        """The pager's and the main actions' words at most `cap` times the default size, the way the
        bars keep one size: with very large text, the page keeps the room."""
        if cap == self._foot_cap or self.foot is None:
            return
        if self._foot_cap is None:  # what the words had before (a screen may cap its own actions)
            self._foot_before = {}
        self._foot_cap = cap
        for w in [*self.foot.children, self.prev, self.where, self.next]:
            label = getattr(w, "label", w)
            if isinstance(label, Text):
                before = self._foot_before.setdefault(label, label.cap)
                label.cap = before if cap is None else min(cap, before or cap)
                w.refresh()

    def _try_foot(self) -> bool:
        """Put the pager beside the main actions if it fits there, with capped words if it must."""
        if self._foot_fits():
            return True
        if self._foot_cap is None and self.foot is not None and look().scale > 1.0:
            self._cap_foot(1.0)
            if self._foot_fits():
                return True
            self._cap_foot(None)
        return False

    def _foot_fits(self) -> bool:
        foot = self.foot
        if foot is None:
            return False
        actions = [c for c in foot.children if not getattr(c, "pager_part", False)]
        if not actions or foot.parent is None:
            return False
        lk = look()
        total = self.where.text.replace("1", "10")  # room for two-digit pages
        need = (self.prev.natural_width() + self.next.natural_width()
                + text_width(total, int(self.where.font_size), True) + lk.mm(4)
                + sum(getattr(a, "natural_width", lambda: a.width)() for a in actions)
                + foot.spacing * (len(actions) + 2))
        return need <= (foot.width if foot.width > 100 else self.width)

    def _place_nav(self, outside: bool) -> None:
        """The pager in the foot (beside the actions) or under the list."""
        if outside == self._outside and (not outside or self.prev.parent is self.foot):
            return
        self._outside = outside
        for w in (self.prev, self.where, self.next):
            if w.parent is not None:
                w.parent.remove_widget(w)
        if outside:
            for w in (self.next, self.where, self.prev):  # each goes leftmost: Précédent ends first
                w.size_hint_x = None
                self.foot.add_widget(w, index=len(self.foot.children))
            self._size_foot_nav()
        else:
            self._narrow = None
            self._arrange_nav(False)

    def _size_foot_nav(self) -> None:
        side = max(self.prev.natural_width(), self.next.natural_width())
        for b in (self.prev, self.next):
            b.size_hint_x, b.width = None, side
        self.where.size_hint_x = None
        self.where.width = text_width(self.where.text, int(self.where.font_size), True) + look().mm(4)

    def _size_nav(self, width: float) -> None:
        """Précédent and Suivant the same width; the page number above them when it cannot sit between."""
        side = max(self.prev.natural_width(), self.next.natural_width())
        where_w = text_width(self.where.text, int(self.where.font_size), True)
        narrow = 2 * side + where_w + 2 * look().mm(4) > width
        self._arrange_nav(narrow)
        for b in (self.prev, self.next):
            if narrow:
                b.size_hint_x = 1
            else:
                b.size_hint_x, b.width = None, side

    def set_items(self, items: Iterable[Widget]) -> None:
        self.items = list(items)
        self._source_items = list(self.items)
        self.page = 0
        self.pages = [[]]
        self.paginate()

    def refresh(self) -> None:
        self._cap_foot(None)  # a new text size: the foot's words as chosen, unless room is short again
        for item in getattr(self, "_source_items", self.items):
            refresh_tree(item)
        self.nav.refresh()
        self.paginate()

    def _schedule(self, *_: Any) -> None:
        self.paginate()

    def wanted_height(self, width: float) -> float:
        self.items = list(getattr(self, "_source_items", self.items))
        return sum(self._row_heights(width)) + look().mm(self.spacing_mm) * max(0, len(self._rows()) - 1)

    def _rows(self) -> list[list[Widget]]:
        rows: list[list[Widget]] = []
        current: list[Widget] = []
        for item in self.items:
            if getattr(item, "full_row", True) or self.cols == 1:
                if current:
                    rows.append(current)
                    current = []
                rows.append([item])
                continue
            current.append(item)
            if len(current) == self.cols:
                rows.append(current)
                current = []
        if current:
            rows.append(current)
        return rows

    def _col_width(self, width: float) -> float:
        gap = look().mm(self.spacing_mm)
        return (width - gap * (self.cols - 1)) / self.cols

    def _item_width(self, item: Widget, width: float) -> float:
        return width if getattr(item, "full_row", True) or self.cols == 1 else self._col_width(width)

    def _row_heights(self, width: float) -> list[float]:
        return [max(_wanted(w, self._item_width(w, width)) for w in row) for row in self._rows()]

    _capped: list[Widget] = []

    def _uncap_leads(self) -> None:
        if self._capped:
            cap_words(self._capped, None)
            self._capped = []

    def _fit_leads(self, room: float) -> None:
        """An instruction and the control it leads to that cannot share a page at the chosen size:
        their words capped (1.6, 1.3, then 1 times the default), never the two apart; so too a
        row taller than a page, which would else be drawn cut."""
        scale = look().scale
        gap = look().mm(self.spacing_mm)
        for text, after in zip(self.items, self.items[1:]):
            if not (isinstance(text, Text) and getattr(text, "keep_with_next", False)):
                continue

            def together() -> float:
                return (_wanted(text, self._item_width(text, self.width)) + gap
                        + _wanted(after, self._item_width(after, self.width)))

            self._cap_until(lambda: together() <= room + 0.5, (text, after), scale)
        # a row (a tile, a line of the list) taller than a page: its words capped the same way
        for row in self._rows():
            if not any(getattr(w, "keep_together", False) or isinstance(w, Text) for w in row):  # words are cut
                self._cap_until(lambda row=row: max(_wanted(w, self._item_width(w, self.width)) for w in row)
                                <= room + 0.5, row, scale)

    def _cap_until(self, fits: Callable[[], bool], widgets: Sequence[Widget], scale: float) -> None:
        if fits():
            return
        for cap in CAPS[1:]:
            if cap >= scale:
                continue
            cap_words(widgets, cap)
            self._capped = [*self._capped, *widgets]
            if fits():
                return

    def _split_long_texts(self, room: float) -> None:
        """A paragraph taller than a page is cut, between words, into pieces that fit."""
        width = int(self.width)
        items: list[Widget] = []
        scale = look().scale
        for item in self._source_items:
            if isinstance(item, Text) and item.wanted_height(width) > room:
                # a page holds at least two of its lines, its words capped if they must be
                self._cap_until(lambda item=item: 2 * measure("Hg", int(item.font_size), False, 10000)[1] <= room,
                                (item,), scale)
                line = measure("Hg", int(item.font_size), False, 10000)[1]
                cut = room >= 2 * line and item.wanted_height(width) > room
                items.extend(self._pieces(item, width, room) if cut else [item])
            else:
                items.append(item)
        self.items = items

    def _pieces(self, item: "Text", width: int, room: float) -> list[Widget]:
        words = item.text.split()
        pieces: list[str] = []
        start = 0
        font, bold = int(item.font_size), bool(item.bold)
        while start < len(words):
            lo, hi = start + 1, len(words)
            while lo < hi:  # the most words that still fit
                mid = (lo + hi + 1) // 2
                if measure(" ".join(words[start:mid]), font, bold, width)[1] <= room:
                    lo = mid
                else:
                    hi = mid - 1
            pieces.append(words[start:lo])
            start = lo
        line = measure("Hg", font, bold, 10000)[1]

        def lines(chunk: list[str]) -> float:
            return measure(" ".join(chunk), font, bold, width)[1] / line

        # no widow: the last piece gets a second line from the one before, when that one can spare it
        while len(pieces) > 1 and lines(pieces[-1]) < 1.5 and lines(pieces[-2]) > 2.5 and len(pieces[-2]) > 1:
            pieces[-1].insert(0, pieces[-2].pop())
        made = [Text(raw=" ".join(piece), style=item.style, on=item.on, fg=item.fg_role) for piece in pieces]
        for piece in made:
            piece.piece_of = item  # type: ignore[attr-defined]
            if item.cap is not None:
                piece.cap = item.cap
                piece.refresh()
        return made

    def paginate(self) -> None:
        lk = look()
        gap = lk.mm(self.spacing_mm)
        if not hasattr(self, "_source_items"):
            self._source_items = list(self.items)
        shown = self.pages[self.page] if 0 <= self.page < len(self.pages) else []
        anchor = shown[0] if shown and shown[0] in self._source_items else None
        self.items = list(self._source_items)
        self._uncap_leads()
        blocks = [item for item in self.items if getattr(item, "keep_together", False)]
        for block in blocks:
            block.reset()
        rows, heights = self._rows(), self._row_heights(self.width)
        outside = False
        if sum(heights) + gap * max(0, len(rows) - 1) > self.height + 0.5:
            self._size_nav(self.width)
            outside = self._try_foot()
            page_room = self.height if outside else self.height - self.nav.wanted_height(self.width) - gap
            # a block taller than a page changes its arrangement; it is never cut. Alone, it has
            # the whole height (no pager).
            block_room = self.height if len(self.items) == 1 else page_room
            for block in blocks:
                if _wanted(block, self._item_width(block, self.width)) > block_room + 0.5:
                    block.fit(self._item_width(block, self.width), block_room)
            self._fit_leads(page_room)
            self._split_long_texts(page_room)
            rows, heights = self._rows(), self._row_heights(self.width)
        room = self.height
        pages: list[list[list[Widget]]] = []
        if sum(heights) + gap * max(0, len(rows) - 1) <= room + 0.5:
            pages = [rows]
        else:
            if not outside:
                self._size_nav(self.width)
                room -= self.nav.wanted_height(self.width) + gap
            current: list[list[Widget]] = []
            used = 0.0
            for index, (row, h) in enumerate(zip(rows, heights)):
                need = h + (gap if current else 0)
                # an instruction goes to the next page with what it points to, rather than alone
                leads = getattr(row[-1], "keep_with_next", False) and index + 1 < len(rows)
                with_next = need + (gap + heights[index + 1] if leads else 0)
                if current and (used + need > room or used + with_next > room):
                    pages.append(current)
                    current, used = [], 0.0
                    need = h
                current.append(row)
                used += need
            pages.append(current)
        self.pages = [[w for row in page for w in row] for page in pages] or [[]]
        self._row_pages = pages or [[]]
        # after a change of size the person stays with what they were reading
        held = next((n for n, page in enumerate(self.pages) if anchor is not None and anchor in page), None)
        self.page = held if held is not None else max(0, min(self.page, len(self.pages) - 1))
        self._place_nav(outside and len(self.pages) > 1)
        self._show()

    def _show(self) -> None:
        lk = look()
        gap = lk.mm(self.spacing_mm)
        self.body.clear_widgets()
        self._lines = []
        for row in self._row_pages[self.page]:
            for w in row:
                if w.parent is not None:
                    w.parent.remove_widget(w)
            line = BoxLayout(orientation="horizontal", spacing=gap, size_hint=(None, None))
            height = max(_wanted(w, self._item_width(w, self.width)) for w in row)
            for w in row:
                w.size_hint = (1, 1)
                line.add_widget(w)
            if not (len(row) == 1 and getattr(row[0], "full_row", True)):
                for _ in range(self.cols - len(row)):
                    line.add_widget(Widget())
            self.body.add_widget(line)
            self._lines.append((line, height))
        self._place_rows()
        several = len(self.pages) > 1
        inside = several and not self._outside
        if inside and self.nav.parent is None:
            self.add_widget(self.nav)
        elif not inside and self.nav.parent is not None:
            self.remove_widget(self.nav)
        self.where.opacity = 1 if several else 0
        if several:
            self.spacing = gap
            self.where.set_text("ui.pager.page", page=self.page + 1, total=len(self.pages))
            if self._outside:
                self._size_foot_nav()
            else:
                self._size_nav(self.width)
                self.nav.height = self.nav.wanted_height(self.width)
            self.prev.hidden = self.page == 0
            self.next.hidden = self.page == len(self.pages) - 1
        else:
            self.prev.hidden = self.next.hidden = True
            if self._outside:
                self._place_nav(False)

    def _place_rows(self, *_: Any) -> None:
        """Rows from the top of the page down, a fixed gap apart."""
        gap = look().mm(self.spacing_mm)
        top = self.body.y + self.body.height
        for line, height in self._lines:
            line.size = (self.body.width, height)
            line.pos = (self.body.x, top - height)
            top -= height + gap

    def previous(self) -> None:
        if self.page > 0:
            self.page -= 1
            self._show()

    def next_page(self) -> None:
        if self.page < len(self.pages) - 1:
            self.page += 1
            self._show()

    def a11y_lines(self) -> list[str]:
        """The words of the items on the current page (for the spoken description)."""
        lines = []
        for w in self.pages[self.page]:
            for node in w.walk(restrict=True):
                if isinstance(node, Text):
                    lines.append(node.text)
        if len(self.pages) > 1:
            lines.append(self.where.text)
        return lines
