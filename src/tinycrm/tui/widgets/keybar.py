"""``KeyBar``: the keys that apply now, on one line at the bottom, clickable.

Textual's ``Footer`` mounts a widget per key and recomposes itself whenever the
bindings change, which on the board is every time the focus moves to another
column: tens of milliseconds per key press. This bar draws the same
information (the active bindings marked ``show``, disabled ones dimmed) as
one line of text, and a click on a key runs its action. When not all keys fit (the board
at 80 columns), the most used (``MOST_USED``, or the screen's own list: a record view's
``RecordScreen.KEYS_FIRST``) are kept, in their usual order, the others left out whole, and
``? Keys``, which lists them all, is kept.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

MOST_USED = (
    "cards.open",
    "rows.open",
    "board.move_on",
    "board.edit",
    "record.edit",
    "board.filter",
    "list.search",
    "board.new",
    "list.new",
    "board.won",
    "board.lost",
    "board.move_back",
    "board.reopen",
)
"""Binding ids in the order a narrow key bar keeps them; the keys of other bindings come
after these, in the order they are declared."""


def _namespace(node: Any) -> str:
    if isinstance(node, App):
        return "app"
    if isinstance(node, Screen):
        return "screen"
    return "focused"


class KeyBar(Static):
    """One line of ``key description`` pairs for the bindings that apply now."""

    def __init__(
        self,
        *,
        id: str | None = None,
        first: tuple[str, ...] = MOST_USED,
        ordered: bool = False,
    ) -> None:
        super().__init__("", id=id, classes="key-bar", markup=False)
        self._shown: tuple[object, ...] = ()
        self.first = first
        """Binding ids in the order a narrow bar keeps them (``MOST_USED``)."""
        self.ordered = ordered
        """Show the keys of ``first`` first, in its order, at any width (a dialog's few
        keys: Textual lists a key a focused field binds too, ctrl+c, before the others)."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self.show_keys)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self.show_keys)

    def show_keys(self) -> None:
        if not self.is_attached:
            return
        entries: list[tuple[str, str, bool, str, str | None]] = []
        seen: set[str] = set()
        palette: tuple[str, str, bool, str, str | None] | None = None
        for node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if binding.action == "command_palette":
                palette = (
                    self.app.get_key_display(binding),
                    "palette",
                    enabled,
                    "app.command_palette",
                    None,
                )
                continue
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            action = f"{_namespace(node)}.{binding.action}"
            entries.append(
                (
                    self.app.get_key_display(binding),
                    binding.description,
                    enabled,
                    action,
                    binding.id,
                )
            )
        if palette is not None:
            entries.append(palette)
        if self.ordered:
            entries.sort(key=lambda e: self.first.index(e[4]) if e[4] in self.first else 99)
        width = self.size.width
        shown = (width, *((key, text, enabled) for key, text, enabled, *_ in entries))
        if shown == self._shown:
            return
        self._shown = shown
        parts: list[tuple[Content, int | None]] = []
        for index, (key, description, enabled, action, binding_id) in enumerate(entries):
            key_style = "bold $accent" if enabled else "$text-disabled"
            text_style = "$foreground" if enabled else "$text-disabled"
            link = f" @click={action!r}" if enabled else ""
            part = Content.assemble(
                (f" {key} ", f"{key_style}{link}"),
                (f"{description} ", f"{text_style}{link}"),
            )
            if action.endswith(".help"):
                rank = None  # always shown
            elif binding_id in self.first:
                rank = self.first.index(binding_id)
            else:
                rank = len(self.first) + index
            parts.append((part, rank))
        self.update(_fitted(parts, width))

    def on_resize(self) -> None:
        self.show_keys()


def _fitted(parts: list[tuple[Content, int | None]], width: int) -> Content:
    """The parts that fit in ``width`` cells, whole, a space between them: when not all
    do, they go without it (each is padded already: two spaces still part them), the help
    key (rank None, which lists every key) last, and before it as many of the others as
    fit, taken by rank (the lowest first) and shown in their order."""
    total = sum(part.cell_length + 1 for part, _ in parts)
    if not width or total <= width + 1:
        return Content(" ").join(part for part, _ in parts)
    kept = [part for part, rank in parts if rank is None]
    room = width - sum(part.cell_length for part in kept)
    chosen: set[int] = set()
    ranked = sorted((rank, index) for index, (_, rank) in enumerate(parts) if rank is not None)
    for _, index in ranked:
        cells = parts[index][0].cell_length
        if cells <= room:
            chosen.add(index)
            room -= cells
    return Content("").join(
        [part for index, (part, _) in enumerate(parts) if index in chosen] + kept
    )
