"""The small pickers (the board's pipeline picker, a form's choice list): typed letters
jump to the option they begin, as in a file manager, with many options to choose from."""

from __future__ import annotations

from typing import Any

from textual.widgets import OptionList, Static

from tests.tui.conftest import SIZE, settle
from tinycrm.api import Crm
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.board import BoardScreen
from tinycrm.tui.screens.pickers import PickScreen

NAMES = ["Hiring", "Partners", "Renewals", "Zürich office", "Partner referrals", "Hardware"]


def _pipelines(store: Any) -> None:
    from tinycrm.store.pipelines import add_pipeline

    for index in range(24):
        add_pipeline(store, name=f"Region {index:02}", stages=[("Open", 10, None)])
    for name in NAMES:
        add_pipeline(store, name=name, stages=[("Open", 10, None)])


def _highlighted(app: Any) -> str:
    options = app.screen.query_one(OptionList)
    assert options.highlighted is not None
    return str(options.get_option_at_index(options.highlighted).prompt)


async def test_typing_in_the_pipeline_picker_jumps_to_the_name(tui_store, seeded) -> None:
    """With 31 pipelines the picker took arrow keys only: letters did nothing."""
    _pipelines(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, PickScreen)
        await pilot.press("p", "a")
        assert _highlighted(app) == "Partners"
        await pilot.press("r", "t", "n", "e", "r", "space", "r")
        assert _highlighted(app) == "Partner referrals"
        typed = str(app.screen.query_one("#pick-typed", Static).render())
        assert "partner r" in typed.lower(), typed
        for _ in range(9):
            await pilot.press("backspace")
        await pilot.press("z", "u")  # folded: "zu" finds Zürich
        assert _highlighted(app) == "Zürich office"
        await pilot.press("enter")
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen) and board.board is not None
        assert board.board.pipeline == "Zürich office"


async def test_letters_no_name_begins_with_start_over(tui_store, seeded) -> None:
    """Typed on after a match, a letter no name continues with starts a new search from
    it (no timer to wait for); inside a name a match is found too."""
    _pipelines(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("h", "i")
        assert _highlighted(app) == "Hiring"
        await pilot.press("x")  # "hix": no name holds it, none begins with x
        assert _highlighted(app) == "Hiring"
        assert "no name" in str(app.screen.query_one("#pick-typed", Static).render())
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("h", "a")
        assert _highlighted(app) == "Hardware"
        await pilot.press("p")  # "hap": no name; "p" begins Partners: from it
        assert _highlighted(app) == "Partners"
        await pilot.press("backspace")
        await pilot.press("o", "f", "f")  # no name begins "off": "Zürich office" holds it
        assert _highlighted(app) == "Zürich office"
        await pilot.press("down")  # an arrow key: the typed letters are done with
        assert str(app.screen.query_one("#pick-typed", Static).render()).strip() == ""


async def test_typing_in_a_forms_choice_list_jumps_to_the_choice(tui_store, seeded) -> None:
    """The new-deal form's stage list (a Select) did not jump on a typed letter, though
    Textual's Select does: the form gave it its names as Content, which Textual's search
    passes over. Now "n" goes to Negotiation."""
    from textual.widgets import Select
    from textual.widgets._select import SelectOverlay

    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        stage = app.screen.query_one("#field-stage", Select)
        stage.focus()
        await pilot.press("enter")  # opens the list
        await settle(pilot)
        assert isinstance(app.focused, SelectOverlay)
        await pilot.press("n", "e", "g", "enter")
        await settle(pilot)
        assert stage.selection == next(
            s.id for s in Crm(tui_store).pipelines.get().stages if s.name == "Negotiation"
        )
