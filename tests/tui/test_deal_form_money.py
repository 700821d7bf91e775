"""The board's deal forms read an amount as ``deal add --amount`` does: "$500" is USD."""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import Input

from tests.tui.conftest import SIZE, settle
from tinycrm.store.deals import get_deal, list_deals
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.board import BoardScreen
from tinycrm.tui.screens.forms import FormScreen


async def test_new_deal_form_reads_the_currency_of_the_amount(tui_store, seeded) -> None:
    app = make_app(tui_store, poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-title", Input).value = "Dollar deal"
        form.query_one("#field-amount", Input).value = "$120,000"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        (deal,) = list_deals(tui_store, search="dollar deal")
        assert (deal.amount, deal.currency) == (Decimal("120000"), "USD")


async def test_deal_forms_refuse_an_amount_in_another_currency(tui_store, seeded) -> None:
    app = make_app(tui_store, poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")  # Acme renewal, a EUR deal
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-amount", Input).value = "£7"
        form.query_one("#field-currency", Input).value = "USD"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        error = str(form.query_one("#error-amount").render())
        assert "is in GBP, but the currency given is USD" in error
        before = get_deal(tui_store, seeded["renewal"])
        assert before.currency == "EUR"
        form.query_one("#field-currency", Input).value = "EUR"  # as it was: not given
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        deal = get_deal(tui_store, seeded["renewal"])
        assert (deal.amount, deal.currency) == (Decimal("7"), "GBP")
