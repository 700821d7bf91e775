"""iCalendar (RFC 5545) export of open tasks, for ``tinycrm export tasks --format ics``.

Each open task with a due time becomes a 15-minute VEVENT at that time, carrying a DISPLAY
alarm at its reminder time (or at the due time), so calendar apps that import or subscribe
to the file show and ring it. The ``icalendar`` library writes the format (escaping, line
folding, UTC times); it is imported inside :func:`tasks_to_ics` to keep importing this
module cheap. A repeating task is one event with its ``RRULE`` (``FREQ=MONTHLY;
BYMONTHDAY=28,29,30,31;BYSETPOS=-1`` for "monthly on the 31st"), starting at its next due
time in the user's zone (``DTSTART;TZID=Europe/Berlin`` and a VTIMEZONE), so a calendar
expands it on the same local clock as ``tinycrm`` does, across daylight-saving changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from tinycrm import dates
from tinycrm.repeat import rrule_text

__all__ = ["EVENT_DURATION", "PRODID", "task_uid", "tasks_to_ics"]

PRODID = "-//tinycrm//tinycrm tasks//EN"
EVENT_DURATION = timedelta(minutes=15)


def _named(zone: tzinfo) -> bool:
    """Whether ``zone`` is an IANA zone a calendar can name in ``TZID`` (not a bare offset)."""
    return isinstance(zone, ZoneInfo) and zone.key not in (None, "UTC")


def task_uid(task_id: object) -> str:
    """The stable UID of a task's event, ``task-<id>@tinycrm``: calendars update by it."""
    return f"task-{task_id}@tinycrm"


def _utc(value: object, what: str) -> datetime | None:
    """``value`` converted to UTC; ValueError naming ``what`` unless an aware datetime or None."""
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime")
    return value.astimezone(UTC)


def _description(task: Any) -> str:
    """The task's body, then ``about: deal · contact · company`` for what is set."""
    parts = []
    body = (getattr(task, "body", None) or "").strip()
    if body:
        parts.append(body)
    about = [
        str(name).strip()
        for name in (
            getattr(task, "deal", None),
            getattr(task, "contact", None),
            getattr(task, "company", None),
        )
        if name is not None and str(name).strip()
    ]
    if about:
        parts.append("about: " + " · ".join(about))
    return "\n\n".join(parts)


def tasks_to_ics(
    tasks: Iterable[Any], *, now: datetime, calendar_name: str = "tinycrm tasks"
) -> bytes:
    """An iCalendar file (bytes, CRLF lines) with one event per open task that has a due time.

    Each task has ``id``, ``subject``, ``body``, ``due_at`` and ``remind_at`` (aware
    datetimes or None), ``done_at``, and ``contact``, ``company``, ``deal`` (names or None).
    Done tasks and tasks without a due time are left out. Each event has
    ``UID:task-<id>@tinycrm``, ``DTSTAMP`` = ``now``, ``DTSTART`` = the due time in UTC,
    ``DURATION:PT15M``, the subject as SUMMARY, the body and what the task is about as
    DESCRIPTION, ``TRANSP:TRANSPARENT`` (a task does not make you busy) and a DISPLAY
    alarm. The alarm's trigger is relative to the start (``-PT1H`` for a reminder an hour
    before the due time, ``PT0S`` without one): relative triggers are the form every
    calendar app honours. Events are sorted by due time then id, so the same tasks give
    the same bytes.
    """
    from icalendar import Alarm, Calendar, Event, vRecur, vText

    stamp = _utc(now, "now")
    assert stamp is not None
    rows: list[tuple[datetime, Any, datetime | None]] = []
    for task in tasks:
        if getattr(task, "done_at", None) is not None:
            continue
        due = _utc(task.due_at, f"task {task.id}: due_at")
        if due is None:
            continue
        remind = _utc(getattr(task, "remind_at", None), f"task {task.id}: remind_at")
        rows.append((due, task, remind))
    rows.sort(key=lambda row: (row[0], row[1].id))

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", vText(calendar_name))
    calendar.add("name", calendar_name)
    for due, task, remind in rows:
        summary = str(task.subject or "").strip() or f"task {task.id}"
        event = Event()
        event.add("uid", task_uid(task.id))
        event.add("dtstamp", stamp)
        rule = getattr(task, "repeat", None)
        if rule:  # a series: its rule on the local clock, as the store follows it
            zone = dates.local_tz()
            anchor = _utc(getattr(task, "repeat_anchor", None), f"task {task.id}: anchor")
            event.add("dtstart", due.astimezone(zone) if _named(zone) else due)
            event.add("rrule", vRecur.from_ical(rrule_text(rule, anchor=anchor or due, tz=zone)))
        else:
            event.add("dtstart", due)
        event.add("duration", EVENT_DURATION)
        event.add("summary", summary)
        description = _description(task)
        if description:
            event.add("description", description)
        event.add("transp", "TRANSPARENT")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", (remind - due) if remind is not None else timedelta(0))
        event.add_component(alarm)
        calendar.add_component(event)
    calendar.add_missing_timezones()  # a VTIMEZONE for each zone a series starts in
    ics: bytes = calendar.to_ical()
    return ics
