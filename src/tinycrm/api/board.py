"""``crm.board``: what the full-screen board reads, and how it writes safely for hours.

The kanban as one read model (``load``), the feed beside it, the change marker a
long-running screen polls to see another process's writes, name completion for
forms, and the guards of a board left open for hours: writes only into the
database file it opened (``file_id``, ``check_file``, ``write``) and a bounded
wait for a PostgreSQL lock (``bound_lock_waits``). The board (``tinycrm.tui``)
reaches the database only through these and the other nouns of ``Crm``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from tinycrm import filters
from tinycrm.api import values
from tinycrm.api.values import When

if TYPE_CHECKING:
    from tinycrm.store.board import Board, BoardCard, CardPage
    from tinycrm.store.board_writes import FileId
    from tinycrm.store.engine import Store
    from tinycrm.store.feed import ChangeMarker, FeedEntry


class BoardAccess:
    """The board of one open CRM (``crm.board``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # ------------------------------------------------------------------ reads

    def load(
        self,
        *,
        pipeline: str | int | None = None,
        where: str | None = None,
        closed: bool = False,
        now: When | None = None,
        per_column: int | None = None,
    ) -> Board:
        """Everything the kanban shows for ``pipeline`` (default: the first): a column
        per stage (and Won and Lost when ``closed``) with counts and totals per
        currency, and the cards with their badges. ``where`` narrows the deals (the
        filter language of ``--where``: ``#vip @sam amount>1000``); a bad one is
        ``InvalidFilter`` with the position. ``now`` (a WHEN: a naive ``datetime`` is local
        time) is the moment badges are judged by.
        ``per_column``: only the first so many cards of each column (counts and totals
        still count them all), for a first paint of a very big board."""
        from tinycrm.store.board import load_board

        return load_board(
            self._store,
            pipeline=pipeline,
            where=where,
            closed=closed,
            now=values.when(now, "now"),
            per_column=per_column,
        )

    def cards(
        self,
        column: str,
        *,
        pipeline: str | int | None = None,
        where: str | None = None,
        now: When | None = None,
        offset: int | None = None,
        after: BoardCard | None = None,
        before: BoardCard | None = None,
        limit: int | None = 50,
    ) -> CardPage:
        """A page of one column's cards (``column``: a ``BoardColumn``'s key, ``stage:ID``,
        ``won`` or ``lost``), in the board's order, with their badges: the ``limit`` cards
        right ``after`` (or ``before``) a card, or from ``offset`` (default: the first).
        The page says where it sits in the column (``offset``) and how many cards the
        column holds (``count``)::

            board = crm.board.load(per_column=50)
            column = board.columns[0]
            page = crm.board.cards(column.key, after=column.cards[-1])

        ``pipeline``, ``where`` and ``now`` as for ``load``."""
        from tinycrm.store.board import load_cards

        return load_cards(
            self._store,
            column,
            pipeline=pipeline,
            where=where,
            now=values.when(now, "now"),
            offset=offset,
            after=after,
            before=before,
            limit=limit,
        )

    def check_filter(
        self, text: str, *, now: When | None = None, max_length: int = filters.MAX_LENGTH
    ) -> str | None:
        """Check a filter over deals without loading anything: the text, stripped (None
        when blank), or ``InvalidFilter`` with the position (what the filter bar shows
        as it is typed). A ``segment:NAME`` in it is looked up only when it is used."""
        from tinycrm.store.filter_sql import check_filter

        return check_filter("deal", text, now=values.when(now, "now"), max_length=max_length)

    def feed(self, *, limit: int | None = 200, after_id: int | None = None) -> list[FeedEntry]:
        """The newest events, newest first, each with the record opening it shows;
        ``after_id``: only those newer than that event."""
        from tinycrm.store.feed import list_feed

        return list_feed(self._store, limit=limit, after_id=after_id)

    def change_marker(self) -> ChangeMarker:
        """A cheap fingerprint of the event log: when it differs, something was written."""
        from tinycrm.store.feed import change_marker

        return change_marker(self._store)

    def complete(self, kind: str, prefix: str) -> str | None:
        """The first contact or company name (``kind``) starting with ``prefix`` folded
        (case, accents: "ang" finds "Ångström"): what a form's REF field offers as inline
        completion."""
        from tinycrm.store.record_search import complete_name

        return complete_name(self._store, kind=kind, prefix=prefix)

    # ------------------------------------------------------------------ writing for hours

    def bound_lock_waits(self, milliseconds: int | None = None) -> None:
        """PostgreSQL: give up waiting for a lock after SQLite's busy timeout (or
        ``milliseconds``) instead of for ever. Nothing for SQLite."""
        from tinycrm.store.board_writes import bound_lock_waits

        bound_lock_waits(self._store, milliseconds)

    def file_id(self) -> FileId | None:
        """The SQLite file's (device, inode) now; None for PostgreSQL or a missing file."""
        from tinycrm.store.board_writes import file_id

        return file_id(self._store)

    def check_file(self, opened: FileId | None) -> None:
        """``DatabaseGone`` unless the database path still names the file ``opened``."""
        from tinycrm.store.board_writes import check_file

        check_file(self._store, opened)

    @contextmanager
    def write(
        self, *, opened: FileId | None, last_check: Callable[[], None] | None = None
    ) -> Iterator[None]:
        """One transaction for the writes made inside it (``crm.deals.move(…)`` and the
        like join it): committed only into the file ``opened``, and a PostgreSQL lock
        timeout told as "database is busy", as SQLite's. ``last_check`` is called just
        before the COMMIT, after the pre-write hooks: raising, it rolls everything back."""
        from tinycrm.store.board_writes import board_write

        with board_write(self._store, opened=opened, last_check=last_check):
            yield
