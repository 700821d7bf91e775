"""Record views, the contact and company lists, the tasks screen: keys, then the database."""

from __future__ import annotations

from textual.widgets import Input, Select

from tests.tui.conftest import SIZE, open_form, open_screen, settle
from tinycrm.api import Crm
from tinycrm.store.activities import list_activities, list_tasks
from tinycrm.store.companies import get_company
from tinycrm.store.contacts import get_contact, list_contacts
from tinycrm.store.deals import get_deal
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.contact_company_records import CompanyScreen, ContactScreen
from tinycrm.tui.screens.deal_record import DealScreen
from tinycrm.tui.screens.forms import FormScreen
from tinycrm.tui.screens.lists import CompaniesScreen, ContactsScreen
from tinycrm.tui.screens.tasks import TasksScreen
from tinycrm.tui.widgets.keybar import KeyBar
from tinycrm.tui.widgets.rows import RowList


async def _open(pilot, kind: str, record_id: int):  # type: ignore[no-untyped-def]
    await settle(pilot)
    pilot.app.open_record(kind, record_id)
    await settle(pilot)
    return pilot.app.screen


def _rows(screen, list_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    rows = screen.query_one(f"#{list_id}", RowList).rows
    return ["".join(text for text, _ in row.lines[0]).strip() for row in rows]


async def test_deal_view_logs_an_activity(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, "deal", seeded["renewal"])
        assert isinstance(screen, DealScreen)
        assert any("Walked through the proposal" in r for r in _rows(screen, "timeline"))
        assert _rows(screen, "linked") == ["contact  Jürgen Müller", "company  Acme GmbH"]
        form = await open_form(pilot, "l")
        form.query_one("#field-kind", Select).value = "email"
        form.query_one("#field-text", Input).focus()
        await pilot.press(*"Sent", "enter")
        await settle(pilot)
        assert app.screen is screen
        (email,) = list_activities(tui_store, deal=str(seeded["renewal"]), kinds=["email"])
        assert (email.subject, email.contact, email.company) == (
            "Sent",
            "Jürgen Müller",
            "Acme GmbH",
        )
        assert "email" in _rows(screen, "timeline")[0] and "Sent" in _rows(screen, "timeline")[0]


async def test_deal_view_adds_and_completes_tasks(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, "deal", seeded["renewal"])
        assert _rows(screen, "tasks") == ["☐ Send the contract"]
        await pilot.press("t")
        await settle(pilot)
        await pilot.press(*"Call", "enter")  # due: the default, tomorrow 9:00
        await settle(pilot)
        subjects = [t.subject for t in list_tasks(tui_store, deal=str(seeded["renewal"]))]
        assert subjects == ["Send the contract", "Call"]
        assert len(_rows(screen, "tasks")) == 2
        await pilot.press("d")  # completes the highlighted task: the overdue one
        await settle(pilot)
        subjects = [t.subject for t in list_tasks(tui_store, deal=str(seeded["renewal"]))]
        assert subjects == ["Call"]
        assert _rows(screen, "tasks") == ["☐ Call"]


async def test_deal_view_moves_wins_and_reopens(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, "deal", seeded["pilot"])
        await pilot.press("greater_than_sign")
        await settle(pilot)
        assert get_deal(tui_store, seeded["pilot"]).stage == "Proposal"
        await pilot.press("shift+left")
        await settle(pilot)
        assert get_deal(tui_store, seeded["pilot"]).stage == "Qualified"
        await pilot.press("w")
        await settle(pilot)
        assert get_deal(tui_store, seeded["pilot"]).status == "won"
        assert screen.deal.status == "won"
        await pilot.press("r")
        await settle(pilot)
        assert get_deal(tui_store, seeded["pilot"]).status == "open"
        await pilot.press("x")
        await settle(pilot)
        await pilot.press(*"timing", "enter")
        await settle(pilot)
        deal = get_deal(tui_store, seeded["pilot"])
        assert (deal.status, deal.lost_reason) == ("lost", "timing")


async def test_deal_view_edit_and_linked_records(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, "deal", seeded["renewal"])
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        form.query_one("#field-close", Input).value = "2027-02-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert get_deal(tui_store, seeded["renewal"]).close_date.isoformat() == "2027-02-01"
        screen.query_one("#linked", RowList).focus()
        await pilot.press("down", "enter")  # the company
        await settle(pilot)
        assert isinstance(app.screen, CompanyScreen)
        assert app.screen.view.company.name == "Acme GmbH"
        assert any("Big expansion" in r for r in _rows(app.screen, "linked"))
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen


async def test_contact_view_edits_the_contact(tui_store, seeded) -> None:
    jm = get_contact(tui_store, "jm@acme.de")
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, "contact", jm.id)
        assert isinstance(screen, ContactScreen)
        assert _rows(screen, "linked")[0] == "company  Acme GmbH"
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        form.query_one("#field-title", Input).value = "Managing Director"
        form.query_one("#field-email", Input).value = "not an email"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "invalid email" in str(form.query_one("#error-email").render())
        assert get_contact(tui_store, jm.id).title == "CEO"
        form.query_one("#field-email", Input).value = "juergen@acme.de"
        await pilot.press("ctrl+s")
        await settle(pilot)
        contact = get_contact(tui_store, jm.id)
        assert (contact.title, contact.email) == ("Managing Director", "juergen@acme.de")


async def test_company_view_edits_the_company(tui_store, seeded) -> None:
    acme = get_company(tui_store, "Acme GmbH")
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, "company", acme.id)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        form.query_one("#field-city", Input).value = "Hamburg"
        form.query_one("#field-size", Input).value = "250"
        await pilot.press("ctrl+s")
        await settle(pilot)
        company = get_company(tui_store, acme.id)
        assert (company.city, company.size) == ("Hamburg", 250)


async def test_lists_find_words_in_notes_and_fields_too(tui_store, seeded) -> None:
    from tinycrm.store.companies import edit_company
    from tinycrm.store.contacts import edit_contact

    edit_contact(tui_store, "Jürgen Müller", notes="Prefers the Zeppelin museum for meetings")
    edit_company(tui_store, "Acme GmbH", set_fields={"segment": "Überseehandel"})
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "2", ContactsScreen)
        await pilot.press("slash", *"zeppelin MUS")
        await pilot.pause(0.2)
        await settle(pilot)
        (row,) = _rows(screen, "results")
        assert row.startswith("Jürgen Müller")
        await pilot.press("escape")
        screen = await open_screen(pilot, "3", CompaniesScreen)
        await pilot.press("slash", *"ubersee")
        await pilot.pause(0.2)
        await settle(pilot)
        (row,) = _rows(screen, "results")
        assert row.startswith("Acme GmbH")


async def test_contacts_list_searches_as_you_type(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        assert len(_rows(screen, "results")) == 2
        await pilot.press("slash", *"MÜL")
        await pilot.pause(0.2)
        await settle(pilot)
        (row,) = _rows(screen, "results")
        assert row.startswith("Jürgen Müller")
        await pilot.press("enter", "enter")  # to the list, then open
        await settle(pilot)
        assert isinstance(app.screen, ContactScreen)
        await pilot.press("escape")
        form = await open_form(pilot, "n")
        await pilot.press(*"Gr")
        form.query_one("#field-name", Input).value = "Grace"
        form.query_one("#field-email", Input).value = "g@x.io"
        await pilot.press("enter")
        await settle(pilot)
        assert [c.name for c in list_contacts(tui_store, search="grace")] == ["Grace"]
        assert isinstance(app.screen, ContactScreen)


async def test_companies_list_and_tasks_screen(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, CompaniesScreen)
        await pilot.press("slash", *"acme")
        await pilot.pause(0.2)
        await settle(pilot)
        assert [r.split()[0] for r in _rows(app.screen, "results")] == ["Acme"]
        await pilot.press("enter", "4")  # from the search box to the list; then a screen key
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TasksScreen)
        assert len(app.screen_stack) == 2  # lists replace each other over the board
        assert _rows(screen, "task-list") == [
            "Overdue (1)",
            "☐ Send the contract   Acme renewal · Jürgen Müller · Acme GmbH",
        ]
        await pilot.press("tab", "space")  # the queue has the focus first; tab: the tasks
        await settle(pilot)
        assert list_tasks(tui_store) == []
        assert _rows(screen, "task-list") == [  # done: listed last, where o opens it again
            "No open tasks  (t adds one)",
            "Done lately  (o opens one again)",
            "☑ Send the contract   Acme renewal · Jürgen Müller · Acme GmbH",
        ]
        await pilot.press("1")
        await settle(pilot)
        assert len(app.screen_stack) == 1


async def test_key_bar_shows_what_applies_and_clicks_run_it(tui_store, seeded) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        bar = app.screen.query_one(KeyBar)
        text = str(bar.render())
        for words in ("Move on", "Won", "Lost", "New", "Filter", "Quit"):
            assert words in text
        await pilot.click(KeyBar, offset=(text.index(" n New") + 2, 0))
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)


async def test_record_view_follows_writes_from_elsewhere(tui_store, seeded, db_path) -> None:
    from tests.tui.conftest import wait_for
    from tinycrm.store.activities import log_activity
    from tinycrm.store.engine import open_store

    other = open_store(str(db_path), user="teammate")
    app = make_app(Crm(tui_store), poll_interval=0.1)
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = await _open(pilot, "deal", seeded["renewal"])
            timeline = screen.query_one("#timeline", RowList)
            assert app.focused is timeline
            log_activity(other, kind="note", text="Noted from the CLI", deal="Acme renewal")
            await wait_for(pilot, lambda: "Noted from the CLI" in _rows(screen, "timeline")[0])
            assert app.focused is timeline
            board = app.screen_stack[0]
            await wait_for(pilot, lambda: board.query_one("#feed-list", RowList).rows[0].key)
            feed = board.query_one("#feed").entries
            assert feed[0].actor == "teammate"
    finally:
        other.close()


async def test_record_views_show_line_items_and_quotes(tui_store, seeded) -> None:
    crm = Crm(tui_store)
    crm.products.add("Plan", price="100", recurring="month", tax="19")
    crm.deals.items.add(seeded["renewal"], "Plan", qty="2")
    quote = crm.quotes.create(seeded["renewal"])
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, "deal", seeded["renewal"])
        linked = _rows(screen, "linked")
        assert any(r.startswith("item") and "2 × Plan" in r for r in linked)
        assert any(r.startswith("quote") and quote.number in r and "draft" in r for r in linked)
        company = get_deal(tui_store, seeded["renewal"]).company_id
        screen = await _open(pilot, "company", company)
        assert isinstance(screen, CompanyScreen)
        assert any(quote.number in r for r in _rows(screen, "linked"))


async def test_a_long_title_is_cut_to_the_title_line_not_lost(tui_store, seeded) -> None:
    """A record's title line is one row: a title longer than it (one word of 100,000
    characters, or many words) shows its start and an ellipsis, not an empty line."""
    from sqlalchemy import text

    from tests.tui.test_escapes import screen_text

    with tui_store.engine.begin() as conn:  # longer than any form lets through
        conn.execute(
            text("UPDATE deal SET title = :t WHERE id = :i"),
            {"t": "X" * 100_000, "i": seeded["renewal"]},
        )
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(60, 20)) as pilot:
        await _open(pilot, "deal", seeded["renewal"])
        first = screen_text(app).splitlines()[0]
        assert first.startswith(" DEAL  XXXX") and first.rstrip().endswith("…"), first
        await _open(pilot, "deal", seeded["pilot"])
        first = screen_text(app).splitlines()[0]
        assert "Engines pilot" in first, first


async def test_an_empty_contacts_list_says_how_to_add_one_and_n_does(tui_store) -> None:
    """On a new database the contacts list says there are none yet (not that none match
    an empty search), and ``n`` adds one rather than typing into the search box."""
    from tests.tui.test_escapes import screen_text

    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(60, 20)) as pilot:
        screen = await open_screen(pilot, "2", ContactsScreen)
        shown = screen_text(app)
        assert "No contacts yet" in shown and "n adds one" in shown, shown
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        await pilot.press(*"Ada", "ctrl+s")
        await settle(pilot)
        assert [c.name for c in list_contacts(tui_store)] == ["Ada"]
        await pilot.press("escape")  # the new contact's view, back to the list
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("slash", *"zz")
        await pilot.pause(0.3)  # the search waits for a pause in the typing
        await settle(pilot)
        assert "No contacts match" in screen_text(app)


async def test_a_huge_value_is_cut_in_the_details(tui_store, seeded) -> None:
    """A value of 50,000 characters (an owner, notes: an import, another program) was laid
    out whole in the narrow details column, thousands of lines: the deal's view took
    seconds to open. The details show its first characters and how long it is."""
    from sqlalchemy import text

    from tinycrm.tui.screens.record import DETAIL_LIMIT

    with tui_store.engine.begin() as conn:
        conn.execute(
            text("UPDATE deal SET owner = :o WHERE id = :i"),
            {"o": "y" * 50_000, "i": seeded["renewal"]},
        )
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(60, 20)) as pilot:
        screen = await _open(pilot, "deal", seeded["renewal"])
        details = screen.query_one("#record-details").render()._renderable
        table = details.grid()  # the Rich table of labels and values
        cells = [str(cell) for cell in table.columns[1]._cells]
        (owner,) = [cell for cell in cells if cell.startswith("yyy")]
        assert len(owner) < DETAIL_LIMIT + 40 and owner.endswith("… (50,000 characters)")


def test_a_list_screen_orders_what_it_found_as_the_lists_do() -> None:
    """The list screen's search, its two lists merged, by the folded name as ``contact
    list`` orders (Ångström among the A's, not after Z), ties by id."""
    from types import SimpleNamespace

    from tinycrm.tui.screens.lists import matching

    names = ("Zoe", "Ångström", "Adam", "Élodie", "Eve", "adam")
    rows = [SimpleNamespace(id=n, name=name) for n, name in enumerate(names, 1)]

    def lister(**_: object) -> list[SimpleNamespace]:
        return rows

    assert [r.name for r in matching(lister, "e")] == [
        "Adam", "adam", "Ångström", "Élodie", "Eve", "Zoe"
    ]  # fmt: skip


async def test_a_timeline_does_not_repeat_the_name_of_the_record_shown(tui_store, seeded) -> None:
    from tinycrm.store.deals import move_deal

    move_deal(tui_store, seeded["renewal"], "Qualified")
    records = [
        ("deal", seeded["renewal"], "Acme renewal"),
        ("contact", get_contact(tui_store, "jm@acme.de").id, "Jürgen Müller"),
        ("company", get_company(tui_store, "Acme GmbH").id, "Acme GmbH"),
    ]
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        for kind, record_id, name in records:
            screen = await _open(pilot, kind, record_id)
            rows = _rows(screen, "timeline")
            assert not [row for row in rows if name in row], rows
            assert any(row.startswith("created") for row in rows), rows
            await pilot.press("escape")
        assert any(
            row.startswith("moved") and "Lead-in → Qualified" in row
            for row in _rows(await _open(pilot, "deal", seeded["renewal"]), "timeline")
        )


LONG_EMAIL = (
    "maximilian.bartholomew-featherstonehaugh@extraordinarily-long-company-name.example.com"
)


def _details(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The details column as the terminal shows it: each line's value, after the label."""
    import re

    from tests.tui.test_escapes import screen_text

    rows = [row.split("▕")[0] for row in screen_text(app).splitlines()[1:]]
    column = re.match(r" \S+ +", rows[0])
    assert column is not None
    lines = []
    for side in rows:
        if not side.strip() or side.startswith(" Linked records"):
            break
        lines.append(side[column.end() :].rstrip(" ▁▂▃▄▅▆▇█"))
    return lines


async def test_a_long_email_or_link_folds_whole_in_the_details(tui_store) -> None:
    """At 80 columns the details column is 17 cells wide: an email folded at whatever cell
    the line ended, 'maximilian.bartho' / 'lomew-featherston' / 'ehaugh@extraordin', and
    read as other addresses. Now a value too long for a line breaks before '@', then
    before '.' or after '/', then after '-'; one that fits its line is not broken."""
    from tinycrm.store.companies import add_company
    from tinycrm.store.contacts import add_contact

    person = add_contact(tui_store, name="Max", email=LONG_EMAIL)
    site = "https://www.extraordinarily-long-company-name.example.com/about/us"
    firm = add_company(
        tui_store, name="Long Co", domain="long-company-name.example.com", fields={"web": site}
    )
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, "contact", person.id)
        assert _details(app)[:6] == [
            "maximilian",
            ".bartholomew-",
            "featherstonehaugh",
            "@extraordinarily-",
            "long-company-name",
            ".example.com",
        ]
        await pilot.press("escape")
        await _open(pilot, "company", firm.id)
        assert _details(app)[:8] == [
            "long-company-name",
            ".example.com",
            "tester",
            "https://www",
            ".extraordinarily-",
            "long-company-name",
            ".example.com/about/",
            "us",
        ]
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(160, 24)) as pilot:
        await _open(pilot, "company", firm.id)
        assert _details(app)[0] == "long-company-name.example.com"


def test_a_word_wider_than_its_line_folds_where_it_reads_as_itself() -> None:
    from tinycrm.tui.widgets.text import fold_word

    assert fold_word("jm@acme.de", 20) == ["jm@acme.de"]
    assert fold_word("jm@acme.de", 8) == ["jm", "@acme.de"]
    assert fold_word("ada.lovelace@example.com", 16) == ["ada.lovelace", "@example.com"]
    assert fold_word("https://a.example.com/x/y", 14) == ["https://a", ".example.com/", "x/y"]
    assert fold_word("a..b@c", 3) == ["a", "..b", "@c"]
    assert fold_word("abcdefghij", 4) == ["abcd", "efgh", "ij"]  # no boundary: by cells
    assert "".join(fold_word(LONG_EMAIL, 9)) == LONG_EMAIL


async def test_a_narrow_record_view_shows_each_value_under_its_label(tui_store, seeded) -> None:
    """At 40 columns the details grid left the values no cells: a deal's view showed
    'stage', 'status', 'amount' and no value, a contact's email one cell a line ('z',
    'o', 'e', '@') with '例え' (two cells a character) not at all. Now, where the values
    would have fewer than 12 cells beside the labels, each value is under its label: at 60
    columns (the details beside the timeline, in 23 cells). Under 70 columns the timeline
    is under the details (tests/tui/test_narrow.py): at 40 they are beside their labels."""
    from tests.tui.test_escapes import screen_text
    from tinycrm.store.contacts import add_contact

    person = add_contact(tui_store, name="Zoë", email="zoe@例え.jp", title="CEO")
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(70, 20)) as pilot:
        await _open(pilot, "deal", seeded["renewal"])
        side = [row.split("▕")[0].rstrip(" ▁▂▃▄▅▆▇█") for row in screen_text(app).splitlines()]
        assert side[1:5] == [" stage", "   Lead-in (Sales)", " status", "   open"], side
        await pilot.press("escape")
        await _open(pilot, "contact", person.id)
        side = [row.split("▕")[0].rstrip(" ▁▂▃▄▅▆▇█") for row in screen_text(app).splitlines()]
        assert side[1] == " email      zoe@例え.jp", side  # shorter labels: room beside them
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(40, 20)) as pilot:  # the whole width: beside the labels
        await _open(pilot, "contact", person.id)
        assert screen_text(app).splitlines()[1].startswith(" email      zoe@例え.jp ")
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:  # beside the labels where they fit
        await _open(pilot, "contact", person.id)
        assert screen_text(app).splitlines()[1].startswith(" email      zoe@例え.jp ")


async def test_a_title_line_shows_an_amount_whole_or_not_at_all(tui_store) -> None:
    """At 80 columns a deal with a long title showed 'Lead-in · $1,234,5…' and then
    '$1,…' beside it: other amounts. Now the pieces after the name are whole or left out
    ('Lead-in · …'), and again so after a resize; at 160 columns all of it."""
    from tests.tui.test_escapes import screen_text
    from tinycrm.store.deals import add_deal

    title = "Renewal of the enterprise support contract for xxxxx"
    deal = add_deal(tui_store, title=title, amount="1234567.89", currency="USD")
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(160, 24)) as pilot:
        await _open(pilot, "deal", deal.id)
        first = screen_text(app).splitlines()[0].rstrip()
        assert first == f" DEAL  {title}  Lead-in · $1,234,567.89", first
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        first = screen_text(app).splitlines()[0].rstrip()
        assert first == f" DEAL  {title}  Lead-in · …", first


def test_whole_pieces_are_kept_or_left_out() -> None:
    from tinycrm.tui.widgets.text import whole_pieces

    assert whole_pieces("Lead-in · €18,500", 30) == "Lead-in · €18,500"
    assert whole_pieces("Lead-in · €18,500", 14) == "Lead-in · …"
    assert whole_pieces("Head of Sales · Acme GmbH", 12) == "Head of…"
    assert whole_pieces("Procurement · Acme", 5) == ""


async def test_a_record_views_tasks_say_their_time_of_day(tui_store) -> None:
    """A record view's open tasks said 'due tomorrow', 'overdue yesterday', 'overdue
    2026-11-20' and no time, where the tasks screen says '2026-11-20 14:30'. Now each task
    says when it is due as the tasks screen does, on a line under its subject: its date and
    time, and how far off when that says more than the date; at 80 columns too."""
    from datetime import datetime, timedelta

    from tests.tui.test_escapes import screen_text
    from tests.tui.test_tasks_queue import LATER
    from tinycrm.dates import local_tz
    from tinycrm.store.activities import add_task
    from tinycrm.store.deals import add_deal

    def at(day: int, hour: int, minute: int) -> datetime:  # Berlin, the suite's zone
        return datetime(2026, 12, day, hour, minute, tzinfo=local_tz())

    deal = add_deal(tui_store, title="Timed")
    add_task(tui_store, text="Long late", due=at(3, 14, 30) - timedelta(days=13), deal="Timed")
    add_task(tui_store, text="Late", due=at(2, 9, 0), deal="Timed")
    add_task(tui_store, text="Soon", due=at(4, 14, 0), deal="Timed")
    add_task(tui_store, text="Later", due=at(5, 14, 0), deal="Timed")
    for size in (SIZE, (80, 24), (80, 40)):
        app = make_app(Crm(tui_store), poll_interval=0, clock=lambda: LATER)  # 3 Dec, 11:30
        async with app.run_test(size=size) as pilot:
            await _open(pilot, "deal", deal.id)
            shown_text = screen_text(app).replace("\u00a0", " ")  # a no-break space: a space
            side = [row.split("▕")[0].strip(" ▁▂▃▄▅▆▇█") for row in shown_text.splitlines()]
            start = side.index("Open tasks")
            wide = size == SIZE  # at 80 columns no room for 'yesterday': left out whole
            shown = [
                "☐ Long late",
                "overdue 2026-11-20 14:30",
                "☐ Late",
                "overdue 2026-12-02 09:00  yesterday" if wide else "overdue 2026-12-02 09:00",
                "☐ Soon",
                "due 2026-12-04 14:00  tomorrow" if wide else "due 2026-12-04 14:00",
                "☐ Later",
                "due 2026-12-05 14:00  in 2 days" if wide else "due 2026-12-05 14:00",  # not 'in…'
            ]
            rows = 4 if size == (80, 24) else 8  # at 24 lines two tasks show, then it scrolls
            assert side[start + 1 : start + 1 + rows] == shown[:rows], (size, side[start:])


async def test_enter_is_shown_as_open_only_on_a_row_it_opens(tui_store, seeded) -> None:
    """The key bar showed "⏎ Open" on every row of a deal's view, but enter did nothing
    on an event of the timeline, on an open task, or on the deal's own line item: a key
    shown that did not work. Now it is dimmed where it does nothing, and where it is not,
    it opens something."""
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        deal = await _open(pilot, "deal", seeded["renewal"])
        assert isinstance(deal, DealScreen)
        seen = set()
        for list_id in ("timeline", "tasks", "linked"):
            rows = deal.query_one(f"#{list_id}", RowList)
            for index, row in enumerate(rows.rows):
                if row.key is None:
                    continue
                rows.focus()
                rows.move_cursor(index, force=True)
                await settle(pilot)
                shown = app.screen.active_bindings["enter"].enabled
                await pilot.press("enter")
                await settle(pilot)
                opened = app.screen is not deal
                if opened:
                    app.pop_screen()
                    await settle(pilot)
                assert shown == opened, (list_id, row.key)
                seen.add((row.key.partition(":")[0], opened))
        assert {("activity", True), ("event", False), ("task", False)} <= seen, seen
        assert ("contact", True) in seen, seen


async def test_open_is_dimmed_on_a_list_with_no_row(tui_store, seeded) -> None:
    """A contacts list a search left empty showed "⏎ Open" as working, and enter did
    nothing: now it is dimmed, and works again once a row is there."""
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "2", ContactsScreen)
        rows = screen.query_one(RowList)
        rows.focus()
        await settle(pilot)
        assert rows.current_key is not None
        assert app.screen.active_bindings["enter"].enabled
        await pilot.press("slash", *"zz")
        await pilot.pause(0.3)
        await settle(pilot)
        rows.focus()
        await settle(pilot)
        assert rows.current_key is None
        assert not app.screen.active_bindings["enter"].enabled
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen


async def test_a_deal_whose_stored_amount_is_unreadable_says_so_by_name(tui_store, seeded) -> None:
    """A deal whose amount other SQL stored as 1e20 showed no amount and no word of why
    (the API's warning went nowhere on the board). Now its view says so, naming it."""
    from sqlalchemy import text

    from tests.tui.test_escapes import screen_text

    with tui_store.engine.begin() as conn:
        conn.execute(
            text("UPDATE deal SET amount_minor = '1e20' WHERE id = :i"), {"i": seeded["renewal"]}
        )
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, "deal", seeded["renewal"])
        said = [n.message for n in app._notifications]
        named = "deal #1 Acme renewal: its amount is stored as 1e+20"
        assert any(m.startswith(named) for m in said), said
        assert "amount is unreadable" in screen_text(app)
