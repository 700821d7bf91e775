"""How each field of the filter language compares in SQL, per record kind.

The field kinds (text, a linked record's key, number, money, date, yes/no, a field of a
linked record), the record kinds a filter is on, and what compiling one filter needs
(``Ctx``); ``tinycrm.store.filter_fields`` holds ``FIELDS``, the table of what a filter
on each kind can name, made of them; ``tinycrm.store.filter_sql`` compiles a parsed
filter with both. Each
clause a field returns is true or false, never NULL.

Dates are days in the user's time zone. An absolute date (``2026-01-01``, ``today``,
``-7d``, ``eom``) compares as a day: ``created>=2026-01-01``. An age (``30d``, ``2w``,
``3m``, ``1y``) means "ago": it names the day that long before today, and the
comparison is on how long ago: ``last_contacted>30d`` is before that day (never
contacted counts as older than anything), ``created<7d`` after it.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy import column as sql_column
from sqlmodel import Session, col

from tinycrm import dates, filters, money
from tinycrm.filters import FilterError, Value
from tinycrm.store import validate
from tinycrm.store.errors import Invalid
from tinycrm.store.models import Activity, Company, Contact, Deal
from tinycrm.store.sums import held

KINDS = ("contact", "company", "deal", "case", "product", "quote")
QUOTE_OPEN = ("draft", "sent")  # until valid-until has passed: then expired
QUOTE_SHOWN = ("draft", "sent", "accepted", "declined", "expired")
SEGMENT_KINDS = ("contact", "company", "deal")  # what saved segments (--segment) work on
PLURALS = {
    "contact": "contacts",
    "company": "companies",
    "deal": "deals",
    "case": "cases",
    "product": "products",
    "quote": "quotes",
}


class _ByKind(dict[str, Any]):
    """A table by record kind whose sales and service kinds (cases, products, quotes) are
    filled in on first use: their tables are defined in ``sales_models`` and
    ``service_models``, which a command filtering contacts, companies or deals (the
    board) does not pay for."""

    def __init__(self, made: dict[str, Any], later: Callable[[str], Any]) -> None:
        super().__init__(made)
        self._later = later

    def __missing__(self, kind: str) -> Any:
        if kind not in KINDS:
            raise KeyError(kind)
        value = self[kind] = self._later(kind)
        return value

    def _whole(self) -> _ByKind:
        """Every kind, in ``KINDS`` order (for whatever reads the table as a whole)."""
        if dict.__len__(self) < len(KINDS):
            whole = {kind: self[kind] for kind in KINDS}
            self.clear()
            self.update(whole)
        return self

    def __iter__(self) -> Iterator[str]:
        return super(_ByKind, self._whole()).__iter__()

    def __len__(self) -> int:
        return len(KINDS)

    def __contains__(self, kind: object) -> bool:
        return kind in KINDS

    def get(self, kind: str, default: Any = None) -> Any:  # type: ignore[override]
        return self[kind] if kind in KINDS else default

    def keys(self) -> Any:
        return super(_ByKind, self._whole()).keys()

    def values(self) -> Any:
        return super(_ByKind, self._whole()).values()

    def items(self) -> Any:
        return super(_ByKind, self._whole()).items()


def _sales_or_service_model(kind: str) -> Any:
    if kind == "case":
        from tinycrm.store.service_models import SupportCase

        return SupportCase
    from tinycrm.store.sales_models import Product, Quote

    return {"product": Product, "quote": Quote}[kind]


MODELS: dict[str, Any] = _ByKind(
    {"contact": Contact, "company": Company, "deal": Deal}, _sales_or_service_model
)
MEMBER_STATUSES = ("targeted", "sent", "responded", "converted")

Clause = ColumnElement[bool]

_REVERSED = {"=": "=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}
_TRUE_WORDS = frozenset({"true", "yes", "y", "1", "on"})
_FALSE_WORDS = frozenset({"false", "no", "n", "0", "off"})
_INT_LIMIT = 2**62  # beyond this a comparison is decided without asking the database


class InvalidFilter(Invalid, FilterError):
    """A filter the store cannot use: the store's ``Invalid`` (the command line's one-line
    error and exit 1) and a ``FilterError`` with ``position``, at once."""


@dataclass(frozen=True)
class Ctx:
    """What compiling one filter needs: the kind, the text (for errors), today's date,
    and how ``segment:NAME`` is read: looked up in ``session``, only checked (``check``),
    or refused (neither)."""

    kind: str
    text: str
    today: date
    zone: tzinfo
    session: Session | None = None
    check: bool = False
    seen: frozenset[int] = frozenset()  # the segments being expanded (no loops)
    # conditions compiled so far, through every segment: one list shared by the nested
    # contexts (a segment naming another 150 times, that one another 150 times, …)
    conditions: list[int] = dataclass_field(default_factory=lambda: [0])
    # the segments looked up so far, by the name as written, with their parsed filters:
    # shared like ``conditions``, so a segment named 150 times is read and parsed once
    segments: dict[str, tuple[Any, Any]] = dataclass_field(default_factory=dict)
    # the record's own texts folded (``folded``), by column: the name standing for the
    # fold, the column, how many conditions use it; shared like ``conditions``
    folds: dict[str, list[Any]] = dataclass_field(default_factory=dict)

    def fail(self, offset: int, reason: str) -> InvalidFilter:
        return InvalidFilter(self.text, offset, reason)

    def folded(self, column: Any) -> Any:
        """``validate.sql_folded(column)`` for a column of the record the filter is on,
        folded once a row however many conditions look into it (``filter_sql.with_folds``
        computes it): 199 ``name~…`` folded each name 199 times, and the fold is a Python
        function on SQLite (10 s for 10,000 contacts), unaccent and translate on
        PostgreSQL (33 s)."""
        column = col(column)
        key = f"{column.table.name}.{column.name}"
        if key not in self.folds:
            self.folds[key] = [f"tinycrm_fold_{len(self.folds)}", column, 0]
        self.folds[key][2] += 1
        return sql_column(self.folds[key][0])

    def midnight(self, day: date) -> datetime:
        """The start of ``day`` in the user's zone, as UTC."""
        return dates.parse_when(day.isoformat(), tz=self.zone)


# --------------------------------------------------------------------------- field kinds


class Field:
    """How one field compares. ``positive`` handles every operator but ``!=``, which is
    always ``not =``; each clause it returns is true or false, never NULL."""

    ops: frozenset[str] = frozenset(filters.OPERATORS)
    what = "text"

    def positive(self, ctx: Ctx, name: str, op: str, value: Value) -> Clause:
        raise NotImplementedError


TEXT_OPS = frozenset({"=", "!=", "~"})
_ORDER_OPS = frozenset({"=", "!=", "<", ">", "<=", ">="})


def _expr(column: Any) -> Any:
    """A column, or an expression built when needed (a correlated subquery)."""
    return column() if isinstance(column, types.FunctionType) else column


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class _FullText(Field):
    """``text~"…"``: the record's text holds the words, from ``tinycrm search``'s index."""

    ops = frozenset({"~"})
    what = "full text"

    def positive(self, ctx: Ctx, name: str, op: str, value: Value) -> Clause:
        from tinycrm.store.search import text_clause

        try:
            return cast(Clause, text_clause(ctx.kind, MODELS[ctx.kind].id, value.text))
        except Invalid as exc:
            raise ctx.fail(value.offset, str(exc)) from None


@dataclass(frozen=True)
class _Text(Field):
    """Text, compared case-insensitively. ``fold``: "key" for casefolded key columns,
    "stored" for columns kept lowercase, "lower" to apply lower() in the database."""

    column: Any
    fold: str = "lower"
    choices: tuple[str, ...] | None = None
    nullable: bool = True
    ops = TEXT_OPS

    def positive(self, ctx: Ctx, name: str, op: str, value: Value) -> Clause:
        column = _expr(self.column)
        if op == "=" and not value.text.strip():
            return or_(column.is_(None), column == "") if self.nullable else false()
        text = " ".join(value.text.split())
        if self.fold == "key":
            if op == "~":  # folded as a list's --search folds: name~soren finds Søren
                folded = ctx.folded(column)
                return folded.like(validate.contains_pattern(text), escape="\\")
            return column == validate.key(text)
        if op == "=" and self.choices is not None:
            text = choice(ctx, name, value, self.choices)
        target: Any
        needle: Any
        pattern: Any
        if self.fold == "stored":
            target, needle, pattern = column, text.lower(), like_pattern(text.lower())
        else:  # both sides lowered by the database, so they fold alike on every backend
            target, needle = func.lower(column), func.lower(text)
            pattern = func.lower(like_pattern(text))
        clause = target.like(pattern, escape="\\") if op == "~" else target == needle
        return and_(column.is_not(None), clause) if self.nullable else clause


def email_key(text: str) -> str:
    """An address as the store compares it (``validate.email``: ``xn--`` domains in
    Unicode, ``mailto:`` dropped), or the text lowered when it is not one."""
    try:
        return validate.email(text) or text.strip().lower()
    except Invalid:
        return " ".join(text.split()).lower()


@dataclass(frozen=True)
class _Email(_Text):
    """A contact's email, by its key: ``email=jürgen@xn--mller-kva.de`` is
    jürgen@müller.de, as a REF is."""

    def positive(self, ctx: Ctx, name: str, op: str, value: Value) -> Clause:
        if op == "=" and value.text.strip():
            return and_(self.column.is_not(None), self.column == email_key(value.text))
        return super().positive(ctx, name, op, value)


@dataclass(frozen=True)
class _Domain(_Text):
    """A company's domain, as a domain is kept (``https://www.Acme.de/`` is acme.de):
    ``domain=müller.de`` is also ``xn--mller-kva.de``, either way round (both spellings
    name one company)."""

    def positive(self, ctx: Ctx, name: str, op: str, value: Value) -> Clause:
        forms = validate.domain_forms(value.text) if op == "=" else ()
        if forms:  # as stored: https://www.Acme.de/ is acme.de
            return or_(*(super(_Domain, self).positive(ctx, name, op, Value(f, 0)) for f in forms))
        return super().positive(ctx, name, op, value)


@dataclass(frozen=True)
class _QuoteStatus(Field):
    """A quote's status as ``quote list`` shows it: a draft or sent quote whose valid-until
    day has passed (before the filter's today) is ``expired``."""

    ops = TEXT_OPS

    def positive(self, ctx: Ctx, name: str, op: str, value: Value) -> Clause:
        from tinycrm.store.sales_models import Quote

        lapsed = and_(col(Quote.status).in_(QUOTE_OPEN), col(Quote.valid_until) < ctx.today)
        shown = case((lapsed, literal("expired")), else_=col(Quote.status))
        field = _Text(shown, fold="stored", choices=QUOTE_SHOWN, nullable=False)
        return field.positive(ctx, name, op, value)


def choice(ctx: Ctx, name: str, value: Value, choices: tuple[str, ...]) -> str:
    clean = " ".join(value.text.split()).lower().replace("_", "-").replace(" ", "-")
    if clean not in choices:
        meant = validate.nearest(clean, choices)  # status=wonn: 'won'
        raise ctx.fail(
            value.offset, f"{name} is one of {', '.join(choices)}, not {value.text!r}{meant}"
        )
    return clean


@dataclass(frozen=True)
class _Ref(Field):
    """A record named by one of several keys: a company by name or domain, a contact
    by name or email, a stage or a pipeline by name. ``~`` looks in the first (the name).

    ``=`` and ``!=`` name a record (``what``): with a session, one that does not exist
    is refused (a typo, as ``--company`` or ``--stage`` says), not an empty list."""

    keys: tuple[tuple[Any, Callable[[str], str | None]], ...]
    what_named: str = "record"
    ops = TEXT_OPS

    def positive(self, ctx: Ctx, name: str, op: str, value: Value) -> Clause:
        column, _normalise = self.keys[0]
        if op == "~":  # folded as a list's --search folds
            pattern = validate.contains_pattern(value.text)
            return validate.sql_folded(column).like(pattern, escape="\\")
        clause = or_(
            *(
                column == key
                for column, normalise in self.keys
                if (key := normalise(value.text)) is not None
            )
        )
        if value.text.strip():
            must_exist(ctx, value, self.what_named, column, clause)
        return clause


def must_exist(ctx: Ctx, value: Value, what: str, column: Any, clause: Clause) -> None:
    """Refuse ``value`` when no row has ``clause`` (``column`` is one of that table's):
    ``no campaign matches 'nope'``. Only with a session (checking what is typed, or a
    score rule compiled before its run, looks nothing up)."""
    if ctx.session is None:
        return
    if ctx.session.execute(select(column).where(clause).limit(1)).first() is None:
        raise ctx.fail(value.offset, f"no {what} matches {value.text!r}")


@dataclass(frozen=True)
class _Number(Field):
    """An integer column or expression; ``percent`` accepts ``50%``."""

    column: Any
    nullable: bool = True
    percent: bool = False
    ops = _ORDER_OPS
    what = "number"

    def positive(self, ctx: Ctx, name: str, op: str, value: Value) -> Clause:
        column = _expr(self.column)
        if op == "=" and not value.text.strip():
            return column.is_(None) if self.nullable else false()
        text = value.text.strip()
        if self.percent:
            text = text.removesuffix("%")
        number = filters.parse_number(text)
        if number is None:
            raise ctx.fail(value.offset, f"{name} is a number, not {value.text!r}")
        clause = int_compare(column, op, number)
        return and_(column.is_not(None), clause) if self.nullable else clause


def int_compare(column: Any, op: str, number: Decimal) -> Clause:
    """``column op number`` for an integer column, exact for any ``number``."""
    if number > _INT_LIMIT or number < -_INT_LIMIT:
        if op == "=":  # the number is beyond every stored value: equal to none,
            return false()
        above = number > 0  # above or below every one
        return true() if (op in ("<", "<=")) == above else false()
    if number == number.to_integral_value():
        n = int(number)
        return {
            "=": column == n,
            "<": column < n,
            ">": column > n,
            "<=": column <= n,
            ">=": column >= n,
        }[op]
    if op == "=":
        return false()
    if op in (">", ">="):
        return column >= math.ceil(number)
    return column <= math.floor(number)


@dataclass(frozen=True)
class _Money(Field):
    """An amount in its own currency's major units (minor units are stored): a deal's
    amount by default, or ``minor`` in ``currency`` (a product's price, a quote's total)."""

    minor: Any = None
    currency: Any = None
    ops = _ORDER_OPS
    what = "amount"

    def positive(self, ctx: Ctx, name: str, op: str, value: Value) -> Clause:
        minor = Deal.amount_minor if self.minor is None else self.minor
        currency = Deal.currency if self.currency is None else self.currency
        if op == "=" and not value.text.strip():  # none, or none a whole number (other SQL)
            return not_(held(minor))
        by_exponent: dict[int, list[str]] = {}
        for code, exponent in money.CURRENCY_EXPONENTS.items():
            by_exponent.setdefault(exponent, []).append(code)
        common = max(by_exponent, key=lambda e: len(by_exponent[e]))
        others = [code for e, codes in by_exponent.items() if e != common for code in codes]
        parts = []
        for exponent, codes in sorted(by_exponent.items()):
            # read as an amount of these currencies is read (``1.234``: 1,234 euros,
            # but one dinar and 234 fils, as ``--price 1.234 --currency KWD``)
            try:
                amount = money.parse_money(value.text, currency=codes[0])[0]
            except (ValueError, TypeError) as exc:
                if isinstance(exc, money.AmbiguousAmount):  # 1,000: say how to write it,
                    try:  # in no one currency (1.005 is a dinar amount, finer than a euro)
                        money.parse_money(value.text)
                    except ValueError as plain:
                        exc = plain
                    raise ctx.fail(value.offset, str(exc)) from None
                raise ctx.fail(value.offset, f"{name} is an amount, not {value.text!r}") from None
            digits = amount.as_tuple()  # in minor units, exactly (scaleb() keeps 28 digits)
            scaled = Decimal((digits.sign, digits.digits, int(digits.exponent) + exponent))
            which = col(currency).not_in(others) if exponent == common else col(currency).in_(codes)
            parts.append(and_(which, int_compare(minor, op, scaled)))
        # held: a price other SQL stored as 1e20 or text is none, as the list shows it
        return and_(held(minor), or_(*parts))


@dataclass(frozen=True)
class _When(Field):
    """A UTC timestamp (``date_only``: a calendar date), compared by the user's days: an
    absolute date as that day, an age (30d) as how long ago."""

    column: Any
    date_only: bool = False
    ops = _ORDER_OPS
    what = "date"

    def positive(self, ctx: Ctx, name: str, op: str, value: Value) -> Clause:
        if op == "=" and not value.text.strip():
            return self._empty()
        if filters.parse_age(value.text) is not None:
            day = days_ago(ctx, value)
            op = _REVERSED[op]
        else:
            try:
                day = dates.parse_date(value.text, today=ctx.today, tz=ctx.zone)
            except ValueError as err:
                why = f" ({err.why})" if isinstance(err, dates.NoSuchDay) else ""
                raise ctx.fail(
                    value.offset,
                    f"{name} is a date (2026-01-01, today, -7d) or an age (30d, 2w, 3m, 1y), "
                    f"not {value.text!r}{why}",
                ) from None
        try:
            start: date | datetime
            end: date | datetime
            if self.date_only:
                start, end = day, day + timedelta(days=1)
            else:
                start, end = ctx.midnight(day), ctx.midnight(day + timedelta(days=1))
        except (ValueError, OverflowError):
            raise ctx.fail(value.offset, f"date {value.text!r} is out of range") from None
        return self._compare(op, start, end)

    def _empty(self) -> Clause:
        return self.column.is_(None)

    def _compare(self, op: str, start: Any, end: Any) -> Clause:
        """The value is on the day [start, end), before it, after it, …"""
        column = self.column
        clause = {
            "=": and_(column >= start, column < end),
            "<": column < start,
            "<=": column < end,
            ">": column >= end,
            ">=": column >= start,
        }[op]
        return and_(column.is_not(None), clause)


@dataclass(frozen=True)
class _LastContacted(_When):
    """A contact's latest logged activity or completed task. Never contacted is older
    than any date. Asked as "is there an activity since …", which an index answers."""

    column: Any = None

    def _empty(self) -> Clause:
        return not_(self._since(None))

    def _compare(self, op: str, start: Any, end: Any) -> Clause:
        return {
            "=": and_(self._since(start), not_(self._since(end))),
            "<": not_(self._since(start)),
            "<=": not_(self._since(end)),
            ">": self._since(end),
            ">=": self._since(start),
        }[op]

    @staticmethod
    def _since(when: datetime | None) -> Clause:
        rows = select(col(Activity.contact_id)).where(
            col(Activity.contact_id).is_not(None), col(Activity.occurred_at).is_not(None)
        )
        if when is not None:
            rows = rows.where(col(Activity.occurred_at) >= when)
        return col(Contact.id).in_(rows.correlate(None))


def days_ago(ctx: Ctx, value: Value) -> date:
    """The day an age (30d, 2w, 3m, 1y) before today names."""
    age = filters.parse_age(value.text)
    assert age is not None
    n, unit = age
    try:
        return dates.parse_date(f"-{n}{unit}", today=ctx.today, tz=ctx.zone)
    except ValueError:
        raise ctx.fail(value.offset, f"age {value.text!r} is out of range") from None


@dataclass(frozen=True)
class Bool(Field):
    """A yes/no column: a bare flag (``unsubscribed``) or ``unsubscribed=false``."""

    column: Any
    ops = frozenset({"=", "!="})
    what = "yes/no"

    def positive(self, ctx: Ctx, name: str, op: str, value: Value) -> Clause:
        word = value.text.strip().lower()
        if word in _TRUE_WORDS:
            return self.column.is_(True)
        if word in _FALSE_WORDS:
            return not_(self.column.is_(True))
        raise ctx.fail(value.offset, f"{name} is true or false, not {value.text!r}")


@dataclass(frozen=True)
class _Via(Field):
    """A field of a linked record: a contact's company's city, a deal's stage."""

    link: Any  # the foreign key column
    target: Any  # the linked table's id column
    field: Field

    @property
    def ops(self) -> frozenset[str]:  # type: ignore[override]
        return self.field.ops

    @property
    def what(self) -> str:  # type: ignore[override]
        return self.field.what

    def positive(self, ctx: Ctx, name: str, op: str, value: Value) -> Clause:
        inner = self.field.positive(ctx, name, op, value)
        linked = and_(
            self.link.is_not(None), self.link.in_(select(self.target).where(inner).correlate(None))
        )
        if op == "=" and not value.text.strip():  # company="": no company, or an empty one
            return or_(self.link.is_(None), linked)
        return linked
