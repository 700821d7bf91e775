"""The board's first load, started before Textual is imported.

Importing Textual and starting the app take about as long as loading a big
board, so ``tinycrm board`` starts the load in a thread first; the board
screen takes the result instead of loading again. Nothing here imports Textual.
"""

from __future__ import annotations

import threading
import time

from tinycrm.store.board import Board, load_board
from tinycrm.store.engine import Store
from tinycrm.store.feed import FeedEntry, list_feed

FEED_SIZE = 200


class Preload:
    """``load_board`` and ``list_feed`` with the board's defaults, in a thread."""

    def __init__(self, store: Store) -> None:
        self.board: Board | None = None
        self.feed: list[FeedEntry] | None = None
        self.error: BaseException | None = None
        self.seconds = 0.0
        """How long the load took (for the benchmark)."""
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(store,), daemon=True)

    @classmethod
    def start(cls, store: Store) -> Preload:
        preload = cls(store)
        preload._thread.start()
        return preload

    def _run(self, store: Store) -> None:
        started = time.perf_counter()
        try:
            self.board = load_board(store)
            self.feed = list_feed(store, limit=FEED_SIZE)
        except BaseException as exc:  # the board screen loads again and reports it
            self.error = exc
        finally:
            self.seconds = time.perf_counter() - started
            self._done.set()

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
