"""The accessibility checker: walks what is on screen and lists every broken rule.

Rules (DESIGN.md "Rules for every screen"):
  contrast.text     text below 7:1 against its background (WCAG 1.4.6)
  contrast.control  a control's edge, or an icon, below 3:1 (WCAG 1.4.11)
  target.size       a touch target under 15 mm either way (main actions: 20 mm)
  target.gap        two touch targets closer than 3 mm
  text.cap_height   text with a capital height under 6.1 mm at the default text size
  text.clipped      words cut by their own widget (texture larger than the widget)
  text.outside      words drawn outside a parent, or outside the screen
  text.overlap      two texts drawn on top of each other
  label.missing     a control without words
  protocol.missing  a Kivy label or touchable widget the checker cannot read (no a11y())
  block.*, qr.*, page.*  what shares a page: see kiosk.ui.page_check

Widgets answer `a11y()` (kiosk.ui.widgets.A11y); `check_widgets` reads nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.ui import theme as th
from kiosk.ui.widgets import A11y, TapBehaviour, is_shown

TOLERANCE_PX = 1.5


@dataclass(frozen=True)
class Problem:
    rule: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.where}: {self.detail}"


Rect = tuple[float, float, float, float]  # x, y, right, top in window pixels


def window_rect(widget: Widget) -> Rect:
    x, y = widget.to_window(widget.x, widget.y)
    return (x, y, x + widget.width, y + widget.height)


def drawn_size(label: Label) -> tuple[float, float]:
    """The size of the words as the next frame draws them (Kivy renders a changed text just
    before the frame: a check that runs earlier brings it up to date first)."""
    pending = getattr(label, "_trigger_texture", None)
    if pending is not None and pending.is_triggered:
        label.texture_update()
    return label.texture_size


def _drawn_text_rect(label: Label) -> Rect:
    x, y, r, t = window_rect(label)
    tw, th_ = drawn_size(label)
    cx, cy = (x + r) / 2, (y + t) / 2
    return (cx - tw / 2, cy - th_ / 2, cx + tw / 2, cy + th_ / 2)


def _gap(a: Rect, b: Rect) -> float:
    dx = max(b[0] - a[2], a[0] - b[2], 0)
    dy = max(b[1] - a[3], a[1] - b[3], 0)
    return (dx ** 2 + dy ** 2) ** 0.5 if dx and dy else max(dx, dy)


def _overlap(a: Rect, b: Rect) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > TOLERANCE_PX and h > TOLERANCE_PX else 0.0


def _inside(inner: Rect, outer: Rect) -> bool:
    return (inner[0] >= outer[0] - TOLERANCE_PX and inner[1] >= outer[1] - TOLERANCE_PX
            and inner[2] <= outer[2] + TOLERANCE_PX and inner[3] <= outer[3] + TOLERANCE_PX)


def _name(widget: Widget, info: A11y | None = None) -> str:
    label = (info.label if info else getattr(widget, "text", "")) or ""
    short = label if len(label) <= 40 else label[:37] + "…"
    return f"{type(widget).__name__}({short!r})"


def shown_widgets(roots: Iterable[Widget]) -> list[Widget]:
    found = []
    for root in roots:
        for w in root.walk(restrict=True):
            if is_shown(w) and not (getattr(w, "disabled", False) and getattr(w, "hidden", False)):
                found.append(w)
    return found


def check_widgets(roots: Iterable[Widget], *, px_per_mm: float, default_size: bool,
                  screen_size: tuple[float, float]) -> list[Problem]:
    roots = list(roots)
    problems: list[Problem] = []
    texts: list[tuple[Widget, A11y]] = []
    targets: list[tuple[Widget, A11y, Rect]] = []
    screen_rect: Rect = (0, 0, screen_size[0], screen_size[1])

    for w in shown_widgets(roots):
        info: A11y | None = w.a11y() if callable(getattr(w, "a11y", None)) else None
        if info is None:
            if isinstance(w, Label) and w.text.strip():
                problems.append(Problem("protocol.missing", _name(w), "a label the checker cannot read"))
            elif isinstance(w, TapBehaviour) or hasattr(w, "on_press") or hasattr(w, "on_release"):
                problems.append(Problem("protocol.missing", _name(w), "a touchable widget without a11y()"))
            continue
        if info.role == "text":
            texts.append((w, info))
            _check_text(w, info, problems, px_per_mm, default_size, roots, screen_rect)
        elif info.role == "icon":
            ratio = th.contrast_ratio(info.fg, info.bg) if info.fg and info.bg else 0
            if ratio < th.MIN_CONTROL_CONTRAST:
                problems.append(Problem("contrast.control", _name(w, info), f"icon {ratio:.2f}:1 < 3:1"))
        elif info.role == "button":
            rect = window_rect(w)
            targets.append((w, info, rect))
            _check_target(w, info, rect, problems, px_per_mm, screen_rect)

    for i, (a, ia, ra) in enumerate(targets):
        for b, ib, rb in targets[i + 1:]:
            gap_mm = _gap(ra, rb) / px_per_mm
            if gap_mm < th.MIN_TARGET_GAP_MM - 0.05:
                problems.append(Problem("target.gap", f"{_name(a, ia)} / {_name(b, ib)}",
                                        f"{gap_mm:.1f} mm apart < {th.MIN_TARGET_GAP_MM} mm"))

    drawn = [(w, i, _drawn_text_rect(w)) for w, i in texts if w.text.strip()]
    for i, (a, ia, ra) in enumerate(drawn):
        for b, ib, rb in drawn[i + 1:]:
            if _overlap(ra, rb) > 0:
                problems.append(Problem("text.overlap", f"{_name(a, ia)} / {_name(b, ib)}", "texts drawn over each other"))
    return problems


def _check_text(w: Widget, info: A11y, problems: list[Problem], px_per_mm: float, default_size: bool,
                roots: list[Widget], screen_rect: Rect) -> None:
    if not info.label.strip():
        return
    ratio = th.contrast_ratio(info.fg, info.bg) if info.fg and info.bg else 0
    if ratio < th.MIN_TEXT_CONTRAST:
        problems.append(Problem("contrast.text", _name(w, info), f"{ratio:.2f}:1 < 7:1"))
    if default_size and info.font_px is not None:
        cap = th.cap_height_mm(info.font_px, px_per_mm)
        if cap < th.MIN_BODY_CAP_MM - 1e-6:
            problems.append(Problem("text.cap_height", _name(w, info), f"{cap:.2f} mm < {th.MIN_BODY_CAP_MM} mm"))
    label = info.text or w
    tw, th_ = drawn_size(label)
    if tw > label.width + TOLERANCE_PX or th_ > label.height + TOLERANCE_PX:
        problems.append(Problem("text.clipped", _name(w, info),
                                f"words {tw:.0f}x{th_:.0f} px in a widget of {label.width:.0f}x{label.height:.0f} px"))
    drawn = _drawn_text_rect(label)
    if not _inside(drawn, screen_rect):
        problems.append(Problem("text.outside", _name(w, info), "drawn outside the screen"))
        return
    node = label.parent
    while node is not None and node not in roots and node.parent is not node:
        if node.width > 1 and node.height > 1 and not _inside(drawn, window_rect(node)):
            problems.append(Problem("text.outside", _name(w, info), f"drawn outside its {type(node).__name__}"))
            break
        node = node.parent


def _check_target(w: Widget, info: A11y, rect: Rect, problems: list[Problem], px_per_mm: float,
                  screen_rect: Rect) -> None:
    if not info.label.strip():
        problems.append(Problem("label.missing", _name(w, info), "a control without words"))
    if info.edge and info.backdrop and info.bg:
        # the control shows where it is by its edge or by its fill, whichever stands out more
        ratio = max(th.contrast_ratio(info.edge, info.backdrop), th.contrast_ratio(info.bg, info.backdrop))
        if ratio < th.MIN_CONTROL_CONTRAST:
            problems.append(Problem("contrast.control", _name(w, info), f"edge {ratio:.2f}:1 < 3:1"))
    if info.fg and info.bg:
        ratio = th.contrast_ratio(info.fg, info.bg)
        if ratio < th.MIN_CONTROL_CONTRAST:
            problems.append(Problem("contrast.control", _name(w, info), f"icon and words {ratio:.2f}:1 < 3:1"))
    need = th.MIN_MAIN_TARGET_MM if info.main else th.MIN_TARGET_MM
    w_mm, h_mm = (rect[2] - rect[0]) / px_per_mm, (rect[3] - rect[1]) / px_per_mm
    if w_mm < need - 1e-6 or h_mm < need - 1e-6:
        problems.append(Problem("target.size", _name(w, info), f"{w_mm:.1f} x {h_mm:.1f} mm < {need:.0f} mm"))
    if not _inside(rect, screen_rect):
        problems.append(Problem("target.size", _name(w, info), "partly outside the screen"))


def check_app(app: Any) -> list[Problem]:
    """Check what the person sees now: the top overlay if there is one, else the whole frame."""
    from kivy.core.window import Window

    from kiosk.ui.page_check import check_pages

    roots = [app.overlays[-1]] if app.overlays else [app.shell]
    return check_widgets(roots, px_per_mm=app.look.px_per_mm, default_size=app.look.text_size == 1,
                         screen_size=tuple(Window.size)) + check_pages(roots)
