"""The board's columns as windows over their cards: the pages read as a column asks.

Each column holds a window of its cards (its first page at first, ``PAGE`` cards); when
a column asks for more (``CardsWanted``: its view or cursor nears the end of what it
holds), a worker reads the next page, the page before, or the page at a position further
on (``crm.board.cards``), after the board's own writes are saved, so a page never
contradicts a move on screen. :class:`PagedColumns` is the board screen's base: it owns
the columns and their pages; the screen (``screens.board``) owns loading and editing.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from tinycrm.api.models import Board, CardPage
from tinycrm.errors import TinyCrmError
from tinycrm.tui.base import CrmScreen
from tinycrm.tui.messages import CardsWanted
from tinycrm.tui.widgets.cards import MAX_HELD, PAGE, ColumnState, ColumnsView, StageColumn

WRITES_WAIT = 10.0
"""How long a page read waits for the board's own writes to be saved before it gives up
(a lock held elsewhere; the column asks again when it is next drawn)."""


def window_from(state: ColumnState, page: CardPage) -> None:
    """Hold ``page`` as the column's window (read from a position: a jump, or a reload)."""
    state.cards = list(page.cards)
    state.start = page.offset


class PagedColumns(CrmScreen[None]):
    """A screen of card columns (``#columns``) that reads each column's pages as it asks."""

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.board: Board | None = None
        self._version = 0
        """The board's version: a page read for an older one is not applied."""
        self._reading: set[str] = set()
        """Columns whose page is being read."""

    @property
    def view(self) -> ColumnsView:
        return self.query_one("#columns", ColumnsView)

    def column_widgets(self) -> list[StageColumn]:
        return self.view.columns

    def reload(self) -> None:
        """Load the whole board again (the screen's own)."""
        raise NotImplementedError

    def _column(self, key: str) -> StageColumn | None:
        return next((w for w in self.column_widgets() if w.state.key == key), None)

    def on_cards_wanted(self, message: CardsWanted) -> None:
        """A column lacks cards its view shows (or nears): read the page it wants."""
        message.stop()
        column = self._column(message.key)
        if column is None or self.board is None or message.key in self._reading:
            return  # one read a column at a time: its answer asks again for what still lacks
        state = column.state
        first, last = message.first, message.last
        limit = max(PAGE, last - first + 1)
        anchor: dict[str, Any]
        if state.cards and first == state.end:  # right below what is held
            anchor = {"after": state.cards[-1]}
        elif state.cards and last == state.start - 1:  # right above it
            anchor = {"before": state.cards[0]}
        else:  # a jump (end, or the scroll bar dragged): read from that position
            anchor = {"offset": first}
        self._reading.add(state.key)
        self.run_worker(
            partial(self._read_page, state.key, anchor, limit, state.version, self._version),
            thread=True,
            group="board-page",
            exit_on_error=False,
        )

    def _read_page(
        self, key: str, anchor: dict[str, Any], limit: int, version: int, board_version: int
    ) -> None:
        """(A worker.) Wait for the board's own writes, then read the page."""
        deadline = time.monotonic() + WRITES_WAIT
        while self.crm_app.writing:  # a page read before a move is saved would undo it
            if time.monotonic() > deadline:
                self.app.call_from_thread(self._page_failed, key)
                return
            time.sleep(0.005)
        board = self.board
        if board is None:
            self.app.call_from_thread(self._page_failed, key)
            return
        try:
            page = self.crm.board.cards(
                key,
                pipeline=board.pipeline_id,
                where=board.where,
                now=self.crm_app.now(),
                limit=limit,
                **anchor,
            )
        except TinyCrmError:  # the stage went, say: the live refresh reloads the board
            self.app.call_from_thread(self._page_failed, key)
            return
        kind = next(iter(anchor))
        self.app.call_from_thread(self._apply_page, page, kind, version, board_version)

    def _page_failed(self, key: str) -> None:
        self._reading.discard(key)
        column = self._column(key)
        if column is not None:
            column.card_list.asked = None  # asked again when it is next scrolled or moved

    def _apply_page(self, page: CardPage, kind: str, version: int, board_version: int) -> None:
        self._reading.discard(page.column)
        column = self._column(page.column)
        if column is None:
            return
        cards = column.card_list
        state = column.state
        if board_version != self._version or version != state.version:
            cards.asked = None  # the column changed on screen since: ask for what it lacks now
            cards.want()
            return
        current = cards.current
        held = {card.id for card in state.cards}
        new = [card for card in page.cards if card.id not in held]
        if kind == "after":
            state.cards.extend(new)
        elif kind == "before":
            state.cards[0:0] = new
            state.start = max(0, page.offset)
        else:
            window_from(state, page)
            new = page.cards
        state.version += 1
        if new:
            cards.asked = None
        cards.keep_near(MAX_HELD)
        found = cards.index_of(current.id) if current is not None else None
        cards.cards_changed(found, scroll=found is not None and found != cards.cursor)
        self.view.announce()
        if page.count != state.count:  # written elsewhere: the live refresh will say so
            self.reload()
