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


async def test_a_screen_whose_read_fails_unexpectedly_says_so(tui_store, seeded) -> None:
    """A read that failed other than with tinycrm's own refusals (a close date another
    program stored as 'not a date' raised ValueError) left the board, or a deal's view,
    on 'Loading…' for ever without a word: Textual tells only a worker's own node that
    it failed, and the app's 'Unexpected error' notice never heard of a screen's. Now it
    does."""
    crm = Crm(tui_store)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("Invalid isoformat string: 'not a date'")

    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app._notifications == [] or all(n.severity != "error" for n in app._notifications)
        crm.board.load = broken  # type: ignore[method-assign]
        crm.deals.show = broken  # type: ignore[method-assign]
        app.screen.reload()
        app.open_record("deal", seeded["renewal"])

        def said() -> list[str]:
            return [str(n.message) for n in app._notifications if n.severity == "error"]

        for _ in range(50):  # not settle(): it fails a test on the app's errors
            await pilot.pause(0.05)
            if len(said()) == 2:
                break
        assert len(said()) == 2, said()
        assert all("not a date" in message for message in said()), said()
        assert len(app.errors) == 2
        app.errors.clear()
