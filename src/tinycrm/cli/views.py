"""Renderings shared by the ``show`` commands and lists: deals, tasks, timelines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tinycrm.cli import output as out
from tinycrm.cli.output import KEEP, Column, col


def _money(row: dict[str, Any]) -> str:
    from tinycrm import money

    if "amount" in (row.get("unreadable") or ()):
        return out.UNREADABLE
    return money.format_money(row.get("amount"), row.get("currency"))


def _when(key: str) -> Any:
    def get(row: dict[str, Any]) -> str:
        from tinycrm import dates

        if key in (row.get("unreadable") or ()):
            return out.UNREADABLE
        value = row.get(key)
        return dates.humanize(value) if value else ""

    return get


def _about(row: dict[str, Any]) -> str:
    parts = [row.get("deal"), row.get("contact"), row.get("company")]
    return " · ".join(p for p in parts if p)


CONTACT_COLUMNS = [
    col("id", "id", justify="right", style="dim", no_wrap=True, keep=KEEP),
    col("name", "name", style="bold", keep=KEEP),
    col("email", "email", no_wrap=True),
    col("phone", "phone", no_wrap=True, whole=True),
    col("title", "title"),
    col("company", "company", keep=3),
    col("lifecycle", "lifecycle", style="cyan", no_wrap=True, keep=2),
    col("lead", "lead_status", style="yellow", no_wrap=True),
    col("tags", "tags", style="magenta"),
]

DEAL_COLUMNS = [
    col("id", "id", justify="right", style="dim", no_wrap=True, keep=KEEP),
    col("title", "title", style="bold", keep=KEEP),
    col("stage", "stage", no_wrap=True, keep=2),
    col("status", "status", no_wrap=True),
    Column("amount", _money, justify="right", no_wrap=True, keep=4),
    Column("prob", lambda r: f"{r['probability']}%", justify="right", no_wrap=True),
    col("close", "close_date", no_wrap=True, whole=True, keep=3),
    Column("with", lambda r: r.get("company") or r.get("contact") or "", keep=2),
    col("owner", "owner", style="dim"),
    col("tags", "tags", style="magenta"),
]

TASK_COLUMNS = [
    col("id", "id", justify="right", style="dim", no_wrap=True, keep=KEEP),
    Column("due", _when("due_at"), no_wrap=True, whole=True, keep=3),
    col("task", "subject", style="bold", keep=KEEP),
    Column("about", _about, keep=2),
    Column("done", _when("done_at"), style="green", whole=True),
]

ACTIVITY_COLUMNS = [
    col("id", "id", justify="right", style="dim", no_wrap=True, keep=KEEP),
    Column("when", lambda r: out_when(r), whole=True, keep=2),
    col("kind", "kind", style="cyan", keep=2),
    col("subject", "subject", keep=KEEP),
    Column("about", _about),
]

EVENT_COLUMNS = [
    Column("when", _when("at"), no_wrap=True, whole=True, keep=KEEP),
    col("who", "actor", style="dim"),
    col("action", "action", style="cyan", keep=2),
    col("what", "summary", keep=KEEP),
]


def contract_value(row: dict[str, Any]) -> str:
    from tinycrm import money

    return money.format_money(row.get("value"), row.get("currency"))


def _contract_with(row: dict[str, Any]) -> str:
    return row.get("company") or row.get("contact") or ""


CONTRACT_COLUMNS = [
    col("id", "id", justify="right", style="dim", no_wrap=True),
    col("contract", "title", style="bold"),
    col("status", "status", no_wrap=True, keep=2),
    Column("value", contract_value, justify="right", no_wrap=True, keep=3),
    col("start", "start_date", no_wrap=True, whole=True),
    col("end", "end_date", no_wrap=True, whole=True, keep=3),
    Column("renews", lambda r: "auto" if r.get("auto_renew") else "", no_wrap=True),
    col("notice by", "notice_deadline", no_wrap=True, whole=True, keep=2),
    Column("with", _contract_with),
]


def _due(row: dict[str, Any]) -> str:
    from tinycrm import dates

    if row.get("status") not in ("new", "open", "pending"):
        return ""
    if row.get("first_response_at") and row.get("resolution_paused"):
        from tinycrm.business_hours import format_hours

        left = row.get("resolution_left_hours")
        return f"paused, {format_hours(left)} left" if left is not None else "paused"
    due = (
        row.get("resolution_due_at") if row.get("first_response_at") else row.get("response_due_at")
    )
    return dates.humanize(due) if due else ""


def _breached(row: dict[str, Any]) -> str:
    return "breached" if row.get("breached") else ""


CASE_COLUMNS = [
    col("id", "id", justify="right", style="dim", no_wrap=True, keep=KEEP),
    col("case", "subject", style="bold", keep=KEEP),
    col("priority", "priority", no_wrap=True, keep=2),
    col("status", "status", no_wrap=True, keep=3),
    Column("next due", _due, no_wrap=True, whole=True, keep=3),
    Column("SLA", _breached, style="red", no_wrap=True, whole=True, keep=2),
    Column("with", lambda r: r.get("company") or r.get("contact") or ""),
    col("owner", "owner", style="dim"),
]


def out_when(row: dict[str, Any]) -> str:
    from tinycrm import dates

    if "occurred_at" in (row.get("unreadable") or ()):
        return out.UNREADABLE
    value = row.get("occurred_at") or row.get("done_at") or row.get("created_at")
    return dates.humanize(value) if value else ""


def related(
    contacts: Sequence[Any] = (),
    deals: Sequence[Any] = (),
    open_tasks: Sequence[Any] = (),
    activities: Sequence[Any] = (),
    events: Sequence[Any] = (),
    contracts: Sequence[Any] = (),
    cases: Sequence[Any] = (),
    line_items: Sequence[Any] = (),
    quotes: Sequence[Any] = (),
) -> None:
    """The sections under a record in ``show``: only those with something in them."""
    from tinycrm.cli.products import LINE_ITEM_COLUMNS
    from tinycrm.cli.quotes import COLUMNS as QUOTE_COLUMNS

    console = out.stdout_console()
    for title, rows, all_columns in (
        ("Contacts", contacts, CONTACT_COLUMNS),
        ("Deals", deals, DEAL_COLUMNS),
        ("Line items", line_items, LINE_ITEM_COLUMNS),
        ("Quotes", quotes, QUOTE_COLUMNS),
        ("Contracts", contracts, CONTRACT_COLUMNS),
        ("Open cases", cases, CASE_COLUMNS),
        ("Open tasks", open_tasks, TASK_COLUMNS),
        ("Latest activities", activities, ACTIVITY_COLUMNS),
        ("Events", events, EVENT_COLUMNS),
    ):
        if rows:
            columns = [_between_words(c) for c in all_columns]
            console.print()
            out.print_table(
                [out.to_plain(r) for r in rows], columns, title=f"{title} ({len(rows)})"
            )


NAMES = ("name", "about", "with", "company", "customer", "contact", "deal")
"""A show view's columns that name other records: cut between words, not inside a name."""


def _between_words(column: Column) -> Column:
    """A show view's column as a narrow terminal shows it: the names of other records
    cut between words, an event's summary (names, amounts, dates) on up to two lines and
    cut between words; subjects and titles as in a list."""
    from dataclasses import replace

    if column is EVENT_COLUMNS[-1]:
        return replace(column, words=True, lines=2)
    if column.header in NAMES:
        return replace(column, words=True)
    return column
