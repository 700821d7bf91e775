"""A small modal list to pick one of a few things (a pipeline, a stage)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tinycrm.tui import format as fmt
from tinycrm.tui.widgets.text import fit

OPTION_LIMIT = 120
"""The most cells of a name the list shows: a name of 100,000 characters (an import,
another program) was one option filling it."""


class PickScreen(ModalScreen[Any]):
    """Dismisses with the value of the chosen option, or None on escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="pick.cancel")]

    VERTICAL_BREAKPOINTS = [(0, "-short"), (15, "-tall")]
    """Under 15 lines (-short) the picker drops its padding and the list's border: in 8
    lines they took every line, and the choices were picked unseen."""

    def __init__(self, title: str, options: Sequence[tuple[str, Any]], current: Any) -> None:
        super().__init__(classes="pick-screen")
        self.pick_title = title
        self.options = list(options)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="pick"):
            yield Static(fmt.text(self.pick_title), classes="form-title", markup=False)
            yield OptionList(
                *(
                    Option(Content(fit(label, OPTION_LIMIT)), id=str(index))  # not markup
                    for index, (label, _) in enumerate(self.options)
                ),
                id="pick-list",
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        for index, (_, value) in enumerate(self.options):
            if value == self.current:
                options.highlighted = index
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.options[event.option_index][1])

    def action_cancel(self) -> None:
        self.dismiss(None)
