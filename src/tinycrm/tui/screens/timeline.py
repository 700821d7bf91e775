"""A record's timeline: its activities and the events about it, newest first."""

from __future__ import annotations

from datetime import UTC, datetime

from tinycrm.api.models import ActivityRead, EventRead
from tinycrm.tui import format as fmt
from tinycrm.tui.widgets.rows import Row

_UNREADABLE = datetime.min.replace(tzinfo=UTC)  # a time other SQL stored as none

STATUS_ROLES = {"open": "accent", "won": "success", "lost": "error"}


def event_text(event: EventRead, here: str, name: str) -> str:
    """An event's summary without its action (the row's label) and without the record
    shown (``here``, named ``name``): "moved deal Acme renewal: Lead-in → Qualified" is
    "Lead-in → Qualified" on that deal's timeline. A name the record no longer has stays."""
    summary = event.summary
    if summary.startswith(event.action + " "):  # "moved deal X: A → B" under "moved"
        summary = summary[len(event.action) + 1 :]
    own = f"{here} {name}"
    if event.entity == here and name and summary.startswith(own):
        rest = summary[len(own) :]
        if not rest or rest[0] in " :;,":
            summary = rest.lstrip(" :;,")
    return summary


def timeline_rows(
    items: list[ActivityRead],
    events: list[EventRead],
    now: datetime,
    here: str,
    name: str = "",
) -> tuple[list[Row], dict[str, tuple[str, int]]]:
    """Activities and events merged, newest first; with where each row leads.

    ``here`` is the kind of record the timeline belongs to, ``name`` its name: neither is
    repeated on each row.
    """
    entries: list[tuple[datetime, Row]] = []
    targets: dict[str, tuple[str, int]] = {}
    for item in items:
        # None: other SQL stored no time (its warning names it): last, shown as unreadable
        when = item.occurred_at or item.done_at or item.created_at or _UNREADABLE
        label = "task ✓" if item.kind == "task" and item.done_at else item.kind
        key = f"activity:{item.id}"
        links = {"deal": item.deal, "contact": item.contact, "company": item.company}
        about = " · ".join(name for kind, name in links.items() if name and kind != here)
        entries.append(
            (
                when,
                Row.of(
                    key,
                    (f"{label:<8}", "accent"),
                    (item.subject, "strong"),
                    (f"  {about}" if about else "", "muted"),
                    right=[
                        (fmt.relative(when, now) if when != _UNREADABLE else "unreadable", "muted")
                    ],
                ),
            )
        )
        for kind, value in (
            ("deal", item.deal_id),
            ("contact", item.contact_id),
            ("company", item.company_id),
        ):
            if value is not None:
                targets.setdefault(key, (kind, value))
    for event in events:
        key = f"event:{event.id}"
        summary = event_text(event, here, name)
        entries.append(
            (
                event.at or _UNREADABLE,
                Row.of(
                    key,
                    (f"{event.action:<8}", STATUS_ROLES.get(event.action, "muted")),
                    (summary, ""),
                    (f"  {event.actor}", "muted"),
                    right=[(fmt.relative(event.at, now) if event.at else "unreadable", "muted")],
                ),
            )
        )
    entries.sort(key=lambda pair: pair[0], reverse=True)
    return [row for _, row in entries], targets
