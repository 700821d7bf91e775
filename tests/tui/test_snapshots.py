"""SVG snapshots of the board, a record view, the new-deal form with errors, the empty state,
the dashboard (at 160x45 and 80x24).

Time is frozen (the store's clock and the app's), so the pictures only change when
the interface does. Review a changed SVG before accepting it with --snapshot-update.
"""

from __future__ import annotations

from textual.widgets import Input

from tests.tui.conftest import SIZE, seed, settle
from tinycrm.api import Crm
from tinycrm.tui.app import make_app


def test_board(snap_compare, tui_store, frozen_clock) -> None:
    seed(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0, clock=frozen_clock)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_board_with_won_and_lost_columns_filtered(snap_compare, tui_store, frozen_clock) -> None:
    seed(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0, clock=frozen_clock)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("c", "slash", *"acme", "enter")
        await pilot.pause(0.3)
        await settle(pilot)
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_deal_record_view(snap_compare, tui_store, frozen_clock) -> None:
    seed(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0, clock=frozen_clock)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_new_deal_form_with_validation_errors(snap_compare, tui_store, frozen_clock) -> None:
    seed(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0, clock=frozen_clock)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        form.query_one("#field-contact", Input).value = "nobody@nowhere.example"
        form.query_one("#field-close", Input).value = "someday"
        await pilot.press("ctrl+s")  # the title is missing, the date unreadable
        await settle(pilot)
        form.query_one("#field-title", Input).value = "Globex rollout"
        form.query_one("#field-close", Input).value = "2026-12-24"
        await pilot.press("ctrl+s")  # now the store refuses the unknown contact
        await settle(pilot)
        for field in form.query(Input):  # the focused field's cursor, not its blink phase
            field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_empty_board(snap_compare, tui_store, frozen_clock) -> None:
    app = make_app(Crm(tui_store), poll_interval=0, clock=frozen_clock)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


async def _show_dashboard(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("5")
    await settle(pilot)


def test_dashboard(snap_compare, tui_store, frozen_clock) -> None:
    seed(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0, clock=frozen_clock)
    assert snap_compare(app, terminal_size=SIZE, run_before=_show_dashboard)


def test_dashboard_at_80x24(snap_compare, tui_store, frozen_clock) -> None:
    seed(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0, clock=frozen_clock)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_show_dashboard)
