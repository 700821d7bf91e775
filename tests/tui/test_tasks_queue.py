"""The tasks screen's "Next up" queue: the same items, order and reasons as ``tinycrm next``;
keys act on an item, then the database and the queue say it was dealt with."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input

from tests.tui.conftest import NOW, SIZE, open_screen, settle
from tinycrm.api import Crm
from tinycrm.store.activities import add_task, list_activities, list_tasks
from tinycrm.store.contacts import add_contact
from tinycrm.store.deals import add_deal
from tinycrm.store.engine import Store
from tinycrm.store.reminders import next_actions
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.contact_company_records import ContactScreen
from tinycrm.tui.screens.deal_record import DealScreen
from tinycrm.tui.screens.forms import FormScreen
from tinycrm.tui.screens.tasks import NEXT_LIMIT, TasksScreen
from tinycrm.tui.widgets.keybar import KeyBar
from tinycrm.tui.widgets.rows import RowList

LATER = NOW + timedelta(days=10)
"""The board's "now": the data below was written at NOW (``frozen_clock``), ten days ago."""


def build(store: Store) -> dict[str, int]:
    """A rotting deal, a lapsed cadence, an overdue task and a deal with no next step.

    Seen from LATER: Negotiation rots after 7 days (the deal has a task, due later, so
    rotting is its only reason); Lead-in after 14 (not yet), and that deal has no task.
    """
    ids = {
        "grace": add_contact(store, name="Grace Hopper", email="grace@navy.mil").id,
        "cadence": add_contact(store, name="Ada Lovelace", cadence_days=7).id,
        "rotting": add_deal(store, title="Acme renewal", amount="18500", stage="Negotiation").id,
        "bare": add_deal(store, title="Engines pilot", amount="7200").id,
    }
    add_task(store, text="Negotiate terms", due=NOW + timedelta(days=30), deal="Acme renewal")
    ids["task"] = add_task(
        store, text="Call Grace back", due=NOW + timedelta(days=5), contact="grace@navy.mil"
    ).id
    return ids


def _queue(app) -> RowList:  # type: ignore[no-untyped-def]
    return app.screen.query_one("#next-list", RowList)


def _lines(rows: RowList) -> list[str]:
    return ["".join(text for text, _ in row.lines[0]).strip() for row in rows.rows]


def _entries(store: Store) -> dict[tuple[str, int], list[str]]:
    """What ``tinycrm next`` says now: each item's reasons (kinds), by entity."""
    return {(a.entity, a.entity_id): a.kinds for a in next_actions(store, now=LATER)}


async def _highlight(pilot, key: str) -> None:  # type: ignore[no-untyped-def]
    rows = _queue(pilot.app)
    keys = [row.key for row in rows.rows]
    assert key in keys, keys
    await pilot.press("home", *["down"] * keys.index(key))
    assert rows.current_key == key


async def _fill_in(pilot, key: str, title: str, text: str, **fields: str) -> None:  # type: ignore[no-untyped-def]
    """Press ``key`` on the tasks screen, check the form it opens, fill it in, save."""
    screen = pilot.app.screen
    await pilot.press(key)
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, FormScreen) and form.form_title == title
    for name, value in fields.items():
        form.query_one(f"#field-{name}", Input).value = value
    form.query_one("#field-text", Input).focus()
    await pilot.press(*text, "enter")
    await settle(pilot)
    assert pilot.app.screen is screen


async def test_queue_is_next_actions_in_order_with_its_reasons(tui_store, frozen_clock) -> None:
    ids = build(tui_store)
    expected = next_actions(tui_store, now=LATER, limit=NEXT_LIMIT)
    assert {k for a in expected for k in a.kinds} == {
        "rotting",
        "keep_in_touch",
        "overdue",
        "no_next_step",
    }
    assert len(expected) == 4
    app = make_app(Crm(tui_store), poll_interval=0, clock=lambda: LATER)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "4", TasksScreen)
        queue = _queue(app)
        assert app.focused is queue
        assert [row.key for row in queue.rows] == [
            f"{'task' if a.entity == 'activity' else a.entity}:{a.entity_id}" for a in expected
        ]
        for line, action in zip(_lines(queue), expected, strict=True):
            reason = action.reason
            if action.entity == "activity":  # the overdue task's reason says its due time
                assert reason.startswith("was due 5 days ago")
                reason = reason.replace("5 days ago", "2026-11-28 11:30 (5 days ago)")
            assert line == f"{action.rank}  {action.title}   {reason}"
        # The queue is what ``tinycrm next`` says: the rotting deal's line reads as in the issue.
        (rotting,) = [a for a in expected if (a.entity, a.entity_id) == ("deal", ids["rotting"])]
        assert rotting.reason == (
            "€18,500.00 at 75%, no activity for 10 days, Negotiation rots after 7"
        )
        # The task list below is unchanged: the overdue task, then the upcoming one.
        assert _lines(app.screen.query_one("#task-list", RowList)) == [
            "Overdue (1)",
            "☐ Call Grace back   Grace Hopper",
            "Upcoming (1)",
            "☐ Negotiate terms   Acme renewal",
        ]
        bar = str(app.screen.query_one(KeyBar).render())
        for words in ("Done", "Log activity", "Add task", "Next up/tasks"):
            assert words in bar


async def test_completing_a_task_from_the_queue_takes_it_off(tui_store, frozen_clock) -> None:
    ids = build(tui_store)
    assert ("activity", ids["task"]) in _entries(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0, clock=lambda: LATER)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "4", TasksScreen)
        await _highlight(pilot, f"task:{ids['task']}")
        await pilot.press("d")
        await settle(pilot)
        assert ids["task"] not in {t.id for t in list_tasks(tui_store, scope="open")}
        (done,) = list_tasks(tui_store, scope="done")
        assert done.id == ids["task"] and done.done_at is not None
        assert ("activity", ids["task"]) not in _entries(tui_store)
        keys = [row.key for row in _queue(app).rows]
        assert f"task:{ids['task']}" not in keys and len(keys) == 3


async def test_d_on_a_deal_in_the_queue_does_nothing(tui_store, frozen_clock) -> None:
    ids = build(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0, clock=lambda: LATER)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "4", TasksScreen)
        await _highlight(pilot, f"deal:{ids['bare']}")
        assert screen.check_action("complete", ()) is None  # dimmed in the key bar
        await pilot.press("d")
        await settle(pilot)
        assert len(list_tasks(tui_store, scope="open")) == 2


async def test_adding_a_task_gives_a_deal_its_next_step(tui_store, frozen_clock) -> None:
    ids = build(tui_store)
    assert _entries(tui_store)[("deal", ids["bare"])] == ["no_next_step"]
    app = make_app(Crm(tui_store), poll_interval=0, clock=lambda: LATER)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "4", TasksScreen)
        await _highlight(pilot, f"deal:{ids['bare']}")
        await _fill_in(
            pilot, "t", "Add task · Engines pilot", "Send proposal", due="2026-12-31 9:00"
        )
        (task,) = list_tasks(tui_store, deal=str(ids["bare"]))
        assert (task.subject, task.deal_id) == ("Send proposal", ids["bare"])
        assert ("deal", ids["bare"]) not in _entries(tui_store)
        assert f"deal:{ids['bare']}" not in [row.key for row in _queue(app).rows]
        assert "☐ Send proposal   Engines pilot" in _lines(screen.query_one("#task-list", RowList))


async def test_logging_an_activity_takes_a_rotting_deal_off(
    tui_store, frozen_clock, time_machine
) -> None:
    ids = build(tui_store)
    assert _entries(tui_store)[("deal", ids["rotting"])] == ["rotting"]
    # the store's clock to the board's day: the call logged below has happened by then
    time_machine.move_to((LATER - timedelta(hours=1)).timestamp(), tick=True)
    app = make_app(Crm(tui_store), poll_interval=0, clock=lambda: LATER)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "4", TasksScreen)
        await _highlight(pilot, f"deal:{ids['rotting']}")
        title = "Log activity · Acme renewal"
        await _fill_in(pilot, "l", title, "Agreed on terms", when="2026-12-03 09:00")
        (call,) = list_activities(tui_store, deal=str(ids["rotting"]), kinds=["call"])
        assert call.subject == "Agreed on terms"
        assert ("deal", ids["rotting"]) not in _entries(tui_store)
        assert f"deal:{ids['rotting']}" not in [row.key for row in _queue(app).rows]


async def test_enter_opens_the_record_and_tab_reaches_the_task_list(
    tui_store, frozen_clock
) -> None:
    ids = build(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0, clock=lambda: LATER)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "4", TasksScreen)
        for key, kind, record_id in (
            (f"contact:{ids['cadence']}", ContactScreen, ids["cadence"]),
            (f"deal:{ids['bare']}", DealScreen, ids["bare"]),
            (f"task:{ids['task']}", ContactScreen, ids["grace"]),  # the task's contact
        ):
            await _highlight(pilot, key)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, kind) and app.screen.record_id == record_id
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is screen
        await pilot.press("tab")
        tasks = screen.query_one("#task-list", RowList)
        assert app.focused is tasks and tasks.current_key == f"task:{ids['task']}"
        await pilot.press("space")
        await settle(pilot)
        assert [t.subject for t in list_tasks(tui_store, scope="open")] == ["Negotiate terms"]


async def test_queue_follows_writes_from_elsewhere(tui_store, frozen_clock) -> None:
    ids = build(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0, clock=lambda: LATER)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "4", TasksScreen)
        add_task(tui_store, text="Book a demo", due=NOW + timedelta(days=20), deal="Engines pilot")
        app.check_changes()  # what the poll does every second
        await settle(pilot)
        assert f"deal:{ids['bare']}" not in [row.key for row in _queue(app).rows]


async def test_a_reminder_beyond_the_loaded_upcoming_tasks_can_be_acted_on(
    tui_store, frozen_clock, monkeypatch
) -> None:
    """The queue names a task whose reminder is due but whose due date lies past the
    upcoming tasks the screen loads: the screen loads every open task, so the item's
    keys work on it like on any other."""
    import tinycrm.tui.screens.tasks as tasks_screen

    monkeypatch.setattr(tasks_screen, "UPCOMING_LIMIT", 1)
    build(tui_store)
    far = add_task(
        tui_store,
        text="Renewal talk",
        due=LATER + timedelta(days=60),
        remind=LATER - timedelta(hours=1),
        contact="grace@navy.mil",
    ).id
    upcoming = list_tasks(tui_store, scope="upcoming", now=LATER, limit=1)
    assert far not in {t.id for t in upcoming}  # not among what the screen loads first
    assert "reminder" in _entries(tui_store)[("activity", far)]
    app = make_app(Crm(tui_store), poll_interval=0, clock=lambda: LATER)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "4", TasksScreen)
        assert far in screen.tasks
        await _highlight(pilot, f"task:{far}")
        await pilot.press("d")
        await settle(pilot)
        assert far in {t.id for t in list_tasks(tui_store, scope="done")}
        assert f"task:{far}" not in [row.key for row in _queue(app).rows]


async def test_an_overdue_task_in_the_queue_says_its_due_time(tui_store, frozen_clock) -> None:
    """``tinycrm next`` says when an overdue task was due as "was due yesterday" or "was due
    2026-11-20": the tasks screen showed those and no time, where the task had one (14:30).
    Now its line says the time; the task list below says the date once ("2026-11-20 14:30",
    not "2026-11-20 14:30  2026-11-20"). Within the day ("3 h 15 min ago") the reason is as
    it was."""
    from datetime import datetime

    from tinycrm.dates import local_tz

    def at(day: int, hour: int, minute: int) -> datetime:  # Berlin, the suite's zone
        return datetime(2026, 12, day, hour, minute, tzinfo=local_tz())

    add_task(tui_store, text="Long late", due=at(3, 14, 30) - timedelta(days=13))
    add_task(tui_store, text="Late", due=at(2, 9, 0))
    add_task(tui_store, text="Just late", due=at(3, 8, 15))
    app = make_app(Crm(tui_store), poll_interval=0, clock=lambda: LATER)  # 3 Dec, 11:30
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "4", TasksScreen)
        lines = _lines(_queue(app))
        assert "1  Long late   was due 2026-11-20 14:30" in lines, lines
        assert "2  Late   was due 2026-12-02 09:00 (yesterday)" in lines, lines
        assert "3  Just late   was due 3 h 15 min ago" in lines, lines
        tasks = app.screen.query_one("#task-list", RowList)
        due = {
            row.lines[0][1][0]: "".join(t for t, _ in row.right) for row in tasks.rows if row.key
        }
        assert due == {
            "Long late": "2026-11-20 14:30",
            "Late": "2026-12-02 09:00  yesterday",
            "Just late": "2026-12-03 08:15  3 h 15 min ago",
        }


async def test_a_task_being_completed_is_named_by_its_subject(tui_store, frozen_clock) -> None:
    """A write that waited and was discarded on quitting (q twice) or cancelled behind a
    failed one was told as "not saved: complete task #7", an id the tasks screen never
    shows; now it is "complete task Call Grace back"."""
    ids = build(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0, clock=lambda: LATER)
    labels: list[str] = []
    run_write = app.run_write

    def spy(call, **kwargs):  # type: ignore[no-untyped-def]
        labels.append(kwargs["label"])
        run_write(call, **kwargs)

    app.run_write = spy  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "4", TasksScreen)
        await _highlight(pilot, f"task:{ids['task']}")
        await pilot.press("d")
        await settle(pilot)
    assert labels == ["complete task Call Grace back"]
