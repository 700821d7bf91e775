"""The board is behind what is stored (a change made elsewhere, not polled yet): a key
acts on the deal where the board shows it, never undoes the other change. On SQLite and
PostgreSQL (the ``store`` fixture); "elsewhere" is a second store on the same database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from textual.widgets import Input, Static

from tests.tui.conftest import SIZE, seed, settle
from tinycrm.api import Crm
from tinycrm.store.deals import get_deal
from tinycrm.store.engine import Store, open_store
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.board import BoardScreen
from tinycrm.tui.widgets.rows import RowList


@contextmanager
def elsewhere(store: Store) -> Iterator[Crm]:
    """The same database opened a second time, as a ``tinycrm`` command in the shell would
    (another connection, another user)."""
    shell = open_store(store.url, user="someone")
    try:
        yield Crm(shell)
    finally:
        shell.close()


def _move_elsewhere(store: Store, deal_id: int, stage: str) -> None:
    with elsewhere(store) as shell:  # `tinycrm deal move`
        shell.deals.move(deal_id, stage)


def _said(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_a_deal_moved_elsewhere_is_not_moved_back(store) -> None:
    ids = seed(store)
    app = make_app(Crm(store), poll_interval=0)  # no poll: the board stays behind
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = app.screen_stack[0]
        assert isinstance(board, BoardScreen)
        assert board.current_card().id == ids["renewal"]  # shown in Lead-in
        _move_elsewhere(store, ids["renewal"], "Negotiation")
        await pilot.press("greater_than_sign")  # Lead-in → Qualified, as the board sees it
        await settle(pilot)
        assert get_deal(store, ids["renewal"]).stage == "Negotiation"
        said = " ".join(_said(app))
        assert "moved to Negotiation elsewhere" in said, said
        shown = {w.state.name: [c.id for c in w.state.cards] for w in board.column_widgets()}
        assert ids["renewal"] in shown["Negotiation"]  # reloaded: what is stored
        await pilot.press("less_than_sign")  # from where it is now: that move is made
        await settle(pilot)
        assert get_deal(store, ids["renewal"]).stage == "Proposal"


async def test_the_deal_view_does_not_move_a_deal_moved_elsewhere_back(store) -> None:
    ids = seed(store)
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_record("deal", ids["renewal"])
        await settle(pilot)
        _move_elsewhere(store, ids["renewal"], "Negotiation")
        await pilot.press("greater_than_sign")  # the view still says Lead-in
        await settle(pilot)
        assert get_deal(store, ids["renewal"]).stage == "Negotiation"
        said = " ".join(_said(app))
        assert "moved to Negotiation elsewhere" in said, said


async def test_the_edit_form_does_not_overwrite_a_value_changed_elsewhere(store) -> None:
    ids = seed(store)
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")  # the form of Acme renewal, €18,500
        await settle(pilot)
        form = app.screen
        with elsewhere(store) as shell:  # `tinycrm deal edit` from the shell while the form is open
            shell.deals.edit(ids["renewal"], amount="20000", owner="bob")
        form.query_one("#field-amount", Input).value = "19000"
        form.query_one("#field-title", Input).value = "Acme renewal 2027"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # refused: the form stays open with what was typed
        deal = get_deal(store, ids["renewal"])
        assert (deal.title, deal.amount, deal.owner) == ("Acme renewal", 20000, "bob")
        error = str(form.query_one("#error-amount", Static).render())
        assert "changed elsewhere" in error and "20,000" in error, error
        await pilot.press("ctrl+s")  # seen: saving again puts the form's values in
        await settle(pilot)
        assert app.screen is not form
        deal = get_deal(store, ids["renewal"])
        assert (deal.title, deal.amount, deal.owner) == ("Acme renewal 2027", 19000, "bob")


@pytest.mark.parametrize("kind", ["contact", "company"])
async def test_contact_and_company_forms_do_not_overwrite_unseen(store, kind) -> None:
    seed(store)
    crm = Crm(store)
    nouns = crm.contacts if kind == "contact" else crm.companies
    record = nouns.get("jm@acme.de" if kind == "contact" else "Acme GmbH")
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_record(kind, record.id)
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        with elsewhere(store) as shell:
            getattr(shell, "contacts" if kind == "contact" else "companies").edit(
                record.id, phone="+49 30 1111111"
            )
        form.query_one("#field-phone", Input).value = "+49 30 2222222"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert nouns.get(record.id).phone == "+49 30 1111111"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
        assert nouns.get(record.id).phone == "+49 30 2222222"


async def test_a_move_to_a_stage_removed_elsewhere_names_the_stage(store) -> None:
    ids = seed(store)
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with elsewhere(store) as shell:  # `tinycrm pipeline stage-rm Qualified --move-to Proposal`
            shell.pipelines.remove_stage("Qualified", move_to="Proposal")
        await pilot.press("greater_than_sign")  # to Qualified, still on screen
        await settle(pilot)
        assert get_deal(store, ids["renewal"]).stage == "Lead-in"
        said = " ".join(_said(app))
        assert "stage Qualified was removed elsewhere" in said and "#" not in said, said
        board = app.screen_stack[0]
        assert isinstance(board, BoardScreen)
        assert "Qualified" not in [w.state.name for w in board.column_widgets()]


async def test_a_value_changed_elsewhere_to_zero_is_named_as_zero(store) -> None:
    ids = seed(store)
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        with elsewhere(store) as shell:
            shell.deals.edit(ids["renewal"], probability=0)
        form.query_one("#field-probability", Input).value = "50"
        await pilot.press("ctrl+s")
        await settle(pilot)
        error = str(form.query_one("#error-probability", Static).render())
        assert "probability (0)" in error, error
        assert get_deal(store, ids["renewal"]).probability == 0


async def test_a_deal_deleted_elsewhere_is_said_so_by_its_form(store) -> None:
    ids = seed(store)
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")  # the form of Acme renewal
        await settle(pilot)
        form = app.screen
        with elsewhere(store) as shell:  # `tinycrm deal rm "Acme renewal"`
            shell.deals.remove(ids["renewal"])
        form.query_one("#field-amount", Input).value = "19000"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        error = str(form.query_one("#form-error", Static).render())
        assert "deleted elsewhere" in error and "nothing was saved" in error, error


async def test_a_move_of_a_deal_deleted_elsewhere_is_said_so(store) -> None:
    ids = seed(store)
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with elsewhere(store) as shell:
            shell.deals.remove(ids["renewal"])
        await pilot.press("greater_than_sign")  # the card is still on screen
        await settle(pilot)
        said = " ".join(_said(app))
        assert "was deleted elsewhere" in said, said


async def test_a_huge_value_changed_elsewhere_is_named_short(store) -> None:
    """The form's refusal quotes what a field holds now: a title of 100,000 characters
    written elsewhere is cut, so the form and its buttons still fit."""
    from sqlalchemy import text

    from tinycrm.tui.format import MESSAGE_LIMIT

    ids = seed(store)
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        with store.engine.begin() as conn:  # another program, no validation
            conn.execute(
                text("UPDATE deal SET title = :t WHERE id = :i"),
                {"t": "X" * 100_000, "i": ids["renewal"]},
            )
        form.query_one("#field-title", Input).value = "Acme renewal 2027"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        error = str(form.query_one("#error-title", Static).render())
        assert "changed elsewhere" in error and len(error) <= MESSAGE_LIMIT, error[:80]


async def test_a_new_deal_in_a_stage_removed_elsewhere_names_the_stage(store) -> None:
    """The new-deal form opened on Qualified, removed elsewhere before the save: it said
    "unknown stage '#2'" (the stage's id, never shown); now it names the stage, and nothing
    is written."""
    seed(store)
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("right")  # the Qualified column
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        with elsewhere(store) as shell:
            shell.pipelines.remove_stage("Qualified", move_to="Proposal")
        form.query_one("#field-title", Input).value = "Fresh deal"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        error = str(form.query_one("#error-stage", Static).render())
        assert "stage Qualified was removed elsewhere" in error and "#" not in error, error
        assert "Fresh deal" not in [d.title for d in Crm(store).deals.list()]


@pytest.mark.parametrize("keys", [("w",), ("e",), ("enter",), ("enter", "w"), ("c", "r")])
async def test_a_deal_deleted_elsewhere_is_named_by_its_title(store, keys) -> None:
    """Won, edit, open, or reopen on a card whose deal was deleted elsewhere said "no deal
    matches '1'": an id the user never typed nor saw. Now the deal is named as the card
    shows it (the record: "this deal"), and nothing is written."""
    ids = seed(store)
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if keys[0] == "c":  # the won and lost columns: the won deal's card
            await pilot.press("c")
            await settle(pilot)
            board = app.screen_stack[0]
            assert isinstance(board, BoardScreen)
            won = [w.state.key for w in board.column_widgets()].index("won")
            board._show_card(board.column_widgets()[won], 0)
            deal_id = ids["won"]
        else:
            deal_id = ids["renewal"]
        for key in keys[:-1] if keys[0] != "c" else ():
            await pilot.press(key)
            await settle(pilot)
        with elsewhere(store) as shell:
            shell.deals.remove(deal_id)
        await pilot.press(keys[-1])
        await settle(pilot)
        said = " ".join(_said(app))
        title = "Closed last month" if keys[0] == "c" else "Acme renewal"
        named = f"{title} was deleted elsewhere" in said or "this deal was deleted" in said
        assert named and "'1'" not in said and "'5'" not in said, said


async def test_a_lost_form_of_a_deal_deleted_elsewhere_names_it(store) -> None:
    ids = seed(store)
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        form = app.screen
        with elsewhere(store) as shell:
            shell.deals.remove(ids["renewal"])
        form.query_one("#field-reason", Input).value = "price"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        error = str(form.query_one("#form-error", Static).render())
        assert "Acme renewal was deleted elsewhere" in error and "'1'" not in error, error


@pytest.mark.parametrize("key", ["e", "l", "t", "x", "v"])
async def test_a_deal_deleted_elsewhere_closes_its_view_and_the_form_on_it(store, key) -> None:
    """The deal's view open, a form (or an activity) open on it, the deal deleted
    elsewhere: the view stayed under the form, showing a deal that no longer existed, and
    saving the form failed oddly. Now the form and the view close, and one line names the
    deal by its title."""
    from tinycrm.tui.screens.deal_record import DealScreen

    ids = seed(store)
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_record("deal", ids["renewal"])
        await settle(pilot)
        assert isinstance(app.screen, DealScreen)
        timeline = app.screen.query_one("#timeline", RowList)
        while key == "v" and not (timeline.current_key or "").startswith("activity:"):
            await pilot.press("j")  # to the call on the timeline
        await pilot.press(key)
        await settle(pilot)
        assert len(app.screen_stack) == 3, app.screen_stack
        with elsewhere(store) as shell:  # `tinycrm deal rm "Acme renewal"`
            shell.deals.remove(ids["renewal"])
        app.check_changes()  # the poll's turn
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen), app.screen_stack
        said = _said(app)
        assert [s for s in said if "Acme renewal was deleted elsewhere" in s], said
        assert all("\n" not in s for s in said), said


@pytest.mark.parametrize("key", ["e", "l", "t"])
async def test_saving_a_form_on_a_deal_deleted_elsewhere_closes_it_and_the_view(store, key) -> None:
    """Not polled yet: the save is refused, and the form and the deal's view close, the deal
    named by its title; nothing is written."""
    from tinycrm.tui.screens.deal_record import DealScreen

    ids = seed(store)
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_record("deal", ids["renewal"])
        await settle(pilot)
        assert isinstance(app.screen, DealScreen)
        await pilot.press(key)
        await settle(pilot)
        form = app.screen
        with elsewhere(store) as shell:
            shell.deals.remove(ids["renewal"])
        first = form.fields[0].name if key != "l" else "text"
        form.query_one(f"#field-{first}", Input).value = "Call back"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen), app.screen_stack
        said = _said(app)
        assert [s for s in said if "Acme renewal was deleted elsewhere" in s], said
        assert not [s for s in said if "'1'" in s or "matches" in s], said
        with elsewhere(store) as shell:
            assert not [a for a in shell.activities.list() if a.subject == "Call back"]


async def test_a_deal_deleted_under_another_records_view_closes_when_gone_back_to(store) -> None:
    """The deal's view under its contact's: the contact's stays (it still exists); going
    back closes the deal's view too, saying why, instead of showing a deal no longer there."""
    from tinycrm.tui.screens.contact_company_records import ContactScreen

    ids = seed(store)
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_record("deal", ids["renewal"])
        await settle(pilot)
        deal = app.screen
        contact_id = deal.view.deal.contact_id
        app.open_record("contact", contact_id)
        await settle(pilot)
        with elsewhere(store) as shell:
            shell.deals.remove(ids["renewal"])
        app.check_changes()
        await settle(pilot)
        assert isinstance(app.screen, ContactScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen), app.screen_stack
        assert [s for s in _said(app) if "Acme renewal was deleted elsewhere" in s], _said(app)
