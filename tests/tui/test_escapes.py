"""No screen of the board writes a raw control or bidi override to the terminal.

The database's every text column holds ESC, OSC, CSI, BEL, C1, DEL, bidi controls and
Rich markup (written with plain SQL, see tests/hostile.py). Each screen is rendered
with Pilot and the lines the compositor would send to the terminal are read: no raw
control in them, and the hostile text is there, visibly escaped, markup as typed.
On SQLite and PostgreSQL (the ``store`` fixture).
"""

from __future__ import annotations

from typing import Any

from tests.hostile import MARKUP, raw_controls, seed_hostile
from tests.tui.conftest import SIZE, settle
from tinycrm.api import Crm
from tinycrm.tui.app import make_app

VISIBLE = "\\x1b]0;pwned\\x07"


def screen_text(app: Any) -> str:
    """What the terminal would show: the text of every segment of every line of the
    screen (toasts included), after the app's line filters, without the styling codes."""
    update = app.screen._compositor.render_update(full=True)
    return "\n".join(
        "".join(segment.text for strip in line for segment in strip if not segment.control)
        for line in update.strips
    )


async def test_every_screen_shows_hostile_text_escaped(store: Any) -> None:
    ids = seed_hostile(store)
    app = make_app(Crm(store), poll_interval=0)
    seen: dict[str, str] = {}

    async def look(name: str, *keys: str, action: str | None = None) -> None:
        if keys:
            await pilot.press(*keys)
        if action:  # a list's search box has the focus: its keys would be typed there
            await app.run_action(action)
        await settle(pilot)
        seen[name] = screen_text(app)

    async with app.run_test(size=SIZE) as pilot:
        await look("board")
        await look("board with feed", "f")
        await look("board with closed deals", "c")
        await look("pipeline picker", "p")
        await look("board again", "escape")
        await look("edit form", "e")
        await look("board after the form", "escape")
        for kind, key in (("deal", "open"), ("deal", "lost"), ("contact", "contact")):
            app.open_record(kind, ids[key])
            await look(f"{kind} {key}")
        await look("contact edit form", "e")
        await look("contact again", "escape")
        app.open_record("company", 1)
        await look("company")
        for screen in ("contacts", "companies", "tasks", "dashboard", "help"):
            await look(screen, action=screen if screen == "help" else f"show_{screen}")
        await look("board, once more", "escape", action="show_board")
        await look("a notification naming a deal", "w")  # "Won <title>"

    leaks = {name: raw_controls(text) for name, text in seen.items() if raw_controls(text)}
    assert not leaks, leaks
    escaped = [name for name, text in seen.items() if VISIBLE in text or "\\x1b" in text]
    for name in ("board", "deal open", "contact contact", "company", "contacts", "companies"):
        assert name in escaped, f"{name}: the hostile text is not shown escaped"
    assert MARKUP in seen["contact contact"]
    assert "Won" in seen["a notification naming a deal"]
    assert "tasks" in escaped and "dashboard" in escaped
