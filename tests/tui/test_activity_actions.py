"""Correcting tasks and logged activities on the board (Pilot): edit, reopen, delete from
the tasks screen, a record's tasks and timeline, and the activity view; an email logged
from a mailbox offers its subject only; an edit made elsewhere meanwhile is not overwritten
unseen; the feed says what happened."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, Select, TextArea

from tests.tui.conftest import SIZE, open_screen, settle
from tinycrm.api import Crm
from tinycrm.errors import NotFound
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.activity_view import ActivityScreen
from tinycrm.tui.screens.confirm import ConfirmScreen
from tinycrm.tui.screens.deal_record import DealScreen
from tinycrm.tui.screens.forms import FormScreen
from tinycrm.tui.screens.tasks import TasksScreen
from tinycrm.tui.widgets.keybar import KeyBar
from tinycrm.tui.widgets.rows import RowList


def _keys(app: Any) -> str:
    return str(app.screen.query_one(KeyBar).render())


async def _to_row(pilot: Any, rows: RowList, key: str) -> None:
    rows.focus()
    keys = [row.key for row in rows.rows]
    assert key in keys, keys
    await pilot.press("home", *["down"] * keys.index(key))
    await settle(pilot)
    assert rows.current_key == key


def _fields(form: FormScreen) -> list[str]:
    return [spec.name for spec in form.fields]


async def test_tasks_screen_edits_a_task(tui_store, seeded) -> None:
    crm = Crm(tui_store)
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "4", TasksScreen)
        await _to_row(pilot, screen.query_one("#task-list", RowList), f"task:{seeded['task']}")
        assert " e Edit " in _keys(app) and " del Delete " in _keys(app)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen) and form.form_title == "Edit task · Send the contract"
        assert _fields(form) == ["text", "due", "body", "contact", "company", "deal"]
        assert form.query_one("#field-deal", Input).value == "Acme renewal"
        form.query_one("#field-text", Input).value = "Send the signed contract"
        form.query_one("#field-due", Input).value = "2027-01-05 09:00"
        form.query_one("#field-body", TextArea).text = "both copies"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
    task = crm.activities.get(seeded["task"])
    assert (task.subject, task.body) == ("Send the signed contract", "both copies")
    assert task.due_at is not None and task.due_at.year == 2027
    assert task.deal == "Acme renewal"  # a field left alone is not written
    (event,) = crm.board.feed(limit=1)
    assert event.action == "updated" and "due" in event.summary


async def test_tasks_screen_deletes_a_task_after_a_yes_and_keeps_it_on_no(
    tui_store, seeded
) -> None:
    crm = Crm(tui_store)
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "4", TasksScreen)
        await _to_row(pilot, screen.query_one("#task-list", RowList), f"task:{seeded['task']}")
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Send the contract" in app.screen.question
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen
        assert crm.activities.get(seeded["task"]).subject == "Send the contract"
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("enter")  # the focused button keeps it: only y deletes
        await settle(pilot)
        assert crm.activities.get(seeded["task"]).subject == "Send the contract"
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is screen
        keys = [row.key for row in screen.query_one("#task-list", RowList).rows]
        assert f"task:{seeded['task']}" not in keys
    try:
        crm.activities.get(seeded["task"])
    except NotFound:
        pass
    else:
        raise AssertionError("the task was not deleted")


async def test_a_task_done_by_mistake_is_opened_again_from_the_done_list(tui_store, seeded) -> None:
    crm = Crm(tui_store)
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "4", TasksScreen)
        tasks = screen.query_one("#task-list", RowList)
        key = f"task:{seeded['task']}"
        await _to_row(pilot, tasks, key)
        assert " o Reopen " not in _keys(app)  # an open task: nothing to reopen
        await pilot.press("d")
        await settle(pilot)
        assert crm.activities.get(seeded["task"]).done_at is not None
        await _to_row(pilot, tasks, key)  # listed last, under "Done lately"
        assert " o Reopen " in _keys(app)
        await pilot.press("d")  # done already: d does nothing
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert crm.activities.get(seeded["task"]).done_at is None
        texts = ["".join(t for t, _ in row.lines[0]) for row in tasks.rows]
        assert not any(text.startswith("Done lately") for text in texts)


async def test_record_timeline_edits_a_logged_call_kind_time_and_text(tui_store, seeded) -> None:
    crm = Crm(tui_store)
    (call,) = [a for a in crm.activities.list(deal="Acme renewal") if a.kind == "call"]
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("deal", seeded["renewal"])
        await settle(pilot)
        record = app.screen
        assert isinstance(record, DealScreen)
        await _to_row(pilot, record.query_one("#timeline", RowList), f"activity:{call.id}")
        assert " E Edit item " in _keys(app)
        await pilot.press("E")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen) and form.form_title.startswith("Edit call · ")
        assert _fields(form) == ["kind", "text", "at", "body"]
        form.query_one("#field-kind", Select).value = "meeting"
        form.query_one("#field-text", Input).value = "Walked through the revised proposal"
        form.query_one("#field-at", Input).value = "2026-11-20 14:30"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is record
    edited = crm.activities.get(call.id)
    assert (edited.kind, edited.subject) == ("meeting", "Walked through the revised proposal")
    assert edited.occurred_at is not None and edited.occurred_at.day == 20


async def test_record_open_tasks_delete_and_a_time_ahead_is_refused_in_the_form(
    tui_store, seeded
) -> None:
    crm = Crm(tui_store)
    (call,) = [a for a in crm.activities.list(deal="Acme renewal") if a.kind == "call"]
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("deal", seeded["renewal"])
        await settle(pilot)
        record = app.screen
        await _to_row(pilot, record.query_one("#timeline", RowList), f"activity:{call.id}")
        await pilot.press("E")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-at", Input).value = "+3d"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # refused, said under the field
        assert "logged once it has happened" in str(form.query_one("#error-at").render())
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert app.screen is record
        await _to_row(pilot, record.query_one("#tasks", RowList), f"task:{seeded['task']}")
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert not record.query_one("#tasks", RowList).rows
    assert [t.id for t in crm.tasks.list(deal="Acme renewal")] == []


async def test_an_email_from_a_mailbox_offers_its_subject_only(tui_store, seeded) -> None:
    from tests.mail.mail_log_helpers import OWN, _msg
    from tinycrm.store.mail_log import log_messages

    log_messages(tui_store, [_msg("jm@acme.de", subject="Re: pricing")], **OWN)
    crm = Crm(tui_store)
    (mail,) = [a for a in crm.activities.list() if a.kind == "email"]
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ActivityScreen(mail.id))
        await settle(pilot)
        view = app.screen
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert _fields(form) == ["text"]
        assert "from a mailbox" in form.form_title
        form.query_one("#field-text", Input).value = "Pricing, from Jürgen"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is view  # the view shows it as saved
        assert "Pricing, from Jürgen" in str(view.query_one("#activity-title").render())
    assert crm.activities.get(mail.id).subject == "Pricing, from Jürgen"


async def test_a_task_edited_elsewhere_is_not_overwritten_unseen(tui_store, seeded) -> None:
    crm = Crm(tui_store)
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "4", TasksScreen)
        await _to_row(pilot, screen.query_one("#task-list", RowList), f"task:{seeded['task']}")
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        crm.tasks.edit(seeded["task"], text="Send the contract today")  # another process
        form.query_one("#field-text", Input).value = "Send the contract by courier"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        said = str(form.query_one("#error-text").render())
        assert "changed elsewhere" in said and "Send the contract today" in said
        assert crm.activities.get(seeded["task"]).subject == "Send the contract today"
        await pilot.press("ctrl+s")  # seen: a second save puts the form's value in
        await settle(pilot)
        assert app.screen is screen
    assert crm.activities.get(seeded["task"]).subject == "Send the contract by courier"


async def test_activity_view_reopens_and_deletes(tui_store, seeded) -> None:
    crm = Crm(tui_store)
    crm.tasks.done(seeded["task"])
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ActivityScreen(seeded["task"]))
        await settle(pilot)
        assert " o Reopen task " in _keys(app)
        await pilot.press("o")
        await settle(pilot)
        assert crm.activities.get(seeded["task"]).done_at is None
        assert " o Reopen task " not in _keys(app)
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert not isinstance(app.screen, ActivityScreen)
    assert crm.tasks.list() == []


async def test_the_new_keys_are_remappable_and_listed_by_question_mark(tui_store, seeded) -> None:
    crm = Crm(tui_store)
    app = make_app(crm, poll_interval=0, keymap={"tasks.delete": "x", "confirm.yes": "j"})
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "4", TasksScreen)
        await _to_row(pilot, screen.query_one("#task-list", RowList), f"task:{seeded['task']}")
        await pilot.press("question_mark")
        await settle(pilot)
        keys = app.screen.sections["Tasks"]  # type: ignore[attr-defined]
        assert keys["Delete"] == ["x"] and keys["Edit"] == ["e"]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")  # not the yes key any more
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("j")
        await settle(pilot)
        assert app.screen is screen
    assert crm.tasks.list() == []


async def test_a_task_deleted_elsewhere_while_its_form_is_open_is_said_by_name(
    tui_store, seeded
) -> None:
    crm = Crm(tui_store)
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "4", TasksScreen)
        await _to_row(pilot, screen.query_one("#task-list", RowList), f"task:{seeded['task']}")
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        crm.tasks.remove(seeded["task"])  # another process
        form.query_one("#field-text", Input).value = "Send it"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        said = str(form.query_one("#form-error").render())
        assert said.startswith("this task was deleted elsewhere while the form was open")
        await pilot.press("escape", "escape")
        await settle(pilot)
        other = crm.tasks.add("Book the venue", due="2026-12-20 09:00")
        screen.reload()
        await settle(pilot)
        await _to_row(pilot, screen.query_one("#task-list", RowList), f"task:{other.id}")
        crm.tasks.remove(other.id)  # another process, again
        await pilot.press("delete", "y")  # as the row showed it: by name, not "no task with id"
        await settle(pilot)
        assert app.screen is screen
        messages = [n.message for n in app._notifications]
        assert "this task was deleted elsewhere" in messages


async def test_the_delete_question_says_esc_keeps_it_and_esc_does(tui_store, seeded) -> None:
    """The question's key bar showed 'y Yes  n No', not esc (which also kept the task):
    now it shows 'esc Cancel' too, and esc keeps the task."""
    crm = Crm(tui_store)
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, "4", TasksScreen)
        await _to_row(pilot, screen.query_one("#task-list", RowList), f"task:{seeded['task']}")
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        keys = _keys(app)
        assert " y Yes " in keys and " n No " in keys and " esc Cancel " in keys, keys
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
    assert crm.activities.get(seeded["task"]).subject == "Send the contract"


async def test_a_task_s_notes_are_written_and_shown_on_several_lines(tui_store, seeded) -> None:
    """The notes field was one line: a body of several lines showed '\\x0a' between
    them, and enter saved the form instead of starting a new line. Now the notes are a
    box of lines: enter starts one, ctrl+s saves (the key bar says so)."""
    crm = Crm(tui_store)
    crm.tasks.edit(seeded["task"], body="first line\nsecond line")
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_screen(pilot, "4", TasksScreen)
        await _to_row(pilot, screen.query_one("#task-list", RowList), f"task:{seeded['task']}")
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        body = form.query_one("#field-body", TextArea)
        assert body.text == "first line\nsecond line" and "\\x0a" not in body.text
        body.focus()
        await settle(pilot)
        assert " ^s Save " in _keys(app), _keys(app)
        await pilot.press("enter", *"third", "enter")
        await settle(pilot)
        assert app.screen is form  # enter did not save
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
    assert crm.activities.get(seeded["task"]).body == "first line\nsecond line\nthird"


async def test_reopening_a_repeating_task_says_what_became_of_its_next_occurrence(
    tui_store, seeded
) -> None:
    """Reopening a repeating task takes back the next occurrence its completion made
    (kept when it was changed since): the command line and the API said so, the board
    said only 'Open again'. Now its notice says which."""
    from datetime import UTC, datetime

    crm = Crm(tui_store)
    due = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    weekly = crm.tasks.add(text="Weekly report", due=due, every="weekly")
    crm.tasks.done(weekly.id)
    monthly = crm.tasks.add(text="Monthly check", due=due, every="monthly")
    crm.tasks.done(monthly.id)
    nexts = {t.subject: t.id for t in crm.tasks.list() if t.subject.endswith(("report", "check"))}
    crm.tasks.edit(nexts["Monthly check"], text="Monthly check, moved")
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for task, said in (
            (weekly, "its next occurrence, made when it was done, is removed"),
            (monthly, "its next occurrence stays (changed since it was made)"),
        ):
            app.push_screen(ActivityScreen(task.id))
            await settle(pilot)
            await pilot.press("o")
            await settle(pilot)
            assert crm.activities.get(task.id).done_at is None
            told = [n.message for n in app._notifications]
            assert any(m.startswith(f"Open again: {task.subject}") and said in m for m in told), (
                told
            )
    subjects = [t.subject for t in crm.tasks.list()]
    assert subjects.count("Weekly report") == 1 and "Monthly check, moved" in subjects
