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

from tinycrm.safetext import quoted
from tinycrm.store.errors import Ambiguous, Invalid, NotFound
from tinycrm.store.validate import contains_pattern, integer, key

T = TypeVar("T")

MAX_CANDIDATES = 8

# The largest id each database's INTEGER primary key can hold (SQLite's is 64-bit,
# PostgreSQL's 32-bit): a larger number names no row, and binding it would raise
# OverflowError or NumericValueOutOfRange from the driver.
_MAX_ID = {"postgresql": 2**31 - 1}
_MAX_ID_DEFAULT = 2**63 - 1


def numeric_id(ref: str | int) -> int | None:
    """The id a REF spells (``42`` or ``#42``, ASCII digits only), else None."""
    if isinstance(ref, int):
        return ref
    digits = ref.strip().removeprefix("#")
    if digits.isascii() and digits.isdigit():
        return int(digits)
    return None


def get_by_id(session: Session, model: type[T], number: int) -> T | None:
    """The ``model`` row with id ``number``, or None: also for a number no id of this
    database can be (negative, or past its integer range), without asking the database.
    Not a whole number (a bool, None, text, a float): ``Invalid`` (``True`` is not id 1)."""
    number = integer(number, "id")
    if not can_be_id(session, number):
        return None
    return session.get(model, number)


def can_be_id(session: Session, number: int) -> bool:
    """Whether ``number`` can be an id in this database (positive, within its range)."""
    return 0 < number <= _MAX_ID.get(session.get_bind().dialect.name, _MAX_ID_DEFAULT)


def resolve(
    session: Session,
    model: type[T],
    ref: str | int,
    *,
    what: str,
    keys: Sequence[tuple[Any, Callable[[str], str | None]]],
    describe: Callable[[T], str],
    near: Any = None,
    spelt: Any = None,
) -> T:
    """Find the one ``model`` row that ``ref`` names, trying the id, then each key in turn.

    When nothing matches, rows whose ``near`` column (the name folded as
    ``validate.folded`` folds: a ``sort_key``, or ``validate.sql_folded`` of a column) holds
    the text are offered in the error ("did you mean …?"): names are matched whole, so
    "Zoë" names no one but points at Zoë O'Brien. ``spelt``: for a table of a few rows
    named by hand (segments, campaigns, pipelines), the column of names (``name_key``)
    whose nearest spellings are offered when none holds the text ("hto": "hot").
    """
    text = str(ref).strip()
    if not text:
        raise NotFound(f"no {what} given")
    number = numeric_id(text)
    if number is not None:
        row = get_by_id(session, model, number)
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
                f"{what} {quoted(text)} is ambiguous: {'; '.join(shown)}{more} (use the id)",
                candidates=shown,
            )
    suggested = _suggestions(session, model, text, near, describe) or _near_spellings(
        session, model, text, spelt, describe
    )
    raise NotFound(f"no {what} matches {quoted(text)}{did_you_mean(suggested)}", suggested)


SUGGESTED = 3


def _suggestions(
    session: Session, model: type[T], text: str, near: Any, describe: Callable[[T], str]
) -> list[str]:
    """Up to ``SUGGESTED`` rows whose ``near`` holds ``text``, in id order and described,
    and ``…`` after them when there are more; empty when none does (or the text cannot be
    looked for)."""
    if near is None or numeric_id(text) is not None:
        return []
    try:
        pattern = contains_pattern(text)
    except Invalid:
        return []
    id_column = model.id  # type: ignore[attr-defined]
    query = select(model).where(near.like(pattern, escape="\\")).order_by(id_column)
    rows = list(session.scalars(query.limit(SUGGESTED + 1)))
    shown = [describe(row) for row in rows[:SUGGESTED]]
    return [*shown, "…"] if len(rows) > SUGGESTED else shown


SPELT_ROWS = 1000
"""The most rows ``_near_spellings`` reads: its tables hold a few dozen."""


def _near_spellings(
    session: Session, model: type[T], text: str, spelt: Any, describe: Callable[[T], str]
) -> list[str]:
    """Up to ``SUGGESTED`` rows whose ``spelt`` is the nearest spelling of ``text`` (a
    typo: "hto" for "hot", "Sprnig launch"), best first, described."""
    import difflib

    if spelt is None or numeric_id(text) is not None:
        return []
    rows = list(session.scalars(select(model).order_by(model.id).limit(SPELT_ROWS)))  # type: ignore[attr-defined]
    by_key = {getattr(row, spelt.key): row for row in rows}
    near = difflib.get_close_matches(key(text), list(by_key), n=SUGGESTED, cutoff=0.6)
    return [describe(by_key[name]) for name in near]


def did_you_mean(suggestions: list[str]) -> str:
    """`` (did you mean A; B; …?)``, or nothing when there is nothing to suggest."""
    return f" (did you mean {'; '.join(suggestions)}?)" if suggestions else ""


def resolve_id(session: Session, model: type[T], ref: str | int, *, what: str) -> T:
    """The ``model`` row a REF names when only its id can (``12`` or ``#12``)."""
    number = numeric_id(ref)
    if number is None:
        raise NotFound(f"no {what} matches {quoted(str(ref).strip())} (use its id)")
    row = get_by_id(session, model, number)
    if row is None:
        raise NotFound(f"no {what} #{number}")
    return row


def lock_row(
    session: Session,
    row: T,
    what: str,
    label: str,
    *,
    share: bool = False,
    key: bool = False,
    edit: bool = False,
) -> T:
    """``row`` locked until the transaction ends and read afresh (PostgreSQL's ``SELECT …
    FOR UPDATE``, or ``FOR SHARE`` with ``share``; a SQLite write transaction holds the
    whole database already): two writers of one record take turns, the second seeing what
    the first committed. With ``key`` (``FOR KEY SHARE``) only its deletion waits: what a
    writer linking another record to it takes, so the link never points at a row deleted
    meanwhile (and two writers linking to it, or one editing it, do not wait). With
    ``edit`` (``FOR NO KEY UPDATE``) its deletion and other edits wait, writers linking
    to it do not: what an edit takes first, so it never writes a row deleted meanwhile.
    A change made to it in this transaction is written first, not read over; a row the
    writer it waited for deleted is ``NotFound`` (``what`` #id ``label``)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.exc import InvalidRequestError

        session.flush()
        rid = getattr(row, "id", None)
        mode: Any = True  # FOR UPDATE
        if key:
            mode = {"read": True, "key_share": True}  # FOR KEY SHARE
        elif edit:
            mode = {"key_share": True}  # FOR NO KEY UPDATE
        elif share:
            mode = {"read": True}  # FOR SHARE
        try:
            session.refresh(row, with_for_update=mode)
        except InvalidRequestError:  # deleted by the writer it waited for
            raise NotFound(f"{what} #{rid} {quoted(label)} was deleted just now") from None
    return row
