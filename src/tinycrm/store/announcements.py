"""Where ``tinycrm remind`` told an item in a run that failed elsewhere.

A run tells its items on several channels: the list on standard output, each mail
recipient, each webhook, the desktop. When one fails, the run gives its claims back
(``reminder_claims.release_run``) and the next run tells the items again, but only on the
channels that did not have them: the channels that did are recorded here, in the same
transaction as the claims go back. Once an item is announced (``reminder_claims.confirm_run``)
its rows go.

Items are (key, due time) pairs, as ``Announcement`` has them. An item that stopped
being due before every channel had it (a task done meanwhile) is never announced: its
rows go after ``KEPT`` (were it due again, it would be told on every channel).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlmodel import Session, col

from tinycrm.store.engine import Store, chunks
from tinycrm.store.log_models import AnnouncementChannel
from tinycrm.store.models import table_of
from tinycrm.store.reminder_items import STALE_CLAIM, claim_due, claim_pairs
from tinycrm.store.types import utcnow

Item = tuple[str, datetime]  # (key, due_at)
_IN = 500  # keys or rows per statement
KEPT = timedelta(days=30)  # how long a run's record of where an item went out is kept


def told_on(
    store: Store, items: Iterable[Item], now: datetime | None = None
) -> dict[Item, set[str]]:
    """The channels each of ``items`` went out on in an earlier run that failed
    elsewhere (items told nowhere yet are left out). A record stamped more than
    ``STALE_CLAIM`` after ``now`` is not read: made under a clock since put back, it may
    be of a telling before the item was due (as ``reminder_claims._void``)."""
    ahead = (now or utcnow()) + STALE_CLAIM
    wanted = claim_pairs(items)  # a day's item is recorded by its day (see claim_due)
    found: dict[Item, set[str]] = {}
    with store.read() as session:
        for keys in chunks(sorted({key for key, _ in wanted}), _IN):
            rows = session.execute(
                select(
                    col(AnnouncementChannel.key),
                    col(AnnouncementChannel.due_at),
                    col(AnnouncementChannel.channel),
                ).where(
                    col(AnnouncementChannel.key).in_(keys),
                    col(AnnouncementChannel.told_at) <= ahead,
                )
            )
            for key, due_at, channel in rows:
                if (item := wanted.get((key, claim_due(key, due_at)))) is not None:
                    found.setdefault(item, set()).add(channel)
    return found


def record_told(
    store: Store, session: Session, told: Mapping[str, Iterable[Item]], now: datetime
) -> None:
    """Record, in ``session``'s transaction, that each channel of ``told`` had its items
    (one there already stays as it is); records older than ``KEPT`` go, and those
    stamped more than ``STALE_CLAIM`` after ``now`` (see ``told_on``)."""
    told_at = col(AnnouncementChannel.told_at)
    session.execute(
        delete(AnnouncementChannel).where(or_(told_at < now - KEPT, told_at > now + STALE_CLAIM))
    )
    rows = [
        {"key": key, "due_at": due_at, "channel": channel, "told_at": now}
        for channel, items in told.items()
        for key, due_at in set(items)
    ]
    if not rows:
        return
    table, keys = table_of(AnnouncementChannel), ["key", "due_at", "channel"]
    if store.backend == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    statement = insert(table).on_conflict_do_nothing(index_elements=keys)
    for chunk in chunks(rows, _IN):
        session.execute(statement, chunk)


def forget_told(session: Session, keys: Iterable[str]) -> None:
    """The items of ``keys`` are announced: where they went out no longer matters (an
    earlier due time of the same item, not due any more, goes with them)."""
    for chunk in chunks(sorted(set(keys)), _IN):
        session.execute(delete(AnnouncementChannel).where(col(AnnouncementChannel.key).in_(chunk)))
