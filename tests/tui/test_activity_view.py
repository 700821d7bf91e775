"""Reading an activity's text on the board: `v` on the feed or a record's timeline (Pilot)."""

from __future__ import annotations

import os
from typing import Any

from textual.widgets import Static

from tests.tui.conftest import SIZE, settle
from tinycrm.api import Crm
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.activity_view import ActivityScreen
from tinycrm.tui.screens.deal_record import DealScreen
from tinycrm.tui.widgets.keybar import KeyBar
from tinycrm.tui.widgets.rows import RowList

BODY = "They want the three-year term.\nSend the revised quote by Friday.\n\tCC: legal"


def _logged(tui_store: Any) -> int:
    crm = Crm(tui_store)
    return crm.activities.log("note", "Acme renewal", "Pricing call", body=BODY).id


def _shown(screen: ActivityScreen) -> str:
    return str(screen.query_one("#activity-text", Static).content)


def _details(screen: ActivityScreen) -> str:
    from rich.console import Console

    console = Console(width=100, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(screen.query_one("#activity-details", Static).content)
    return console.export_text()


def _keys(app: Any) -> str:
    return str(app.screen.query_one(KeyBar).render())


async def test_v_on_the_feed_shows_the_activitys_text_and_enter_opens_its_deal(
    tui_store, seeded
) -> None:
    """The feed said "logged note with deal Acme renewal": its text was nowhere."""
    _logged(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        feed = app.screen.query_one("#feed-list", RowList)
        feed.focus()
        await settle(pilot)
        assert " v Read " in _keys(app)
        await pilot.press("v")
        await settle(pilot)
        reader = app.screen
        assert isinstance(reader, ActivityScreen)
        assert "Pricing call" in str(reader.query_one("#activity-title").render())
        assert "Send the revised quote by Friday." in _shown(reader)
        assert "CC: legal" in _shown(reader)
        details = _details(reader)
        assert "Deal     Acme renewal" in details and "Contact  Jürgen Müller" in details
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DealScreen)
        assert app.screen.deal.title == "Acme renewal"


async def test_read_is_offered_only_for_an_entry_about_an_activity(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        feed = app.screen.query_one("#feed-list", RowList)
        feed.focus()
        await settle(pilot)
        assert " v Read " in _keys(app)  # the call logged on Acme renewal
        await pilot.press("question_mark")
        await settle(pilot)
        assert app.screen.sections["Feed"]["Read"] == ["v"]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("end")  # the oldest: a deal created
        await settle(pilot)
        assert " v Read " not in _keys(app)
        await pilot.press("v")
        await settle(pilot)
        assert not isinstance(app.screen, ActivityScreen)
        await pilot.press("question_mark")
        await settle(pilot)
        assert "Read" not in app.screen.sections.get("Feed", {})


async def test_the_timeline_reads_an_activity_with_v_and_enter(tui_store, seeded) -> None:
    _logged(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_record("deal", seeded["renewal"])
        await settle(pilot)
        deal = app.screen
        assert isinstance(deal, DealScreen)
        assert " v Read " in _keys(app)  # the timeline has the focus, on the note
        await pilot.press("v")
        await settle(pilot)
        reader = app.screen
        assert isinstance(reader, ActivityScreen)
        assert "three-year term" in _shown(reader)
        await pilot.press("enter")  # its deal is the one below: enter does not open it again
        await settle(pilot)
        assert app.screen is reader
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is deal
        await pilot.press("enter")  # enter on the deal's own activity reads it too
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is deal


async def test_a_huge_hostile_body_shows_escaped_and_scrolls(tui_store, seeded) -> None:
    """50,000 characters holding escape sequences (another program wrote them). Not
    timed: how long it takes is bench work, not a test's."""
    note = _logged(tui_store)
    hostile = ("\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x1b[0m \u202egnp.exe " * 1200)[:50_000]
    with tui_store.write() as session:
        session.connection().exec_driver_sql(
            "UPDATE activity SET body = ?, subject = ? WHERE id = ?",
            (hostile + "\nTHE END", "Sub\x1b[5mject", note),
        )
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.screen.query_one("#feed-list", RowList).focus()
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ActivityScreen)
        shown = _shown(reader)
        assert "\x1b" not in shown and "\u202e" not in shown and "\x07" not in shown
        assert "\\x1b]0;pwned\\x07" in shown and "\\u202e" in shown
        assert "Sub\\x1b[5mject" in str(reader.query_one("#activity-title").render())
        body = reader.query_one("#activity-body")
        await pilot.press("end")
        await settle(pilot)
        assert body.scroll_offset.y > 100 and body.scroll_offset.y == body.max_scroll_y
        screenshot = app.export_screenshot()
        assert "pwned" in screenshot and "\x1b]0" not in screenshot


async def test_a_long_link_in_the_text_folds_where_it_reads_as_itself(tui_store, seeded) -> None:
    """At 80 columns a link wider than the view was cut at whatever cell the line ended,
    '…/onboarding/enter' / 'prise-customers/…', and an email '…company-' / 'name.example.com'
    at its last cell by chance. Now a word too long for its line folds as a record's details
    fold an email or a link (``Folded``): after a '/', before a '.' or an '@'."""
    import re

    from tests.tui.test_escapes import screen_text

    link = (
        "https://docs.example.com/knowledge-base/articles/2026/onboarding/"
        "enterprise-customers/single-sign-on-setup?tab=saml&lang=en"
    )
    email = "maximilian.bartholomew-featherstonehaugh@extraordinarily-long-company.example.com"
    crm = Crm(tui_store)
    note = crm.activities.log("note", "Acme renewal", "Setup", body=f"See {link} or {email}")
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ActivityScreen(note.id))
        await settle(pilot)
        framed = (re.search("│(.*)│", row) for row in screen_text(app).splitlines())
        lines = [inside.group(1).strip() for inside in framed if inside]
        start = next(i for i, row in enumerate(lines) if row.startswith("See "))
        assert lines[start : start + 4] == [
            "See https://docs.example.com/knowledge-base/articles/2026/onboarding/",
            "enterprise-customers/single-sign-on-setup?tab=saml&lang=en or",
            "maximilian.bartholomew-featherstonehaugh",
            "@extraordinarily-long-company.example.com",
        ], lines


async def test_in_a_short_window_the_text_can_be_scrolled_to(tui_store, seeded) -> None:
    """In a window of 8 lines (a tmux pane, or one made smaller with the view open) an
    activity's view showed its title and nothing else: its padding and details took the
    lines, and the text had none to scroll in. Now under 15 lines the view drops its
    padding and hint, the details scroll with the text, and down reaches the text."""
    from tests.tui.test_escapes import screen_text

    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_record("deal", seeded["renewal"])
        await settle(pilot)
        await pilot.press("v")  # the timeline's highlighted activity
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)
        text = str(app.screen.query_one("#activity-text", Static).content).split()[0]
        await pilot.resize_terminal(30, 8)
        await settle(pilot)
        seen = screen_text(app)
        for _ in range(20):
            await pilot.press("down")
            await settle(pilot)
            seen += screen_text(app)
        assert text in seen, (text, seen)


async def test_a_long_name_in_the_details_is_cut_with_an_ellipsis(tui_store) -> None:
    """A contact's long name (wide characters, too) was cut at the view's edge with no
    sign that it went on: Rich's table cuts a no-wrap cell without its ellipsis. Now the
    value ends with '…'."""
    import re

    from tests.tui.test_escapes import screen_text

    name = "株式会社ヤマダ電機グループ本社営業部長の山田太郎さんと鈴木花子さんのための名前"
    crm = Crm(tui_store)
    crm.contacts.add(name)
    note = crm.activities.log("note", name, "Hello")
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ActivityScreen(note.id))
        await settle(pilot)
        framed = (re.search("│(.*)│", row) for row in screen_text(app).splitlines())
        lines = [inside.group(1).strip() for inside in framed if inside]
        [contact] = [line for line in lines if line.startswith("Contact")]
        assert contact.endswith("…"), contact
        assert contact.removeprefix("Contact").strip().rstrip("…") in name
