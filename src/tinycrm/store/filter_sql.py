"""The filter language compiled to SQL: ``--where``, ``segment=``, the board's ``/``, score rules.

``compile_filter("contact", "lifecycle=lead and score>=10")`` parses the text
(``tinycrm.filters``) and builds a SQLAlchemy clause over that kind's table, with
every value a bound parameter. List functions (and ``tinycrm export``) take
``where=`` and ``segment=`` and call :func:`resolve_where`; the board loads with
:func:`compile_filter` and checks what is typed with :func:`check_filter`.

The quick forms are conditions like any other: ``#vip`` (``tag:vip``), ``@sam`` and
``owner:sam`` (``owner=sam``), ``contact:TEXT`` (a contact whose name or email contains
TEXT), ``segment:NAME`` (a saved segment, looked up when a session is given), and a
bare word (or quoted text) searches: see :func:`search_clause`.

Every condition compiles to a clause that is true or false, never NULL, so
``not X`` is exactly the records ``X`` does not match and ``a != b`` is ``not a = b``
(a contact without a company is among ``city != Berlin``).
How each field compares (text, numbers, money, dates as the user's days, yes/no) is
``tinycrm.store.filter_field_kinds``'s, the fields of each kind ``filter_fields``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, and_, exists, func, literal, not_, or_, select, true
from sqlalchemy.sql import operators
from sqlalchemy.sql.expression import BinaryExpression, ColumnClause, Grouping
from sqlalchemy.sql.visitors import replacement_traverse
from sqlmodel import Session, col

from tinycrm import dates, filters
from tinycrm.filters import FilterError, Node, Value
from tinycrm.store import validate
from tinycrm.store.engine import Store
from tinycrm.store.errors import Ambiguous, Invalid, NotFound
from tinycrm.store.filter_field_kinds import (
    KINDS,
    MEMBER_STATUSES,
    MODELS,
    PLURALS,
    SEGMENT_KINDS,
    TEXT_OPS,
    Bool,
    Clause,
    Ctx,
    InvalidFilter,
    choice,
    days_ago,
    int_compare,
    like_pattern,
    must_exist,
)
from tinycrm.store.filter_fields import ALIASES, FIELDS, OPS_HINT, field_of
from tinycrm.store.models import (
    Activity,
    Campaign,
    CampaignMember,
    Company,
    Contact,
    Deal,
    FieldValue,
    Segment,
    Tag,
)
from tinycrm.store.refs import resolve
from tinycrm.store.types import utcnow
from tinycrm.vocab import ACTIVITY_KINDS

__all__ = [
    "ALIASES",
    "FIELDS",
    "KINDS",
    "MODELS",
    "PLURALS",
    "SEGMENT_KINDS",
    "Clause",
    "InvalidFilter",
    "check_filter",
    "compile_filter",
    "resolve_segment",
    "resolve_where",
    "search_clause",
]

# --------------------------------------------------------------------------- compiling


def compile_filter(
    kind: str,
    node_or_text: Node | str,
    *,
    text: str | None = None,
    now: datetime | None = None,
    session: Session | None = None,
    check: bool = False,
    max_length: int = filters.MAX_LENGTH,
) -> Clause:
    """A clause over ``kind``'s table (contact, company or deal) for a filter.

    Takes the filter text, or a tree from ``filters.parse`` (then ``text``, if given, is
    what error positions refer to). Raises ``InvalidFilter`` (an ``Invalid`` and a
    ``FilterError``) with the position for syntax errors, unknown fields and values a
    field cannot take. ``now`` fixes "today" for relative dates (default: now).
    ``segment:NAME`` is looked up in ``session``; without one it is refused, unless
    ``check`` (only checking the text: the clause is then not for running). Text over
    ``max_length`` characters is refused.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if isinstance(node_or_text, str):
        source = node_or_text
        try:
            node = filters.parse(source, max_length=max_length)
        except FilterError as exc:
            raise InvalidFilter(exc.text, exc.offset, exc.reason) from None
    elif isinstance(node_or_text, Node):
        node = node_or_text
        source = text if text is not None else filters.unparse(node)
    else:  # a number, a list: not a filter
        raise Invalid(f"where must be text, not {type(node_or_text).__name__}", field="where")
    zone = dates.local_tz()
    today = (now or utcnow()).astimezone(zone).date()
    ctx = Ctx(kind, source, today, zone, session=session, check=check)
    return with_folds(ctx, _compile(ctx, node))


def check_filter(
    kind: str, text: str, *, now: datetime | None = None, max_length: int = filters.MAX_LENGTH
) -> str | None:
    """Check a filter for ``kind`` without a database: the text, stripped (None when it
    is blank), or ``InvalidFilter`` with the position. ``segment:NAME`` is not looked up
    (that happens when the filter is used); text over ``max_length`` is refused."""
    if not validate.text(text, "where").strip():
        if len(text) > max_length:  # a bar full of spaces is still too long
            filters.tokenize(text, max_length=max_length)
        return None
    compile_filter(kind, text, now=now, check=True, max_length=max_length)
    return text.strip()


def with_folds(ctx: Ctx, clause: Clause) -> Clause:
    """``clause`` with the texts it folds (``Ctx.folded``) folded once for the row: as
    ``EXISTS (SELECT 1 FROM (SELECT fold(contact.name_key) AS tinycrm_fold_0 LIMIT 1)
    WHERE …)``, the LIMIT keeping SQLite and PostgreSQL from putting the fold back in
    each condition (flattening the subquery). When each is used once, the folds are put
    back where they are used: the EXISTS would keep the database from the indexes of the
    other conditions (``name~ada and email=…``)."""
    if not ctx.folds:
        return clause
    if all(uses == 1 for _name, _column, uses in ctx.folds.values()):
        direct = {name: validate.sql_folded(column) for name, column, _ in ctx.folds.values()}

        def put_back(element: Any, **_kw: Any) -> Any:
            if isinstance(element, ColumnClause) and element.table is None:
                return direct.get(element.name)
            return None

        options: dict[str, Any] = {}
        put: Clause = replacement_traverse(clause, options, put_back)
        return put
    columns = [column for _name, column, _uses in ctx.folds.values()]
    folds = (
        select(*[validate.sql_folded(column).label(name) for name, column, _ in ctx.folds.values()])
        .correlate(*{column.table for column in columns})
        .limit(1)
        .subquery("tinycrm_folds")
    )
    return exists(select(literal(1)).select_from(folds).where(clause))


FLAT_AT_MOST = 32
"""An ``and`` or ``or`` of more operands is written as a balanced tree of parenthesised
halves: SQLite refuses an expression deeper than 1000, and a chain of ORs is as deep as it
is long (199 words on companies, three columns each, inside ``with_folds``' EXISTS)."""


def _joined(operator: Any, clauses: list[Clause]) -> Clause:
    """``clauses`` joined by ``operator`` (``operators.and_`` or ``operators.or_``), at
    most ``FLAT_AT_MOST`` in a row (parentheses SQLAlchemy keeps: its ``or_`` flattens
    nested ones)."""
    if len(clauses) <= FLAT_AT_MOST:
        return and_(*clauses) if operator is operators.and_ else or_(*clauses)
    middle = len(clauses) // 2
    halves = (_joined(operator, clauses[:middle]), _joined(operator, clauses[middle:]))
    return BinaryExpression(Grouping(halves[0]), Grouping(halves[1]), operator, type_=Boolean())


def _compile(ctx: Ctx, node: Node) -> Clause:
    if isinstance(node, filters.And):
        return _joined(operators.and_, [_compile(ctx, n) for n in node.operands])
    if isinstance(node, filters.Or):
        return _joined(operators.or_, [_compile(ctx, n) for n in node.operands])
    if isinstance(node, filters.Not):
        return not_(_compile(ctx, node.operand))
    if isinstance(node, filters.Comparison):
        return _comparison(ctx, node)
    if isinstance(node, filters.Word):
        return _word(ctx, node)
    if isinstance(node, filters.TagTest):
        return _tag(ctx, node)
    if isinstance(node, filters.ContactTest):
        return _contact(ctx, node)
    if isinstance(node, filters.SegmentTest):
        return _segment(ctx, node)
    if isinstance(node, filters.FieldTest):
        return _custom_field(ctx, node)
    if isinstance(node, filters.ActivityTest):
        return _activity(ctx, node)
    if isinstance(node, filters.CampaignTest):
        return _campaign(ctx, node)
    raise TypeError(f"not a filter node: {node!r}")


def _comparison(ctx: Ctx, node: filters.Comparison) -> Clause:
    if node.field in ("tag", "tags"):  # ``tag=vip`` as ``tag:vip``, how many first type it
        if node.op not in ("=", "!="):
            raise ctx.fail(
                node.op_offset,
                f"'{node.op}' does not work on tags (use tag=NAME, tag!=NAME, tag:NAME or #NAME)",
            )
        carries = _tag(ctx, filters.TagTest(tag=node.value, offset=node.offset))
        return carries if node.op == "=" else not_(carries)
    field = field_of(ctx, node.field, node.offset)
    if node.op not in field.ops:
        raise ctx.fail(
            node.op_offset,
            f"'{node.op}' does not work on {node.field} ({field.what}: use {OPS_HINT[field.what]})",
        )
    if node.op == "!=":
        return not_(field.positive(ctx, node.field, "=", node.value))
    return field.positive(ctx, node.field, node.op, node.value)


def _word(ctx: Ctx, node: filters.Word) -> Clause:
    """A bare word: a yes/no field, else a search (see the module's notes)."""
    name = node.name
    if node.quoted:
        return _search(ctx, node)
    if _stands_for_a_field(ctx, name):
        field = field_of(ctx, name, node.offset)  # a field of another kind: say so
        if isinstance(field, Bool):
            return field.column.is_(True)
        raise ctx.fail(
            node.offset + len(node.text),
            f"expected an operator after '{node.text}' ({OPS_HINT[field.what]})",
        )
    if node.expression:
        reserved = sorted(
            {*FIELDS[ctx.kind], *ALIASES[ctx.kind], *filters.KEYWORDS, *filters.PREFIXES}
        )
        started = [word for word in reserved if word.startswith(name)]
        if started:  # half a field name or keyword, being typed: not a search (yet)
            shown = ", ".join(started[:4]) + (", …" if len(started) > 4 else "")
            reason = f"expected a condition, not '{node.text}' (did you mean {shown}?)"
            raise ctx.fail(node.offset, reason)
    return _search(ctx, node)


def _stands_for_a_field(ctx: Ctx, name: str) -> bool:
    """Whether a bare word is read as a field: one of this kind's (``title`` alone is half
    of ``title~…``), or another kind's yes/no field (``unsubscribed`` on companies: said
    so). Another kind's other fields are words to search for: "big deal" on deals."""
    if name in FIELDS[ctx.kind] or name in ALIASES[ctx.kind]:
        return True
    return any(isinstance(FIELDS[k].get(ALIASES[k].get(name, name)), Bool) for k in KINDS)


def _search(ctx: Ctx, node: filters.Word) -> Clause:
    try:
        return search_clause(ctx.kind, node.text, fold=ctx.folded)
    except Invalid as exc:
        raise ctx.fail(node.offset, str(exc)) from None


def search_clause(
    kind: str, text: str, *, fold: Callable[[Any], Any] = validate.sql_folded
) -> Clause:
    """Records of ``kind`` whose name contains ``text`` (any case): a deal's title, its
    company's or its contact's name; a contact's name, email, phone or title; a
    company's name, domain or city. Folded as ``tinycrm search`` folds, the text and the
    columns alike (``validate.folded``: soren finds Søren); the record's own columns by
    ``fold`` (``Ctx.folded``: once a row), a linked record's by ``validate.sql_folded``.
    Raises ``Invalid`` for text too long to search."""
    pattern = validate.contains_pattern(text)
    folded = fold
    linked = validate.sql_folded
    if kind == "contact":
        return col(Contact.search_key).like(pattern, escape="\\")
    if kind == "company":
        return or_(
            folded(Company.name_key).like(pattern, escape="\\"),
            _known(Company.domain, folded(Company.domain).like(pattern, escape="\\")),
            _known(Company.city, folded(Company.city).like(pattern, escape="\\")),
        )
    if kind == "product":
        from tinycrm.store.sales_models import Product

        return or_(
            folded(Product.name_key).like(pattern, escape="\\"),
            _known(Product.sku, folded(Product.sku).like(pattern, escape="\\")),
        )
    if kind == "quote":
        from tinycrm.store.sales_models import Quote

        return or_(
            folded(Quote.number).like(pattern, escape="\\"),
            _known(Quote.deal_title, folded(Quote.deal_title).like(pattern, escape="\\")),
            _known(Quote.company, folded(Quote.company).like(pattern, escape="\\")),
        )
    if kind == "case":
        from tinycrm.store.service_models import SupportCase

        return or_(
            folded(SupportCase.subject).like(pattern, escape="\\"),
            _linked(
                SupportCase.contact_id,
                Contact.id,
                linked(Contact.name_key).like(pattern, escape="\\"),
            ),
        )
    return or_(
        folded(Deal.title_key).like(pattern, escape="\\"),
        _linked(Deal.company_id, Company.id, linked(Company.name_key).like(pattern, escape="\\")),
        _linked(Deal.contact_id, Contact.id, linked(Contact.name_key).like(pattern, escape="\\")),
    )


def _known(column: Any, condition: Clause) -> Clause:
    """``condition`` on a text that may be missing, false where it is: NULL LIKE … is
    unknown, and ``not acme`` left out every company without a city."""
    return and_(col(column).is_not(None), condition)


def _linked(link: Any, target: Any, condition: Clause) -> Clause:
    """The linked record (through the foreign key ``link``) meets ``condition``."""
    return and_(link.is_not(None), link.in_(select(target).where(condition).correlate(None)))


def _contact(ctx: Ctx, node: filters.ContactTest) -> Clause:
    """``contact:TEXT``: a contact whose name or email contains TEXT (for a deal: its
    contact; for a company: one of its contacts; for a contact: itself)."""
    if not node.text.text.strip():
        raise ctx.fail(node.text.offset, "expected a name or email after 'contact:'")
    try:
        pattern = validate.contains_pattern(node.text.text)
    except Invalid as exc:
        raise ctx.fail(node.text.offset, str(exc)) from None
    fold = ctx.folded if ctx.kind == "contact" else validate.sql_folded  # its own, once
    named = or_(  # folded as a list's --search folds
        fold(Contact.name_key).like(pattern, escape="\\"),
        _known(Contact.email_key, fold(Contact.email_key).like(pattern, escape="\\")),
    )
    if ctx.kind == "contact":
        return named
    if ctx.kind == "deal":
        return _linked(Deal.contact_id, Contact.id, named)
    if ctx.kind == "case":
        from tinycrm.store.service_models import SupportCase

        return _linked(SupportCase.contact_id, Contact.id, named)
    if ctx.kind == "quote":
        from tinycrm.store.sales_models import Quote

        return _known(Quote.contact, validate.sql_folded(Quote.contact).like(pattern, escape="\\"))
    if ctx.kind == "product":
        raise ctx.fail(node.offset, "'contact:' does not work on products")
    people = select(col(Contact.company_id)).where(col(Contact.company_id).is_not(None), named)
    return col(Company.id).in_(people.correlate(None))


def _segment(ctx: Ctx, node: filters.SegmentTest) -> Clause:
    """``segment:NAME`` (``segment=NAME``, ``segment!=NAME``): a saved segment's filter."""
    if node.op not in ("=", "!="):
        raise ctx.fail(
            node.op_offset or node.offset,
            f"'{node.op}' does not work on segment (segment:NAME or segment!=NAME)",
        )
    name = node.name
    if not name.text.strip():
        raise ctx.fail(name.offset, "expected a segment name after 'segment:'")
    if ctx.session is None:
        if ctx.check:  # only checking the text: the name is looked up when it is used
            return true()
        raise ctx.fail(node.offset, "segment: works in lists, exports and the board only")
    looked_up = ctx.segments.get(name.text)
    if looked_up is None:
        try:
            saved = resolve_segment(ctx.session, name.text)
        except (NotFound, Ambiguous) as exc:
            raise ctx.fail(name.offset, str(exc)) from None
        looked_up = ctx.segments[name.text] = (saved, None)
    saved = looked_up[0]
    assert saved.id is not None
    if saved.id in ctx.seen:
        raise _Unworkable(
            ctx.text, name.offset, f"segment {saved.name} names itself (through segment:)"
        )
    if len(ctx.seen) >= MAX_SEGMENT_DEPTH:
        raise _Unworkable(
            ctx.text, name.offset, f"segments nested too deeply (at most {MAX_SEGMENT_DEPTH})"
        )
    try:
        inner = looked_up[1]
        if inner is None:
            inner = filters.parse(saved.expression)
            ctx.segments[name.text] = (saved, inner)
        ctx.conditions[0] += _count_conditions(inner)
        if ctx.conditions[0] > MAX_CONDITIONS:
            raise _Unworkable(
                ctx.text,
                name.offset,
                f"too many conditions through segments (at most {MAX_CONDITIONS:,})",
            )
        clause = _compile(
            Ctx(
                ctx.kind,
                saved.expression,
                ctx.today,
                ctx.zone,
                session=ctx.session,
                seen=ctx.seen | {saved.id},
                conditions=ctx.conditions,
                segments=ctx.segments,
                folds=ctx.folds,
            ),
            inner,
        )
    except _Unworkable as exc:  # on any kind: said as it is, where this segment is named
        raise _Unworkable(ctx.text, name.offset, exc.reason) from None
    except FilterError as exc:
        reason = exc.reason if isinstance(exc, InvalidFilter) else str(exc)
        raise ctx.fail(
            name.offset, f"segment {saved.name} does not work on {PLURALS[ctx.kind]}: {reason}"
        ) from None
    return not_(clause) if node.op == "!=" else clause


class _Unworkable(InvalidFilter):
    """Segments naming each other in a loop, too deep or too many times: not a matter
    of the record kind."""


MAX_SEGMENT_DEPTH = 20
"""Segments naming segments, this many deep at most."""
MAX_CONDITIONS = 2000
"""Conditions in a filter with the segments it names spelled out (each named anew wherever
it is named): past it, the query would take minutes to build and run."""


def _count_conditions(node: Node) -> int:
    if isinstance(node, filters.And | filters.Or):
        return sum(_count_conditions(n) for n in node.operands)
    if isinstance(node, filters.Not):
        return _count_conditions(node.operand)
    return 1


def _ids(ctx: Ctx) -> Any:
    return MODELS[ctx.kind].id


def _contacts_only(ctx: Ctx, offset: int, what: str) -> None:
    if ctx.kind != "contact":
        raise ctx.fail(offset, f"'{what}:' works on contacts only, not {PLURALS[ctx.kind]}")


def _tag(ctx: Ctx, node: filters.TagTest) -> Clause:
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


def _custom_field(ctx: Ctx, node: filters.FieldTest) -> Clause:
    try:
        key = validate.field_key(node.key.text)
    except Invalid as exc:
        raise ctx.fail(node.key.offset, str(exc)) from None
    rows = select(col(FieldValue.entity_id)).where(  # the name in any case: Plan is plan
        col(FieldValue.entity) == ctx.kind, func.lower(FieldValue.key) == key.lower()
    )
    if node.op is None or node.value is None:
        return _ids(ctx).in_(rows.correlate(None))
    if node.op not in TEXT_OPS:
        raise ctx.fail(
            node.op_offset or node.offset,
            f"'{node.op}' does not work on custom fields (use =, != or ~)",
        )
    text = " ".join(node.value.text.split())
    folded = func.lower(FieldValue.value)
    if node.op == "~":
        rows = rows.where(folded.like(func.lower(like_pattern(text)), escape="\\"))
        return _ids(ctx).in_(rows.correlate(None))
    if text:
        equal = _ids(ctx).in_(rows.where(folded == func.lower(text)).correlate(None))
    else:  # field:key="" : not set, or set to nothing
        empty = rows.where(col(FieldValue.value) == "").correlate(None)
        equal = or_(_ids(ctx).in_(empty), not_(_ids(ctx).in_(rows.correlate(None))))
    return not_(equal) if node.op == "!=" else equal


def _count(ctx: Ctx, value: Value, what: str) -> Decimal:
    number = filters.parse_number(value.text)
    if number is None or number < 0 or number != number.to_integral_value():
        raise ctx.fail(value.offset, f"{what} is a whole number, not {value.text!r}")
    return number


def _activity(ctx: Ctx, node: filters.ActivityTest) -> Clause:
    _contacts_only(ctx, node.offset, "activity")
    kind = " ".join(node.kind.text.split()).lower()
    if kind not in ACTIVITY_KINDS:
        raise ctx.fail(
            node.kind.offset,
            f"activity kind is one of {', '.join(ACTIVITY_KINDS)}, not {node.kind.text!r}"
            + validate.nearest(kind, ACTIVITY_KINDS),
        )
    conditions = [col(Activity.kind) == kind, col(Activity.occurred_at).is_not(None)]
    if node.within is not None:
        age = filters.parse_age(node.within.text)
        if age is None:
            raise ctx.fail(
                node.within.offset,
                f"within takes an age such as 30d, 2w, 3m or 1y, not {node.within.text!r}",
            )
        day = days_ago(ctx, node.within)
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
        return not_(int_compare(counted, "=", count))
    return int_compare(counted, op, count)


def _campaign(ctx: Ctx, node: filters.CampaignTest) -> Clause:
    _contacts_only(ctx, node.offset, "campaign")
    if not node.name.text.strip():
        raise ctx.fail(node.name.offset, "campaign name must not be empty")
    named = col(Campaign.name_key) == validate.key(node.name.text)
    must_exist(ctx, node.name, "campaign", Campaign.id, named)
    members = (
        select(col(CampaignMember.contact_id))
        .join(Campaign, col(Campaign.id) == col(CampaignMember.campaign_id))
        .where(named)
    )
    if node.op is not None and node.status is not None:
        if node.op not in ("=", "!="):
            raise ctx.fail(
                node.op_offset or node.offset,
                f"'{node.op}' does not work on a campaign status (use = or !=)",
            )
        status = choice(ctx, "campaign status", node.status, MEMBER_STATUSES)
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
            clauses.append(compile_filter(kind, saved.expression, now=now, session=session))
        except InvalidFilter as exc:
            raise Invalid(f"segment {saved.name} does not work on {PLURALS[kind]}: {exc}") from exc
    if where is not None:
        clauses.append(compile_filter(kind, where, now=now, session=session))
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
        near=validate.sql_folded(Segment.name_key),
        spelt=Segment.name_key,
    )
