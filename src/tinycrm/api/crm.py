"""``Crm``: one open tinycrm database, with its nouns as attributes."""

from __future__ import annotations

import os
from functools import cached_property
from os import PathLike
from typing import TYPE_CHECKING, Any

from tinycrm.api import values
from tinycrm.api.values import When

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from tinycrm.api.activities import Activities, Tasks
    from tinycrm.api.board import BoardAccess
    from tinycrm.api.campaigns import Campaigns, Sequences
    from tinycrm.api.cases import Cases
    from tinycrm.api.companies import Companies
    from tinycrm.api.contacts import Contacts
    from tinycrm.api.contracts import Contracts
    from tinycrm.api.data import Exports, Imports
    from tinycrm.api.database import Database, UpgradeNotice
    from tinycrm.api.deals import Deals
    from tinycrm.api.leads import Leads, Scoring
    from tinycrm.api.mail import Mail
    from tinycrm.api.pipelines import Pipelines
    from tinycrm.api.products import Products
    from tinycrm.api.quotes import Quotes
    from tinycrm.api.reminders import Reminders
    from tinycrm.api.reports import Reports
    from tinycrm.api.segments import Segments, Tags
    from tinycrm.api.webhooks import Webhooks
    from tinycrm.config import Config
    from tinycrm.store.engine import Store
    from tinycrm.store.models import ActivityRead, EventRead
    from tinycrm.store.reminders import DueItem, NextAction
    from tinycrm.store.search import SearchHit


class Crm:
    """An open CRM. Use it as a context manager, or call ``close()``.

    Its attributes are the nouns of the command line: ``contacts``, ``companies``,
    ``deals`` (their line items: ``deals.items``), ``products``, ``quotes``,
    ``contracts``, ``cases``, ``pipelines``, ``activities``, ``tasks``, ``leads``, ``scoring``,
    ``segments``, ``tags``, ``campaigns``, ``sequences``, ``reports``, ``imports``,
    ``exports``, ``reminders``, ``webhooks`` (the outbox), ``mail`` (mail logged as
    email activities), ``db`` (the database itself)
    and ``board`` (what the full-screen board reads and how it writes); ``log``,
    ``feed``, ``next``, ``due`` and ``search`` are on the ``Crm`` itself.
    """

    def __init__(self, store: Store, config: Config | None = None) -> None:
        from tinycrm.api.settings import hook_settings
        from tinycrm.store.commits import install

        self._store = store
        # what the config says: the nouns read it here (the store reads none); hooks and
        # webhooks on every write, whoever makes it. Without a config (a Crm over a store
        # opened below the API), the config file as it is when it is needed.
        self._config = config
        install(store, hook_settings(config))

    # Each noun is made (and its module imported) on first use: a command that lists
    # contacts does not pay for the board's filters or the database's backups.

    @cached_property
    def contacts(self) -> Contacts:
        from tinycrm.api.contacts import Contacts

        return Contacts(self._store)

    @cached_property
    def companies(self) -> Companies:
        from tinycrm.api.companies import Companies

        return Companies(self._store)

    @cached_property
    def deals(self) -> Deals:
        from tinycrm.api.deals import Deals

        return Deals(self._store)

    @cached_property
    def contracts(self) -> Contracts:
        from tinycrm.api.contracts import Contracts

        return Contracts(self._store, self._config)

    @cached_property
    def products(self) -> Products:
        from tinycrm.api.products import Products

        return Products(self._store)

    @cached_property
    def quotes(self) -> Quotes:
        from tinycrm.api.quotes import Quotes

        return Quotes(self._store, self._config)

    @cached_property
    def cases(self) -> Cases:
        from tinycrm.api.cases import Cases

        return Cases(self._store)

    @cached_property
    def pipelines(self) -> Pipelines:
        from tinycrm.api.pipelines import Pipelines

        return Pipelines(self._store)

    @cached_property
    def activities(self) -> Activities:
        from tinycrm.api.activities import Activities

        return Activities(self._store)

    @cached_property
    def tasks(self) -> Tasks:
        from tinycrm.api.activities import Tasks

        return Tasks(self._store)

    @cached_property
    def leads(self) -> Leads:
        from tinycrm.api.leads import Leads

        return Leads(self._store)

    @cached_property
    def scoring(self) -> Scoring:
        from tinycrm.api.leads import Scoring

        return Scoring(self._store)

    @cached_property
    def segments(self) -> Segments:
        from tinycrm.api.segments import Segments

        return Segments(self._store)

    @cached_property
    def tags(self) -> Tags:
        from tinycrm.api.segments import Tags

        return Tags(self._store)

    @cached_property
    def campaigns(self) -> Campaigns:
        from tinycrm.api.campaigns import Campaigns

        return Campaigns(self._store)

    @cached_property
    def sequences(self) -> Sequences:
        from tinycrm.api.campaigns import Sequences

        return Sequences(self._store)

    @cached_property
    def reports(self) -> Reports:
        from tinycrm.api.reports import Reports

        return Reports(self._store)

    @cached_property
    def imports(self) -> Imports:
        from tinycrm.api.data import Imports

        return Imports(self._store)

    @cached_property
    def exports(self) -> Exports:
        from tinycrm.api.data import Exports

        return Exports(self._store)

    @cached_property
    def reminders(self) -> Reminders:
        from tinycrm.api.reminders import Reminders

        return Reminders(self._store, self._config)

    @cached_property
    def db(self) -> Database:
        from tinycrm.api.database import Database

        return Database(self._store)

    @cached_property
    def board(self) -> BoardAccess:
        from tinycrm.api.board import BoardAccess

        return BoardAccess(self._store)

    @cached_property
    def webhooks(self) -> Webhooks:
        from tinycrm.api.webhooks import Webhooks

        return Webhooks(self._store, self._config)

    @cached_property
    def mail(self) -> Mail:
        from tinycrm.api.mail import Mail

        return Mail(self._store, self._config)

    # ------------------------------------------------------------------ the database

    @property
    def url(self) -> str:
        """The database's URL, with any password hidden."""
        return self._store.display_url()

    @property
    def user(self) -> str:
        """Who the writes are recorded as (the events' actor)."""
        return self._store.user

    @property
    def events_written(self) -> int:
        """How many events (the feed's lines) the writes through this Crm have saved in
        this thread so far. An edit after which it has not grown changed nothing (every
        value given was the record's already): it recorded no event, and no hook or
        webhook was called for it (``tinycrm product edit`` says 'Nothing changed')."""
        return self._store.events_written()

    def close(self) -> None:
        """Release the database (every pooled connection)."""
        self._store.close()

    def __enter__(self) -> Crm:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<tinycrm.Crm {self.url}>"

    # ------------------------------------------------------------------ across nouns

    def log(self, kind: str, ref: str | None, text: str, **details: Any) -> ActivityRead:
        """Log a call, email, meeting or note about ``ref`` (``tinycrm log``); see
        ``crm.activities.log`` for ``body``, ``at``, ``campaign`` and ``channel``."""
        return self.activities.log(kind, ref, text, **details)

    def feed(
        self, *, limit: int | None = 50, since: When | None = None, offset: int | None = None
    ) -> list[EventRead]:
        """The event log, newest first: every create, change, move, win and loss;
        ``offset`` passes over that many first."""
        from tinycrm.store.events import list_events

        since_at = values.when(since, "since")
        return list_events(self._store, limit=limit, since=since_at, offset=offset)

    def next(
        self, *, limit: int | None = 20, now: When | None = None, offset: int | None = None
    ) -> list[NextAction]:
        """What to do now (or as of ``now``, a WHEN), most pressing first (``tinycrm next``);
        ``offset`` passes over that many first."""
        from tinycrm.api.reminders import remind_settings
        from tinycrm.store.reminders import next_actions

        return next_actions(
            self._store,
            now=values.when(now, "now"),
            limit=limit,
            offset=offset,
            settings=remind_settings(self._config),
        )

    def due(self) -> list[DueItem]:
        """Everything ``tinycrm remind`` would announce now, without claiming it
        (``crm.reminders`` claims and confirms)."""
        return self.reminders.due()

    def search(
        self,
        text: str,
        *,
        kinds: str | Iterable[str] | None = None,
        limit: int | None = 20,
        offset: int | None = None,
    ) -> list[SearchHit]:
        """Contacts, companies, deals and activities whose text holds every word of
        ``text`` (``tinycrm search``): each word a word prefix, "quoted phrases" whole,
        case and accents ignored. ``kinds``: one or some of contacts, companies,
        deals, activities, cases (default all). Names that are or start with the text come first,
        then relevance, newest first on ties; each hit has a snippet with its matches.
        ``offset`` passes over that many first."""
        from tinycrm.store.search import search

        return search(self._store, text, kinds=values.names(kinds), limit=limit, offset=offset)


def open_crm(
    db: str | PathLike[str] | None = None,
    *,
    user: str | None = None,
    config: Config | str | PathLike[str] | None = None,
    migrate: bool = True,
    on_upgrade: Callable[[UpgradeNotice], None] | None = None,
) -> Crm:
    """Open (creating or upgrading as needed) a tinycrm database.

    ``db`` is a file path or a SQLAlchemy URL (``postgresql+psycopg://…``); without it,
    ``$TINYCRM_DB``, else the user's own database (as the command line does). ``user``
    is the actor recorded in events (default ``$TINYCRM_USER``, else the OS user).

    ``config`` is what rules, scoring thresholds and reminders follow: a ``Config``
    (``tinycrm.config.parse_config``), or the path of a TOML config file (read now; a
    missing or broken one is a ``ConfigError``). Without it the user's config file is
    read once, now, as the command line does: when that file is broken, reads work and
    the writes that need it refuse with its error.

    ``on_upgrade`` is called when an existing database is upgraded (which can take
    minutes): with an ``UpgradeNotice`` before the work (``seconds`` None), and again when
    it is done (``seconds`` it took). Nothing is printed; the command line says it on stderr.
    """

    from tinycrm.api.settings import store_settings
    from tinycrm.config import Config, ConfigError, load_config, load_config_lenient
    from tinycrm.store.engine import open_store

    if config is None:
        settings = load_config_lenient()
    elif isinstance(config, Config):
        settings = config
    elif not isinstance(config, str | PathLike):  # pathlib's own TypeError named neither
        raise TypeError(
            f"config must be a Config or a path (str or os.PathLike), not {type(config).__name__}"
        )
    else:
        from tinycrm.files import expand_home

        settings = load_config(expand_home(config, "cannot read config file", ConfigError))
        if not settings.exists:
            raise ConfigError(f"config file {settings.path} does not exist")
    if db is not None and not isinstance(db, str | PathLike):  # 123 made a file named 123
        raise TypeError(f"db must be a path or a URL (str or os.PathLike), not {type(db).__name__}")
    return Crm(
        open_store(
            None if db is None else os.fspath(db),
            user=user,
            migrate=migrate,
            given=store_settings(settings),
            on_upgrade=on_upgrade,
        ),
        settings,
    )
