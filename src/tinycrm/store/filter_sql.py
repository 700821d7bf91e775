"""The filter language compiled to SQL: ``--where``, ``segment=``, the board's ``/``, score rules.

``compile_filter("contact", "lifecycle=lead and score>=10")`` parses the text
(``tinycrm.filters``) and builds a SQLAlchemy clause over that kind's table, with
every value a bound parameter. List functions (and ``tinycrm export``) take
``where=`` and ``segment=`` and call :func:`resolve_where`.

Every condition compiles to a clause that is true or false, never NULL, so
``not X`` is exactly the records ``X`` does not match and ``a != b`` is ``not a = b``
(a contact without a company is among ``city != Berlin``).

Dates are days in the user's time zone. An absolute date (``2026-01-01``, ``today``,
``-7d``, ``eom``) compares as a day: ``created>=2026-01-01``. An age (``30d``, ``2w``,
``3m``, ``1y``) means "ago": it names the day that long before today, and the
comparison is on how long ago: ``last_contacted>30d`` is before that day (never
contacted counts as older than anything), ``created<7d`` after it.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, not_, or_, select, true
from sqlmodel import Session, col

from tinycrm import dates, filters, money
from tinycrm.filters import FilterError, Node, Value
from tinycrm.store import validate
from tinycrm.store.engine import Store
from tinycrm.store.errors import Invalid
from tinycrm.store.models import (
    Activity,
    Campaign,
    CampaignMember,
    Company,
    Contact,
    Deal,
    FieldValue,
    Pipeline,
    Segment,
    Stage,
    Tag,
)
from tinycrm.store.refs import resolve
from tinycrm.store.types import utcnow
from tinycrm.vocab import ACTIVITY_KINDS, DEAL_STATUSES, LEAD_STATUSES, LIFECYCLES, ROLES

KINDS = ("contact", "company", "deal")
PLURALS = {"contact": "contacts", "company": "companies", "deal": "deals"}
MODELS: dict[str, Any] = {"contact": Contact, "company": Company, "deal": Deal}
MEMBER_STATUSES = ("targeted", "sent", "responded", "converted")

Clause = ColumnElement[bool]

_REVERSED = {"=": "=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}
_TRUE_WORDS = frozenset({"true", "yes", "y", "1", "on"})
_FALSE_WORDS = frozenset({"false", "no", "n", "0", "off"})
_INT_LIMIT = 2**62  # beyond this a comparison is decided without asking the database


class InvalidFilter(Invalid, FilterError):
    """A filter the store cannot use: the store's ``Invalid`` (the command line's one-line
    error and exit 1) and a ``FilterError`` with ``position``, at once."""


# --------------------------------------------------------------------------- compiling


@dataclass(frozen=True)
class _Ctx:
    """What compiling one filter needs: the kind, the text (for errors), today's date."""

    kind: str
    text: str
    today: date
    zone: tzinfo

    def fail(self, offset: int, reason: str) -> InvalidFilter:
        return InvalidFilter(self.text, offset, reason)

    def midnight(self, day: date) -> datetime:
        """The start of ``day`` in the user's zone, as UTC."""
        return dates.parse_when(day.isoformat(), tz=self.zone)


def compile_filter(
    kind: str,
    node_or_text: Node | str,
    *,
    text: str | None = None,
    now: datetime | None = None,
) -> Clause:
    """A clause over ``kind``'s table (contact, company or deal) for a filter.

    Takes the filter text, or a tree from ``filters.parse`` (then ``text``, if given, is
    what error positions refer to). Raises ``InvalidFilter`` (an ``Invalid`` and a
    ``FilterError``) with the position for syntax errors, unknown fields and values a
    field cannot take. ``now`` fixes "today" for relative dates (default: now).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if isinstance(node_or_text, str):
        source = node_or_text
        try:
            node = filters.parse(source)
        except FilterError as exc:
            raise InvalidFilter(exc.text, exc.offset, exc.reason) from None
    else:
        node = node_or_text
        source = text if text is not None else filters.unparse(node)
    zone = dates.local_tz()
    today = (now or utcnow()).astimezone(zone).date()
    return _compile(_Ctx(kind, source, today, zone), node)


def _compile(ctx: _Ctx, node: Node) -> Clause:
    if isinstance(node, filters.And):
        return and_(*(_compile(ctx, n) for n in node.operands))
    if isinstance(node, filters.Or):
        return or_(*(_compile(ctx, n) for n in node.operands))
    if isinstance(node, filters.Not):
        return not_(_compile(ctx, node.operand))
    if isinstance(node, filters.Comparison):
        return _comparison(ctx, node)
    if isinstance(node, filters.Flag):
        return _flag(ctx, node)
    if isinstance(node, filters.TagTest):
        return _tag(ctx, node)
    if isinstance(node, filters.FieldTest):
        return _custom_field(ctx, node)
    if isinstance(node, filters.ActivityTest):
        return _activity(ctx, node)
    if isinstance(node, filters.CampaignTest):
        return _campaign(ctx, node)
    raise TypeError(f"not a filter node: {node!r}")


# --------------------------------------------------------------------------- field kinds


class _Field:
    """How one field compares. ``positive`` handles every operator but ``!=``, which is
    always ``not =``; each clause it returns is true or false, never NULL."""

    ops: frozenset[str] = frozenset(filters.OPERATORS)
    what = "text"

    def positive(self, ctx: _Ctx, name: str, op: str, value: Value) -> Clause:
        raise NotImplementedError


_TEXT_OPS = frozenset({"=", "!=", "~"})
_ORDER_OPS = frozenset({"=", "!=", "<", ">", "<=", ">="})


def _expr(column: Any) -> Any:
    """A column, or an expression built when needed (a correlated subquery)."""
    return column() if isinstance(column, types.FunctionType) else column


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class _Text(_Field):
    """Text, compared case-insensitively. ``fold``: "key" for casefolded key columns,
    "stored" for columns kept lowercase, "lower" to apply lower() in the database."""

    column: Any
    fold: str = "lower"
    choices: tuple[str, ...] | None = None
    nullable: bool = True
    ops = _TEXT_OPS

    def positive(self, ctx: _Ctx, name: str, op: str, value: Value) -> Clause:
        column = _expr(self.column)
        if op == "=" and not value.text.strip():
            return or_(column.is_(None), column == "") if self.nullable else false()
        text = " ".join(value.text.split())
        if self.fold == "key":
            if op == "~":
                return column.like(validate.contains_pattern(text), escape="\\")
            return column == validate.key(text)
        if op == "=" and self.choices is not None:
            text = _choice(ctx, name, value, self.choices)
        target: Any
        needle: Any
        pattern: Any
        if self.fold == "stored":
            target, needle, pattern = column, text.lower(), _like_pattern(text.lower())
        else:  # both sides lowered by the database, so they fold alike on every backend
            target, needle = func.lower(column), func.lower(text)
            pattern = func.lower(_like_pattern(text))
        clause = target.like(pattern, escape="\\") if op == "~" else target == needle
        return and_(column.is_not(None), clause) if self.nullable else clause


def _choice(ctx: _Ctx, name: str, value: Value, choices: tuple[str, ...]) -> str:
    clean = " ".join(value.text.split()).lower().replace("_", "-").replace(" ", "-")
    if clean not in choices:
        raise ctx.fail(value.offset, f"{name} is one of {', '.join(choices)}, not {value.text!r}")
    return clean


@dataclass(frozen=True)
class _Ref(_Field):
    """A record named by one of several keys: a company by name or domain, a contact
    by name or email. ``~`` looks in the first (the name)."""

    keys: tuple[tuple[Any, Callable[[str], str]], ...]
    ops = _TEXT_OPS

    def positive(self, ctx: _Ctx, name: str, op: str, value: Value) -> Clause:
        column, _normalise = self.keys[0]
        if op == "~":
            return column.like(validate.contains_pattern(value.text), escape="\\")
        return or_(*(column == normalise(value.text) for column, normalise in self.keys))


@dataclass(frozen=True)
class _Number(_Field):
    """An integer column or expression; ``percent`` accepts ``50%``."""

    column: Any
    nullable: bool = True
    percent: bool = False
    ops = _ORDER_OPS
    what = "number"

    def positive(self, ctx: _Ctx, name: str, op: str, value: Value) -> Clause:
        column = _expr(self.column)
        if op == "=" and not value.text.strip():
            return column.is_(None) if self.nullable else false()
        text = value.text.strip()
        if self.percent:
            text = text.removesuffix("%")
        number = filters.parse_number(text)
        if number is None:
            raise ctx.fail(value.offset, f"{name} is a number, not {value.text!r}")
        clause = _int_compare(column, op, number)
        return and_(column.is_not(None), clause) if self.nullable else clause


def _int_compare(column: Any, op: str, number: Decimal) -> Clause:
    """``column op number`` for an integer column, exact for any ``number``."""
    if number > _INT_LIMIT or number < -_INT_LIMIT:
        above = number > 0  # the number is beyond every stored value
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
class _Money(_Field):
    """A deal's amount in its own currency's major units (minor units are stored)."""

    ops = _ORDER_OPS
    what = "amount"

    def positive(self, ctx: _Ctx, name: str, op: str, value: Value) -> Clause:
        if op == "=" and not value.text.strip():
            return col(Deal.amount_minor).is_(None)
        try:
            amount = money.parse_amount(value.text)
        except (ValueError, TypeError):
            raise ctx.fail(value.offset, f"{name} is an amount, not {value.text!r}") from None
        by_exponent: dict[int, list[str]] = {}
        for code, exponent in money.CURRENCY_EXPONENTS.items():
            by_exponent.setdefault(exponent, []).append(code)
        common = max(by_exponent, key=lambda e: len(by_exponent[e]))
        others = [code for e, codes in by_exponent.items() if e != common for code in codes]
        parts = []
        for exponent, codes in sorted(by_exponent.items()):
            scaled = amount.scaleb(exponent)
            which = (
                col(Deal.currency).not_in(others)
                if exponent == common
                else col(Deal.currency).in_(codes)
            )
            parts.append(and_(which, _int_compare(Deal.amount_minor, op, scaled)))
        return and_(col(Deal.amount_minor).is_not(None), or_(*parts))


@dataclass(frozen=True)
class _When(_Field):
    """A UTC timestamp (``date_only``: a calendar date), compared by the user's days: an
    absolute date as that day, an age (30d) as how long ago."""

    column: Any
    date_only: bool = False
    ops = _ORDER_OPS
    what = "date"

    def positive(self, ctx: _Ctx, name: str, op: str, value: Value) -> Clause:
        if op == "=" and not value.text.strip():
            return self._empty()
        if filters.parse_age(value.text) is not None:
            day = _days_ago(ctx, value)
            op = _REVERSED[op]
        else:
            try:
                day = dates.parse_date(value.text, today=ctx.today, tz=ctx.zone)
            except ValueError:
                raise ctx.fail(
                    value.offset,
                    f"{name} is a date (2026-01-01, today, -7d) or an age (30d, 2w, 3m, 1y), "
                    f"not {value.text!r}",
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


def _days_ago(ctx: _Ctx, value: Value) -> date:
    """The day an age (30d, 2w, 3m, 1y) before today names."""
    age = filters.parse_age(value.text)
    assert age is not None
    n, unit = age
    try:
        return dates.parse_date(f"-{n}{unit}", today=ctx.today, tz=ctx.zone)
    except ValueError:
        raise ctx.fail(value.offset, f"age {value.text!r} is out of range") from None


@dataclass(frozen=True)
class _Bool(_Field):
    """A yes/no column: a bare flag (``unsubscribed``) or ``unsubscribed=false``."""

    column: Any
    ops = frozenset({"=", "!="})
    what = "yes/no"

    def positive(self, ctx: _Ctx, name: str, op: str, value: Value) -> Clause:
        word = value.text.strip().lower()
        if word in _TRUE_WORDS:
            return self.column.is_(True)
        if word in _FALSE_WORDS:
            return not_(self.column.is_(True))
        raise ctx.fail(value.offset, f"{name} is true or false, not {value.text!r}")


@dataclass(frozen=True)
class _Via(_Field):
    """A field of a linked record: a contact's company's city, a deal's stage."""

    link: Any  # the foreign key column
    target: Any  # the linked table's id column
    field: _Field

    @property
    def ops(self) -> frozenset[str]:  # type: ignore[override]
        return self.field.ops

    @property
    def what(self) -> str:  # type: ignore[override]
        return self.field.what

    def positive(self, ctx: _Ctx, name: str, op: str, value: Value) -> Clause:
        inner = self.field.positive(ctx, name, op, value)
        linked = and_(
            self.link.is_not(None), self.link.in_(select(self.target).where(inner).correlate(None))
        )
        if op == "=" and not value.text.strip():  # company="": no company, or an empty one
            return or_(self.link.is_(None), linked)
        return linked


# --------------------------------------------------------------------------- the fields


def _effective_probability() -> Any:
    stage = (
        select(col(Stage.probability))
        .where(col(Stage.id) == col(Deal.stage_id))
        .correlate(Deal)
        .scalar_subquery()
    )
    return case(
        (col(Deal.status) == "won", 100),
        (col(Deal.status) == "lost", 0),
        else_=func.coalesce(Deal.probability, stage),
    )


def _lowered(text: str) -> str:
    return text.strip().lower()


def _company_of(link: Any) -> Callable[[_Field], _Via]:
    return lambda field: _Via(link, Company.id, field)


_CONTACT_COMPANY = _company_of(Contact.company_id)
_DEAL_COMPANY = _company_of(Deal.company_id)
_COMPANY_REF = _Ref(keys=((Company.name_key, validate.key), (Company.domain, _lowered)))

FIELDS: dict[str, dict[str, _Field]] = {
    "contact": {
        "name": _Text(Contact.name_key, fold="key", nullable=False),
        "email": _Text(Contact.email, fold="stored"),
        "phone": _Text(Contact.phone),
        "title": _Text(Contact.title),
        "role": _Text(Contact.role, fold="stored", choices=ROLES),
        "company": _CONTACT_COMPANY(_COMPANY_REF),
        "lifecycle": _Text(Contact.lifecycle, fold="stored", choices=LIFECYCLES, nullable=False),
        "lead_status": _Text(Contact.lead_status, fold="stored", choices=LEAD_STATUSES),
        "source": _Text(Contact.source),
        "last_touch": _Text(Contact.last_touch),
        "owner": _Text(Contact.owner, nullable=False),
        "score": _Number(Contact.score, nullable=False),
        "created": _When(Contact.created_at),
        "updated": _When(Contact.updated_at),
        "last_contacted": _LastContacted(),
        "city": _CONTACT_COMPANY(_Text(Company.city)),
        "country": _CONTACT_COMPANY(_Text(Company.country)),
        "industry": _CONTACT_COMPANY(_Text(Company.industry)),
        "size": _CONTACT_COMPANY(_Number(Company.size)),
        "unsubscribed": _Bool(Contact.unsubscribed),
        "do_not_contact": _Bool(Contact.do_not_contact),
    },
    "company": {
        "name": _Text(Company.name_key, fold="key", nullable=False),
        "domain": _Text(Company.domain, fold="stored"),
        "industry": _Text(Company.industry),
        "size": _Number(Company.size),
        "city": _Text(Company.city),
        "country": _Text(Company.country),
        "owner": _Text(Company.owner, nullable=False),
        "created": _When(Company.created_at),
        "updated": _When(Company.updated_at),
    },
    "deal": {
        "title": _Text(Deal.title_key, fold="key", nullable=False),
        "stage": _Via(Deal.stage_id, Stage.id, _Text(Stage.name_key, fold="key", nullable=False)),
        "status": _Text(Deal.status, fold="stored", choices=DEAL_STATUSES, nullable=False),
        "pipeline": _Via(
            Deal.pipeline_id, Pipeline.id, _Text(Pipeline.name_key, fold="key", nullable=False)
        ),
        "amount": _Money(),
        "currency": _Text(Deal.currency, nullable=False),
        "probability": _Number(_effective_probability, nullable=False, percent=True),
        "close": _When(Deal.close_date, date_only=True),
        "owner": _Text(Deal.owner, nullable=False),
        "company": _DEAL_COMPANY(_COMPANY_REF),
        "contact": _Via(
            Deal.contact_id,
            Contact.id,
            _Ref(keys=((Contact.name_key, validate.key), (Contact.email, _lowered))),
        ),
        "created": _When(Deal.created_at),
        "updated": _When(Deal.updated_at),
    },
}

ALIASES: dict[str, dict[str, str]] = {
    "contact": {"status": "lead_status", "created_at": "created", "updated_at": "updated"},
    "company": {"created_at": "created", "updated_at": "updated"},
    "deal": {
        "close_date": "close",
        "created_at": "created",
        "updated_at": "updated",
        "value": "amount",
    },
}

_OPS_HINT = {
    "text": "=, != or ~",
    "number": "=, !=, <, >, <= or >=",
    "amount": "=, !=, <, >, <= or >=",
    "date": "=, !=, <, >, <= or >=",
    "yes/no": "= or !=",
}


def known_fields(kind: str) -> list[str]:
    """The field names a filter on ``kind`` records can use (aliases aside)."""
    return list(FIELDS[kind])


def _field(ctx: _Ctx, name: str, offset: int) -> _Field:
    table = FIELDS[ctx.kind]
    field = table.get(ALIASES[ctx.kind].get(name, name))
    if field is not None:
        return field
    import difflib  # only on this error path: it is slow to import

    close = difflib.get_close_matches(name, list(table), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    elsewhere = [PLURALS[k] for k in KINDS if k != ctx.kind and name in FIELDS[k]]
    where = f"; it is a field of {' and '.join(elsewhere)}" if elsewhere else ""
    raise ctx.fail(
        offset,
        f"unknown field '{name}' for {PLURALS[ctx.kind]}{hint}{where}; known: {', '.join(table)}",
    )


def _comparison(ctx: _Ctx, node: filters.Comparison) -> Clause:
    field = _field(ctx, node.field, node.offset)
    if node.op not in field.ops:
        raise ctx.fail(
            node.op_offset,
            f"'{node.op}' does not work on {node.field} "
            f"({field.what}: use {_OPS_HINT[field.what]})",
        )
    if node.op == "!=":
        return not_(field.positive(ctx, node.field, "=", node.value))
    return field.positive(ctx, node.field, node.op, node.value)


def _flag(ctx: _Ctx, node: filters.Flag) -> Clause:
    field = _field(ctx, node.name, node.offset)
    if isinstance(field, _Bool):
        return field.column.is_(True)
    raise ctx.fail(
        node.offset + len(node.name),
        f"expected an operator after '{node.name}' ({_OPS_HINT[field.what]})",
    )


def _ids(ctx: _Ctx) -> Any:
    return MODELS[ctx.kind].id


def _contacts_only(ctx: _Ctx, offset: int, what: str) -> None:
    if ctx.kind != "contact":
        raise ctx.fail(offset, f"'{what}:' works on contacts only, not {PLURALS[ctx.kind]}")


def _tag(ctx: _Ctx, node: filters.TagTest) -> Clause:
    try:
        name = validate.tag(node.tag.text)
    except Invalid as exc:
        raise ctx.fail(node.tag.offset, str(exc)) from None
    tagged = (
        select(col(Tag.entity_id))
        .where(col(Tag.entity) == ctx.kind, col(Tag.name) == name)
        .correlate(None)
    )
    return _ids(ctx).in_(tagged)


def _custom_field(ctx: _Ctx, node: filters.FieldTest) -> Clause:
    try:
        key = validate.field_key(node.key.text)
    except Invalid as exc:
        raise ctx.fail(node.key.offset, str(exc)) from None
    rows = select(col(FieldValue.entity_id)).where(
        col(FieldValue.entity) == ctx.kind, col(FieldValue.key) == key
    )
    if node.op is None or node.value is None:
        return _ids(ctx).in_(rows.correlate(None))
    if node.op not in _TEXT_OPS:
        raise ctx.fail(
            node.op_offset or node.offset,
            f"'{node.op}' does not work on custom fields (use =, != or ~)",
        )
    text = " ".join(node.value.text.split())
    folded = func.lower(FieldValue.value)
    if node.op == "~":
        rows = rows.where(folded.like(func.lower(_like_pattern(text)), escape="\\"))
        return _ids(ctx).in_(rows.correlate(None))
    if text:
        equal = _ids(ctx).in_(rows.where(folded == func.lower(text)).correlate(None))
    else:  # field:key="" : not set, or set to nothing
        empty = rows.where(col(FieldValue.value) == "").correlate(None)
        equal = or_(_ids(ctx).in_(empty), not_(_ids(ctx).in_(rows.correlate(None))))
    return not_(equal) if node.op == "!=" else equal


def _count(ctx: _Ctx, value: Value, what: str) -> Decimal:
    number = filters.parse_number(value.text)
    if number is None or number < 0 or number != number.to_integral_value():
        raise ctx.fail(value.offset, f"{what} is a whole number, not {value.text!r}")
    return number


def _activity(ctx: _Ctx, node: filters.ActivityTest) -> Clause:
    _contacts_only(ctx, node.offset, "activity")
    kind = " ".join(node.kind.text.split()).lower()
    if kind not in ACTIVITY_KINDS:
        raise ctx.fail(
            node.kind.offset,
            f"activity kind is one of {', '.join(ACTIVITY_KINDS)}, not {node.kind.text!r}",
        )
    conditions = [col(Activity.kind) == kind, col(Activity.occurred_at).is_not(None)]
    if node.within is not None:
        age = filters.parse_age(node.within.text)
        if age is None:
            raise ctx.fail(
                node.within.offset,
                f"within takes an age such as 30d, 2w, 3m or 1y, not {node.within.text!r}",
            )
        day = _days_ago(ctx, node.within)
        conditions.append(col(Activity.occurred_at) >= ctx.midnight(day + timedelta(days=1)))
    op = node.op or ">="
    count = _count(ctx, node.count, "an activity count") if node.count else Decimal(1)
    if op == "~":
        raise ctx.fail(node.op_offset or node.offset, "'~' does not work on a count")
    if (op, count) in ((">=", 1), (">", 0)):  # at least one: the cheap way
        contacts = select(col(Activity.contact_id)).where(
            col(Activity.contact_id).is_not(None), *conditions
        )
        return col(Contact.id).in_(contacts.correlate(None))
    counted = (
        select(func.count())
        .select_from(Activity)
        .where(col(Activity.contact_id) == col(Contact.id), *conditions)
        .correlate(Contact)
        .scalar_subquery()
    )
    if op == "!=":
        return not_(_int_compare(counted, "=", count))
    return _int_compare(counted, op, count)


def _campaign(ctx: _Ctx, node: filters.CampaignTest) -> Clause:
    _contacts_only(ctx, node.offset, "campaign")
    if not node.name.text.strip():
        raise ctx.fail(node.name.offset, "campaign name must not be empty")
    members = (
        select(col(CampaignMember.contact_id))
        .join(Campaign, col(Campaign.id) == col(CampaignMember.campaign_id))
        .where(col(Campaign.name_key) == validate.key(node.name.text))
    )
    if node.op is not None and node.status is not None:
        if node.op not in ("=", "!="):
            raise ctx.fail(
                node.op_offset or node.offset,
                f"'{node.op}' does not work on a campaign status (use = or !=)",
            )
        status = _choice(ctx, "campaign status", node.status, MEMBER_STATUSES)
        if node.op == "=":
            members = members.where(col(CampaignMember.status) == status)
        else:
            members = members.where(col(CampaignMember.status) != status)
    return col(Contact.id).in_(members.correlate(None))


# --------------------------------------------------------------------------- list filters


def resolve_where(
    store: Store,
    session: Session,
    kind: str,
    *,
    where: str | None = None,
    segment: str | None = None,
    now: datetime | None = None,
) -> Clause:
    """The clause for ``--where EXPR`` and ``--segment NAME`` (both must match), for
    ``kind``'s table; ``true()`` when neither is given. For list and export queries:
    ``query.where(resolve_where(store, session, "contact", where=..., segment=...))``.
    """
    clauses: list[Clause] = []
    if segment is not None:
        saved = resolve_segment(session, segment)
        try:
            clauses.append(compile_filter(kind, saved.expression, now=now))
        except InvalidFilter as exc:
            raise Invalid(f"segment {saved.name} does not work on {PLURALS[kind]}: {exc}") from exc
    if where is not None:
        clauses.append(compile_filter(kind, where, now=now))
    return and_(true(), *clauses)


def resolve_segment(session: Session, ref: str | int) -> Segment:
    """The segment a name (case-insensitive) or id names."""
    return resolve(
        session,
        Segment,
        ref,
        what="segment",
        keys=[(Segment.name_key, validate.key)],
        describe=lambda s: f"#{s.id} {s.name}",
    )
