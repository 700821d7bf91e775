"""The contacts and companies lists open with the list focused, so the screen keys (``1``
board, ``3`` companies …) work at once; ``/`` goes to the search box, as the board's
filter does, and esc there clears the search and goes back to the list."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from tests.tui.conftest import SIZE, open_screen, settle
from tests.tui.test_records import _rows
from tinycrm.api import Crm
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.board import BoardScreen
from tinycrm.tui.screens.lists import CompaniesScreen, ContactsScreen, ListScreen
from tinycrm.tui.widgets.rows import RowList


@pytest.mark.parametrize(("key", "screen_type"), [("2", ContactsScreen), ("3", CompaniesScreen)])
async def test_a_list_opens_focused_so_screen_keys_work(
    tui_store, seeded, key: str, screen_type: type[ListScreen]
) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, key, screen_type)
        assert screen.query_one("#search", Input).value == ""
        assert app.focused is screen.query_one("#results")
        await pilot.press("1")  # back to the board, not "1" typed into the search
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)


async def test_slash_searches_and_esc_clears_back_to_the_list(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "2", ContactsScreen)
        await pilot.press("slash", *"MÜL")
        await pilot.pause(0.2)
        await settle(pilot)
        (row,) = _rows(screen, "results")
        assert row.startswith("Jürgen Müller")
        await pilot.press("escape")  # clears the search, stays on the screen
        await pilot.pause(0.2)
        await settle(pilot)
        assert app.screen is screen
        assert screen.query_one("#search", Input).value == ""
        assert app.focused is screen.query_one("#results")
        assert len(_rows(screen, "results")) == 2
        await pilot.press("slash", *"ada", "enter", "3")  # enter: to the list; then a screen key
        await settle(pilot)
        assert isinstance(app.screen, CompaniesScreen)


def _shown(screen: ListScreen) -> list[str]:
    """The list's lines as the terminal shows them."""
    results = screen.query_one("#results", RowList)
    lines = (results.render_line(y).text.rstrip() for y in range(results.size.height))
    return [text for text in lines if text]


async def test_a_narrow_list_leaves_whole_columns_out_and_says_which(tui_store, seeded) -> None:
    """At 100 columns a row was cut at the right edge: Jürgen Müller's title showed as
    "CEO…", Ada Lovelace's (none) as a lone "…", and the lifecycle was lost, unsaid."""
    from tinycrm.store.contacts import add_contact

    add_contact(
        tui_store,
        name="Maximiliane Oberholzer-Wittgenstein",
        email="maximiliane.oberholzer-wittgenstein@schwarzwald-medizintechnik.de",
        company="Schwarzwald Medizintechnik GmbH & Co. KG",
        title="Head of Regulatory Affairs, Europe",
        lifecycle="customer",
    )
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_screen(pilot, "2", ContactsScreen)
        lines = _shown(screen)
        assert len(lines) == 3
        ada, jurgen = lines[0], lines[1]
        assert "…" not in ada, ada  # no empty cell cut to a lone "…"
        assert jurgen.split()[-2:] == ["CEO", "lead"], jurgen  # the title whole, the lifecycle
        assert all(len(text) <= 100 for text in lines)
        assert "not shown" not in str(screen.query_one("#list-count", Static).render())
        await pilot.resize_terminal(60, 24)  # labels cut between words; the title left out
        await settle(pilot)
        lines = _shown(screen)
        assert lines[0].split() == ["Ada", "Lovelace", "ada@example…", "Engines", "Ltd", "lead"]
        assert lines[1].split() == ["Jürgen", "Müller", "jm@acme.de", "Acme", "GmbH", "lead"]
        assert lines[2].split() == ["Maximiliane…", "maximiliane…", "Schwarzwald…", "customer"]
        note = str(screen.query_one("#list-count", Static).render())
        assert note.startswith("3 contacts"), note  # after the line's cell of padding
        assert note.endswith("not shown at 60 columns: title"), note


async def test_a_narrow_companies_list_leaves_whole_columns_out(tui_store, seeded) -> None:
    from tinycrm.store.companies import add_company

    add_company(
        tui_store,
        name="Schwarzwald Medizintechnik GmbH & Co. KG",
        domain="schwarzwald-medizintechnik.de",
        industry="Medical devices",
        city="Villingen-Schwenningen",
        country="Germany",
    )
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(60, 24)) as pilot:
        screen = await open_screen(pilot, "3", CompaniesScreen)
        lines = _shown(screen)
        assert lines[0].split() == ["Acme", "GmbH", "Berlin"], lines
        assert lines[2].split() == ["Schwarzwald", "Medizintechnik…", "Villingen-Schwenningen…"]
        note = str(screen.query_one("#list-count", Static).render())
        assert note.endswith("not shown at 60 columns: domain, industry"), note


@pytest.mark.parametrize(
    ("width", "said"),
    [(40, ["not shown: email, title"]), (30, ["not shown:", "email, title, lifecycle"])],
)
async def test_a_narrow_list_names_the_columns_it_leaves_out(
    tui_store, seeded, width: int, said: list[str]
) -> None:
    """At 40 columns the count line ended at '2 contacts   not shown at 40 columns:' and
    named none (the names were past its edge). Now a short line says 'not shown: email,
    title', and wraps, at 30 columns, rather than lose them."""
    from tests.tui.test_escapes import screen_text

    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(width, 20)) as pilot:
        await open_screen(pilot, "2", ContactsScreen)
        lines = [line.strip() for line in screen_text(app).splitlines()]
        at = next(i for i, line in enumerate(lines) if line.startswith("2 contacts"))
        assert lines[at].startswith("2 contacts   " + said[0]), lines[at]
        assert lines[at + 1 : at + len(said)] == said[1:], lines


@pytest.mark.parametrize(("key", "screen_type"), [("2", ContactsScreen), ("3", CompaniesScreen)])
async def test_keys_typed_at_once_after_slash_go_to_the_search(
    tui_store, seeded, key, screen_type
) -> None:
    """'/qu' read at once (typed fast, or on a busy app) quit the board, and '/nadia'
    opened the new-contact form: '/' focused the search a turn late, after the app had
    handed the next keys to the list, where q quits and n adds. Now the keys read with
    '/' are the search's; in the search '/' is typed."""
    from textual import events

    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, key, screen_type)
        for name, char in (("slash", "/"), ("q", "q"), ("u", "u"), ("n", "n")):
            app.post_message(events.Key(name, char))  # queued together, as one read
        await settle(pilot)
        assert app.is_running and app.screen is screen
        assert screen.query_one("#search", Input).value == "qun"
        await pilot.press("slash")
        assert screen.query_one("#search", Input).value == "qun/"
