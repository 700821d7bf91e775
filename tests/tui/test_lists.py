"""The contacts and companies lists open with the list focused, so the screen keys (``1``
board, ``3`` companies …) work at once; ``/`` goes to the search box, as the board's
filter does, and esc there clears the search and goes back to the list."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.tui.conftest import SIZE, open_screen, settle
from tests.tui.test_records import _rows
from tinycrm.api import Crm
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.board import BoardScreen
from tinycrm.tui.screens.lists import CompaniesScreen, ContactsScreen, ListScreen


@pytest.mark.parametrize(("key", "screen_type"), [("2", ContactsScreen), ("3", CompaniesScreen)])
async def test_a_list_opens_focused_so_screen_keys_work(
    tui_store, seeded, key: str, screen_type: type[ListScreen]
) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, key, screen_type)
        assert screen.query_one("#search", Input).value == ""
        assert app.focused is screen.query_one("#results")
        await pilot.press("1")  # back to the board, not "1" typed into the search
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)


async def test_slash_searches_and_esc_clears_back_to_the_list(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "2", ContactsScreen)
        await pilot.press("slash", *"MÜL")
        await pilot.pause(0.2)
        await settle(pilot)
        (row,) = _rows(screen, "results")
        assert row.startswith("Jürgen Müller")
        await pilot.press("escape")  # clears the search, stays on the screen
        await pilot.pause(0.2)
        await settle(pilot)
        assert app.screen is screen
        assert screen.query_one("#search", Input).value == ""
        assert app.focused is screen.query_one("#results")
        assert len(_rows(screen, "results")) == 2
        await pilot.press("slash", *"ada", "enter", "3")  # enter: to the list; then a screen key
        await settle(pilot)
        assert isinstance(app.screen, CompaniesScreen)
