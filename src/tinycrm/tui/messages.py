"""Messages between the board's widgets, screens and the app.

Widgets say what the user did (a card was chosen, a row was picked, the filter
changed); screens decide what that means and call the CRM (``tinycrm.api``).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from tinycrm.api.models import ChangeMarker


@dataclass
class DataChanged(Message):
    """Something was written to the database (by this app or another process).

    ``force``: reload even if the marker is the one shown (a write failed, and what
    the screen shows at once may not be what is stored).
    """

    marker: ChangeMarker
    force: bool = False


@dataclass
class WritesPending(Message):
    """Writes are waiting to be saved (``count`` 0: none any more); ``deal_ids``: their cards."""

    count: int
    deal_ids: set[int]


class WritesSaved(Message):
    """The app's writes have all been reported: none waits any more."""


@dataclass
class DatabaseLost(Message):
    """The database file was moved or replaced: nothing more is saved."""

    reason: str


@dataclass
class RecordOpened(Message):
    """Show a record: ``kind`` is deal, contact or company."""

    kind: str
    record_id: int


@dataclass
class ActivityOpened(Message):
    """Show activity ``activity_id`` whole (its body), over the current screen."""

    activity_id: int


@dataclass
class CardHighlighted(Message):
    """The cursor of a card column moved (``deal_id`` is None in an empty column)."""

    column_key: str
    deal_id: int | None


@dataclass
class CardClicked(Message):
    """A click on card ``index`` of the column ``key`` (``chain`` 2: a double click)."""

    key: str
    index: int
    chain: int


@dataclass
class CardsWanted(Message):
    """Column ``key`` shows (or its cursor nears) cards it does not hold: cards ``first``
    to ``last`` (positions in the whole column) are wanted."""

    key: str
    first: int
    last: int


@dataclass
class CardChosen(Message):
    """Enter or a double click on a card."""

    deal_id: int


@dataclass
class RowHighlighted(Message):
    """The cursor of a row list moved to the row with ``key``."""

    list_id: str | None
    key: str | None


@dataclass
class RowChosen(Message):
    """Enter or a double click on a row of a row list."""

    list_id: str | None
    key: str


@dataclass
class FilterChanged(Message):
    """The board's filter text changed (``done``: the user pressed enter or escape)."""

    text: str
    done: bool = False
