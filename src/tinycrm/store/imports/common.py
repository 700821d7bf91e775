"""What every kind of import shares: the summaries it returns, a validated row, helpers."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from tinycrm.store.models import (
    Activity,
    Company,
    Contact,
    Deal,
    ReadModel,
)

KINDS = ("contacts", "companies", "deals", "activities")
ENTITY = {"contacts": "contact", "companies": "company", "deals": "deal", "activities": "activity"}
DUPLICATE_POLICIES = ("skip", "update", "error")
CHUNK = 2000
_IN = 2000  # ids per IN (...) list

ImportRow = tuple[int, Mapping[str, str], Any]
"""(line number, values by field name, the raw record handed back to ``on_reject``)."""

RejectHandler = Callable[[int, str, Any], None]

_MODELS: dict[str, Any] = {
    "company": Company,
    "contact": Contact,
    "deal": Deal,
    "activity": Activity,
}


class EmailNotTaken(ReadModel):
    """A contact an import updated whose row gave another email, which it did not take
    (an update fills a missing email and never replaces one)."""

    contact_id: int
    name: str
    email: str  # the row's, not taken


class ImportSummary(ReadModel):
    """What an import did (or, on a dry run, would do)."""

    batch_id: int | None
    kind: str
    source: str
    created: int
    updated: int
    skipped: int
    rejected: int
    linked_created: dict[str, int]
    dry_run: bool
    emails_not_taken: tuple[EmailNotTaken, ...] = ()  # contacts only
    # companies named only on rows that did not take them (skipped, rejected, kept their own)
    companies_not_created: tuple[str, ...] = ()
    contacts_not_created: tuple[str, ...] = ()  # the same, named on deal or activity rows
    # activities only: rows of a mailbox email deleted from the CRM, skipped (as mail sync)
    mail_deleted: int = 0


class ImportBatchRead(ReadModel):
    id: int
    kind: str
    source: str
    at: datetime
    actor: str
    created: int
    updated: int
    skipped: int
    rejected: int
    undone_at: datetime | None


class UndoSummary(ReadModel):
    """What undoing an import did (or would do)."""

    batch_id: int
    kind: str
    source: str
    deleted: dict[str, int]
    restored: int
    conflicts: list[str]
    dry_run: bool


class _Rollback(Exception):
    def __init__(self, result: Any) -> None:
        self.result = result


# --------------------------------------------------------------------------- helpers


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _json(value: Any) -> str:
    return json.dumps(_jsonable(value), ensure_ascii=False)


def _text(values: Mapping[str, str], key: str) -> str:
    return (values.get(key) or "").strip()


@dataclass(slots=True)
class _Prepared:
    """One row, validated: its columns, tags, custom fields and the records it names."""

    line: int
    raw: Any
    columns: dict[str, Any]
    blanks: set[str] | frozenset[str] = frozenset()  # blank cells (made a set by blank())
    tags: Sequence[str] = ()
    fields: Mapping[str, str] = field(default_factory=dict)
    company: str | None = None
    company_domain: str | None = None
    contact: str | None = None
    deal: str | None = None
    about: str | None = None
    key: Any = None  # dedupe key
    why: str | None = None  # why it duplicates a record its key does not name (lookalikes)
    target: int | None = None  # id of the record it becomes or updates
    row: dict[str, Any] | None = None  # the new record's row, made ahead (contacts)
    blank_fields: tuple[str, ...] = ()  # custom fields whose cells were blank
    rejected: bool = False  # left out while merging (reported, not counted as skipped)
    mailbox: str | None = None  # its email's mailbox, once ``lookalikes.find`` has it
    replaces: frozenset[str] = frozenset()  # fields an update sets even without overwrite
    stale: tuple[str, ...] = ()  # stored fields an update removes (a replaced phone's type)

    def blank(self, column: str) -> None:
        """Note a blank cell (``--overwrite`` clears the field)."""
        if not isinstance(self.blanks, set):
            self.blanks = set(self.blanks)  # (a frozenset may be shared by many rows)
        self.blanks.add(column)


@dataclass
class _State:
    """A record being updated: its columns, tags and fields as they are now."""

    columns: dict[str, Any]
    tags: set[str]
    fields: dict[str, str]
    recorded: bool  # changes are recorded for undo (not for records this import created)
    pending: bool  # not inserted yet (created earlier in this chunk)
    changed: set[str] = field(default_factory=set)
