"""``?``: every key that applies on the screen below, from the bindings themselves."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tinycrm.tui.widgets.keybar import KeyBar
from tinycrm.tui.widgets.text import Folded

AREAS = {
    "ColumnsView": "Cards",
    "RowList": "Lists",
    "FeedPanel": "Feed",
    "BoardScreen": "Board",
    "TinyCrmApp": "Everywhere",
}

MOUSE = (
    "Click a card or a row to select it;\ndouble-click opens it.\n"
    "The wheel scrolls a column or list.\nClick a key in the footer to run it."
)


SKIP = {"screen.copy_text", "copy_text"}
RENAMED = {
    "app.focus_next": "Next panel",
    "app.focus_previous": "Previous panel",
    "command_palette": "Command palette: jump to any record",
}


def _sections(sections: dict[str, dict[str, list[str]]], *, mouse: bool = False) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for area, entries in sections.items():
        table.add_row("", Text(area, style="bold underline"))
        for description, keys in entries.items():
            table.add_row(" ".join(keys), Folded(Text(description)))
        table.add_row("", "")
    if mouse:
        table.add_row("", Text("Mouse", style="bold underline"))
        table.add_row("", Text(MOUSE, style="dim"))
    return table


DESCRIPTION_ROOM = 20
"""The cells a key's description has at least beside the other section's keys; with less,
the sections are one under the other."""


class _Keys:
    """The keys' sections side by side (the screen's own, then ``Everywhere``) where each
    description has ``DESCRIPTION_ROOM`` cells, else one under the other: side by side at
    40 columns, the descriptions had no cells at all ("w", "x", "n" and no word of what
    they do), at 60 a few ("contact:T…", "stage=Pro…" of the filter's language)."""

    def __init__(self, left: Table, right: Table, keys: int) -> None:
        self.left, self.right = left, right
        self.need = 2 * (keys + 2 + DESCRIPTION_ROOM) + 4
        self.outer = Table.grid(padding=(0, 4))
        self.outer.add_column()
        self.outer.add_column()
        self.outer.add_row(left, right)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.outer)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if options.max_width >= self.need:
            yield self.outer
        else:
            yield self.left
            yield self.right


def _area(node: Any) -> str:
    name = type(node).__name__
    if name in AREAS:
        return AREAS[name]
    return name.removesuffix("Screen") or name


class HelpScreen(ModalScreen[None]):
    """A table of the keys active on ``screen`` (with its focused widget), grouped by area."""

    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close", id="help.close"),
    ]

    VERTICAL_BREAKPOINTS = [(0, "-short"), (15, "-tall")]
    """Under 15 lines (-short) the screen drops its padding, title gap and hint: in 8
    lines they left one line of keys."""

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__(classes="help-screen")
        self.table = self._table(screen)

    def _table(self, screen: Screen[Any]) -> _Keys:
        self.sections: dict[str, dict[str, list[str]]] = {}
        sections = self.sections
        active_bindings = screen.active_bindings
        # Textual's own key for an action the board binds (ctrl+q beside q for quit) still
        # works, but is not listed: one line, the board's key, which the keymap can change.
        ours = {active.binding.action for active in active_bindings.values() if active.binding.id}
        for key, active in active_bindings.items():
            binding = active.binding
            if binding.system or not binding.description or binding.action in SKIP:
                continue
            if binding.id is None and binding.action in ours:
                continue
            area = _area(active.node)
            # A binding's tooltip, where it has one, says more than its key-bar word.
            description = binding.tooltip or binding.description
            if binding.action in RENAMED:
                area, description = "Everywhere", RENAMED[binding.action]
            display = self.app.get_key_display(binding.with_key(key))
            keys = sections.setdefault(area, {}).setdefault(description, [])
            if display not in keys:
                keys.append(display)
        order = sorted(sections, key=lambda a: (a == "Everywhere", a))
        left = [a for a in order if a != "Everywhere"]
        widest = max(
            (cell_len(" ".join(k)) for entries in sections.values() for k in entries.values()),
            default=0,
        )
        return _Keys(
            _sections({a: sections[a] for a in left}),
            _sections({"Everywhere": sections["Everywhere"]}, mouse=True),
            widest,
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Static("Keys", classes="form-title")
            with VerticalScroll(id="help-body"):
                yield Static(self.table)
        yield KeyBar()

    def action_close(self) -> None:
        self.dismiss(None)
