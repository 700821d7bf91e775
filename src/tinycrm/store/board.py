"""What the full-screen board reads: columns with aggregates, and cards with badges.

One call, ``load_board``, returns everything the kanban shows for one pipeline:
a column per stage (and, on request, Won and Lost) with its deal count, total
and weighted value per currency, and the cards in display order with their
badges (an overdue open task, rotting, closing within 7 days). Aggregates and
badges are computed in SQL, so 5,000 open deals over 200,000 activities load
in a few queries. The feed and the change marker the board polls are
``tinycrm.store.feed``'s; finding a record by name is ``tinycrm.store.record_search``'s.

``where`` narrows the board with the filter language of ``--where`` (``tinycrm.filters``,
compiled for deals by ``tinycrm.store.filter_sql``), quick forms and all: ``acme #vip
@sam``, ``amount>10000 and stage=Proposal``, ``segment:"Big ones"``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import BigInteger, and_, case, func, literal, or_, select, type_coerce, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from tinycrm import dates, money
from tinycrm.store import validate
from tinycrm.store.deals import deal_conditions
from tinycrm.store.engine import Store
from tinycrm.store.errors import Invalid
from tinycrm.store.feed import ChangeMarker, marker_of
from tinycrm.store.models import (
    Activity,
    Company,
    Contact,
    Deal,
    Pipeline,
    ReadModel,
    Stage,
)
from tinycrm.store.pipelines import resolve_pipeline, stages_of
from tinycrm.store.records import tags_for
from tinycrm.store.stage_changes import StageChange
from tinycrm.store.sums import exact_sum, whole
from tinycrm.store.types import UTCDateTime, utcnow

CLOSING_SOON_DAYS = 7
"""An open deal expected to close within this many days wears the closing-soon badge."""


# --------------------------------------------------------------------------- read models


class PipelineChoice(ReadModel):
    id: int
    name: str


class MoneyTotal(ReadModel):
    """The sum of a column's amounts in one currency, and that sum weighted by probability."""

    currency: str
    total: Decimal
    weighted: Decimal


class BoardCard(ReadModel):
    """One deal as a card: what it shows and the badges it wears."""

    id: int
    title: str
    stage_id: int
    status: str
    contact: str | None
    contact_id: int | None
    company: str | None
    company_id: int | None
    amount: Decimal | None
    amount_unreadable: bool = False
    """Other SQL stored what is no amount (``1e20``, text): ``amount`` is none, and the
    card says its amount is unreadable rather than that it has none."""
    currency: str
    probability: int
    probability_override: int | None
    close_date: date | None
    closed_at: datetime | None
    owner: str
    tags: list[str]
    overdue_task: bool
    """An open task about the deal is past due."""
    rotting: bool
    """Open, and neither an activity (a done task counts) nor a move into its stage for
    longer than the stage's rotting days."""
    closing_soon: bool
    """Open, expected to close today or within the next 7 days."""


class BoardColumn(ReadModel):
    """A stage (or the Won / Lost outcome) with its aggregates and cards."""

    key: str
    name: str
    status: str
    stage_id: int | None
    probability: int | None
    rotting_days: int | None
    count: int
    totals: list[MoneyTotal]
    cards: list[BoardCard]


class Board(ReadModel):
    pipeline_id: int | None
    pipeline: str | None
    pipelines: list[PipelineChoice]
    columns: list[BoardColumn]
    deals_total: int
    """Deals of any status in any pipeline, unfiltered: zero means a brand-new database."""
    where: str | None
    """The filter the board was loaded with (None: every deal)."""
    per_column: int | None = None
    """The board was loaded with only this many cards a column (None: all of them)."""
    marker: ChangeMarker
    loaded_at: datetime


class CardPage(ReadModel):
    """A page of one column's cards (``load_cards``), and where it sits in the column."""

    column: str
    """The column's key: ``stage:ID``, ``won`` or ``lost``."""
    cards: list[BoardCard]
    offset: int
    """How many of the column's cards come before ``cards[0]`` (with no cards: before the
    place they would have been)."""
    count: int
    """How many cards the whole column holds now."""


# --------------------------------------------------------------------------- the board


def column_key(stage_id: int | None = None, status: str = "open") -> str:
    """The key of a board column: ``stage:ID`` for a stage, ``won`` or ``lost``."""
    return f"stage:{stage_id}" if status == "open" else status


def _statuses(closed: bool) -> tuple[str, ...]:
    return ("open", "won", "lost") if closed else ("open",)


def _totals(session: Session, scope: list[Any]) -> dict[str, tuple[int, list[MoneyTotal]]]:
    """Count, total and weighted value per column key and currency, in one GROUP BY."""
    rows = session.execute(
        select(
            col(Deal.stage_id),
            col(Deal.status),
            col(Deal.currency),
            func.count(),
            exact_sum(col(Deal.amount_minor)),
            exact_sum(
                col(Deal.amount_minor),
                func.coalesce(col(Deal.probability), col(Stage.probability)),
            ),
        )
        .join(Stage, col(Deal.stage_id) == col(Stage.id))
        .where(*scope)
        .group_by(col(Deal.stage_id), col(Deal.status), col(Deal.currency))
    ).all()
    counts: dict[str, int] = defaultdict(int)
    sums: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for stage_id, status, currency, count, total, weighted in rows:
        key = column_key(stage_id, status)
        counts[key] += int(count)
        total = whole(total)
        if total is None:
            continue
        if status == "won":
            weighted_minor = total * 100
        elif status == "lost":
            weighted_minor = 0
        else:
            weighted_minor = whole(weighted) or 0
        pair = sums[key].setdefault(currency, [0, 0])
        pair[0] += total
        pair[1] += weighted_minor
    out: dict[str, tuple[int, list[MoneyTotal]]] = {}
    for key, count in counts.items():
        totals = [
            MoneyTotal(
                currency=currency,
                total=money.from_minor(total, currency),
                weighted=money.from_minor((weighted + 50) // 100, currency),
            )
            for currency, (total, weighted) in sums[key].items()
        ]
        totals.sort(key=lambda t: (-t.total, t.currency))
        out[key] = (count, totals)
    return out


def _card_order() -> list[Any]:
    """Open cards by expected close date, undated last (closed ones are sorted after)."""
    return [case((col(Deal.close_date).is_(None), 1), else_=0), col(Deal.close_date), col(Deal.id)]


def _column_scope(column: str, stages: list[Stage]) -> tuple[str, list[Any]]:
    """The status of column ``column`` and its conditions on ``Deal`` (``Invalid`` for a
    key that is not a column of these stages)."""
    if column in ("won", "lost"):
        return column, [col(Deal.status) == column]
    prefix, _, number = column.partition(":")
    if prefix == "stage" and number.isdigit() and int(number) in {s.id for s in stages}:
        return "open", [col(Deal.status) == "open", col(Deal.stage_id) == int(number)]
    raise Invalid(f"no column {column!r} on this board (stage:ID, won or lost)", field="column")


def _column_order(status: str, *, reverse: bool = False) -> list[Any]:
    """A column's card order: open ones by close date (undated last), closed ones newest
    first (undated last); ``reverse`` reads it from the end."""
    if status == "open":
        undated, key = col(Deal.close_date).is_(None), col(Deal.close_date)
        forward = not reverse
    else:
        undated, key = col(Deal.closed_at).is_(None), col(Deal.closed_at)
        forward = reverse
    last = case((undated, 1), else_=0)
    if forward:
        return [last.desc() if reverse else last, key, col(Deal.id)]
    return [last.desc() if reverse else last, key.desc(), col(Deal.id).desc()]


def _after(status: str, card: BoardCard) -> Any:
    """Deals after ``card`` in a column of ``status`` (its order is ``_column_order``)."""
    deal_id = col(Deal.id)
    if status == "open":
        day, dated = card.close_date, col(Deal.close_date)
        if day is None:
            return and_(dated.is_(None), deal_id > card.id)
        return or_(dated.is_(None), dated > day, and_(dated == day, deal_id > card.id))
    at, closed = card.closed_at, col(Deal.closed_at)
    if at is None:
        return and_(closed.is_(None), deal_id < card.id)
    return or_(closed.is_(None), closed < at, and_(closed == at, deal_id < card.id))


def _before(status: str, card: BoardCard) -> Any:
    """Deals before ``card`` in a column of ``status``."""
    deal_id = col(Deal.id)
    if status == "open":
        day, dated = card.close_date, col(Deal.close_date)
        if day is None:
            return or_(dated.is_not(None), and_(dated.is_(None), deal_id < card.id))
        return and_(dated.is_not(None), or_(dated < day, and_(dated == day, deal_id < card.id)))
    at, closed = card.closed_at, col(Deal.closed_at)
    if at is None:
        return or_(closed.is_not(None), and_(closed.is_(None), deal_id > card.id))
    return and_(closed.is_not(None), or_(closed > at, and_(closed == at, deal_id > card.id)))


def _rotting_deal_by_deal(cutoffs: dict[int | None, datetime]) -> Any:
    """Rotting, judged for each card by its own newest activity, done task and move (three
    index lookups a card): open, in its stage and untouched since its stage's cutoff."""
    deal_id = Deal.id
    occurred = (
        select(func.max(col(Activity.occurred_at)))
        .where(col(Activity.deal_id) == deal_id)
        .scalar_subquery()
    )
    done = (
        select(func.max(col(Activity.done_at)))
        .where(col(Activity.deal_id) == deal_id, col(Activity.kind) == "task")
        .scalar_subquery()
    )
    entered = (
        select(func.max(col(StageChange.at)))
        .where(col(StageChange.deal_id) == deal_id)
        .scalar_subquery()
    )
    cutoff = case(
        {sid: literal(at, UTCDateTime()) for sid, at in cutoffs.items()},
        value=Deal.stage_id,
        else_=None,
    )
    return case(
        (
            and_(
                col(Deal.status) == "open",
                cutoff.is_not(None),
                func.coalesce(entered, Deal.created_at) < cutoff,
                or_(occurred.is_(None), occurred < cutoff),
                or_(done.is_(None), done < cutoff),
            ),
            True,
        ),
        else_=False,
    )


def _cards(
    session: Session,
    stages: list[Stage],
    scope: list[Any],
    now: datetime,
    today: date,
    *,
    few: bool = False,
) -> list[BoardCard]:
    """The cards of the deals in ``scope``, in card order. ``few``: a page's worth (its
    badges are read deal by deal through the activity's deal index, not from every
    recent activity, which is what a whole board of 50,000 cards wants)."""
    cutoffs = {s.id: now - timedelta(days=s.rotting_days) for s in stages if s.rotting_days}
    overdue: Any = case(
        (
            col(Deal.id).in_(
                select(col(Activity.deal_id)).where(
                    col(Activity.kind) == "task",
                    col(Activity.done_at).is_(None),
                    col(Activity.due_at) < now,
                    col(Activity.deal_id).is_not(None),
                )
            ),
            True,
        ),
        else_=False,
    )
    rotting: Any = literal(False)
    joins: list[tuple[Any, Any]] = []
    if few:
        # Through the deal's own activities (its index): in a CASE, SQLite cannot take the
        # open-tasks index for these terms, which its statistics overrate (one row per
        # distinct done_at) and which would read every open task once per card.
        is_overdue = and_(
            col(Activity.kind) == "task",
            col(Activity.done_at).is_(None),
            col(Activity.due_at) < now,
        )
        overdue = (
            select(col(Activity.id))
            .where(col(Activity.deal_id) == Deal.id, case((is_overdue, 1), else_=0) == 1)
            .exists()
        )
    if cutoffs and few:
        rotting = _rotting_deal_by_deal(cutoffs)
    elif cutoffs:
        # Only activity since the oldest cutoff can save a deal from rotting, so only
        # that window is read (two index range scans), not the whole activity table.
        since = min(cutoffs.values())
        carded = col(Activity.deal_id).in_(select(col(Deal.id)).where(*scope))
        recent = union_all(
            select(col(Activity.deal_id), col(Activity.occurred_at).label("at")).where(
                col(Activity.occurred_at) >= since, carded
            ),
            select(col(Activity.deal_id), col(Activity.done_at).label("at")).where(
                col(Activity.kind) == "task", col(Activity.done_at) >= since, carded
            ),
        ).subquery()
        touched = (
            select(recent.c.deal_id, func.max(recent.c.at).label("at"))
            .group_by(recent.c.deal_id)
            .subquery()
        )
        entered = (
            select(col(StageChange.deal_id), func.max(col(StageChange.at)).label("at"))
            .where(col(StageChange.deal_id).in_(select(col(Deal.id)).where(*scope)))
            .group_by(col(StageChange.deal_id))
            .subquery()
        )
        joins = [
            (touched, touched.c.deal_id == Deal.id),
            (entered, entered.c.deal_id == Deal.id),
        ]
        since_stage = func.coalesce(entered.c.at, Deal.created_at)
        cutoff = case(
            {sid: literal(at, UTCDateTime()) for sid, at in cutoffs.items()},
            value=Deal.stage_id,
            else_=None,
        )
        rotting = case(
            (
                and_(
                    col(Deal.status) == "open",
                    cutoff.is_not(None),
                    since_stage < cutoff,
                    or_(touched.c.at.is_(None), touched.c.at < cutoff),
                ),
                True,
            ),
            else_=False,
        )
    closing = case(
        (
            and_(
                col(Deal.status) == "open",
                col(Deal.close_date).is_not(None),
                col(Deal.close_date) >= today,
                col(Deal.close_date) <= today + timedelta(days=CLOSING_SOON_DAYS),
            ),
            True,
        ),
        else_=False,
    )
    person, account = aliased(Contact), aliased(Company)
    query = (
        select(
            col(Deal.id),
            col(Deal.title),
            col(Deal.stage_id),
            col(Deal.status),
            col(person.name),
            col(Deal.contact_id),
            col(account.name),
            col(Deal.company_id),
            col(Deal.amount_minor),
            type_coerce(col(Deal.amount_minor), BigInteger()),  # as stored: 1e20 is not none
            col(Deal.currency),
            col(Stage.probability),
            col(Deal.probability),
            col(Deal.close_date),
            col(Deal.closed_at),
            col(Deal.owner),
            overdue,
            rotting,
            closing,
        )
        .join(Stage, col(Deal.stage_id) == col(Stage.id))
        .outerjoin(person, col(Deal.contact_id) == col(person.id))
        .outerjoin(account, col(Deal.company_id) == col(account.id))
        .where(*scope)
        .order_by(*_card_order())
    )
    for subquery, on in joins:
        query = query.outerjoin(subquery, on)
    rows = session.connection().execute(query).all()
    all_tags = tags_for(session, "deal", [cast(int, row[0]) for row in rows])  # stored ids
    cards = []
    for (
        deal_id,
        title,
        stage_id,
        status,
        contact,
        contact_id,
        company,
        company_id,
        minor,
        stored,
        currency,
        stage_probability,
        override,
        close_date,
        closed_at,
        owner,
        overdue_task,
        is_rotting,
        is_closing,
    ) in rows:
        assert deal_id is not None  # a stored deal
        if status == "won":
            probability = 100
        elif status == "lost":
            probability = 0
        else:
            probability = override if override is not None else stage_probability
        cards.append(
            BoardCard.from_row(
                {
                    "id": deal_id,
                    "title": title,
                    "stage_id": stage_id,
                    "status": status,
                    "contact": contact,
                    "contact_id": contact_id,
                    "company": company,
                    "company_id": company_id,
                    "amount": None if minor is None else money.from_minor(minor, currency),
                    "amount_unreadable": minor is None and stored is not None,
                    "currency": currency,
                    "probability": probability,
                    "probability_override": override,
                    "close_date": close_date,
                    "closed_at": closed_at,
                    "owner": owner,
                    "tags": all_tags.get(deal_id, []),
                    "overdue_task": bool(overdue_task),
                    "rotting": bool(is_rotting),
                    "closing_soon": bool(is_closing),
                }
            )
        )
    return cards


def _closed_key(card: BoardCard) -> tuple[float, int]:
    stamp = card.closed_at.timestamp() if card.closed_at else 0.0
    return (-stamp, -card.id)


def load_board(
    store: Store,
    *,
    pipeline: str | int | None = None,
    where: str | None = None,
    closed: bool = False,
    now: datetime | None = None,
    per_column: int | None = None,
) -> Board:
    """Everything the board shows for ``pipeline`` (default: the first).

    Open deals are carded per stage, ordered by expected close date (undated last);
    ``closed`` adds a Won and a Lost column, newest first. ``per_column``: only the
    first so many cards of each column (its count and totals are still all of it; a
    column whose ``cards`` are fewer than its ``count`` was cut). ``where`` is a filter over
    deals (``tinycrm.filters``). ``now`` sets the clock badges are judged by (rotting,
    overdue, closing within 7 local days) and the day relative dates in ``where`` count
    from. A bad ``where`` (or a segment it names that does not exist) raises
    ``InvalidFilter`` with the position.
    """
    if per_column is not None:  # 0: the counts and totals only
        per_column = validate.whole(per_column, "per_column")
    moment = now or utcnow()
    today = moment.astimezone(dates.local_tz()).date()
    where = where.strip() if where and where.strip() else None
    with store.read() as session:
        marker = marker_of(session)
        pipelines = [
            PipelineChoice(id=p.id, name=p.name)
            for p in session.scalars(
                select(Pipeline).order_by(col(Pipeline.position), col(Pipeline.id))
            )
        ]
        deals_total = int(session.scalar(select(func.count()).select_from(Deal)) or 0)
        if not pipelines:
            return Board(
                pipeline_id=None,
                pipeline=None,
                pipelines=[],
                columns=[],
                deals_total=deals_total,
                where=where,
                per_column=per_column,
                marker=marker,
                loaded_at=moment,
            )
        pipe = resolve_pipeline(session, pipeline)
        assert pipe.id is not None
        stages = stages_of(session, pipe.id)
        scope = [
            col(Deal.pipeline_id) == pipe.id,
            *deal_conditions(store, session, status=_statuses(closed), where=where, now=moment),
        ]
        totals = _totals(session, scope)
        shown = scope
        few = per_column is not None
        if per_column is not None:  # a few hundred ids, read once (not a subquery per use)
            keys = [column_key(s.id) for s in stages] + (["won", "lost"] if closed else [])
            first = [
                deal_id
                for key in keys
                for deal_id in session.scalars(
                    select(col(Deal.id))
                    .where(*scope, *_column_scope(key, stages)[1])
                    .order_by(*_column_order(_column_scope(key, stages)[0]))
                    .limit(per_column)
                )
            ]
            shown = [col(Deal.id).in_(first)]
        cards = _cards(session, stages, shown, moment, today, few=few)
        by_key: dict[str, list[BoardCard]] = defaultdict(list)
        for card in cards:
            by_key[column_key(card.stage_id, card.status)].append(card)
        columns = []
        for stage in stages:
            key = column_key(stage.id)
            count, money_totals = totals.get(key, (0, []))
            columns.append(
                BoardColumn(
                    key=key,
                    name=stage.name,
                    status="open",
                    stage_id=stage.id,
                    probability=stage.probability,
                    rotting_days=stage.rotting_days,
                    count=count,
                    totals=money_totals,
                    cards=by_key.get(key, []),
                )
            )
        if closed:
            for status, name, probability in (("won", "Won", 100), ("lost", "Lost", 0)):
                count, money_totals = totals.get(status, (0, []))
                columns.append(
                    BoardColumn(
                        key=status,
                        name=name,
                        status=status,
                        stage_id=None,
                        probability=probability,
                        rotting_days=None,
                        count=count,
                        totals=money_totals,
                        cards=sorted(by_key.get(status, []), key=_closed_key),
                    )
                )
        return Board(
            pipeline_id=pipe.id,
            pipeline=pipe.name,
            pipelines=pipelines,
            columns=columns,
            deals_total=deals_total,
            where=where,
            per_column=per_column,
            marker=marker,
            loaded_at=moment,
        )


def load_cards(
    store: Store,
    column: str,
    *,
    pipeline: str | int | None = None,
    where: str | None = None,
    now: datetime | None = None,
    offset: int | None = None,
    after: BoardCard | None = None,
    before: BoardCard | None = None,
    limit: int | None = 50,
) -> CardPage:
    """A page of ``limit`` cards of one board column (``stage:ID``, ``won`` or ``lost``;
    a ``BoardColumn``'s ``key``) of ``pipeline``, in the board's order, with the badges
    ``load_board`` gives them; ``where`` and ``now`` as there.

    Which page: the cards right ``after`` a card or right ``before`` one (keyset: a card
    that moved since is still a place in the order), or from ``offset`` (0: the first;
    a jump into a long column). The page says where it sits (``offset``) and how many
    the column holds (``count``), so a board can show the column's scroll bar whole and
    read only what is on screen. ``Invalid`` for a column that is not on this board.
    """
    if sum(x is not None for x in (offset, after, before)) > 1:
        raise Invalid("one of offset, after and before", field="offset")
    offset = validate.offset(offset)
    limit = validate.limit(limit)
    moment = now or utcnow()
    today = moment.astimezone(dates.local_tz()).date()
    where = where.strip() if where and where.strip() else None
    with store.read() as session:
        pipe = resolve_pipeline(session, pipeline)
        assert pipe.id is not None
        stages = stages_of(session, pipe.id)
        status, in_column = _column_scope(column, stages)
        scope = [
            col(Deal.pipeline_id) == pipe.id,
            *deal_conditions(store, session, status=_statuses(True), where=where, now=moment),
            *in_column,
        ]
        count = int(session.scalar(select(func.count()).select_from(Deal).where(*scope)) or 0)
        ids_query = select(col(Deal.id)).where(*scope)
        if before is not None:
            ids = list(
                session.scalars(
                    ids_query.where(_before(status, before))
                    .order_by(*_column_order(status, reverse=True))
                    .limit(limit)
                )
            )
            ids.reverse()
        elif after is not None:
            ids = list(
                session.scalars(
                    ids_query.where(_after(status, after))
                    .order_by(*_column_order(status))
                    .limit(limit)
                )
            )
        else:
            ids = list(
                session.scalars(
                    ids_query.order_by(*_column_order(status)).offset(offset or 0).limit(limit)
                )
            )
        shown = [col(Deal.id).in_(ids)]
        found = {c.id: c for c in _cards(session, stages, shown, moment, today, few=True)}
        cards = [found[i] for i in ids if i in found]
        if offset is not None or (after is None and before is None):
            first = min(offset or 0, count)
        elif cards:
            ahead = select(func.count()).select_from(Deal).where(*scope, _before(status, cards[0]))
            first = int(session.scalar(ahead) or 0)
        else:
            first = 0 if before is not None else count
        return CardPage(
            column=column,
            cards=cards,
            offset=first,
            count=count,
        )
