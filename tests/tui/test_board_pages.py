"""A column longer than a page: the board holds a window of it and reads the rest as the
cursor or the view comes near (checked with real keys, and against the database)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.tui.conftest import SIZE, settle
from tinycrm.api import Crm
from tinycrm.store.deals import get_deal
from tinycrm.tui.app import make_app
from tinycrm.tui.screens import board_pages
from tinycrm.tui.screens.board import BoardScreen
from tinycrm.tui.widgets.cards import CARD_ROW, PAGE

LONG = 2 * PAGE + 30
"""Cards in the long column: two pages and a bit."""


def _board(app: Any) -> BoardScreen:
    board = app.screen_stack[0]
    assert isinstance(board, BoardScreen)
    return board


def _check_window(board: BoardScreen) -> None:
    """Each column holds a run of its cards with no card twice, inside its count."""
    for widget in board.column_widgets():
        state = widget.state
        ids = [card.id for card in state.cards]
        assert len(ids) == len(set(ids)), state.key
        assert state.start >= 0 and state.end <= state.count, state.key


async def _walk(pilot: Any, board: BoardScreen, column: int) -> list[str]:
    """Every card of a column, read by moving the cursor down it from the top."""
    board.view.activate(column, cursor=0)
    card_list = board.column_widgets()[column].card_list
    titles: list[str] = []
    for index in range(card_list.count):
        if index:
            await pilot.press("down")
        if board.current_card() is None:  # its page is being read
            await settle(pilot)
        card = board.current_card()
        assert card is not None and card_list.cursor == index
        titles.append(card.title)
        _check_window(board)
    return titles


@pytest.fixture
def long_column(tui_store) -> list[str]:  # type: ignore[no-untyped-def]
    """``LONG`` deals in Lead-in, one closing each day (their order on the board)."""
    crm = Crm(tui_store)
    today = date.today()
    titles = [f"Deal {i:03}" for i in range(LONG)]
    for i, title in enumerate(titles):
        crm.deals.add(title, amount=Decimal(100), close=today + timedelta(days=10 + i))
    return titles


async def test_the_first_page_paints_and_the_cursor_reads_on_to_the_end(
    tui_store, long_column
) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        lead_in = board.column_widgets()[0]
        assert lead_in.state.count == LONG
        assert PAGE <= len(lead_in.state.cards) < LONG  # a window, not the column
        assert lead_in.header.state.count == LONG  # the header counts the whole column
        assert lead_in.state.totals == {"EUR": [Decimal(100 * LONG), Decimal(10 * LONG)]}
        assert await _walk(pilot, board, 0) == long_column
        await pilot.press("home")
        await settle(pilot)
        assert board.current_card().title == "Deal 000"
        await pilot.press("end")  # far from what is held: read from there
        await settle(pilot)
        assert board.current_card().title == long_column[-1]
        _check_window(board)


async def test_cards_far_from_the_view_are_dropped_and_read_again(
    tui_store, long_column, monkeypatch
) -> None:
    monkeypatch.setattr(board_pages, "MAX_HELD", PAGE + 20)
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        state = board.column_widgets()[0].state
        starts = set()
        for key in ["pagedown"] * (LONG // 5) + ["pageup"] * (LONG // 5):
            await pilot.press(key)
            await settle(pilot)
            assert len(state.cards) <= PAGE + 20
            assert [c.title for c in state.cards] == long_column[state.start : state.end]
            assert board.current_card() is not None
            starts.add(state.start)
        assert max(starts) > 0 and state.start == 0  # dropped going down, read again going up
        assert board.current_card().title == "Deal 000"


async def test_scrolling_the_view_reads_the_cards_it_shows(tui_store, long_column) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        card_list = _board(app).column_widgets()[0].card_list
        assert card_list.card_at(LONG - 5) is None
        card_list.scroll_to(y=(LONG - 8) * CARD_ROW, animate=False, immediate=True)
        await settle(pilot)
        assert card_list.card_at(LONG - 5).title == long_column[LONG - 5]
        assert card_list.virtual_size.height == LONG * CARD_ROW  # the whole column's bar


async def test_a_move_from_deep_in_a_column_keeps_every_count_and_card(
    tui_store, long_column
) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        deep = PAGE + 20  # past the first page
        for _ in range(deep):
            await pilot.press("down")
        await settle(pilot)
        moved = board.current_card()
        assert moved is not None and moved.title == long_column[deep]
        await pilot.press("shift+right")
        lead_in, qualified = board.column_widgets()[:2]
        assert (lead_in.state.count, qualified.state.count) == (LONG - 1, 1)
        assert board.current_card().title == moved.title
        assert board.current_column() is qualified
        await settle(pilot)
        assert get_deal(tui_store, moved.id).stage == "Qualified"
        rest = [t for t in long_column if t != moved.title]
        state = lead_in.state
        assert [c.title for c in state.cards] == rest[state.start : state.end]
        assert state.end > deep  # the window refilled below the gap
        # Back into its place, deep in the column (near the cursor: the window holds it).
        board.view.activate(1, cursor=0)
        await pilot.press("shift+left")
        assert lead_in.state.count == LONG
        assert board.current_card().title == moved.title
        assert lead_in.card_list.cursor == deep
        await settle(pilot)
        assert await _walk(pilot, board, 0) == long_column


@pytest.mark.slow  # deep in a column of thousands; the other paging tests stay in CI
async def test_a_card_moved_to_a_place_past_the_cards_held_is_shown_there(
    tui_store, long_column
) -> None:
    """Its place in the target column is past that column's first page: the column reads
    the cards around it, and the cursor stays on it, in order."""
    crm = Crm(tui_store)
    today = date.today()
    for i in range(LONG):
        crm.deals.add(f"Q {i:03}", stage="Qualified", close=today + timedelta(days=10 + i))
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        for _ in range(PAGE + 20):
            await pilot.press("down")
        await settle(pilot)
        moved = board.current_card()
        assert moved is not None
        await pilot.press("shift+right")
        qualified = board.column_widgets()[1]
        assert qualified.state.count == LONG + 1
        assert board.current_card().title == moved.title
        await settle(pilot)
        assert board.current_card().title == moved.title
        # The same close date as "Q 070", and an older deal: right before it.
        assert qualified.card_list.cursor == PAGE + 20
        titles = await _walk(pilot, board, 1)
        assert len(titles) == LONG + 1 and len(set(titles)) == LONG + 1
        assert titles.index(moved.title) == PAGE + 20
        assert titles[PAGE + 19 : PAGE + 22] == ["Q 069", moved.title, "Q 070"]


@pytest.mark.parametrize("words", ["De", "12"])
async def test_a_filter_set_and_cleared_keeps_the_cursor_on_its_card_deep_in_a_column(
    tui_store, long_column, words
) -> None:
    """The cursor on the last card of a long column, a filter typed and cleared: the
    cursor landed on another deal (the card at its old place in the first page read,
    "Deal 010" for "Deal 129"), and w, x or > then acted on that one. Now it stays on its
    deal, wherever that is in the column, with the cards around it read."""
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        await pilot.press("end")
        await settle(pilot)
        assert board.current_card().title == long_column[-1]
        await pilot.press("slash", *words)
        await pilot.pause(0.3)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert board.filter == words
        assert board.current_card().title == long_column[-1]
        await pilot.press("escape")
        await pilot.pause(0.3)
        await settle(pilot)
        assert not board.filter
        assert board.current_card().title == long_column[-1]
        _check_window(board)
