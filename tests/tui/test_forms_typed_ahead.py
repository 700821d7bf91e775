"""Keys typed as a form opens (in one read with the key that opens it, as a terminal user
types without waiting, or while the form loads) go to the form's fields in order: none is
lost and none acts on the screen under the form."""

from __future__ import annotations

import threading
from typing import Any

from textual import events

from tests.tui.conftest import SIZE, settle
from tinycrm.api import Crm
from tinycrm.store.deals import get_deal, list_deals
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.forms import FormScreen

NAMES = {" ": "space", "\t": "tab", ">": "greater_than_sign", "/": "slash", "?": "question_mark"}


def _statuses(store: Any) -> dict[int, tuple[str, str]]:
    return {deal.id: (deal.status, deal.stage) for deal in list_deals(store, status=None)}


def _post_at_once(app: Any, text: str) -> None:
    """``text`` as keys queued together (one read of the terminal); a tab moves on."""
    for char in text:
        key = NAMES.get(char, char)
        app.post_message(events.Key(key, None if key == "tab" else char))


async def test_keys_typed_with_n_go_to_the_new_deal_form_in_order(tui_store, seeded) -> None:
    """'nAcme deal<Tab>ada<Tab>…' in one read: the letters typed before the form was up
    were lost (the screen had no focused field to give them to). Now they fill the title
    and, after each tab, the next field."""
    before = _statuses(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _post_at_once(app, "nAcme deal 1/2\tAda\t\t250 x")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen) and form.id == "new-deal-form", form
        assert form.raw("title") == "Acme deal 1/2"
        assert form.raw("contact") == "Ada"
        assert form.raw("company") == ""
        assert form.raw("amount") == "250 x"
        await pilot.press("escape")
        await settle(pilot)
    assert _statuses(tui_store) == before  # nothing typed acted on the board


async def test_keys_typed_with_x_go_to_the_lost_reason(tui_store, seeded) -> None:
    """'xprice' in one read: the reason field got nothing; now it reads 'price'."""
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _post_at_once(app, "xprice")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen) and form.id == "lost-form", form
        assert form.raw("reason") == "price"


async def test_keys_typed_while_the_edit_form_loads_go_to_its_title(
    tui_store, seeded, monkeypatch
) -> None:
    """'e' reads the deal before its form opens; the keys typed meanwhile were lost (and
    'n', 'q' or '1' acted on the board: a new-deal form, quitting, another screen). Now
    they wait for the form and go to its first field, as typed there (after the stored
    title: the cursor is at the end of it)."""
    from tinycrm.api.deals import Deals

    read = Deals.get
    loaded = threading.Event()

    def get(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        loaded.wait(10)  # the read takes as long as the test needs
        return read(self, *args, **kwargs)

    monkeypatch.setattr(Deals, "get", get)
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _post_at_once(app, "e (q1 new)\t500")
        for _ in range(5):
            await pilot.pause()
        assert not isinstance(app.screen, FormScreen)  # still loading: nothing acted
        loaded.set()
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen) and form.id == "edit-deal-form", form
        assert form.raw("title") == "Acme renewal (q1 new)"  # as typed into the form
        assert app.is_running
    deal = get_deal(tui_store, seeded["renewal"])
    assert (deal.status, deal.stage, deal.title) == ("open", "Lead-in", "Acme renewal")


async def test_escape_typed_ahead_cancels_and_drops_the_rest(tui_store, seeded) -> None:
    """'n' then esc in one read closes the form; what was typed after it acts nowhere."""
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = _statuses(tui_store)
        app.post_message(events.Key("n", "n"))
        app.post_message(events.Key("escape", None))
        _post_at_once(app, "w")
        await settle(pilot)
        assert not isinstance(app.screen, FormScreen)
        assert _statuses(tui_store) == before


async def test_keys_typed_ahead_into_a_window_too_small_go_nowhere(tui_store, seeded) -> None:
    """In a window too small for the form, typed-ahead keys go to no hidden field."""
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(40, 5)) as pilot:
        await settle(pilot)
        board = app.screen
        board.new_deal()  # type: ignore[attr-defined]
        _post_at_once(app, "Acme")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen) and form.has_class("-too-small")
        await pilot.resize_terminal(160, 45)
        await settle(pilot)
        assert form.raw("title") == ""


async def test_keys_typed_with_t_on_a_record_go_to_the_task(tui_store, seeded) -> None:
    """'tSend the contract' on a deal's view in one read: the 'S…' went to the view
    (its timeline) and were lost; now the task's text reads them."""
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_record("deal", seeded["renewal"])
        await settle(pilot)
        _post_at_once(app, "tSend the contract")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen), form
        assert form.raw("text") == "Send the contract"


async def test_keys_typed_with_n_on_the_contacts_list_go_to_the_form(tui_store, seeded) -> None:
    """'nNadia' on the contacts list in one read: the name reads 'Nadia'; in the search
    box 'n' is typed, not a new contact."""
    from tinycrm.tui.screens.lists import ContactsScreen

    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
        _post_at_once(app, "/ann")
        await settle(pilot)
        assert app.screen.query_one("#search").value == "ann"  # type: ignore[attr-defined]
        await pilot.press("escape", "down")
        await settle(pilot)
        _post_at_once(app, "nNadia")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen), form
        assert form.raw("name") == "Nadia"


async def test_a_tab_read_with_the_keys_after_it_moves_on_first(tui_store, seeded) -> None:
    """On an open form 'Acme<Tab>Ada' read at once put 'AcmeAda' in the title: the tab
    moved the focus after the app had handed 'Ada' to the title. Now it moves first."""
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        _post_at_once(app, "Acme\tAda")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert (form.raw("title"), form.raw("contact")) == ("Acme", "Ada")
        app.post_message(events.Key("shift+tab", None))
        _post_at_once(app, "Z")
        await settle(pilot)
        # back in the title, its cursor at the end: Z goes after what was typed
        assert (form.raw("title"), form.raw("contact")) == ("AcmeZ", "Ada")
