"""The board's forms: amounts read as `deal add --amount` reads them ("$500" is USD), and
a company domain another company has is refused beside the field."""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import Input

from tests.tui.conftest import SIZE, open_form, settle
from tinycrm.api import Crm
from tinycrm.store.deals import get_deal, list_deals
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.board import BoardScreen


async def test_new_deal_form_reads_the_currency_of_the_amount(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "n")
        form.query_one("#field-title", Input).value = "Dollar deal"
        form.query_one("#field-amount", Input).value = "$120,000.00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        (deal,) = list_deals(tui_store, search="dollar deal")
        assert (deal.amount, deal.currency) == (Decimal("120000"), "USD")


async def test_deal_forms_refuse_an_amount_in_another_currency(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "e")  # Acme renewal, a EUR deal
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


async def test_company_form_refuses_a_domain_another_company_has(tui_store, seeded) -> None:
    """The board's company form says which company has the domain, beside the field."""
    from tinycrm.store.companies import add_company, get_company

    acme = get_company(tui_store, "Acme GmbH")
    globex = add_company(tui_store, name="Globex", domain="globex.com")
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "e", record=("company", globex.id))
        form.query_one("#field-domain", Input).value = "WWW.ACME.DE"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        error = str(form.query_one("#error-domain").render())
        assert error == f"a company with domain acme.de already exists: Acme GmbH (#{acme.id})"
        assert get_company(tui_store, globex.id).domain == "globex.com"


async def test_deal_forms_read_an_amount_in_the_deals_currency_as_the_cli_does(
    tui_store, seeded
) -> None:
    """`1,200` is ambiguous in euros but twelve hundred yen (no decimals): the forms decide
    with the currency field, as `deal add --amount 1,200 --currency JPY` does."""
    from tinycrm.store.deals import add_deal

    yen = add_deal(tui_store, title="Tokyo pilot", amount="500", currency="JPY")
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "n")
        form.query_one("#field-title", Input).value = "Osaka rollout"
        form.query_one("#field-amount", Input).value = "1,200"
        await pilot.press("ctrl+s")  # in euros (the currency shown): ambiguous
        await settle(pilot)
        assert app.screen is form
        assert "ambiguous" in str(form.query_one("#error-amount").render())
        form.query_one("#field-currency", Input).value = "JPY"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen), str(form.query_one("#error-amount").render())
        (deal,) = list_deals(tui_store, search="osaka rollout")
        assert (deal.amount, deal.currency) == (Decimal("1200"), "JPY")
        app.open_record("deal", yen.id)
        form = await open_form(pilot, "e")
        form.query_one("#field-amount", Input).value = "1,500"  # the deal is in yen
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form, str(form.query_one("#error-amount").render())
    assert (get_deal(tui_store, yen.id).amount, get_deal(tui_store, yen.id).currency) == (
        Decimal("1500"),
        "JPY",
    )
