"""The app's own behaviour across screens: its notifications."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from tests.tui.conftest import SIZE, settle
from tinycrm.api import Crm
from tinycrm.tui.app import make_app
from tinycrm.tui.format import MESSAGE_LIMIT


async def test_a_notification_naming_a_huge_title_is_cut(tui_store, seeded) -> None:
    """'Won <title>' for a title of 100,000 characters (an import, another program) was a
    toast covering half the screen; it is cut, with an ellipsis."""
    with tui_store.engine.begin() as conn:
        conn.execute(
            text("UPDATE deal SET title = :t WHERE id = :i"),
            {"t": "X" * 100_000, "i": seeded["renewal"]},
        )
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("w")  # the first card: the renewal
        await settle(pilot)
        (said,) = [str(n.message) for n in app._notifications]
        assert said.startswith("Won XXXX") and said.endswith("…"), said[:80]
        assert len(said) <= MESSAGE_LIMIT


async def test_ctrl_z_suspends_the_board_as_in_a_shell(tui_store, seeded, monkeypatch) -> None:
    """Ctrl-Z did nothing on the board (a full-screen app reads it as a key, so the
    terminal sends no stop signal): a user could not put the board in the background to
    run a command and come back with fg. Now ctrl+z suspends it, as Textual suspends
    (SIGTSTP, the screen given back; fg restores it), from a form too."""
    from tinycrm.tui.app import TinyCrmApp

    suspended: list[bool] = []
    monkeypatch.setattr(TinyCrmApp, "action_suspend_process", lambda self: suspended.append(True))
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert suspended == [True]
        await pilot.press("n")  # a form: a modal screen, its field focused
        await settle(pilot)
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert suspended == [True, True]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert app.screen.sections["Everywhere"]["Suspend (fg resumes)"] == ["^z"]


async def test_back_from_ctrl_z_the_whole_screen_is_painted_again(tui_store, seeded) -> None:
    """After ctrl+z and fg the terminal showed the board's title line and nothing else
    (Textual painted again only what had changed while suspended) until a key redrew
    parts of it. Now the whole screen is painted when the board resumes."""
    from textual._compositor import LayoutUpdate
    from textual.drivers.linux_driver import LinuxDriver

    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        painted: list[Any] = []
        display = app._display
        app._display = lambda screen, update: (painted.append(update), display(screen, update))
        app.post_message(LinuxDriver.SignalResume())
        await settle(pilot)
        rows = {
            y
            for update in painted
            if isinstance(update, LayoutUpdate)  # the whole screen, else changed spans
            for y in range(update.region.y, update.region.bottom)
        }
        assert rows == set(range(30)), [type(update).__name__ for update in painted]
