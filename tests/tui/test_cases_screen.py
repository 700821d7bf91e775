"""The cases screen: cases by status and priority; r replies, s changes the status, v
resolves with a CSAT score, o reopens: the database says so afterwards. Also a snapshot."""

from __future__ import annotations

import io
from datetime import timedelta

from rich.console import Console
from textual.widgets import Input, Select, Static

from tests.tui.conftest import NOW, SIZE, open_form, open_screen, settle
from tinycrm.api import Crm
from tinycrm.business_hours import format_hours
from tinycrm.store.cases import add_case, case_view, reply_case, resolve_support_case
from tinycrm.store.contacts import add_contact
from tinycrm.store.engine import Store
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.cases import CasesScreen
from tinycrm.tui.screens.contact_company_records import ContactScreen
from tinycrm.tui.screens.forms import FormScreen
from tinycrm.tui.widgets.rows import RowList


def build(store: Store) -> dict[str, int]:
    add_contact(store, name="Ada Lovelace", email="ada@example.com", company="Engines Ltd")
    add_contact(store, name="Grace Hopper", email="grace@navy.mil")
    opened = NOW - timedelta(days=3)
    ids = {
        "login": add_case(store, subject="Cannot log in", contact="ada@example.com",
                          priority="urgent", body="The login page says 500", now=opened).id,
        "invoice": add_case(store, subject="Invoice address wrong", contact="grace@navy.mil",
                            priority="low", now=NOW - timedelta(hours=1)).id,
        "export": add_case(store, subject="Export is slow", contact="ada@example.com",
                           now=opened).id,
        "done": add_case(store, subject="Password reset", contact="grace@navy.mil",
                         now=opened).id,
    }  # fmt: skip
    reply_case(store, ids["export"], "Looking into it", now=opened + timedelta(hours=1))
    resolve_support_case(store, ids["done"], csat=5, now=opened + timedelta(hours=2))
    return ids


def plain(renderable: object) -> str:
    """What ``renderable`` shows 100 cells wide, without its styles."""
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def _keys(app) -> list[str | None]:  # type: ignore[no-untyped-def]
    return [row.key for row in app.screen.query_one("#case-list", RowList).rows]


async def _highlight(pilot, key: str) -> None:  # type: ignore[no-untyped-def]
    rows = pilot.app.screen.query_one("#case-list", RowList)
    rows.move_cursor(next(i for i, r in enumerate(rows.rows) if r.key == key), force=True)
    await settle(pilot)


async def test_cases_by_status_and_priority(tui_store, frozen_clock) -> None:
    ids = build(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "6", CasesScreen)
        # New: urgent before low; then Open; resolved ones only with a
        assert _keys(app) == [
            None, f"case:{ids['login']}", f"case:{ids['invoice']}",
            None, f"case:{ids['export']}",
        ]  # fmt: skip
        title = str(app.screen.query_one("#list-title").render())
        assert "3 unresolved, 1 breached" in title
        await pilot.press("a")
        await settle(pilot)
        assert f"case:{ids['done']}" in _keys(app)
        detail = plain(app.screen.query_one("#case-detail", Static).content)
        assert "Cannot log in" in detail and "The login page says 500" in detail


async def test_reply_status_resolve_and_reopen_from_the_keys(tui_store, frozen_clock) -> None:
    ids = build(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "6", CasesScreen)
        await _highlight(pilot, f"case:{ids['login']}")
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one(Input).value = "Fixed the login service"
        await pilot.press("ctrl+s")
        await settle(pilot)
        view = case_view(tui_store, ids["login"])
        assert view.thread[-1].body == "Fixed the login service"
        assert view.case.first_response_at is not None and view.case.status == "open"

        await _highlight(pilot, f"case:{ids['invoice']}")
        await pilot.press("s")
        await settle(pilot)
        app.screen.query_one(Select).value = "pending"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert case_view(tui_store, ids["invoice"]).case.status == "pending"

        await _highlight(pilot, f"case:{ids['login']}")
        await pilot.press("v")
        await settle(pilot)
        app.screen.query_one("#field-csat", Input).value = "4"
        await pilot.press("ctrl+s")
        await settle(pilot)
        resolved = case_view(tui_store, ids["login"]).case
        assert (resolved.status, resolved.csat) == ("resolved", 4)
        assert f"case:{ids['login']}" not in _keys(app)

        await pilot.press("a")
        await settle(pilot)
        await _highlight(pilot, f"case:{ids['login']}")
        await pilot.press("o")
        await settle(pilot)
        assert case_view(tui_store, ids["login"]).case.status == "open"
        # enter opens the case's contact, which lists its open cases
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ContactScreen)
        linked = [row.key for row in app.screen.query_one("#linked", RowList).rows]
        assert f"case:{ids['login']}" in linked
        assert screen in app.screen_stack


async def test_the_status_form_says_the_status_now_and_offers_the_next(
    tui_store, frozen_clock
) -> None:
    """An open case's status form offered 'new' first: s then ctrl+s sent it back."""
    ids = build(tui_store)  # "export" is open (replied to)
    app = make_app(Crm(tui_store), poll_interval=0, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "6", CasesScreen)
        await _highlight(pilot, f"case:{ids['export']}")
        form = await open_form(pilot, "s")
        assert "now open" in form.form_title
        assert form.query_one(Select).value == "pending"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert case_view(tui_store, ids["export"]).case.status == "pending"


async def test_a_status_changed_elsewhere_is_not_overwritten_unseen(
    tui_store, frozen_clock
) -> None:
    """The status form opened on an open case ('now open', offering pending); meanwhile
    another board (or the shell) resolved the case; saving the form set it to pending, the
    resolution undone without a word. Now the save says what the status is now and saves
    nothing; saving again puts the form's status in."""
    from tinycrm.store.cases import set_case_status

    ids = build(tui_store)  # "export" is open (replied to)
    app = make_app(Crm(tui_store), poll_interval=0, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "6", CasesScreen)
        await _highlight(pilot, f"case:{ids['export']}")
        form = await open_form(pilot, "s")
        assert "now open" in form.form_title
        set_case_status(tui_store, ids["export"], "resolved")  # elsewhere
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        said = str(form.query_one("#error-status").render())
        assert "changed elsewhere" in said and "resolved" in said, said
        assert case_view(tui_store, ids["export"]).case.status == "resolved"
        await pilot.press("ctrl+s")  # seen: saving again puts it in
        await settle(pilot)
        assert app.screen is not form
        assert case_view(tui_store, ids["export"]).case.status == "pending"


async def test_a_message_of_several_lines_shows_its_lines(tui_store, frozen_clock) -> None:
    """A reply's line breaks showed as '\\x0a' (the one-line escaping of names)."""
    from tests.hostile import raw_controls
    from tests.tui.test_escapes import screen_text

    ids = build(tui_store)
    reply_case(tui_store, ids["export"], "Hi Ada,\n\nfixed in 2.1.", now=NOW)
    app = make_app(Crm(tui_store), poll_interval=0, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "6", CasesScreen)
        await _highlight(pilot, f"case:{ids['export']}")
        shown = screen_text(app)
        assert "Hi Ada," in shown and "\\x0a" not in shown, shown
        assert "fixed in 2.1." in shown and not raw_controls(shown)


async def test_a_bad_csat_is_refused_in_the_form(tui_store, frozen_clock) -> None:
    ids = build(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "6", CasesScreen)
        await _highlight(pilot, f"case:{ids['login']}")
        await pilot.press("v")
        await settle(pilot)
        app.screen.query_one("#field-csat", Input).value = "9"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        assert "1-5" in str(app.screen.query_one("#error-csat").render())
        assert case_view(tui_store, ids["login"]).case.status == "new"


def test_cases_screen_snapshot(snap_compare, tui_store, frozen_clock) -> None:
    build(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0, clock=lambda: NOW)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_screen(pilot, "6", CasesScreen)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_a_breached_case_in_next_up_opens_on_the_cases_screen(
    tui_store, frozen_clock
) -> None:
    from tinycrm.tui.screens.tasks import TasksScreen

    ids = build(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "4", TasksScreen)
        queue = app.screen.query_one("#next-list", RowList)
        key = f"case:{ids['login']}"
        row = next(r for r in queue.rows if r.key == key)
        assert ("SLA breached", "error") in row.right
        queue.move_cursor(queue.rows.index(row), force=True)
        await settle(pilot)
        await pilot.press("l")  # nothing to log on a case: the key does nothing
        await settle(pilot)
        assert isinstance(app.screen, TasksScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CasesScreen)
        assert app.screen.query_one("#case-list", RowList).current_key == key


def test_a_pending_case_says_its_resolution_is_paused(tui_store, frozen_clock) -> None:
    from tinycrm.store.cases import set_case_status
    from tinycrm.tui.screens.cases import _detail, case_row

    ids = build(tui_store)
    set_case_status(tui_store, ids["export"], "pending", now=NOW - timedelta(hours=1))
    view = case_view(tui_store, ids["export"], now=NOW)
    assert view.case.resolution_paused
    left = view.case.resolution_left_hours  # the working time its clock has when it resumes
    assert left is not None and 0 < left < 40
    said = format_hours(left)
    assert case_row(view.case, NOW).right == ((f"resolve: paused, {said} left", "muted"),)
    assert f"resolution due  paused (waiting on the customer), {said} left" in plain(_detail(view))


async def test_a_narrow_case_list_cuts_the_company_between_words(tui_store, frozen_clock) -> None:
    """At 80 columns the company beside a case's subject was cut mid-word ("Clydesi…",
    "Isarpun…"), and a narrower list cut the subject so ("afte…"); now each ends at a
    whole word ("Isarpunkt…", "after…") or the company is left out."""
    company = "Isarpunkt Versicherungsmakler GmbH"
    add_contact(tui_store, name="Uwe Brandl", email="uwe@isarpunkt.de", company=company)
    subject = "Cannot log in after the update"
    add_case(tui_store, subject=subject, contact="uwe@isarpunkt.de", priority="urgent",
             now=NOW - timedelta(days=3))  # fmt: skip
    words = {*company.split(), *subject.split()}
    app = make_app(Crm(tui_store), poll_interval=0, clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, "6", CasesScreen)
        rows = screen.query_one("#case-list", RowList)
        seen = set()
        for width in range(58, 100, 3):
            await pilot.resize_terminal(width, 24)
            await settle(pilot)
            text = rows.render_line(1).text
            assert "Cannot" in text, text
            cut = [word for word in text.split() if word.endswith("…")]
            assert all(word[:-1] in words for word in cut), (width, text)
            seen.update(cut)
        assert "Isarpunkt…" in seen  # cut somewhere, at a word


def test_a_breached_case_with_a_score_says_both_apart(tui_store, frozen_clock) -> None:
    """A resolved case that missed a target and was scored read 'breachedCSAT 5/5'."""
    from tinycrm.tui.screens.cases import case_row

    ids = build(tui_store)
    case = case_view(tui_store, ids["done"], now=NOW).case.model_copy(update={"breached": True})
    assert "".join(text for text, _ in case_row(case, NOW).right) == "breached · CSAT 5/5"


async def test_the_detail_pane_at_40_columns_keeps_each_value_beside_its_label(
    tui_store, frozen_clock
) -> None:
    """At 40 columns a value too long for the line went on under its label: 'company
    Isarpunkt Versicherungsmakler' and then 'GmbH' at the labels' column, 'resolution due
    paused (waiting on the' and 'customer), 3h left' likewise, so the labels no longer
    stood out. Now a value wraps in its own column, beside its label."""
    from tests.tui.test_escapes import screen_text
    from tinycrm.store.cases import set_case_status

    company = "Isarpunkt Versicherungsmakler GmbH"
    add_contact(tui_store, name="Uwe Brandl", email="uwe@isarpunkt.de", company=company)
    case = add_case(tui_store, subject="Cannot log in", contact="uwe@isarpunkt.de",
                    priority="urgent", now=NOW - timedelta(days=3))  # fmt: skip
    reply_case(tui_store, case.id, "Looking into it", now=NOW - timedelta(days=2))
    set_case_status(tui_store, case.id, "pending", now=NOW - timedelta(hours=1))
    app = make_app(Crm(tui_store), poll_interval=0, clock=lambda: NOW)
    async with app.run_test(size=(40, 40)) as pilot:
        await open_screen(pilot, "6", CasesScreen)
        lines = screen_text(app).splitlines()
        top = next(i for i, line in enumerate(lines) if line.startswith(" contact "))
        column = lines[top].index("Uwe")
        details = lines[top : next(i for i in range(top, len(lines)) if not lines[i].strip())]
        labels = ("contact", "company", "opened", "response due", "first response",
                  "resolution due", "SLA")  # fmt: skip
        for line in details:
            if not line[1:].startswith(labels):
                assert line[:column].isspace() and not line[column].isspace(), details
        shown = " ".join(" ".join(line[column:].split()) for line in details)
        assert company in shown and "paused (waiting on the customer)" in shown, details
