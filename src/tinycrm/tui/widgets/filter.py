"""The board's filter bar: it posts what is typed, the filter language of ``--where``.

Everything typed is one filter over deals (``tinycrm.filters``): quick words such as
``acme #enterprise @sam contact:müller`` (a search of title, company and contact,
a tag, an owner, a contact's name or email, all of them at once), or an expression
such as ``amount>10000 and stage=Proposal``, ``probability>=50 and not #churn``,
``close<+30d``, ``segment:"Berlin leads"``. The bar only posts the text; the board
checks it and loads with it. A filter that does not read (yet) is not applied: the
board keeps the last result and, once typing pauses, the bar turns red and says
where the problem is (``show_error``).
"""

from __future__ import annotations

import re

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Input

from tinycrm import safetext
from tinycrm.filters import FilterError
from tinycrm.tui.messages import FilterChanged

PLACEHOLDER = (
    "Filter: words  #tag  @owner  contact:TEXT,  or an expression: amount>10000 and "
    "stage=Proposal   (enter keeps it, esc clears)"
)
MAX_FILTER = 500
"""Characters of filter the board reads from the bar (more is refused, never cut or sent
to the database)."""
ERROR_DELAY = 0.6
"""Seconds of no typing before an expression's error shows (no flashing while typing)."""


ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves
    # OSC (a link, a title), DCS …: up to their end, when it comes before the line's end
    r"|(?:\x1b[]P^_X]|[\x90\x9d-\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"  # two-character escapes
)
"""A terminal escape sequence, taken out of a paste whole (not just its ESC)."""


def clean_paste(text: str) -> tuple[str, list[str]]:
    """``text`` as one line of filter, and the control characters left out of it.

    Lines are joined by spaces and tabs are spaces; escape sequences (coloured text
    copied from a terminal) go whole, and any other control or bidi character goes: the
    bar could not show them, and a filter holding them silently matched nothing.
    """
    removed: list[str] = []

    def drop(match: re.Match[str]) -> str:
        removed.extend(safetext.UNSAFE.findall(match.group()))
        return ""

    text = ESCAPE_SEQUENCE.sub(drop, text).replace("\t", " ")
    text = " ".join(part.strip() for part in text.splitlines() if part.strip())
    text = safetext.UNSAFE.sub(drop, text)
    return text, removed


def describe_error(error: FilterError) -> str:
    """One short line for the bar: where, and what is wrong."""
    return f"position {error.position}: {error.reason}"


def fit_words(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class FilterBar(Input):
    """Posts ``FilterChanged`` as the user types, and with ``done`` on enter or escape.

    ``show_error`` puts a filter error on the bar's lower border (red), after a pause
    in typing unless ``now``; ``show_error(None)`` clears it at once.
    """

    BINDINGS = [
        Binding("escape", "clear", "Clear filter", id="filter.clear"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder=PLACEHOLDER, id=id)
        self.error: str | None = None
        self._error_timer: Timer | None = None

    def _on_paste(self, event: events.Paste) -> None:
        """A paste goes in as one line of the characters it shows (``clean_paste``); what
        was left out is said, escaped, so the filter is never one the user cannot see."""
        event.stop()
        event.prevent_default()
        text, removed = clean_paste(event.text)
        if text:
            if self.selection.is_empty:
                self.insert_text_at_cursor(text)
            else:
                self.replace(text, *self.selection)
        if removed:
            shown = " ".join(dict.fromkeys(safetext.escaped(c) for c in removed))
            count = len(removed)
            self.notify(
                f"Left out of the paste: {count} control character{'' if count == 1 else 's'}"
                f" ({fit_words(shown)})",
                severity="warning",
                timeout=5,
            )

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(FilterChanged(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(FilterChanged(event.value, done=True))

    def action_clear(self) -> None:
        self.value = ""
        self.show_error(None)
        self.post_message(FilterChanged("", done=True))

    def show_error(self, error: FilterError | None, *, now: bool = False) -> None:
        if self._error_timer is not None:
            self._error_timer.stop()
            self._error_timer = None
        if error is None:
            self._render_error(None)
        elif now:
            self._render_error(describe_error(error))
        else:
            line = describe_error(error)
            self._error_timer = self.set_timer(ERROR_DELAY, lambda: self._render_error(line))

    def _render_error(self, line: str | None) -> None:
        self.error = line
        self.set_class(line is not None, "-invalid")
        self.border_subtitle = None if line is None else Content(line)  # no markup
        if line is None:
            self.styles.border = None  # back to the stylesheet's border
        else:
            error = self.app.theme_variables.get("error", "red")
            self.styles.border = ("tall", error)
            self.styles.border_subtitle_color = error
