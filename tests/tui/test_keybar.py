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


@pytest.mark.parametrize("kind", ["deal", "contact"])
async def test_a_record_view_at_80_columns_keeps_the_keys_for_what_it_shows(
    tui_store, seeded, kind
) -> None:
    """At 80 columns a deal's view dropped x Lost, v Read and d Task done (the board's
    most used keys came first); now the keys for the record, its tasks and its timeline.
    Then it dropped e Edit, the most used there: now edit comes first, and v Read gives
    way on a deal's view (⏎ on an activity of the timeline reads it too)."""
    from tests.tui.test_records import _open

    record = seeded["renewal"] if kind == "deal" else 1  # Jürgen Müller, of Acme renewal
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, kind, record)
        text = str(screen.query_one(KeyBar).render())
        assert len(text.rstrip()) <= 80, text
        assert text.rstrip().endswith("? Keys"), text
        for key in (" e Edit ", " l Log ", " t Task ", " d Done "):
            assert key in text, text
        if kind == "deal":
            assert " w Won " in text and " x Lost " in text, text
        else:  # the highlighted activity's keys before v Read (⏎ reads it too)
            assert " E Edit item " in text and " del Delete " in text, text


@pytest.mark.parametrize("width", [40, 60])
async def test_the_keys_screen_of_a_narrow_window_says_what_each_key_does(
    tui_store, seeded, width
) -> None:
    """At 40 columns ? listed the board's keys with no word of what they do ('w', 'x',
    'n' alone: the two sections side by side left the descriptions no cells), at 60 the
    filter's language cut ('contact:T…', 'stage=Pro…'). Now the sections are one under
    the other where a description would have fewer than 20 cells, and none is cut."""
    from tests.tui.test_escapes import screen_text

    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(width, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        box = [line.split("│")[1] for line in screen_text(app).splitlines() if "│" in line]
        text = " ".join(" ".join(box).split())
        for said in ("w Won", "x Lost", "n New", "e Edit", "shift+← < Move back"):
            assert said in text, text
        assert "contact:TEXT," in text and "stage=Proposal" in text, text
        assert "…" not in text, text


async def test_open_is_dimmed_on_an_empty_column_and_enter_does_nothing_there(
    tui_store, seeded
) -> None:
    """The key bar's "⏎ Open" was shown as working on a column with no card (an empty pipeline, a
    filter that left the column empty), where enter did nothing. Now it is dimmed there,
    and works again on a card."""
    from tinycrm.tui.screens.board import BoardScreen

    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        await pilot.press("slash", "at", "s", "a", "m", "enter")  # Engines pilot, in Qualified
        await pilot.pause(0.3)
        await settle(pilot)
        assert board.current_card() is not None
        assert app.screen.active_bindings["enter"].enabled
        await pilot.press("left")  # Lead-in: empty under the filter
        await settle(pilot)
        assert board.current_card() is None
        assert not app.screen.active_bindings["enter"].enabled
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is board
        await pilot.press("right", "enter")
        await settle(pilot)
        assert app.screen is not board


@pytest.mark.parametrize("kind", ["deal", "contact"])
@pytest.mark.parametrize("width", [80, 100])
async def test_a_record_view_shows_edit_item_and_delete_from_80_columns(
    tui_store, seeded, kind, width
) -> None:
    """At 100 columns a record view with an activity highlighted left out 'E Edit item'
    and 'del Delete' (long labels, ⏎ Open and v Read before them). Now the bar's labels
    are short ('l Log', 'd Done'; ? keeps the long ones) and both are there from 100
    columns. At 80 they were still left out: now they are there too (shorter words, and
    the keys a record view needs least give way), after the record's own keys."""
    from tests.tui.test_records import _open

    record = seeded["renewal"] if kind == "deal" else 1  # Jürgen Müller, of Acme renewal
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(width, 24)) as pilot:
        screen = await _open(pilot, kind, record)
        text = str(screen.query_one(KeyBar).render())
        assert len(text.rstrip()) <= width, text
        assert text.rstrip().endswith("? Keys"), text
        for key in (" e Edit ", " l Log ", " t Task ", " d Done "):
            assert key in text, text
        if kind == "deal":
            assert " w Won " in text and " x Lost " in text, text
        assert " E Edit item " in text and " del Delete " in text, text
        await pilot.press("question_mark")
        await settle(pilot)
        record_keys = next(v for k, v in app.screen.sections.items() if "Log activity" in v)
        assert record_keys["Task done"] == ["d", "space"], record_keys
