"""The board's filter bar: quick words, or the filter language of ``--where``.

The rule: text with an operator (``= != < > <= >= ~``), a parenthesis, ``and`` /
``or`` / ``not``, or a ``field:``, ``segment:``, ``activity:`` or ``campaign:``
prefix (outside quotes) is a filter expression over deals; anything else is a
quick search.

- Quick search, as before: ``acme tag:enterprise owner:sam contact:müller`` keeps
  deals whose title, company or contact contains "acme", tagged enterprise, owned
  by sam, with a contact whose name or email contains "müller". ``#tag`` and
  ``@owner`` are short forms; quote a value with spaces: ``tag:"big deal"``.
- An expression: ``amount>10000 and stage=Proposal``, ``tag:enterprise or
  owner=sam``, ``probability>=50 and not #churn``, ``close<+30d``,
  ``segment:"Berlin leads"``. The quick forms are conditions in it (``#tag``,
  ``@owner``, ``owner:X``, ``contact:X``), and a bare word searches title, company
  and contact: ``acme and amount>5000`` (not a field name or keyword, nor the start
  of one: ``sta`` is half of ``stage=…`` being typed, not a search). Compiled in the
  store (``tinycrm.store.board.compile_board_where``).

An expression that does not read (yet) is not applied: the board keeps the last
result and, once typing pauses, the bar turns red and says where the problem is.
"""

from __future__ import annotations

import re
import shlex

from textual.binding import Binding
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Input

from tinycrm.filters import FilterError
from tinycrm.store.board import BoardFilter, compile_board_where
from tinycrm.tui.messages import FilterChanged

PLACEHOLDER = (
    "Filter: words  #tag  @owner  contact:TEXT,  or an expression: amount>10000 and "
    "stage=Proposal   (enter keeps it, esc clears)"
)
MAX_FILTER = 500
"""Characters the filter bar reads (more is refused, never cut or sent to the database)."""
ERROR_DELAY = 0.6
"""Seconds of no typing before an expression's error shows (no flashing while typing)."""

_QUOTED = re.compile(r"\"(?:\\.|[^\"\\])*\"?|'(?:\\.|[^'\\])*'?")
_OPERATORS = frozenset("=!<>~()")
_KEYWORDS = frozenset({"and", "or", "not"})
_PREFIXES = ("field:", "segment:", "activity:", "campaign:")


def is_expression(text: str) -> bool:
    """Whether the bar's text is read as a filter expression (else: a quick search)."""
    bare = _QUOTED.sub(" ", text)
    if any(char in _OPERATORS for char in bare):
        return True
    return any(w.lower() in _KEYWORDS or w.lower().startswith(_PREFIXES) for w in bare.split())


def parse_filter(text: str) -> BoardFilter:
    """Read the filter bar's text into a ``BoardFilter``.

    Raises ``FilterError`` (with ``position``) for an expression that does not read or
    names an unknown field, or text longer than ``MAX_FILTER``; an unknown segment is
    only found when the board loads.
    """
    if len(text) > MAX_FILTER:
        reason = f"the filter is too long: {len(text):,} characters (at most {MAX_FILTER:,})"
        raise FilterError(text[:MAX_FILTER], MAX_FILTER, reason)
    if is_expression(text):
        where = text.rstrip()
        compile_board_where(where)  # checks it; the store compiles it again to load
        return BoardFilter(where=where)
    return _quick(text)


def _quick(text: str) -> BoardFilter:
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


def describe_error(error: FilterError) -> str:
    """One short line for the bar: where, and what is wrong."""
    return f"position {error.position}: {error.reason}"


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
