"""What the keys do while a form or a dialog is open over a view: the key bar shows the
dialog's keys (not the view's, which do nothing then), and Ctrl-C does what a terminal
user expects: it cancels the form or dialog open (asking first when something was typed
in it), and on a view it quits, as q does."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input

from tests.tui.conftest import open_form, settle
from tinycrm.api import Crm
from tinycrm.store.deals import get_deal
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.forms import FormScreen
from tinycrm.tui.widgets.keybar import KeyBar

BOARD_ONLY = ("Move on", "Won", "Filter")


def _bottom_bar(app: Any) -> str:
    """The key bar on the bottom line of the window, as the user sees it (the top screen's)."""
    bars = [bar for bar in app.screen.query(KeyBar) if bar.display]
    assert bars, f"{type(app.screen).__name__} has no key bar"
    bar = bars[0]
    assert bar.region.y == app.size.height - 1 and bar.region.width == app.size.width
    return str(bar.render())


@pytest.mark.parametrize("size", [(120, 40), (40, 10)])
@pytest.mark.parametrize("key", ["e", "question_mark"])
async def test_a_dialog_shows_its_own_keys_not_the_view_s(tui_store, seeded, size, key) -> None:
    """With a form open over the board, the bottom line still showed the board's keys,
    dimmed (⇧→ Move on, w Won, / Filter: none of them works in the form). Now it shows
    the form's: ^s Save, esc Cancel, ^c Cancel; the help its own."""
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        assert app.screen is not app.screen_stack[0]
        text = _bottom_bar(app)
        for board_key in BOARD_ONLY:
            assert board_key not in text, text
        if key == "e":
            assert "esc Cancel" in text, text
            if size[0] >= 60:
                assert "^s Save" in text and "^c Cancel" in text, text
        else:
            assert "esc Close" in text, text


async def test_ctrl_c_closes_an_untouched_form(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_form(pilot, "e")
        await pilot.press("ctrl+c")
        await settle(pilot)
        assert app.is_running and not isinstance(app.screen, FormScreen)


@pytest.mark.parametrize("cancel", ["ctrl+c", "escape"])
async def test_leaving_a_form_with_typed_text_asks_first(tui_store, seeded, cancel) -> None:
    """Ctrl-C in a form copied the selected text, or said 'Press q to quit' (and q typed a
    q); esc threw away what was typed without a word. Now either asks, in one line in the
    form; any other key goes back to the form with the text as typed, the same key again
    discards it (nothing saved)."""
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot, "e")
        title = form.query_one("#field-title", Input)
        title.value = ""
        await pilot.press(*"Renamed")
        await pilot.press(cancel)
        await settle(pilot)
        assert app.screen is form
        question = str(form.query_one("#form-error").render())
        assert "Discard what you typed?" in question, question
        assert title.value == "Renamed"
        await pilot.press("x")  # any other key: back to the form, the key typed as usual
        await settle(pilot)
        assert not form.query_one("#form-error").display
        assert title.value == "Renamedx"
        await pilot.press(cancel)
        await settle(pilot)
        assert app.screen is form  # asked again, not discarded on the first press
        await pilot.press(cancel)
        await settle(pilot)
        assert app.screen is not form
        assert get_deal(tui_store, seeded["renewal"]).title == "Acme renewal"


async def test_ctrl_q_with_typed_text_in_a_form_asks_before_quitting(tui_store, seeded) -> None:
    """ctrl+q (Textual's quit, which works in a form) quit at once and lost what was typed."""
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot, "n")
        await pilot.press(*"Big one")
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert app.is_running and app.screen is form
        assert "^q again" in str(form.query_one("#form-error").render())
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert not app.is_running


async def test_ctrl_c_on_a_view_quits(tui_store, seeded) -> None:
    """Ctrl-C on the board said 'Press q to quit the app' and stayed: it now quits, as q
    does (with changes still being saved, it says so first, as q does)."""
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+c")
        await settle(pilot)
        assert not app.is_running
        assert app.return_code == 0


async def test_ctrl_c_closes_the_help_and_the_help_says_what_it_does(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        help_screen = app.screen
        everywhere = help_screen.sections["Everywhere"]  # type: ignore[attr-defined]
        said = {description: keys for description, keys in everywhere.items()}
        assert any("^c" in keys for keys in said.values()), said
        await pilot.press("ctrl+c")
        await settle(pilot)
        assert app.is_running and app.screen is app.screen_stack[0]


@pytest.mark.parametrize("key", ["ctrl+c", "ctrl+q"])
async def test_text_typed_just_before_ctrl_c_counts_as_typed(tui_store, seeded, key) -> None:
    """Keys read at once ("X", then ctrl+c: a fast hand, a slow machine) closed the form as
    untouched: ctrl+c's binding ran before the field had the X. Now the form asks."""
    from textual import events

    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot, "e")
        for pressed, character in (("X", "X"), (key, None)):
            app.post_message(events.Key(pressed, character))
        await settle(pilot)
        assert app.is_running and app.screen is form
        assert "Discard what you typed?" in str(form.query_one("#form-error").render())
        assert form.query_one("#field-title", Input).value == "Acme renewalX"  # after the title


@pytest.mark.parametrize("keys", [("n",), ("e",), ("x",)])
async def test_tab_in_a_form_goes_round_its_fields_and_buttons_only(
    tui_store, seeded, keys
) -> None:
    """Tab from Cancel went to the fields' scroll box, which shows no cursor and has
    nothing to scroll (every field is itself a tab stop): the focus looked lost for one
    key. Now tab goes from Cancel back to the first field, and shift+tab the other way."""
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot, *keys)
        stops = [w for w in form.query("Input, Select, TextArea, Button") if w.focusable]
        first = app.focused
        seen = []
        for _ in range(len(stops)):
            seen.append(app.focused)
            await pilot.press("tab")
            await settle(pilot)
        assert app.focused is first, (app.focused, seen)
        assert set(seen) == set(stops)
        await pilot.press("shift+tab")
        await settle(pilot)
        assert app.focused is seen[-1], app.focused
