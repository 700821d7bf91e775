"""The board's first load, started before Textual is imported.

Importing Textual and starting the app take about as long as loading a big
board, so ``tinycrm board`` starts the load in a thread first; the board
screen takes the result instead of loading again. Nothing here imports Textual.
"""

from __future__ import annotations

import gc
import threading
import time

from tinycrm.api import Crm
from tinycrm.api.models import Board, FeedEntry

FEED_SIZE = 200
FIRST_CARDS = 50
READY_WAIT = 0.3
"""How long the board screen, as it mounts, waits for a load still under way, so that its
first frame is the loaded board (a "Loading…" frame first costs a frame's render
while the load runs); past it, it shows "Loading…" and takes the load when it comes."""
"""Cards a column gets for the first paint: its first page (``tinycrm.tui.widgets.cards.PAGE``,
more than a screen holds); the board reads more of a column as it is scrolled."""


class Preload:
    """``crm.board.load()`` and ``crm.board.feed()`` with the board's defaults, in a thread."""

    def __init__(self, crm: Crm) -> None:
        self.board: Board | None = None
        self.feed: list[FeedEntry] | None = None
        self.error: BaseException | None = None
        self.seconds = 0.0
        """How long the load took (for the benchmark)."""
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(crm,), daemon=True)

    @classmethod
    def start(cls, crm: Crm) -> Preload:
        """Start the load; the board's start-up begins here. The cyclic collector is off
        until the board's first frame (``collector_on``): what Textual's import and the
        first frame build stays, and the collector walked it over and over for nothing."""
        gc.disable()
        preload = cls(crm)
        preload._thread.start()
        return preload

    def _run(self, crm: Crm) -> None:
        started = time.perf_counter()
        try:
            self.board = crm.board.load(per_column=FIRST_CARDS)
            self.feed = crm.board.feed(limit=FEED_SIZE)
        except BaseException as exc:  # the board screen loads again and reports it
            self.error = exc
        finally:
            self.seconds = time.perf_counter() - started
            self._done.set()

    def ready(self, timeout: float = READY_WAIT) -> bool:
        """Whether the load is done (it failed, or succeeded), waiting up to ``timeout``."""
        return self._done.wait(timeout)

    def take_board(self) -> Board | None:
        """The preloaded board (once), or None when it failed; waits for it."""
        self._done.wait()
        board, self.board = self.board, None
        return board

    def take_feed(self) -> list[FeedEntry] | None:
        """The preloaded feed (once), or None; waits for it."""
        self._done.wait()
        feed, self.feed = self.feed, None
        return feed


def collector_on() -> None:
    """The cyclic collector back on after the board's start (``Preload.start`` turned it
    off), with what the start built frozen, for no collection to walk it again. Nothing
    when it is on."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
