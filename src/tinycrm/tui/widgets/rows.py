"""``RowList``: a list of one- or two-line rows that draws only what is on screen.

Rows are given as text parts with a role ("muted", "strong", "warning", ...);
the widget maps roles to the theme through component classes, so screens say
what a part means and the stylesheet says how it looks. Rows without a key
are headings: the cursor skips them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.strip import Strip

from tinycrm.tui.messages import RowChosen, RowHighlighted
from tinycrm.tui.widgets.text import LineView, line, set_virtual_size

Part = tuple[str, str]
"""A piece of text and its role: "", "muted", "strong", "accent", "warning", "error", "success"."""

ROLES = ("muted", "strong", "accent", "warning", "error", "success", "heading")

LEFT_LEAST = 16
"""The cells a row's text keeps at least before the parts flush right (``line``): at 40
columns a task's due time took them all and left its name none."""


@dataclass(frozen=True)
class Row:
    """One entry: its key (None for a heading), its lines, and parts flush right on line one."""

    key: str | None
    lines: tuple[tuple[Part, ...], ...]
    right: tuple[Part, ...] = ()

    @classmethod
    def of(cls, key: str | None, *parts: Part, right: Sequence[Part] = ()) -> Row:
        return cls(key, (tuple(parts),), tuple(right))

    @classmethod
    def heading(cls, text: str) -> Row:
        return cls(None, (((text, "heading"),),))


class RowList(LineView, can_focus=True, inherit_bindings=False):
    """Rows with a cursor; enter or a double click chooses one."""

    COMPONENT_CLASSES = {
        "row",
        "row--cursor",
        "row--marked",
        "row--empty",
        *(f"row--{role}" for role in ROLES),
    }

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Previous", show=False, id="rows.up"),
        Binding("down,j", "cursor(1)", "Next", show=False, id="rows.down"),
        Binding("home,g", "first", "First", show=False, id="rows.first"),
        Binding("end,G", "last", "Last", show=False, id="rows.last"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="rows.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="rows.page_down"),
        Binding("enter", "choose", "Open", id="rows.open"),
    ]

    def __init__(
        self,
        *,
        row_height: int = 1,
        empty: str = "Nothing here",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.row_height = row_height
        self.rows: list[Row] = []
        self.cursor = 0
        self.empty = empty
        self.choosable: Callable[[str], bool] | None = None
        """Whether enter does something on the row of a key (else ``⏎ Open`` is dimmed);
        None: on every row."""
        self._cache: LRUCache[tuple[str | None, int, int, str, int], tuple[Row, Strip]] = LRUCache(
            512
        )

    @property
    def current(self) -> Row | None:
        if 0 <= self.cursor < len(self.rows) and self.rows[self.cursor].key is not None:
            return self.rows[self.cursor]
        return None

    @property
    def current_key(self) -> str | None:
        row = self.current
        return row.key if row else None

    def set_rows(self, rows: list[Row], *, keep: str | None = None) -> None:
        """Show ``rows``; the cursor stays on the row keyed ``keep`` (default: the current)."""
        keep = keep if keep is not None else self.current_key
        self.rows = rows  # the cache stays: rows equal to what was drawn are drawn again
        set_virtual_size(
            self, Size(self.scrollable_content_region.width, len(rows) * self.row_height)
        )
        index = next((i for i, r in enumerate(rows) if keep and r.key == keep), None)
        if index is None:
            index = min(self.cursor, len(rows) - 1)
        self.move_cursor(index, force=True, direction=1)
        if not rows:
            self.refresh_bindings()  # no row to open (move_cursor said nothing)
        self.refresh()

    def move_cursor(self, index: int, *, force: bool = False, direction: int = 1) -> None:
        if not self.rows:
            self.cursor = 0
            return
        index = max(0, min(index, len(self.rows) - 1))
        step = direction or 1
        probe = index
        while 0 <= probe < len(self.rows) and self.rows[probe].key is None:
            probe += step
        if not 0 <= probe < len(self.rows):
            probe = index
            while 0 <= probe < len(self.rows) and self.rows[probe].key is None:
                probe -= step
        if not 0 <= probe < len(self.rows):
            probe = index
        if probe == self.cursor and not force:
            return
        old, self.cursor = self.cursor, probe
        height = self.row_height
        self.refresh_lines(old * height, height)
        self.refresh_lines(probe * height, height)
        top = probe * height
        if probe > 0 and self.rows[probe - 1].key is None:
            top -= height  # keep a heading in view above its first row
        self.scroll_to_region(
            Region(0, top, 1, probe * height + height - top), animate=False, immediate=True
        )
        self.post_message(RowHighlighted(self.id, self.current_key))

    def action_cursor(self, delta: int) -> None:
        self.move_cursor(self.cursor + delta, direction=delta)

    def action_first(self) -> None:
        self.move_cursor(0, direction=1)

    def action_last(self) -> None:
        self.move_cursor(len(self.rows) - 1, direction=-1)

    def action_page(self, direction: int) -> None:
        per_page = max(1, self.scrollable_content_region.height // self.row_height)
        self.move_cursor(self.cursor + direction * per_page, direction=direction)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose":  # dimmed on no row (an empty list), or one it does not open
            key = self.current_key
            if key is None or (self.choosable is not None and not self.choosable(key)):
                return None
        return True

    def action_choose(self) -> None:
        if (key := self.current_key) is not None:
            self.post_message(RowChosen(self.id, key))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = (offset.y + self.scroll_offset.y) // self.row_height
        if 0 <= index < len(self.rows) and self.rows[index].key is not None:
            event.stop()
            self.focus()
            self.move_cursor(index)
            if event.chain >= 2:
                self.action_choose()

    def on_focus(self) -> None:
        self.refresh_lines(self.cursor * self.row_height, self.row_height)

    def on_blur(self) -> None:
        self.refresh_lines(self.cursor * self.row_height, self.row_height)

    def on_resize(self) -> None:
        self._cache.clear()
        set_virtual_size(
            self, Size(self.scrollable_content_region.width, len(self.rows) * self.row_height)
        )

    def notify_style_update(self) -> None:
        self._cache.clear()
        super().notify_style_update()

    def _role(self, base: Style, role: str) -> Style:
        if not role:
            return base
        return base + self.get_component_rich_style(f"row--{role}", partial=True)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.base_style
        number = self.scroll_offset.y + y
        if not self.rows:
            if number == 0:
                return line([(self.empty, self._role(base, "empty"))], width, base)
            return Strip.blank(width, base)
        index, offset = divmod(number, self.row_height)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        state = ""
        if index == self.cursor and row.key is not None:
            state = "cursor" if self.has_focus else "marked"
        key = (row.key, index if row.key is None else -1, offset, state, width)
        cached = self._cache.get(key)
        if cached is not None and cached[0] == row:
            return cached[1]
        background = self.get_component_rich_style(
            {"cursor": "row--cursor", "marked": "row--marked"}.get(state, "row")
        )
        parts = row.lines[offset] if offset < len(row.lines) else ()
        right = row.right if offset == 0 else ()
        strip = line(
            [(text, self._role(background, role)) for text, role in parts],
            width,
            background,
            right=[(text, self._role(background, role)) for text, role in right],
            least=LEFT_LEAST,
        )
        self._cache[key] = (row, strip)
        return strip
