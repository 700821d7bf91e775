"""tinycrm.calendar: open tasks as an iCalendar file, read back with icalendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tinycrm.formats.ics import tasks_to_ics

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


@dataclass
class Task:
    id: int
    subject: str
    body: str | None = None
    due_at: datetime | None = None
    remind_at: datetime | None = None
    done_at: datetime | None = None
    contact: str | None = None
    company: str | None = None
    deal: str | None = None
    repeat: str | None = None
    repeat_anchor: datetime | None = None


def events(ics: bytes) -> dict[str, Any]:
    """The VEVENTs of an exported file, by UID."""
    calendar = Calendar.from_ical(ics)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_one_event_per_open_task_with_a_due_time() -> None:
    due = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    tasks = [
        Task(1, "Call Anna", due_at=due),
        Task(2, "Done already", due_at=due, done_at=NOW),
        Task(3, "Someday", due_at=None),
        Task(4, "Send offer", due_at=due + timedelta(days=1)),
    ]
    found = events(tasks_to_ics(tasks, now=NOW))
    assert sorted(found) == ["task-1@tinycrm", "task-4@tinycrm"]


def test_times_are_utc_with_15_minutes_and_a_stamp() -> None:
    due_local = datetime(2026, 3, 30, 9, 0, tzinfo=BERLIN)  # after the DST change: UTC+2
    ics = tasks_to_ics([Task(7, "Demo", due_at=due_local)], now=NOW)
    event = events(ics)["task-7@tinycrm"]
    start = event.decoded("DTSTART")
    assert start == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert start.utcoffset() == timedelta(0)
    assert event.decoded("DURATION") == timedelta(minutes=15)
    assert event.decoded("DTSTAMP") == NOW
    assert b"DTSTART:20260330T070000Z\r\n" in ics
    assert b"DTSTAMP:20260301T093000Z\r\n" in ics
    assert b"TZID" not in ics


def test_alarm_at_the_reminder_time_or_else_at_the_due_time() -> None:
    due = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    remind = datetime(2026, 3, 2, 12, 30, tzinfo=timezone(timedelta(hours=-1)))  # 13:30 UTC
    tasks = [Task(1, "With reminder", due_at=due, remind_at=remind), Task(2, "Plain", due_at=due)]
    found = events(tasks_to_ics(tasks, now=NOW))

    for uid, expected in (("task-1@tinycrm", remind), ("task-2@tinycrm", due)):
        event = found[uid]
        (alarm,) = event.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert str(alarm["DESCRIPTION"]) == str(event["SUMMARY"])
        trigger = alarm.decoded("TRIGGER")
        assert isinstance(trigger, timedelta)  # relative to DTSTART
        assert event.decoded("DTSTART") + trigger == expected


def test_escaping_of_text_in_summary_description_and_name() -> None:
    subject = "Call Müller, re: offer; €1.000\nthen 日本 follow-up"
    body = "Agenda:\n- price, terms; dates\n- back\\slash"
    task = Task(
        5,
        subject,
        body=body,
        due_at=datetime(2026, 3, 2, 14, 0, tzinfo=UTC),
        deal="Acme renewal",
        contact="Jürgen Weiß",
        company="Acme, Inc.",
    )
    ics = tasks_to_ics([task], now=NOW, calendar_name="Work; CRM, tasks")
    assert b"SUMMARY:Call M\xc3\xbcller\\, re: offer\\; \xe2\x82\xac1.000\\nthen" in ics
    # Folded lines stay within 75 octets and never split a UTF-8 character.
    for line in ics.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")

    calendar = Calendar.from_ical(ics)
    event = calendar.walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == subject
    assert str(event["DESCRIPTION"]) == (
        body + "\n\nabout: Acme renewal · Jürgen Weiß · Acme, Inc."
    )
    assert b"X-WR-CALNAME:Work\\; CRM\\, tasks\r\n" in ics
    assert str(calendar["NAME"]) == "Work; CRM, tasks"


def test_description_names_only_what_is_set() -> None:
    due = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    tasks = [
        Task(1, "Only a contact", due_at=due, contact="Anna"),
        Task(2, "Nothing at all", due_at=due),
        Task(3, "Body only", body="bring the contract", due_at=due),
    ]
    found = events(tasks_to_ics(tasks, now=NOW))
    assert str(found["task-1@tinycrm"]["DESCRIPTION"]) == "about: Anna"
    assert "DESCRIPTION" not in found["task-2@tinycrm"]
    assert str(found["task-3@tinycrm"]["DESCRIPTION"]) == "bring the contract"


def test_output_is_stable_and_ordered_by_due_time() -> None:
    due = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    tasks = [
        Task(3, "Third", due_at=due + timedelta(hours=1)),
        Task(2, "Second", due_at=due),
        Task(1, "First", due_at=due),
    ]
    first = tasks_to_ics(tasks, now=NOW)
    assert first == tasks_to_ics(list(reversed(tasks)), now=NOW)
    uids = [str(e["UID"]) for e in Calendar.from_ical(first).walk("VEVENT")]
    assert uids == ["task-1@tinycrm", "task-2@tinycrm", "task-3@tinycrm"]
    calendar = Calendar.from_ical(first)
    assert str(calendar["X-WR-CALNAME"]) == "tinycrm tasks"
    assert str(calendar["VERSION"]) == "2.0"
    assert first.startswith(b"BEGIN:VCALENDAR\r\n") and first.endswith(b"END:VCALENDAR\r\n")


def test_empty_export_is_a_valid_calendar() -> None:
    calendar = Calendar.from_ical(tasks_to_ics([], now=NOW))
    assert calendar.walk("VEVENT") == []
    assert str(calendar["PRODID"])


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="task 9: due_at must be a timezone-aware datetime"):
        tasks_to_ics([Task(9, "Naive", due_at=datetime(2026, 3, 2, 14, 0))], now=NOW)
    with pytest.raises(ValueError, match=r"^now must be a timezone-aware datetime$"):
        tasks_to_ics([], now=datetime(2026, 3, 1))


def _expand(event: Any, count: int) -> list[str]:
    """The first ``count`` occurrences of a recurring event, as a calendar app computes
    them (dateutil, on the wall clock of DTSTART's zone), as local ``MM-DD HH:MM``."""
    from dateutil.rrule import rrulestr

    start = event.decoded("DTSTART")
    zone = start.tzinfo
    rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=start.replace(tzinfo=None))
    return [d.replace(tzinfo=zone).astimezone(BERLIN).strftime("%m-%d %H:%M") for d in rule[:count]]


def test_a_repeating_task_carries_its_rule_on_the_local_clock(monkeypatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    anchor = datetime(2027, 1, 31, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
    feb = datetime(2027, 2, 28, 8, 0, tzinfo=UTC)
    daily = datetime(2027, 3, 26, 1, 30, tzinfo=UTC)  # 02:30 in Berlin
    ics = tasks_to_ics(
        [
            Task(1, "Invoices", due_at=feb, repeat="1m", repeat_anchor=anchor),
            Task(2, "Backups", due_at=daily, repeat="1d", repeat_anchor=daily),
            Task(3, "Once", due_at=daily),
        ],
        now=NOW,
    )
    found = events(ics)
    monthly, each_day, once = (found[f"task-{n}@tinycrm"] for n in (1, 2, 3))
    assert monthly["RRULE"].to_ical() == b"FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1"
    assert b"DTSTART;TZID=Europe/Berlin:20270228T090000" in ics
    assert b"BEGIN:VTIMEZONE" in ics and b"TZID:Europe/Berlin" in ics
    assert _expand(monthly, 3) == ["02-28 09:00", "03-31 09:00", "04-30 09:00"]
    days = _expand(each_day, 5)  # 03-28 02:30 does not exist: apps differ on where it goes
    assert days[:2] + days[3:] == ["03-26 02:30", "03-27 02:30", "03-29 02:30", "03-30 02:30"]
    assert "RRULE" not in once
    assert once.decoded("DTSTART") == daily  # a single event stays in UTC, as before
