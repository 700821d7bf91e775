"""The board's filter bar and the little language it reads.

``acme tag:enterprise owner:sam contact:müller`` keeps deals whose title,
company or contact contains "acme", tagged enterprise, owned by sam, with a
contact matching "müller". ``#tag`` and ``@owner`` are short forms; quote a
value with spaces: ``tag:"big deal"``.
"""

from __future__ import annotations

import shlex

from textual.binding import Binding
from textual.widgets import Input

from tinycrm.store.board import BoardFilter
from tinycrm.tui.messages import FilterChanged

PLACEHOLDER = "Filter: text  tag:NAME  owner:NAME  contact:TEXT   (enter keeps it, esc clears)"


def parse_filter(text: str) -> BoardFilter:
    """Read the filter bar's text into a ``BoardFilter``."""
    try:
        words = shlex.split(text)
    except ValueError:  # an unclosed quote while typing
        words = text.replace('"', " ").replace("'", " ").split()
    free: list[str] = []
    tags: list[str] = []
    owner: str | None = None
    contact: str | None = None
    for word in words:
        name, sep, value = word.partition(":")
        name = name.lower()
        if sep and name == "tag" and value:
            tags.append(value.lower())
        elif sep and name == "owner" and value:
            owner = value
        elif sep and name == "contact" and value:
            contact = value
        elif word.startswith("#") and len(word) > 1:
            tags.append(word[1:].lower())
        elif word.startswith("@") and len(word) > 1:
            owner = word[1:]
        else:
            free.append(word)
    return BoardFilter(text=" ".join(free) or None, tags=tags, owner=owner, contact=contact)


class FilterBar(Input):
    """Posts ``FilterChanged`` as the user types, and with ``done`` on enter or escape."""

    BINDINGS = [
        Binding("escape", "clear", "Clear filter", id="filter.clear"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder=PLACEHOLDER, id=id)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(FilterChanged(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(FilterChanged(event.value, done=True))

    def action_clear(self) -> None:
        self.value = ""
        self.post_message(FilterChanged("", done=True))
