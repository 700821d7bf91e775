"""Which run tells an item: claims under a unique (key, due time) index.

``claim_items`` / ``confirm_run`` / ``release_run`` make ``tinycrm remind`` announce
each item once per due time, even when two runs overlap: a run claims items by
inserting (key, due time) rows under a unique constraint, so the loser of a race simply
does not get them, and a failed delivery releases its claims for the next run.
``is_announced`` and ``announced_items`` let the queries of what is due leave out what
a run told (or is telling) already.

An item due on a calendar day (a deal's close date, a quote's last day, a contract's
notice deadline or end: :data:`DAY_KINDS`) is due at that day's local midnight, which
is another instant in another zone (cron's and the terminal's can differ; a laptop
travels). Its claim holds the day instead, as its UTC midnight
(``reminder_items.claim_due``), so it is told once per day in every zone.

A day that passed while no run told it is told late: ``look_back`` says how far back, to
the last run that told what was due (one row of the same table, under ``RUN_KEY``),
within ``LATE_DAYS`` and ``LATE_DAYS_MAX``. A claim of a day item given back untold (a
failed delivery, a killed run's taken over) moves that row back to its day, and keeps a
run that started before from recording itself past it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    delete,
    func,
    literal,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.sql.dml import Insert
from sqlmodel import Session, col

from tinycrm.store.engine import Store, chunks
from tinycrm.store.log_models import Announcement
from tinycrm.store.models import Activity, table_of
from tinycrm.store.reminder_items import (
    DAY_KINDS,
    LATE_DAYS,
    LATE_DAYS_MAX,
    STALE_CLAIM,
    DueItem,
    claim_due,
    claim_pairs,
)
from tinycrm.store.types import utcnow

_IN = 500  # ids or rows per statement
RUN_KEY = "remind-run"
"""The key of the row that records remind's last run (no item's: no ``kind:`` prefix):
``claimed_at`` is when that run started, ``announced_at`` when a claim of a day item last
went back untold (``_reopen``); ``due_at`` is fixed, so there is one such row."""
_RUN_DUE = datetime(1970, 1, 1, tzinfo=UTC)


def _told(now: datetime) -> ColumnElement[bool]:
    """An announcement that counts: delivered, or claimed by a run that may still be
    delivering (see ``_stale``: a dead run's claim is taken over). One delivered more
    than ``STALE_CLAIM`` after ``now`` does not (see ``_void``)."""
    announced = col(Announcement.announced_at)
    return or_(
        and_(announced.is_not(None), announced <= now + STALE_CLAIM),
        and_(announced.is_(None), not_(_stale(now))),
    )


def _void(now: datetime) -> ColumnElement[bool]:
    """An item's row that no longer counts, which a run deletes before it claims: a claim
    no live run holds (``_stale``), or an announcement stamped more than ``STALE_CLAIM``
    after ``now``: made under a clock that ran ahead and was put back since, it may have
    told an item before it was due (tomorrow's task as overdue), and the item is told
    again, once, as if it had not been (a few minutes ahead is another machine's clock)."""
    announced = col(Announcement.announced_at)
    return and_(
        col(Announcement.key) != RUN_KEY,
        or_(
            and_(announced.is_(None), _stale(now)),
            announced > now + STALE_CLAIM,
        ),
    )


def _stale(now: datetime) -> ColumnElement[bool]:
    """A claim no live run holds: made more than ``STALE_CLAIM`` ago, or more than that
    ahead of ``now`` (the clock was set back since; a few minutes ahead is another
    machine's clock, a run that may be delivering)."""
    claimed = col(Announcement.claimed_at)
    return or_(claimed < now - STALE_CLAIM, claimed > now + STALE_CLAIM)


def is_announced(kind: str, due: Any, now: datetime) -> ColumnElement[bool]:
    """The task item ``kind:<id>`` was told at due time ``due``: a probe of the
    (key, due_at) unique index."""
    key = literal(f"{kind}:", String) + cast(Activity.id, String)
    told = select(col(Announcement.id)).where(
        col(Announcement.key) == key, col(Announcement.due_at) == due, _told(now)
    )
    return told.exists()


def announced_items(session: Session, kind: str, now: datetime) -> set[tuple[str, datetime]]:
    """(key, due time) of every item of a kind (``cadence``, ``rotting``, ...) that was
    told: a pass over the (key, due_at) unique index. (A prefix, not a key range: a
    range would follow the database's collation, which need not compare bytes.)"""
    rows = session.connection().execute(
        select(col(Announcement.key), col(Announcement.due_at)).where(
            col(Announcement.key).startswith(f"{kind}:"), _told(now)
        )
    )
    if kind not in DAY_KINDS:
        return set(rows.all())  # type: ignore[arg-type]
    # as the queries compute a day item's due time: its day's local midnight
    from tinycrm.dates import local_midnight, local_tz

    zone = local_tz()
    return {(key, local_midnight(claim_due(key, due, zone).date(), zone)) for key, due in rows}


def _day_claim(key: Any) -> ColumnElement[bool]:
    return or_(*(key.startswith(f"{kind}:") for kind in sorted(DAY_KINDS)))


def last_run(session: Session) -> datetime | None:
    """When the last run of ``remind`` that told what was due started; on a database it
    told things on before it recorded its runs, when it last told something."""
    recorded = session.scalar(
        select(col(Announcement.claimed_at)).where(
            col(Announcement.key) == RUN_KEY, col(Announcement.due_at) == _RUN_DUE
        )
    )
    if recorded is not None:
        return recorded  # type: ignore[no-any-return]
    return session.scalar(  # type: ignore[no-any-return]
        select(func.max(col(Announcement.announced_at))).where(col(Announcement.key) != RUN_KEY)
    )


def look_back(session: Session, today: date) -> int:
    """How many days before ``today`` a run looks for a day that passed untold: back to
    the last run's day (see ``last_run``) and to the day of any claim of a day item a run
    holds untold (a killed run's, taken over), at least ``LATE_DAYS`` (also on the first
    run on a database), at most ``LATE_DAYS_MAX``."""
    from tinycrm.dates import local_tz

    days = LATE_DAYS
    ran = last_run(session)
    if ran is not None:
        days = max(days, (today - ran.astimezone(local_tz()).date()).days)
    held = session.scalar(
        select(func.min(col(Announcement.due_at))).where(
            col(Announcement.announced_at).is_(None), _day_claim(col(Announcement.key))
        )
    )
    if held is not None:  # a day item's claim holds its day's UTC midnight
        days = max(days, (today - held.astimezone(UTC).date()).days)
    return min(days, LATE_DAYS_MAX)


def _reopen(store: Store, session: Session, untold: list[datetime], now: datetime) -> None:
    """Claims of day items due at ``untold`` went back untold: the last run recorded
    moves back to the first of them (the next run looks back to it), and a run that
    started before ``now`` does not record itself (``_record_run``): it did not see them."""
    if not untold:
        return
    first = min(untold)
    table = table_of(Announcement)
    row = {"key": RUN_KEY, "due_at": _RUN_DUE, "run_id": "", "claimed_at": first}
    statement = _upsert(store)(table).values(announced_at=now, **row)
    earlier = case((table.c.claimed_at < first, table.c.claimed_at), else_=first)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["key", "due_at"], set_={"claimed_at": earlier, "announced_at": now}
        )
    )


def _record_run(
    store: Store, session: Session, run_id: str, started: datetime, now: datetime
) -> None:
    """The run that started at ``started`` told what was due: the next run looks back to
    it, unless a claim of a day item went back untold since it started (``_reopen``), or
    another run holds one untold now: that run may yet give it back, and what its item
    named (a contract's renewals since the last run, one item) reaches back before its
    day, to the last run recorded, which the next run must look back to then."""
    held = select(col(Announcement.id)).where(
        col(Announcement.announced_at).is_(None),
        _day_claim(col(Announcement.key)),
        col(Announcement.run_id) != run_id,
        not_(_stale(now)),
    )
    if session.scalar(held.limit(1)) is not None:
        return
    table = table_of(Announcement)
    statement = _upsert(store)(table).values(
        key=RUN_KEY, due_at=_RUN_DUE, run_id=run_id, claimed_at=started, announced_at=_RUN_DUE
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["key", "due_at"],
            set_={"claimed_at": started, "run_id": run_id},
            # (a claim given back at a time past now + STALE_CLAIM: under a clock since
            # put back, long before this run)
            where=or_(table.c.announced_at <= started, table.c.announced_at > now + STALE_CLAIM),
        )
    )


def _upsert(store: Store) -> Any:
    if store.backend == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    return insert


def _untold_days(session: Session, *where: Any, told: bool = False) -> list[datetime]:
    """The due times of the untold claims of day items that ``where`` picks (``told``:
    of any of their rows ``where`` picks)."""
    untold = [] if told else [col(Announcement.announced_at).is_(None)]
    return list(
        session.scalars(
            select(col(Announcement.due_at)).where(
                *untold, _day_claim(col(Announcement.key)), *where
            )
        )
    )


def claim_items(
    store: Store, items: list[DueItem], *, run_id: str, now: datetime | None = None
) -> list[DueItem]:
    """Claim the items no run has announced (or is announcing); return this run's share.

    Claims left by a run that died more than 15 minutes ago (or stamped more than that
    ahead: the clock was set back since), and announcements stamped more than that ahead,
    are released first (``_void``).
    """
    now = now or utcnow()
    by_claim = claim_pairs((i.key, i.due_at) for i in items)
    with store.write() as session:
        _reopen(store, session, _untold_days(session, _void(now), told=True), now)
        session.execute(delete(Announcement).where(_void(now)))
        wanted = set(by_claim)
        # Read which of them earlier runs announced (a probe of the unique index per
        # key) rather than attempt and ignore an insert for each. (A day item told
        # before its claim held the day holds its local midnight: taken as its day.)
        for keys in chunks(sorted({key for key, _ in wanted}), _IN):
            known = session.execute(
                select(col(Announcement.key), col(Announcement.due_at)).where(
                    col(Announcement.key).in_(keys)
                )
            )
            wanted -= set(claim_pairs(known.all()))  # type: ignore[arg-type]
        if not wanted:
            return []
        insert = _insert_ignoring_duplicates(store)
        rows = [{"key": k, "due_at": d, "run_id": run_id, "claimed_at": now} for k, d in wanted]
        for chunk in chunks(rows, _IN):
            session.execute(insert, chunk)
        # A run racing this one may have taken some first: ours are the rows we wrote.
        written = session.execute(
            select(col(Announcement.key), col(Announcement.due_at)).where(
                col(Announcement.run_id) == run_id
            )
        ).all()
    mine = {by_claim[(key, due)] for key, due in written if (key, due) in by_claim}
    return [item for item in items if (item.key, item.due_at) in mine]


def _insert_ignoring_duplicates(store: Store) -> Insert:
    table, keys = table_of(Announcement), ["key", "due_at"]
    if store.backend == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing(index_elements=keys)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing(index_elements=keys)


def confirm_run(
    store: Store,
    run_id: str,
    *,
    items: list[DueItem] | None = None,
    now: datetime | None = None,
    started: datetime | None = None,
) -> None:
    """The run delivered its items: they stay announced.

    ``items``, the run's share as ``claim_items`` returned it: those whose claims a later
    run took over (this one stalled past ``STALE_CLAIM``) are marked announced all the
    same, so that the later run giving them back does not make a third run tell them.
    ``started``: when the run read what was due (default: when it claimed its first item,
    else ``now``), recorded as the last run (``look_back``).
    """
    from tinycrm.store.announcements import forget_told

    now = now or utcnow()
    with store.write() as session:
        if started is None:
            started = session.scalar(
                select(func.min(col(Announcement.claimed_at))).where(
                    col(Announcement.run_id) == run_id, col(Announcement.key) != RUN_KEY
                )
            )
        # the last run's row first, as claim_items and release_run take it: one order
        _record_run(store, session, run_id, started or now, now)
        session.execute(
            update(Announcement)
            .where(col(Announcement.run_id) == run_id, col(Announcement.key) != RUN_KEY)
            .values(announced_at=now)
        )
        forget_told(session, (i.key for i in items or []))
        if items:
            upsert = _insert_marking_announced(store, now)
            rows = [
                {
                    "key": i.key,
                    "due_at": claim_due(i.key, i.due_at),
                    "run_id": run_id,
                    "claimed_at": now,
                    "announced_at": now,
                }
                for i in items
            ]
            for chunk in chunks(rows, _IN):
                session.execute(upsert, chunk)


def _insert_marking_announced(store: Store, now: datetime) -> Insert:
    """Insert announced rows; one there already (told, or claimed by another run) is
    marked announced, keeping its first announcement time."""
    table, keys = table_of(Announcement), ["key", "due_at"]
    if store.backend == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    announced = func.coalesce(table.c.announced_at, now)
    return insert(table).on_conflict_do_update(
        index_elements=keys, set_={"announced_at": announced}
    )


def release_run(
    store: Store,
    run_id: str,
    *,
    told: dict[str, list[DueItem]] | None = None,
    now: datetime | None = None,
) -> None:
    """The run could not deliver: its items go back, for the next run to announce.

    ``told``: the channels that had some of them all the same (``stdout``, ``mail:ADDRESS``,
    ...) and their items; the next run does not tell those there again (``told_on``)."""
    from tinycrm.store.announcements import record_told

    with store.write() as session:
        mine = col(Announcement.run_id) == run_id
        _reopen(store, session, _untold_days(session, mine), now or utcnow())
        if told:
            pairs = {
                channel: list(claim_pairs((i.key, i.due_at) for i in items))
                for channel, items in told.items()
            }
            record_told(store, session, pairs, now or utcnow())
        session.execute(delete(Announcement).where(mine, col(Announcement.announced_at).is_(None)))


def record_channel(
    store: Store, channel: str, items: list[DueItem], *, now: datetime | None = None
) -> None:
    """``channel`` (``stdout``, ``mail:ADDRESS``, ...) took ``items``, now, in a run still
    telling: a run that dies before it confirms (kill -9, a power cut) has it recorded,
    and the run that takes its claims over tells them only where they did not go out."""
    from tinycrm.store.announcements import record_told

    pairs = list(claim_pairs((i.key, i.due_at) for i in items))
    with store.write() as session:
        record_told(store, session, {channel: pairs}, now or utcnow())
