"""``KeyBar``: the keys that apply now, on one line at the bottom, clickable.

Textual's ``Footer`` mounts a widget per key and recomposes itself whenever the
bindings change, which on the board is every time the focus moves to another
column: tens of milliseconds per key press. This bar draws the same
information (the active bindings marked ``show``, disabled ones dimmed) as
one line of text, and a click on a key runs its action. Keys that do not fit are left
out whole, and ``? Keys``, which lists them all, is kept.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static


def _namespace(node: Any) -> str:
    if isinstance(node, App):
        return "app"
    if isinstance(node, Screen):
        return "screen"
    return "focused"


class KeyBar(Static):
    """One line of ``key description`` pairs for the bindings that apply now."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, classes="key-bar", markup=False)
        self._shown: tuple[object, ...] = ()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self.show_keys)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self.show_keys)

    def show_keys(self) -> None:
        if not self.is_attached:
            return
        entries: list[tuple[str, str, bool, str]] = []
        seen: set[str] = set()
        palette: tuple[str, str, bool, str] | None = None
        for node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if binding.action == "command_palette":
                palette = (
                    self.app.get_key_display(binding),
                    "palette",
                    enabled,
                    "app.command_palette",
                )
                continue
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            action = f"{_namespace(node)}.{binding.action}"
            entries.append(
                (self.app.get_key_display(binding), binding.description, enabled, action)
            )
        if palette is not None:
            entries.append(palette)
        width = self.size.width
        shown = (width, *((key, text, enabled) for key, text, enabled, _ in entries))
        if shown == self._shown:
            return
        self._shown = shown
        parts: list[tuple[Content, bool]] = []
        for key, description, enabled, action in entries:
            key_style = "bold $accent" if enabled else "$text-disabled"
            text_style = "$foreground" if enabled else "$text-disabled"
            link = f" @click={action!r}" if enabled else ""
            part = Content.assemble(
                (f" {key} ", f"{key_style}{link}"),
                (f"{description} ", f"{text_style}{link}"),
            )
            parts.append((part, action.endswith(".help")))
        self.update(Content(" ").join(_fitted(parts, width)))

    def on_resize(self) -> None:
        self.show_keys()


def _fitted(parts: list[tuple[Content, bool]], width: int) -> list[Content]:
    """The parts that fit in ``width`` cells, whole: when not all do, the help key (the
    parts marked True, which lists every key) goes last, and as many of the others as
    fit before it, in order."""
    total = sum(part.cell_length + 1 for part, _ in parts)
    if not width or total <= width + 1:
        return [part for part, _ in parts]
    kept = [part for part, essential in parts if essential]
    room = width - sum(part.cell_length + 1 for part in kept)
    first: list[Content] = []
    for part, essential in parts:
        if essential:
            continue
        if part.cell_length + 1 > room:
            break
        first.append(part)
        room -= part.cell_length + 1
    return first + kept
