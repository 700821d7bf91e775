"""The board's `/` filter: quick words and the filter language, typed with real keys (Pilot)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.tui.conftest import SIZE, settle
from tinycrm.api import Crm
from tinycrm.filters import FilterError
from tinycrm.store.filter_sql import check_filter
from tinycrm.store.segments import save_segment
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.board import BoardScreen
from tinycrm.tui.widgets.filter import ERROR_DELAY, MAX_FILTER, FilterBar

ALL_OPEN = ["Acme renewal", "Acme support", "Big expansion", "Engines pilot"]


def _board(app: Any) -> BoardScreen:
    board = app.screen_stack[0]
    assert isinstance(board, BoardScreen)
    return board


def _shown(board: BoardScreen) -> list[str]:
    return sorted(c.title for w in board.column_widgets() for c in w.state.cards)


def _errors(app: Any) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def _type(pilot: Any, text: str, *, clear: bool = False) -> None:
    """Type into the filter bar (opening it with `/` when it is not focused)."""
    if not isinstance(pilot.app.focused, FilterBar):
        await pilot.press("slash")
    if clear:
        await pilot.press("ctrl+u")
    await pilot.press(*text)
    await pilot.pause(0.3)
    await settle(pilot)


async def test_an_expression_filters_the_columns(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        assert _shown(board) == ALL_OPEN
        await _type(pilot, "amount>5000 and not tag:enterprise")
        assert _shown(board) == ["Big expansion", "Engines pilot"]
        negotiation = board.column_widgets()[3].state
        assert (negotiation.name, negotiation.count) == ("Negotiation", 1)
        assert board.filter == "amount>5000 and not tag:enterprise"
        await _type(pilot, "(stage=Proposal or owner=sam) and amount<10k", clear=True)
        assert _shown(board) == ["Acme support", "Engines pilot"]
        await pilot.press("enter")  # keeps it, back to the cards
        await settle(pilot)
        assert app.focused is board.view
        assert _shown(board) == ["Acme support", "Engines pilot"]
        assert "amount<10k" in str(board.query_one("#board-title").render())
        assert _errors(app) == []


async def test_an_invalid_partial_expression_keeps_the_last_result(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        bar = board.query_one(FilterBar)
        await _type(pilot, "amount>5000")
        assert _shown(board) == ["Acme renewal", "Big expansion", "Engines pilot"]
        await pilot.press(*" and stage=")
        assert bar.error is None  # no error while the user is typing
        await pilot.pause(ERROR_DELAY + 0.2)
        await settle(pilot)
        assert bar.error == "position 23: expected a value after '='"
        assert bar.has_class("-invalid")
        assert _shown(board) == ["Acme renewal", "Big expansion", "Engines pilot"]
        assert board.filter == "amount>5000"
        assert _errors(app) == []  # no notification while typing
        await _type(pilot, "Negotiation")
        assert bar.error is None and not bar.has_class("-invalid")
        assert _shown(board) == ["Big expansion"]
        await _type(pilot, " and stage>1")  # enter on a bad expression: one clear notification
        await pilot.press("enter")
        await settle(pilot)
        assert bar.error == "position 44: '>' does not work on stage (text: use =, != or ~)"
        (message,) = _errors(app)
        assert message.startswith("Filter not applied: bad filter at position 44:")
        assert app.focused is bar  # still there to fix it
        assert _shown(board) == ["Big expansion"]


async def test_the_quick_forms_still_work(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        for text, expected in [
            ("acme", ["Acme renewal", "Acme support", "Big expansion"]),
            ("acme tag:enterprise", ["Acme renewal"]),
            ("#enterprise", ["Acme renewal"]),
            ("@sam", ["Engines pilot"]),
            ("owner:sam", ["Engines pilot"]),
            ("contact:müller", ["Acme renewal"]),
            ("contact:ada@", ["Engines pilot"]),
            # inside an expression they are conditions, and a bare word searches
            ("#enterprise or @sam", ["Acme renewal", "Engines pilot"]),
            ("acme and amount>5000", ["Acme renewal", "Big expansion"]),
        ]:
            await _type(pilot, text, clear=True)
            assert _shown(board) == expected, text
        assert _errors(app) == []


async def test_escape_clears_the_filter_and_its_error(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        bar = board.query_one(FilterBar)
        await _type(pilot, "amount>100000 or")
        await pilot.press("enter")
        await settle(pilot)
        assert bar.error is not None
        await pilot.press("escape")
        await pilot.pause(0.3)
        await settle(pilot)
        assert _shown(board) == ALL_OPEN
        assert not board.filter
        assert bar.error is None and not bar.display and bar.value == ""
        assert app.focused is board.view


async def test_segments_and_an_unknown_one(tui_store, seeded) -> None:
    save_segment(tui_store, name="Big ones", expression="amount>=10000")
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        bar = board.query_one(FilterBar)
        await _type(pilot, 'segment:"big ones"')
        assert _shown(board) == ["Acme renewal", "Big expansion"]
        await _type(pilot, "amount>1 and segment:nope", clear=True)  # found out on loading
        assert bar.error == "position 22: no segment matches 'nope'"
        assert _shown(board) == ALL_OPEN  # amount>1, the last one that loaded
        assert board.filter == "amount>1"
        assert _errors(app) == []
        await pilot.press("enter")
        await settle(pilot)
        assert _errors(app) == ["Filter not applied: position 22: no segment matches 'nope'"]
        assert bar.error == "position 22: no segment matches 'nope'"
        assert _shown(board) == ALL_OPEN


def test_the_bar_only_posts_text_and_the_store_checks_it() -> None:
    import tinycrm.tui.widgets.filter as bar_module

    assert not hasattr(bar_module, "parse_filter")  # no dialect of its own
    assert check_filter("deal", "acme  #VIP ") == "acme  #VIP"
    assert check_filter("deal", "amount>5 ") == "amount>5"
    assert check_filter("deal", "   ") is None
    with pytest.raises(FilterError, match="the filter is too long"):
        check_filter("deal", "acme " * 200, max_length=MAX_FILTER)


_PIECES = [*"ab =!<>~()\"':#@-5", "and", "or", "not", "amount", "stage", "tag:", "owner:"]
_PIECES += ["contact:", "segment:", "field:", "close", "30d", "+1w", "10k", "Proposal", "ü"]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(st.sampled_from(_PIECES)).map("".join)))
def test_any_text_reads_or_says_where(text: str) -> None:
    try:
        where = check_filter("deal", text, max_length=MAX_FILTER)
    except FilterError as exc:
        assert 1 <= exc.position <= len(text) + 1
    else:
        assert where is None or where == text.strip()


async def _paste(pilot: Any, text: str) -> FilterBar:
    from textual import events

    if not isinstance(pilot.app.focused, FilterBar):
        await pilot.press("slash")
    bar = pilot.app.focused
    assert isinstance(bar, FilterBar)
    bar.post_message(events.Paste(text))
    await pilot.pause(0.3)
    await settle(pilot)
    return bar


def _notices(app: Any) -> list[str]:
    return [n.message for n in app._notifications]


async def test_a_paste_with_escape_codes_filters_by_the_text_you_see(tui_store, seeded) -> None:
    """Text copied from a coloured terminal: its escape codes were kept in the bar, where
    nothing shows them, and the filter matched nothing with no word of why."""
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        bar = await _paste(pilot, "\x1b[1;31mAcme\x1b[0m ren\x07ewal\x1b]8;;http://x\x1b\\")
        assert bar.value == "Acme renewal"
        assert _shown(board) == ["Acme renewal"]
        (notice,) = _notices(app)
        assert "control characters" in notice and "\\x1b" in notice and "\\x07" in notice


async def test_a_pasted_text_of_several_lines_is_one_filter(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        bar = await _paste(pilot, "acme\r\n\t#enterprise\n")
        assert bar.value == "acme #enterprise"
        assert _shown(board) == ["Acme renewal"]
        assert _notices(app) == []  # line breaks and tabs are spaces: nothing to say


async def test_a_paste_of_nothing_but_controls_changes_nothing_and_says_so(
    tui_store, seeded
) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        await _type(pilot, "acme")
        bar = await _paste(pilot, "\x1b\x07\u202e\x9b")
        assert bar.value == "acme"
        assert _shown(board) == ["Acme renewal", "Acme support", "Big expansion"]
        (notice,) = _notices(app)
        assert "\\u202e" in notice


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80))
@settings(max_examples=300, deadline=None)
def test_a_cleaned_paste_holds_no_control_and_keeps_the_rest(text: str) -> None:
    from tinycrm import safetext
    from tinycrm.tui.widgets.filter import clean_paste

    cleaned, removed = clean_paste(text)
    assert safetext.find_unsafe(cleaned) is None
    assert all(safetext.find_unsafe(c) for c in removed)
    if safetext.find_unsafe(text) is None:
        assert (cleaned, removed) == (text.strip(), [])


def test_an_unfinished_escape_sequence_takes_only_itself() -> None:
    from tinycrm.tui.widgets.filter import clean_paste

    assert clean_paste("\x1b]8;;acme renewal") == ("8;;acme renewal", ["\x1b"])
    assert clean_paste("x" * 50_000 + "\x1b[31m") == ("x" * 50_000, ["\x1b"])


async def test_after_filtering_the_cursor_is_on_a_card_that_matched(tui_store, seeded) -> None:
    """The cursor stayed in the first column, empty under the filter: enter, w, e did
    nothing until the user went looking for the card the filter found."""
    from tinycrm.tui.screens.deal_record import DealScreen

    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        await _type(pilot, "@sam")  # Engines pilot, in Qualified (the second column)
        await pilot.press("enter")
        await settle(pilot)
        card = board.current_card()
        assert card is not None and card.title == "Engines pilot"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DealScreen)


async def test_an_empty_column_chosen_by_hand_keeps_the_cursor(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        await _type(pilot, "@sam")
        await pilot.press("enter", "left")  # to the empty Lead-in, to add a deal there
        await settle(pilot)
        assert board.view.active == 0 and board.current_card() is None
        board.reload()  # what a change elsewhere does
        await settle(pilot)
        assert board.view.active == 0


async def test_keys_typed_at_once_after_slash_go_to_the_filter(tui_store, seeded) -> None:
    """'/won' typed as the board was busy (its first load of 10,000 deals) arrived in one
    read: '/' opened the filter, but its focus came after the keys already read, so 'w'
    marked the first deal won and 'x' opened its lost form, the filter left empty. Now
    '/' moves the focus before the next key is handed on: the keys are the filter's."""
    from textual import events

    from tinycrm.store.deals import get_deal

    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key, char in (("slash", "/"), ("w", "w"), ("o", "o"), ("n", "n")):
            app.post_message(events.Key(key, char))  # queued together, as one read
        await settle(pilot)
        assert isinstance(app.focused, FilterBar), app.focused
        assert app.screen.query_one(FilterBar).value == "won"
        assert get_deal(tui_store, seeded["renewal"]).status == "open"
        await pilot.press("slash")  # in the filter '/' is a character
        assert app.screen.query_one(FilterBar).value == "won/"


async def test_slash_pressed_while_the_columns_are_laid_out_keeps_the_focus(
    tui_store, seeded, monkeypatch
) -> None:
    """A first load that mounts the columns awaits them; '/' pressed meanwhile focused the
    filter, and the load, when done, took the focus back to the cards (it had none when
    the load began). Now a load focuses the cards only where nothing has the focus."""
    from tinycrm.store.deals import get_deal
    from tinycrm.tui.widgets.cards import ColumnsView

    laid_out = ColumnsView.mount_all

    async def mount_all(self, *widgets, **kwargs):  # type: ignore[no-untyped-def]
        self.screen.action_filter()  # '/' arrives while the columns are mounted
        return await laid_out(self, *widgets, **kwargs)

    monkeypatch.setattr(ColumnsView, "mount_all", mount_all)
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, FilterBar), app.focused
        await pilot.press(*"won")
        await settle(pilot)
        assert app.screen.query_one(FilterBar).value == "won"
        assert get_deal(tui_store, seeded["renewal"]).status == "open"


@pytest.mark.parametrize("gone", ["stage renamed", "segment removed"])
async def test_a_filter_a_change_elsewhere_made_unreadable_is_cleared_and_said(
    tui_store, seeded, gone
) -> None:
    """'stage=Qualified' on screen, then another process renamed the stage (or removed the
    segment the filter named): the live refresh was refused, so the board froze on the
    old columns and cards (the stage still 'Qualified'), and each change elsewhere said
    'Filter not applied' again. Now the filter is cleared, the whole board shows as it
    is, and a notice says why."""
    save_segment(tui_store, name="Big ones", expression="amount>=10000")
    typed = "stage=Qualified" if gone == "stage renamed" else 'segment:"big ones"'
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = _board(app)
        await _type(pilot, typed)
        await pilot.press("enter")
        await settle(pilot)
        assert board.filter == typed and len(_shown(board)) < len(ALL_OPEN)
        elsewhere = Crm(tui_store)
        if gone == "stage renamed":
            elsewhere.pipelines.edit_stage("Qualified", name="Vetted")
        else:
            elsewhere.segments.remove("Big ones")
        app.check_changes()
        await settle(pilot)
        assert board.filter is None
        assert _shown(board) == ALL_OPEN
        names = [w.state.name for w in board.column_widgets()]
        assert names == ["Lead-in", "Vetted" if gone == "stage renamed" else "Qualified",
                         "Proposal", "Negotiation"]  # fmt: skip
        said = [n.message for n in app._notifications]
        assert len(said) == 1 and said[0].startswith("Filter cleared: "), said
        assert "changed elsewhere" in said[0], said
        assert "Filter not applied" not in " ".join(said)
        elsewhere.deals.move("Acme renewal", "Proposal")  # the board follows on
        app.check_changes()
        await settle(pilot)
        assert "Acme renewal" in [c.title for c in board.column_widgets()[2].state.cards]
        assert len(app._notifications) == 1
