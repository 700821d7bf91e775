"""The board driven with real key presses (Pilot); every action is checked in the database."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from textual.widgets import Input

from tests.tui.conftest import SIZE, open_form, settle, wait_for
from tinycrm.api import Crm
from tinycrm.store.deals import get_deal, list_deals
from tinycrm.store.events import list_events
from tinycrm.store.views import deal_view
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.board import BoardScreen
from tinycrm.tui.screens.deal_record import DealScreen
from tinycrm.tui.widgets.feed import FeedPanel
from tinycrm.tui.widgets.rows import RowList


def _board(app) -> BoardScreen:  # type: ignore[no-untyped-def]
    board = app.screen_stack[0]
    assert isinstance(board, BoardScreen)
    return board


def _titles(board: BoardScreen) -> dict[str, list[str]]:
    return {w.state.name: [c.title for c in w.state.cards] for w in board.column_widgets()}


async def test_board_shows_columns_cards_and_aggregates(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        assert _titles(board) == {
            "Lead-in": ["Acme renewal"],
            "Qualified": ["Engines pilot"],
            "Proposal": ["Acme support"],
            "Negotiation": ["Big expansion"],
        }
        negotiation = board.column_widgets()[3].state
        assert negotiation.count == 1
        assert negotiation.totals == {"EUR": [Decimal("120000"), Decimal("72000")]}
        renewal = board.current_card()
        assert renewal is not None and renewal.title == "Acme renewal"
        assert renewal.overdue_task and renewal.closing_soon
        assert app.focused is board.view
        feed = board.query_one(FeedPanel)
        assert feed.entries[0].summary.startswith("logged call with deal Acme renewal")


async def test_arrows_and_hjkl_move_between_columns(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        await pilot.press("right")
        assert board.current_card().title == "Engines pilot"
        await pilot.press("l", "l")
        assert board.current_card().title == "Big expansion"
        await pilot.press("l")  # the last column: stays
        assert board.current_card().title == "Big expansion"
        await pilot.press("h")
        assert board.current_card().title == "Acme support"
        await pilot.press("left", "left")
        assert board.current_column().state.name == "Lead-in"
        await pilot.press("down", "j", "k", "up")
        assert board.current_card().title == "Acme renewal"


async def test_shift_right_moves_the_deal_and_the_feed_shows_it(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        await pilot.press("shift+right")
        # Shown at once, before the write has finished:
        assert _titles(board)["Qualified"] == ["Acme renewal", "Engines pilot"]
        assert board.current_card().title == "Acme renewal"
        assert board.column_widgets()[1].state.count == 2
        await settle(pilot)
        deal = get_deal(tui_store, seeded["renewal"])
        assert deal.stage == "Qualified"
        view = deal_view(tui_store, seeded["renewal"])
        assert [(h.from_stage, h.to_stage) for h in view.history][-1] == ("Lead-in", "Qualified")
        assert list_events(tui_store, limit=1)[0].summary == (
            "moved deal Acme renewal: Lead-in → Qualified"
        )
        feed = board.query_one(FeedPanel)
        assert feed.entries[0].summary == "moved deal Acme renewal: Lead-in → Qualified"
        assert _titles(board)["Qualified"] == ["Acme renewal", "Engines pilot"]


async def test_angle_brackets_and_shift_left_move_too(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("greater_than_sign", "greater_than_sign", "greater_than_sign")
        await settle(pilot)
        assert get_deal(tui_store, seeded["renewal"]).stage == "Negotiation"
        await pilot.press("less_than_sign")
        await settle(pilot)
        assert get_deal(tui_store, seeded["renewal"]).stage == "Proposal"
        await pilot.press("shift+left", "shift+left")
        await settle(pilot)
        assert get_deal(tui_store, seeded["renewal"]).stage == "Lead-in"
        await pilot.press("shift+left")  # already first: nothing is written
        await settle(pilot)
        history = deal_view(tui_store, seeded["renewal"]).history
        assert [h.to_stage for h in history] == [
            "Lead-in",
            "Qualified",
            "Proposal",
            "Negotiation",
            "Proposal",
            "Qualified",
            "Lead-in",
        ]


async def test_w_marks_won(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("right", "w")
        assert _titles(_board(app))["Qualified"] == []
        await settle(pilot)
        deal = get_deal(tui_store, seeded["pilot"])
        assert (deal.status, deal.probability) == ("won", 100)


async def test_x_asks_for_a_reason_then_marks_lost(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "x")
        await pilot.press("enter")  # no reason: refused in the form
        await settle(pilot)
        assert app.screen is form
        assert "required" in str(form.query_one("#error-reason").render())
        assert get_deal(tui_store, seeded["renewal"]).status == "open"
        await pilot.press(*"cut", "enter")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        deal = get_deal(tui_store, seeded["renewal"])
        assert (deal.status, deal.lost_reason) == ("lost", "cut")
        assert _titles(_board(app))["Lead-in"] == []


async def test_n_adds_a_deal_through_the_form(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "right", "n")
        await pilot.press(*"Glo")
        form.query_one("#field-title", Input).value = "Globex rollout"
        form.query_one("#field-contact", Input).value = "Ada Lovelace"
        form.query_one("#field-amount", Input).value = "4200"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        (deal,) = list_deals(tui_store, search="globex")
        assert (deal.stage, deal.amount, deal.contact, deal.company) == (
            "Qualified",
            Decimal("4200"),
            "Ada Lovelace",
            "Engines Ltd",
        )
        board = _board(app)
        assert "Globex rollout" in _titles(board)["Qualified"]
        assert board.current_card().title == "Globex rollout"


async def test_new_deal_form_shows_errors_and_saves_nothing(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        await pilot.press(*"Gh")
        form.query_one("#field-title", Input).value = "Ghost deal"
        form.query_one("#field-contact", Input).value = "nobody@nowhere.example"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is form  # still open, typed text kept
        error = str(form.query_one("#error-contact").render())
        assert "no contact matches 'nobody@nowhere.example'" in error
        assert form.query_one("#field-title", Input).value == "Ghost deal"
        assert list_deals(tui_store, search="ghost") == []
        form.query_one("#field-contact", Input).value = ""
        form.query_one("#field-amount", Input).value = "12.3456"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "decimal places" in str(form.query_one("#error-amount").render())
        assert list_deals(tui_store, search="ghost") == []
        await pilot.press("escape")  # typed in: it asks first, esc again discards
        await settle(pilot)
        assert app.screen is form
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        assert list_deals(tui_store, search="ghost") == []


async def test_e_edits_the_deal(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "e")
        assert form.query_one("#field-title", Input).value == "Acme renewal"
        form.query_one("#field-amount", Input).value = "21000"
        form.query_one("#field-tags", Input).value = "enterprise, renewal"
        await pilot.press("ctrl+s")
        await settle(pilot)
        deal = get_deal(tui_store, seeded["renewal"])
        assert (deal.amount, deal.tags) == (Decimal("21000"), ["enterprise", "renewal"])
        assert deal.contact == "Jürgen Müller"  # untouched fields stay
        assert _board(app).current_card().amount == Decimal("21000")


async def test_enter_and_double_click_open_the_record(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DealScreen)
        assert app.screen.deal.title == "Acme renewal"
        await pilot.press("escape")
        await settle(pilot)
        board = _board(app)
        target = board.column_widgets()[2].card_list
        await pilot.click(target, offset=(5, 1))
        assert board.current_card().title == "Acme support"
        assert app.focused is board.view
        await pilot.click(target, offset=(5, 1), times=2)
        await settle(pilot)
        assert isinstance(app.screen, DealScreen)
        assert app.screen.deal.title == "Acme support"


async def test_slash_filters_the_board(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        await pilot.press("slash", *"acme")
        await pilot.pause(0.3)
        await settle(pilot)
        assert _titles(board) == {
            "Lead-in": ["Acme renewal"],
            "Qualified": [],
            "Proposal": ["Acme support"],
            "Negotiation": ["Big expansion"],
        }
        await pilot.press("enter")  # keeps the filter, back to the cards
        await settle(pilot)
        assert app.focused is board.view
        await pilot.press("slash", "ctrl+u", *"@sam")
        await pilot.pause(0.3)
        await settle(pilot)
        assert sum(len(t) for t in _titles(board).values()) == 1
        await pilot.press("escape")
        await pilot.pause(0.3)
        await settle(pilot)
        assert sum(len(t) for t in _titles(board).values()) == 4
        assert not board.filter


async def test_c_shows_won_and_lost_columns_and_f_hides_the_feed(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        assert [w.state.key for w in board.column_widgets()][-1] != "lost"
        await pilot.press("c")
        await settle(pilot)
        titles = _titles(board)
        assert titles["Won"] == ["Closed last month"]
        assert titles["Lost"] == ["Went elsewhere"]
        await pilot.press("f")
        assert not board.query_one(FeedPanel).display
        await pilot.press("f")
        assert board.query_one(FeedPanel).display


async def test_r_reopens_a_won_deal(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        board = _board(app)
        await pilot.press("l", "l", "l", "l")  # the Won column
        assert board.current_column().state.key == "won"
        await pilot.press("r")
        await settle(pilot)
        assert get_deal(tui_store, seeded["won"]).status == "open"


async def test_r_on_a_won_deal_with_an_active_contract_says_why_and_keeps_it_won(
    tui_store, seeded
) -> None:
    from tinycrm.store.contracts import add_contract

    contract = add_contract(tui_store, deal=seeded["won"])
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("l", "l", "l", "l")  # the Won column
        await pilot.press("r")
        await settle(pilot)
        said = [str(n.message) for n in app._notifications]
        assert any(
            f"has active contract #{contract.id}" in m and "cancel it first" in m for m in said
        ), said
        assert get_deal(tui_store, seeded["won"]).status == "won"


async def test_p_switches_pipeline(tui_store, seeded) -> None:
    from tinycrm.store.deals import add_deal
    from tinycrm.store.pipelines import add_pipeline

    add_pipeline(tui_store, name="Hiring", stages=[("Screen", 20, None), ("Offer", 80, 5)])
    add_deal(tui_store, title="Engineer", pipeline="Hiring")
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert _titles(_board(app)) == {"Screen": ["Engineer"], "Offer": []}
        await pilot.press("shift+right")
        await settle(pilot)
        (deal,) = list_deals(tui_store, search="engineer")
        assert (deal.pipeline, deal.stage) == ("Hiring", "Offer")


async def test_the_pipeline_picker_cuts_a_huge_name(tui_store, seeded) -> None:
    """A pipeline named with 100,000 characters was one option filling the picker."""
    from sqlalchemy import text
    from textual.widgets import OptionList

    from tinycrm.store.pipelines import add_pipeline

    add_pipeline(tui_store, name="Hiring", stages=[("Screen", 20, None)])
    with tui_store.engine.begin() as conn:
        conn.execute(
            text("UPDATE pipeline SET name = :n WHERE name = 'Hiring'"), {"n": "H" * 100_000}
        )
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert prompts[0] == "Sales" and prompts[1].startswith("HHH"), prompts[0]
        assert len(prompts[1]) <= 200 and prompts[1].endswith("…")


async def test_help_lists_every_binding_and_q_quits(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        sections = app.screen.sections
        assert {"Move on", "Won", "Lost", "New", "Edit"} <= set(sections["Board"])
        assert sections["Board"]["Move on"] == ["shift+→", ">"]
        # the filter's line says what the filter reads (the binding's tooltip)
        [filter_line] = [d for d in sections["Board"] if d.startswith("Filter")]
        assert "amount>10000 and stage=Proposal" in filter_line
        assert sections["Board"][filter_line] == ["/"]
        assert {"Next card", "Open"} <= set(sections["Cards"])
        assert {"Quit", "Keys", "Contacts", "Tasks", "Dashboard"} <= set(sections["Everywhere"])
        # one line for quitting, the board's q (Textual's own ctrl+q still works, unlisted),
        # and one for ctrl+c, which quits too where no form or dialog is open
        quitting = [keys for d, keys in sections["Everywhere"].items() if "quit" in d.lower()]
        assert sorted(quitting) == [["^c"], ["q"]], sections["Everywhere"]
        await pilot.press("escape")
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_command_palette_jumps_to_a_contact(tui_store, seeded) -> None:
    from tinycrm.tui.screens.contact_company_records import ContactScreen

    screen = await _jump(tui_store, "mül")
    assert isinstance(screen, ContactScreen)
    assert screen.view.contact.name == "Jürgen Müller"


async def test_command_palette_cuts_a_huge_name(tui_store, seeded) -> None:
    """A contact named with 100,000 characters (an import, another program) was one hit
    filling the palette, the other hits pushed out of sight."""
    from sqlalchemy import text

    from tests.tui.test_escapes import screen_text

    with tui_store.engine.begin() as conn:
        conn.execute(
            text("UPDATE contact SET name = :n WHERE email = 'ada@example.com'"),
            {"n": "Ada" + "N" * 100_000},
        )
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"ada")
        await pilot.pause(0.3)
        await settle(pilot)
        lines = [line for line in screen_text(app).splitlines() if "NNNNNNNNNN" in line]
        assert 1 <= len(lines) <= 4, len(lines)  # the name, cut; its snippet


async def _jump(store: Any, typed: str) -> Any:
    """Type ``typed`` into the command palette, take its first hit: the screen it opens."""
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*typed)
        await pilot.pause(0.3)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        return app.screen


async def test_command_palette_finds_words_in_activities_and_opens_their_record(
    tui_store, seeded
) -> None:
    from tinycrm.store.activities import log_activity
    from tinycrm.tui.screens.contact_company_records import ContactScreen

    log_activity(tui_store, kind="email", ref="Jürgen Müller", text="Quarterly check-in",
                 body="He asked about the [bold]zeppelin[/] résumé")  # fmt: skip
    screen = await _jump(tui_store, "ZEPPEL")
    assert isinstance(screen, ContactScreen)
    assert screen.view.contact.name == "Jürgen Müller"


async def test_live_refresh_keeps_focus_and_the_open_form(tui_store, seeded, db_path) -> None:
    from tinycrm.store.deals import add_deal, move_deal
    from tinycrm.store.engine import open_store

    other = open_store(str(db_path), user="teammate")  # another process, as far as SQLite knows
    app = make_app(Crm(tui_store), poll_interval=0.1)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            board = _board(app)
            await pilot.press("right")  # focus on Engines pilot
            move_deal(other, "Acme renewal", "Proposal")
            await wait_for(pilot, lambda: "Acme renewal" in _titles(board)["Proposal"])
            assert board.current_card().title == "Engines pilot"
            assert app.focused is board.view and board.view.active == 1
            feed = board.query_one(FeedPanel)
            await wait_for(pilot, lambda: feed.entries[0].actor == "teammate")
            # An unsaved form survives a refresh underneath it.
            await pilot.press("n")
            await settle(pilot)
            form = app.screen
            await pilot.press(*"Half")
            add_deal(other, title="From the CLI", amount="10")
            await wait_for(pilot, lambda: "From the CLI" in _titles(board)["Lead-in"])
            assert app.screen is form
            assert form.query_one("#field-title", Input).value == "Half"
            assert app.focused is form.query_one("#field-title")
    finally:
        other.close()


async def test_empty_database_shows_how_to_start(tui_store) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        empty = board.query_one("#empty-state")
        assert empty.display and not board.query_one("#columns").display
        assert "tinycrm demo" in str(empty.render())
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"First", "enter")
        await settle(pilot)
        assert [d.title for d in list_deals(tui_store)] == ["First"]
        assert board.query_one("#columns").display and not empty.display
        title = str(board.query_one("#board-title").render())
        assert "1 open deal " in title, title  # one deal, not "1 open deals"


async def test_feed_entry_opens_its_record(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        feed_list = _board(app).query_one("#feed-list", RowList)
        feed_list.focus()
        await pilot.press("enter")  # the newest: the call logged on Acme renewal
        await settle(pilot)
        assert isinstance(app.screen, DealScreen)
        assert app.screen.deal.title == "Acme renewal"


async def test_a_preloaded_first_page_is_followed_by_the_cards_the_view_shows(tui_store) -> None:
    """`tinycrm board` paints from a preload of each column's first cards; a column whose
    view shows more reads them (a page of that column, not the whole board), in order."""
    from tinycrm.tui import preload as preloading

    crm = Crm(tui_store)
    for i in range(7):
        crm.deals.add(f"Deal {i:02}", amount=Decimal(100 + i))
    first = preloading.Preload(crm)
    first._run(crm)  # the thread's work, here and now
    assert first.board is not None and first.board.per_column == preloading.FIRST_CARDS
    first.board = crm.board.load(per_column=3)  # fewer than the column holds
    app = make_app(crm, poll_interval=0, preload=first)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        await wait_for(pilot, lambda: len(board.column_widgets()[0].state.cards) == 7)
        assert _titles(board)["Lead-in"] == [f"Deal {i:02}" for i in range(7)]
        assert board.board is not None and board.board.per_column == 3
        assert board.column_widgets()[0].state.count == 7


async def test_a_finished_preload_is_the_first_frame(tui_store, seeded) -> None:
    """When the first load is in as the board mounts (`tinycrm board` starts it before
    Textual), the first frame drawn is the loaded board and its feed, not "Loading…"."""
    from tinycrm.tui import preload as preloading

    crm = Crm(tui_store)
    first = preloading.Preload.start(crm)
    assert first._done.wait(10)  # the load is in
    app = make_app(crm, poll_interval=0, preload=first)
    frames: list[tuple[bool, int]] = []
    original = app._display

    def display(screen, renderable) -> None:  # type: ignore[no-untyped-def]
        board = app.screen_stack[0] if app.screen_stack else None
        if isinstance(board, BoardScreen):
            frames.append((board.loaded, len(board.query_one(FeedPanel).entries)))
        original(screen, renderable)

    app._display = display  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert frames and frames[0][0], frames[:3]
        assert frames[0][1] > 0
        assert _titles(_board(app))["Lead-in"] == ["Acme renewal"]
        assert first.take_board() is None  # taken once, by the screen


async def test_the_collector_is_off_from_the_boards_start_to_its_first_board(tui_store) -> None:
    """`tinycrm board`'s start (Textual's import, the first frame) builds what stays: the
    cyclic collector is off from ``Preload.start`` and back on once the board is shown."""
    import gc

    from tinycrm.tui import preload as preloading

    crm = Crm(tui_store)
    first = preloading.Preload.start(crm)
    try:
        assert not gc.isenabled()
        app = make_app(crm, poll_interval=0, preload=first)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert _board(app).loaded
            await wait_for(pilot, gc.isenabled)
    finally:
        gc.enable()


async def test_a_long_pipeline_name_leaves_room_for_the_counts(tui_store, seeded) -> None:
    """The title line named the pipeline first, whole: a long name pushed the count of
    open deals and the sums off an 80-column screen."""
    from sqlalchemy import text

    with tui_store.engine.begin() as conn:
        conn.execute(text("UPDATE pipeline SET name = :n"), {"n": "Enterprise renewals " * 10})
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        title = str(_board(app).query_one("#board-title").render())
        assert "Enterprise renewals" in title and "…" in title, title
        assert "4 open deals" in title, title


async def test_keys_typed_while_the_edit_form_loads_do_not_act_on_the_card(
    tui_store, seeded, monkeypatch
) -> None:
    """'e' reads the deal before its form opens; keys typed meanwhile went to the board:
    'e' then 'web' (the new title, typed on) marked the deal won, and the form opened on
    a deal just closed. Now while the form loads the card keys do nothing."""
    import threading

    from textual import events

    from tinycrm.api.deals import Deals
    from tinycrm.tui.screens.forms import FormScreen

    read = Deals.get
    loaded = threading.Event()

    def get(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        loaded.wait(10)  # the read takes as long as the test needs
        return read(self, *args, **kwargs)

    monkeypatch.setattr(Deals, "get", get)
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ("e", "w", "greater_than_sign", "x"):
            app.post_message(events.Key(key, None))
        for _ in range(5):
            await pilot.pause()
        loaded.set()
        await settle(pilot)
        assert isinstance(app.screen, FormScreen) and app.screen.id == "edit-deal-form"
        deal = get_deal(tui_store, seeded["renewal"])
        assert (deal.status, deal.stage) == ("open", "Lead-in")
