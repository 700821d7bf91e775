"""A small modal list to pick one of a few things (a pipeline, a stage)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tinycrm.search_text import fold
from tinycrm.tui import format as fmt
from tinycrm.tui.widgets.keybar import KeyBar
from tinycrm.tui.widgets.text import fit

OPTION_LIMIT = 120
"""The most cells of a name the list shows: a name of 100,000 characters (an import,
another program) was one option filling it."""


def find_option(names: Sequence[str], typed: str) -> int | None:
    """The first of ``names`` that begins with ``typed``, else the first with a word that
    does, else the first holding it; None when none does. Case and accents aside ("zu"
    finds "Zürich")."""
    query = fold(typed)
    if not query:
        return None
    folded = [fold(name) for name in names]
    tests = (
        lambda name: name.startswith(query),
        lambda name: any(word.startswith(query) for word in name.split()[1:]),
        lambda name: query in name,
    )
    for test in tests:
        found = next((index for index, name in enumerate(folded) if test(name)), None)
        if found is not None:
            return found
    return None


class PickList(OptionList):
    """An option list that jumps to the option a typed name begins (type-ahead, as a file
    manager's list does): letters add to what was typed, backspace takes one off, and a
    letter no name continues with starts over from it; an arrow key ends the search.
    What was typed is shown in ``#pick-typed``."""

    def __init__(self, names: Sequence[str], *options: Option, id: str) -> None:
        super().__init__(*options, id=id)
        self.names = list(names)
        self.typed = ""

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        return character is not None and character.isprintable()

    def _show_typed(self, found: bool) -> None:
        shown = self.screen.query_one("#pick-typed", Static)
        shown.display = bool(self.typed)
        note = "" if found else "  (no name holds it)"
        shown.update(Content(f"find: {fmt.text(self.typed)}{note}" if self.typed else ""))

    def _find(self, typed: str) -> int | None:
        index = find_option(self.names, typed)
        if index is not None:
            self.highlighted = index
        return index

    def _begins(self, typed: str) -> bool:
        """Whether a name begins with ``typed``."""
        return any(fold(name).startswith(fold(typed)) for name in self.names)

    async def _on_key(self, event: events.Key) -> None:
        character = event.character
        if event.key == "backspace" and self.typed:
            self.typed = self.typed[:-1]
            found = not self.typed or self._find(self.typed) is not None
        elif character is not None and event.is_printable and (self.typed or character != " "):
            self.typed += character
            found = self._find(self.typed) is not None
            if not found and len(self.typed) > 1 and self._begins(character):
                self.typed = character  # a name's first letter: start over from it
                found = self._find(self.typed) is not None
        else:
            if self.typed and event.key in ("up", "down", "pageup", "pagedown", "home", "end"):
                self.typed = ""
                self._show_typed(True)
            return
        event.stop()
        event.prevent_default()
        self._show_typed(found)


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
            yield Static("", id="pick-typed", markup=False)
            yield PickList(
                [label for label, _ in self.options],
                *(
                    Option(Content(fit(label, OPTION_LIMIT)), id=str(index))  # not markup
                    for index, (label, _) in enumerate(self.options)
                ),
                id="pick-list",
            )
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#pick-typed").display = False
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
