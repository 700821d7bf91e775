"""The demo database: realistic, deterministic sample data to explore tinycrm with.

``tinycrm demo`` builds it once into its own file (never the user's database)
and reuses it afterwards. Everything is drawn from one seeded random generator
and placed relative to ``now``, so two builds with the same ``now`` hold the
same records, down to every timestamp: each record is written at the moment it
happened (see ``builder.Builder.run``), so the demo has a past for the reports to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tinycrm.demo.builder import Builder, Progress
from tinycrm.files import expand_home
from tinycrm.store import activities, companies, contacts, deals
from tinycrm.store.engine import (
    Store,
    data_dir,
    default_path,
    open_store,
    refuse_database_itself,
    resolve_url,
    sqlite_path,
)
from tinycrm.store.errors import Invalid, Unavailable
from tinycrm.store.types import utcnow

DEMO_USER = "demo"


def demo_path() -> Path:
    """Where the demo database lives: ``demo.db`` in the user data dir."""
    return data_dir() / "demo.db"


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    companies: int
    contacts: int
    deals: int
    open_deals: int
    won: int
    lost: int
    activities: int
    overdue_tasks: int


# --------------------------------------------------------------------------- entry points


def ensure_demo(
    path: Path,
    *,
    reset: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
    database: str | None = None,
) -> DemoSummary:
    """Build the demo database at ``path``, or reuse the one already there.

    ``reset`` deletes the file (with its WAL and shared-memory files) first.
    ``now`` anchors the data in time (default: the current time, so some
    tasks are overdue today). ``progress`` hears how far a build is (not a reuse).
    ``path`` is never the user's own database (``Invalid``): the default one, nor
    ``database`` (the one the user works with: ``--db``, else ``TINYCRM_DB``), nor one
    of their -wal/-shm/-journal files, a symlink or a hard link to them.
    """
    target = expand_home(path, "cannot write the demo database").absolute()
    for own in _own_databases(database):
        try:
            refuse_database_itself(own, target, str(target))
        except Invalid:
            raise Invalid(
                f"{target} is your own tinycrm database (or one of its files); "
                "choose another demo path"
            ) from None
    if reset:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    moment = _utc(now) if now is not None else utcnow()
    # Built with the defaults, whatever the user's config file says or lacks: the demo is
    # its own data. The store is given no settings (no rules; its phone numbers read the
    # same everywhere) and no hooks' watch (the user's hooks and webhooks never hear of
    # it), and a TINYCRM_CONFIG naming a file that does not exist does not stop it.
    store = open_store(str(target), user=DEMO_USER)
    try:
        created = False
        # Check and build in one write transaction, so two concurrent builds cannot collide.
        with store.write():
            if not companies.list_companies(store, limit=1):
                build_demo(store, now=moment, progress=progress)
                created = True
        return _summary(store, created=created, now=moment)
    finally:
        store.close()


def _own_databases(database: str | None) -> list[Path]:
    """The user's database files a demo must never be: the default database, and the
    one ``database`` (else ``TINYCRM_DB``) names when it is a SQLite file."""
    own = [default_path()]
    try:
        named = sqlite_path(resolve_url(database))
    except Unavailable:  # not a database URL at all: nothing it names to protect
        named = None
    if named is not None:
        own.append(named)
    return own


def build_demo(store: Store, *, now: datetime, progress: Progress | None = None) -> None:
    """Fill an empty store with the demo data, in one transaction."""
    Builder(store, _utc(now)).run(progress)


def _summary(store: Store, *, created: bool, now: datetime) -> DemoSummary:
    with store.read():
        all_deals = deals.list_deals(store, status=None)
        return DemoSummary(
            created=created,
            companies=len(companies.list_companies(store)),
            contacts=len(contacts.list_contacts(store)),
            deals=len(all_deals),
            open_deals=sum(1 for d in all_deals if d.status == "open"),
            won=sum(1 for d in all_deals if d.status == "won"),
            lost=sum(1 for d in all_deals if d.status == "lost"),
            activities=len(activities.list_activities(store, limit=None)),
            overdue_tasks=len(activities.list_tasks(store, scope="overdue", now=now)),
        )


def _utc(moment: datetime) -> datetime:
    """An aware UTC datetime (a naive one is taken as local time)."""
    return moment.astimezone(UTC)
