"""Turning a REF a user typed into one record.

A REF is a numeric id or a unique natural key (a contact's email or exact name,
a company's name or domain, a deal's title). An ambiguous REF is an error that
lists the candidates; a missing one says what was looked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlmodel import Session

from tinycrm.store.errors import Ambiguous, NotFound

T = TypeVar("T")

MAX_CANDIDATES = 8


def resolve(
    session: Session,
    model: type[T],
    ref: str | int,
    *,
    what: str,
    keys: Sequence[tuple[Any, Callable[[str], str | None]]],
    describe: Callable[[T], str],
) -> T:
    """Find the one ``model`` row that ``ref`` names, trying the id, then each key in turn."""
    text = str(ref).strip()
    if not text:
        raise NotFound(f"no {what} given")
    digits = text.removeprefix("#")
    if digits.isdigit():
        row = session.get(model, int(digits))
        if row is not None:
            return row
    for column, normalise in keys:
        try:
            value = normalise(text)
        except Exception:  # a REF that is not a valid email is simply not an email
            continue
        if value is None:
            continue
        rows = list(session.scalars(select(model).where(column == value).limit(MAX_CANDIDATES + 1)))
        if len(rows) == 1:
            return rows[0]
        if len(rows) > 1:
            shown = [describe(r) for r in rows[:MAX_CANDIDATES]]
            more = " …" if len(rows) > MAX_CANDIDATES else ""
            raise Ambiguous(
                f"{what} {text!r} is ambiguous: {'; '.join(shown)}{more} (use the id)",
                candidates=shown,
            )
    raise NotFound(f"no {what} matches {text!r}")
