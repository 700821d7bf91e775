"""A form's fields: what one is (``FormField``), the one-line input a form gives it
(``FieldInput``, with its greyed name completion from ``NameSuggester``), and what a field
says of a stored value holding control characters. ``screens.forms`` lays them out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from textual import events
from textual.suggester import Suggester, SuggestionReady
from textual.widgets import Input, TextArea

from tinycrm import safetext
from tinycrm.errors import TinyCrmError
from tinycrm.search_text import fold


@dataclass
class FormField:
    """One field: an ``Input`` (or a ``Select`` when ``choices`` are given)."""

    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    choices: Sequence[tuple[str, Any]] | None = None
    required: bool = False
    parse: Callable[[str], Any] | None = None
    words: tuple[str, ...] = ()
    """An error mentioning one of these words is shown under this field."""
    complete: str | None = None
    """``contact`` or ``company``: offer the first matching name as inline completion."""
    multiline: bool = False
    """Several lines (a note's body): a ``BodyArea``, where enter starts a new line."""


def control_problem(text: str) -> str | None:
    """Why a one-line field refuses ``text`` (the first control character and where), or
    None: the store's rule (``validate.plain``), where tabs and line breaks are spaces."""
    return safetext.problem(text.replace("\r", "\n"), multiline=True)


class FieldInput(Input):
    """A one-line field. A pasted text goes into it whole: its lines joined by spaces
    (Textual's Input keeps the first line only), its control characters kept, for the
    form to refuse by name rather than send to the terminal or the database.

    Tab takes the greyed completion when one is shown (as → does, and as in fish or zsh),
    then moves on to the next field as usual: the user sees the name they will save.
    A name completes from its folded form, and what is shown is the name as stored: the
    rest of it after what was typed when that is how the name begins ("Ada" shows "Ada
    Lovelace"), else the whole name after an arrow ("sor" shows "sor → Søren
    Kierkegaard"); taking it writes the name ("Søren Kierkegaard")."""

    _completion: tuple[str, str] = ("", "")
    """(what the field shows: the typed text and the completion, the name it takes)."""

    def __init__(self, **kwargs: Any) -> None:
        # the cursor at the end of the text, not all of it selected as the field gets the
        # focus: the first key typed replaced the stored value (a deal's whole title)
        super().__init__(select_on_focus=False, **kwargs)
        self.cursor_position = len(self.value)

    def take_shown_completion(self) -> None:
        """Tab: the greyed completion, when one is shown, becomes the value."""
        if len(self._suggestion) > len(self.value):
            self._take_completion()

    def action_cursor_right(self, select: bool = False) -> None:
        if not select and self.cursor_at_end and self._suggestion:
            self._take_completion()
        else:
            super().action_cursor_right(select)

    def _take_completion(self) -> None:
        shown, name = self._completion
        self.value = name if shown == self._suggestion else self._suggestion
        self.cursor_position = len(self.value)

    async def _on_suggestion_ready(self, event: SuggestionReady) -> None:
        event.prevent_default()  # Input's own shows the name from the typed length on
        typed, name = event.value, event.suggestion
        rest = completion_rest(typed, name)
        if typed != self.value or rest is None or name == typed:
            return
        # "Ada" + " Lovelace"; but "sor" + "en Kierkegaard" would misspell the name
        shown = typed + rest if name == typed + rest else f"{typed} → {name}"
        self._completion = (shown, name)
        self._suggestion = shown

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()
        text = " ".join(line for line in event.text.splitlines() if line.strip())
        if text:
            self.insert_text_at_cursor(text)


class BodyArea(TextArea):
    """A field of several lines (a note's body): enter starts a new line, ctrl+s (the
    form's save key) saves, tab moves on to the next field. A body with several lines
    showed them as one, joined by ``\\x0a``, and could not be written with line breaks."""

    def __init__(self, text: str, *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(
            text,
            soft_wrap=True,
            tab_behavior="focus",
            compact=True,
            show_line_numbers=False,
            placeholder=placeholder,
            id=id,
        )

    def on_mount(self) -> None:
        self.move_cursor(self.document.end)  # as a one-line field: the cursor at the end


def completion_rest(typed: str, name: str) -> str | None:
    """What ``name`` adds to ``typed`` when its beginning folds as ``typed`` does
    (``search_text.fold``, whitespace runs one space, as the store compares): "en
    Kierkegaard" for "sor" and "Søren Kierkegaard". None when it does not begin so."""
    key = _compared(typed)
    if not key.strip():
        return None
    end = None
    for index in range(1, len(name) + 1):
        head = _compared(name[:index])
        if head == key:
            end = index  # the last such: combining accents after it belong to the prefix
        elif len(head) > len(key):
            break
    return None if end is None else name[end:]


def _compared(text: str) -> str:
    """``text`` folded, its whitespace runs one space (one at the end kept: "ann " is
    not "anna")."""
    return " ".join(fold(text).split()) + (" " if text[-1:].isspace() else "")


class NameSuggester(Suggester):
    """Completes a contact or company name from the database, off the app's thread: the
    first one whose folded form starts with the folded text typed."""

    def __init__(self, lookup: Callable[[str], str | None]) -> None:
        super().__init__(use_cache=True, case_sensitive=False)
        self.lookup = lookup

    async def get_suggestion(self, value: str) -> str | None:
        if not value.strip():
            return None
        try:
            found = await asyncio.to_thread(self.lookup, value)
        except TinyCrmError:
            return None
        return found if found and completion_rest(value, found) is not None else None


def escaped_note(value: str, *, multiline: bool = False) -> str:
    """What a field whose stored value holds control characters (or characters that show
    as nothing, taken on input: a zero-width space, tag characters) says under it;
    ``multiline``: its line breaks and tabs are none of them."""
    found = safetext.find_unsafe(value, multiline=multiline)
    if found is None and (hidden := safetext.SHOWN.search(value)) is not None:
        return (
            f"Holds characters that show as nothing, shown as {safetext.escaped(hidden.group())}"
            ": kept unless you delete them."
        )
    example = safetext.escaped(found[1] if found else "\x1b")
    return (
        f"Holds control characters, shown as {example}: kept unless you change this"
        " field; a changed value must lose them."
    )
