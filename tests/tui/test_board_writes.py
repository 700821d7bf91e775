"""The board's writes under locks held by another connection, on SQLite and PostgreSQL.

A real second connection holds the write lock (SQLite ``BEGIN IMMEDIATE``,
PostgreSQL ``LOCK TABLE``); the board is driven with Pilot, and every test looks
at the database afterwards.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.tui.conftest import SIZE, seed, settle, wait_for
from tinycrm.api import Crm
from tinycrm.store import sqlite_connections
from tinycrm.store.deals import get_deal
from tinycrm.store.engine import Store, open_store
from tinycrm.store.events import list_events
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.board import BoardScreen

FAIL_MS = 3000
"""The busy timeout (and PostgreSQL lock timeout) where a test wants a write to give up
while the lock is held: long enough that both key presses are queued before it does,
even on a loaded machine."""
WAIT_MS = 120_000
"""Where a test wants a write to wait until the lock is let go: it never gives up first,
however slow the machine, and lets go as soon as the lock does."""
PATIENCE = 60.0
"""Seconds a test waits for what the board does next (only a failing test waits that long)."""


@pytest.fixture
def busy_ms(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """``busy_ms(n)``: connections made from now on give up on a lock after ``n`` ms
    rather than 10 s."""

    def set_timeout(milliseconds: int) -> None:
        monkeypatch.setattr(sqlite_connections, "BUSY_TIMEOUT_MS", milliseconds)

    return set_timeout


@contextmanager
def write_lock(store: Store) -> Iterator[None]:
    """Another connection holds the lock the board's writes need, until the block ends."""
    if store.is_sqlite:
        conn = sqlite3.connect(store.path, isolation_level=None)  # type: ignore[arg-type]
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    other = create_engine(store.url)
    with other.connect() as conn:
        transaction = conn.begin()
        conn.execute(text("LOCK TABLE deal IN EXCLUSIVE MODE"))  # reads pass, writes wait
        try:
            yield
        finally:
            transaction.rollback()
    other.dispose()


def _board(app: Any) -> BoardScreen:
    board = app.screen_stack[0]
    assert isinstance(board, BoardScreen)
    return board


def _titles(board: BoardScreen) -> dict[str, list[str]]:
    return {w.state.name: [c.title for c in w.state.cards] for w in board.column_widgets()}


def _said(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


def _moves(store: Store, deal_id: int) -> list[str]:
    return [
        e.summary
        for e in list_events(store, limit=100)
        if e.action == "moved" and e.entity_id == deal_id
    ]


async def _writer_idle(pilot: Any, app: Any) -> None:
    """Wait until the writer has nothing left, then until its thread has ended."""
    await wait_for(pilot, lambda: not app.pending_writes(), timeout=PATIENCE)
    thread = app.writer._thread
    if thread is not None:
        app.writer.close()
        thread.join(timeout=PATIENCE)
        assert not thread.is_alive()


def _prepared(store: Store) -> dict[str, int]:
    store.engine.dispose()  # pooled connections have the default busy timeout
    return seed(store)


async def test_a_failed_write_cancels_the_writes_queued_behind_it(busy_ms, store) -> None:
    busy_ms(FAIL_MS)
    ids = _prepared(store)
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        with write_lock(store):
            await pilot.press("shift+right", "shift+right")
            assert _titles(board)["Proposal"] == ["Acme renewal", "Acme support"]
            await wait_for(pilot, lambda: len(_said(app)) >= 2, timeout=PATIENCE)
        # The lock is gone: the second move, queued behind the failed one, must not run now.
        await _writer_idle(pilot, app)
        await settle(pilot)
        assert get_deal(store, ids["renewal"]).stage == "Lead-in"
        assert _moves(store, ids["renewal"]) == []
        said = _said(app)
        # It names the change not saved: "Not saved: database is busy" alone named none.
        assert said[0].startswith("move Acme renewal to Qualified: database is busy"), said
        assert said[1] == "1 change queued after it was not saved either"
        # What the board shows is what is stored.
        assert _titles(board)["Lead-in"] == ["Acme renewal"]
        assert _titles(board)["Proposal"] == ["Acme support"]


async def test_a_waiting_write_marks_its_card_and_says_saving(busy_ms, store) -> None:
    busy_ms(WAIT_MS)
    ids = _prepared(store)
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        title = board.query_one("#board-title")
        with write_lock(store):
            await pilot.press("shift+right")
            await wait_for(pilot, lambda: app.saving, timeout=PATIENCE)
            await pilot.pause()
            qualified = board.column_widgets()[1].card_list
            assert qualified.pending == {ids["renewal"]}
            assert "saving…" in str(title.render())
            assert " saving… " in "".join(s.text for s in qualified.render_line(3))
        await _writer_idle(pilot, app)
        await settle(pilot)
        assert get_deal(store, ids["renewal"]).stage == "Qualified"
        assert not app.saving and qualified.pending == set()
        assert "saving…" not in str(title.render())


async def test_q_with_a_pending_write_says_so_and_quits_once_saved(busy_ms, store) -> None:
    busy_ms(WAIT_MS)
    ids = _prepared(store)
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with write_lock(store):
            await pilot.press("shift+right", "q")
            await pilot.pause(0.1)
            assert app.is_running
            assert (
                "1 change is still being saved… quitting when done; press q again to discard"
                in _said(app)
            )
        await wait_for(pilot, lambda: not app.is_running, timeout=PATIENCE)
    assert app.discarded == []
    assert get_deal(store, ids["renewal"]).stage == "Qualified"


async def test_q_twice_discards_the_pending_write_and_it_never_commits(busy_ms, store) -> None:
    busy_ms(WAIT_MS)
    ids = _prepared(store)
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with write_lock(store):
            await pilot.press("shift+right", "q")
            await pilot.pause(0.1)
            thread = app.writer._thread
            await pilot.press("q")
            await wait_for(pilot, lambda: not app.is_running, timeout=PATIENCE)
            assert [w.label for w in app.discarded] == ["move Acme renewal to Qualified"]
        # The lock is gone: the discarded move gets it, and must roll back.
        thread.join(timeout=PATIENCE)
        assert not thread.is_alive()
    assert get_deal(store, ids["renewal"]).stage == "Lead-in"
    assert _moves(store, ids["renewal"]) == []


@pytest.mark.parametrize("how", ["renamed", "deleted", "replaced"])
async def test_a_database_file_moved_under_the_board_stops_its_writes(
    tui_store, db_path, tmp_path, how
) -> None:
    ids = seed(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        moved = tmp_path / "moved.db"
        for suffix in ("", "-wal", "-shm"):
            source = db_path.with_name(db_path.name + suffix)
            if source.exists():
                source.rename(moved.with_name(moved.name + suffix))
        if how == "deleted":
            for suffix in ("", "-wal", "-shm"):
                moved.with_name(moved.name + suffix).unlink(missing_ok=True)
        if how == "replaced":
            open_store(str(db_path)).close()  # another database where ours was
        await pilot.press("shift+right")
        await settle(pilot)
        said = _said(app)
        assert any(
            f"was {'replaced' if how == 'replaced' else 'renamed or deleted'}" in m for m in said
        ), said
        # Stopped for good: a poll, a new connection and a second move write nothing either.
        tui_store.engine.dispose()
        app.check_changes()
        await pilot.press("shift+right")
        await settle(pilot)
        assert "not saving: the database file was moved" in str(
            board.query_one("#board-title").render()
        )
        assert app.gone is not None
    if how != "replaced":
        assert not db_path.exists()  # no new, empty database in its place
    if how != "deleted":
        kept = open_store(str(moved if how == "renamed" else db_path))
        try:
            if how == "renamed":
                assert get_deal(kept, ids["renewal"]).stage == "Lead-in"
            assert _moves(kept, ids["renewal"]) == []
        finally:
            kept.close()


async def test_a_reload_while_a_move_waits_does_not_put_the_card_back(busy_ms, store) -> None:
    """Forty ``>`` typed fast on a 30-stage pipeline left the card drawn in Stage 06 while
    it was stored in Stage 29: the live refresh read the board while the moves were still
    being saved, drew that, and the last save (the board's own) asked for no reload. Now
    a board read while the board's own writes wait is not drawn; once they are saved the
    board is read again."""
    busy_ms(WAIT_MS)
    ids = _prepared(store)
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        with write_lock(store):
            await pilot.press("shift+right")
            assert "Acme renewal" in _titles(board)["Qualified"]
            board.reload()  # the live refresh: a change made elsewhere

            def loaded() -> bool:
                return not [w for w in app.workers if w.group == "board-load" and w.is_running]

            await wait_for(pilot, loaded, timeout=PATIENCE)
            await pilot.pause()
            await pilot.pause()
            assert "Acme renewal" in _titles(board)["Qualified"], _titles(board)
            assert "Acme renewal" not in _titles(board)["Lead-in"]
        await _writer_idle(pilot, app)
        await settle(pilot)
        assert get_deal(store, ids["renewal"]).stage == "Qualified"
        assert "Acme renewal" in _titles(board)["Qualified"]


async def test_a_task_done_under_a_lock_names_the_task_not_saved(busy_ms, tmp_path) -> None:
    """d on a deal's task while another writer held the lock said 'Not saved: database is
    busy (locked by another tinycrm): database is locked', naming nothing: which change
    was lost? Now it is named: 'complete task Send the contract: database is busy …'."""
    from tests.tui.test_records import _open

    busy_ms(FAIL_MS)
    path = tmp_path / "crm.db"
    store = open_store(str(path), user="tester")
    try:
        ids = _prepared(store)
        app = make_app(Crm(store), poll_interval=0)
        async with app.run_test(size=SIZE) as pilot:
            await _open(pilot, "deal", ids["renewal"])
            with write_lock(store):
                await pilot.press("d")
                await wait_for(pilot, lambda: _said(app), timeout=PATIENCE)
            await _writer_idle(pilot, app)
            said = _said(app)
            assert said[0].startswith("complete task Send the contract: database is busy"), said
    finally:
        store.close()
