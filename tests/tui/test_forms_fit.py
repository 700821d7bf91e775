"""A form fits the window it opens in: every field can be scrolled to, and the buttons
and the title stay on screen, however long the record's title is."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tui.conftest import settle
from tinycrm.api import Crm
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.forms import FormScreen


def _on_screen(app: Any, selector: str) -> bool:
    widget = app.screen.query_one(selector)
    return app.screen.region.contains_region(widget.region) and widget.region.height > 0


@pytest.mark.parametrize("title", ["Acme renewal", "W" * 300])
async def test_the_deal_forms_fit_an_80x24_terminal(tui_store, title) -> None:
    crm = Crm(tui_store)
    crm.deals.add(title, amount="5")
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in ("n", "e"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, FormScreen)
            assert _on_screen(app, "#form-save") and _on_screen(app, "#form-cancel")
            assert _on_screen(app, ".form-hint")
            assert app.screen.query_one(".form-title").region.height <= 3  # two lines and a gap
            await pilot.press(*["tab"] * 8)  # to the last fields: scrolled to, not cut off
            await settle(pilot)
            app.screen.query_one("#field-tags").focus()
            await settle(pilot)
            assert _on_screen(app, "#field-tags"), app.screen.query_one("#field-tags").region
            await pilot.press("escape")
            await settle(pilot)
