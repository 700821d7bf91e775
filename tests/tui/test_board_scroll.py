"""Where a column's view lands: on whole cards, never half a card at its top (real keys)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.tui.conftest import settle
from tinycrm.api import Crm
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.board import BoardScreen
from tinycrm.tui.widgets.cards import CARD_LINES, CARD_ROW, CardList


def _board(app: Any) -> BoardScreen:
    board = app.screen_stack[0]
    assert isinstance(board, BoardScreen)
    return board


def _whole_cards(card_list: CardList) -> None:
    """The view starts at a card's first line, and the cursor's card shows whole."""
    top = card_list.scroll_offset.y
    height = card_list.scrollable_content_region.height
    assert top % CARD_ROW == 0, f"the view starts {top % CARD_ROW} lines into a card"
    first = card_list.cursor * CARD_ROW
    assert top <= first and first + CARD_LINES <= top + height, (top, height, first)


@pytest.fixture
def two_long_columns(tui_store) -> None:  # type: ignore[no-untyped-def]
    """30 deals in Lead-in and 30 in Qualified, interleaved by close date."""
    crm = Crm(tui_store)
    today = date.today()
    for i in range(30):
        crm.deals.add(f"Lead {i:02}", amount=Decimal(100), close=today + timedelta(days=2 * i))
        crm.deals.add(
            f"Qual {i:02}",
            amount=Decimal(100),
            stage="Qualified",
            close=today + timedelta(days=2 * i + 1),
        )


@pytest.mark.parametrize("height", [24, 27, 30])
async def test_a_moved_card_shows_whole_in_its_new_column(
    tui_store, two_long_columns, height: int
) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(100, height)) as pilot:
        await settle(pilot)
        board = _board(app)
        lead, qualified = (w.card_list for w in board.column_widgets()[:2])
        for _ in range(12):
            await pilot.press("down")
            _whole_cards(lead)
        await pilot.press("shift+right")  # Lead 12 goes between Qual 11 and Qual 12
        await settle(pilot)
        assert board.current_card() is not None
        assert board.current_card().title == "Lead 12"
        assert board.view.active_column.card_list is qualified
        _whole_cards(qualified)
        await pilot.press("shift+left")  # and back: whole in Lead-in too
        await settle(pilot)
        assert board.view.active_column.card_list is lead
        _whole_cards(lead)
        for _ in range(40):  # down to the last card and up again
            await pilot.press("down")
            _whole_cards(lead)
        for _ in range(40):
            await pilot.press("up")
            _whole_cards(lead)


async def test_a_resized_window_keeps_whole_cards_and_the_cursor_in_view(
    tui_store, two_long_columns
) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        board = _board(app)
        lead = board.column_widgets()[0].card_list
        for _ in range(9):
            await pilot.press("down")
        for height in (27, 24, 33, 26):
            await pilot.resize_terminal(100, height)
            await settle(pilot)
            _whole_cards(lead)


@pytest.mark.parametrize("width", [80, 100])
async def test_columns_scrolled_sideways_stay_in_line_with_the_edges(
    tui_store, seeded, width: int
) -> None:
    """At 80 columns the board shows two of its four stages. Scrolled to the third, the
    view moved by the cells needed (25, not the 26 between two columns' edges): every
    column in view stood a cell right of where a column stands, its header and its cards'
    edges out of line with the first view's, and the fourth's first cell showed at the
    right. Now the view starts at a column's edge, whichever column is active, and shows
    no part of one beyond the last whole one, on the way right and back."""
    from tinycrm.tui.widgets.cards import ColumnsView, StageColumn

    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        view = app.screen.query_one(ColumnsView)
        columns = list(view.query(StageColumn))
        home = [column.region.x for column in columns]
        edge = view.scrollable_content_region.right
        assert home[-1] >= edge  # the last stage waits past the edge
        for key in ["right"] * (len(columns) - 1) + ["left"] * (len(columns) - 1):
            await pilot.press(key)
            await settle(pilot)
            shown = [c.region for c in columns if c.region.right > view.region.x + 1]
            shown = [r for r in shown if r.x < edge]
            assert [r.x for r in shown] == home[: len(shown)], (key, view.scroll_x, shown)
            assert all(r.right <= edge for r in shown), (key, edge, shown)
            active = view.active_column
            assert active is not None and active.region.x in home[: len(shown)]
