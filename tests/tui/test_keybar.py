"""The key bar at the bottom: at 80 columns not every key fits; the most used are kept,
those that do not fit are left out whole, and ``? Keys`` (which lists them all) is always
there."""

from __future__ import annotations

import pytest

from tests.tui.conftest import settle
from tinycrm.api import Crm
from tinycrm.tui.app import make_app
from tinycrm.tui.widgets.keybar import KeyBar


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_a_narrow_key_bar_keeps_the_help_key_and_cuts_no_key_in_half(
    tui_store, seeded, size
) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        bar = app.screen.query_one(KeyBar)
        text = str(bar.render())
        assert len(text.rstrip()) <= size[0], text
        assert text.rstrip().endswith("? Keys"), text
        assert " ⏎ Open" in text and "Move on" in text
        assert " e Edit " in text and " / Filter " in text  # the most used keys first
        if size[0] >= 80:
            assert " n New " in text and " w Won " in text and " x Lost " in text
        await pilot.press("question_mark")  # and it works
        await settle(pilot)
        assert app.screen.query_one("#help-body") is not None
