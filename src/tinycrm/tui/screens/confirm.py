"""A yes-or-no question over the screen, before something that cannot be undone (deleting
a task or a logged activity): ``y`` (or the Delete button) goes on, ``n`` or esc does not."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from tinycrm.tui import format as fmt
from tinycrm.tui.base import CrmModalScreen
from tinycrm.tui.widgets.keybar import KeyBar


class ConfirmScreen(CrmModalScreen[bool]):
    """Asks ``question`` (plain text: it names a record); dismisses with True for yes."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n", "answer(False)", "No", id="confirm.no"),
        # its own binding, so the key bar shows it (a key listed second was not shown)
        Binding("escape", "cancel", "Cancel", id="confirm.cancel"),
    ]

    def __init__(self, question: str, *, yes: str = "Delete") -> None:
        super().__init__(classes="confirm-screen")
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(fmt.message(self.question), id="confirm-question", markup=False)
            with Horizontal(classes="form-buttons"):
                yield Button(self.yes, variant="error", compact=True, id="confirm-yes")
                yield Button("Keep", compact=True, id="confirm-no")
        yield KeyBar(first=("confirm.yes", "confirm.no", "confirm.cancel"), ordered=True)

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()  # enter keeps: deleting takes y

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    def action_cancel(self) -> None:
        """Esc: no, as ``n``."""
        self.dismiss(False)
