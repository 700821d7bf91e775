"""SQLModel tables and the read models the store returns.

The tables here are the records and what nearly every command touches; the others are
defined beside them, only by the commands that use them (each table costs every command
that defines it a few milliseconds): ``log_models``, ``automation_models``,
``sales_models``, ``service_models``. ``all_tables`` imports them all.

Tables hold what is stored; read models (plain pydantic) are what service
functions hand to the front ends: detached, with names resolved, tags as a list
and custom fields as a dict. JSON and CSV output are rendered from read models,
so their keys are the product's vocabulary.

No ``from __future__ import annotations`` here, on purpose: with it every field's
annotation is a string, and pydantic and SQLAlchemy compile each one into a
``typing.ForwardRef`` to evaluate it (about 450 of them: a fifth of the time it takes
to define these tables, which every command pays).
"""

from datetime import date, datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict
from pydantic import Field as ReadField
from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlmodel import Field, SQLModel

from tinycrm.store.types import MinorUnits, Number, StoredDate, UTCDateTime, new_uid, utcnow


def _fk(target: str, ondelete: str, *, nullable: bool = True, index: bool = True) -> Column:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index)


def _created() -> Column:
    return Column(UTCDateTime(), nullable=False, default=utcnow)


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table model (SQLModel sets ``__table__`` but does not declare it)."""
    table: Table = model.__table__  # type: ignore[attr-defined]  # see the docstring
    return table


# Tables whose ids people see and type: on SQLite their ids are never handed out again
# after a delete or merge (PostgreSQL's sequences never go back anyway). Migration 0009.
IDS_NEVER_REUSED: dict[str, Any] = {"sqlite_autoincrement": True}

# Partial indexes and their WHERE. Naming a dialect's option in an Index
# (``postgresql_where=``) makes SQLAlchemy import that dialect to check the name: the
# PostgreSQL dialect took 0.1 s of every command, on SQLite too. The WHERE is handed to
# the dialect in use when an engine is made (``partial_indexes_for``); the migrations
# write their own.
_PARTIAL: list[tuple[Index, str]] = []


def partial_index(name: str, *columns: str, where: str) -> Index:
    """An index of the rows where ``where`` holds (SQLite and PostgreSQL)."""
    index = Index(name, *columns)
    _PARTIAL.append((index, where))
    return index


def partial_indexes_for(dialect: str) -> None:
    """Give each partial index its WHERE in ``dialect`` (``sqlite``, ``postgresql``)."""
    if dialect not in ("sqlite", "postgresql"):
        return
    for index, where in _PARTIAL:
        options = index.dialect_options[dialect]
        if options["where"] is None:
            options["where"] = sql_text(where)


# --------------------------------------------------------------------------- tables


class TableModel(SQLModel):
    """Base of every table. pydantic builds a table's validator and serializer when one is
    first used (``defer_build``), not when the table is defined: tinycrm makes rows with
    their constructor, which does not validate (SQLModel's tables never do), so most
    commands never use them, and building them took a seventh of the time it takes to
    define the tables, which every command pays."""

    model_config = ConfigDict(defer_build=True)  # type: ignore[assignment]  # SQLModel's adds table=


SORT_KEY = String().with_variant(String(collation="C"), "postgresql")
"""A list's key (``sort_key``: the name folded), compared in code point order on both
databases: SQLite's own (binary), and PostgreSQL's ``C`` collation rather than the
database's, which may be a language's (en_US puts '_x' and '~x' before '0x'). Its index
is in that order too, so the first screen is still read from it (migration 0029). Tags and
custom field names, read in that order, are declared in it too (0030)."""


class Company(TableModel, table=True):
    """An account: the organisation a deal is with."""

    # a list's order: by the folded name, then id (the index gives the first screen)
    __table_args__ = (Index("ix_company_sort_key", "sort_key", "id"), IDS_NEVER_REUSED)

    id: int | None = Field(default=None, primary_key=True)
    name: str
    name_key: str = Field(unique=True)  # casefolded name: names are unique case-insensitively
    sort_key: str = Field(default="", sa_type=SORT_KEY)  # validate.folded: Ångström among the A's
    domain: str | None = Field(default=None, index=True, unique=True)  # stored normalised
    industry: str | None = None
    size: int | None = None
    phone: str | None = None
    address: str | None = None
    city: str | None = None
    country: str | None = None
    owner: str
    created_at: datetime = Field(sa_column=_created())
    updated_at: datetime = Field(sa_column=_created())


class Contact(TableModel, table=True):
    """A person, usually at a company."""

    __table_args__ = (
        Index("ix_contact_name_key", "name_key"),
        Index("ix_contact_sort_key", "sort_key", "id"),  # a list's order (validate.folded)
        Index("ix_contact_uid", "uid", unique=True),
        Index("ix_contact_phone_e164", "phone_e164"),
        # Only contacts with a cadence: the other rows pay nothing for it on insert.
        partial_index(
            "ix_contact_cadence", "cadence_days", "created_at", where="cadence_days IS NOT NULL"
        ),
        IDS_NEVER_REUSED,
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str
    name_key: str
    sort_key: str = Field(default="", sa_type=SORT_KEY)  # validate.folded: Élodie among the E's
    email: str | None = Field(default=None, unique=True)  # as typed (or imported)
    # what it is compared by: email-validator's normalised form, lower case
    # (validate.email): uniqueness, REFs, imports, duplicates, search (migration 0014)
    email_key: str | None = Field(default=None, unique=True, index=True)
    phone: str | None = None  # as typed
    # the same as a number: E.164, ";ext=12" for an extension (tinycrm.phones); None
    # when blank or not readable (a national number without [phone] region)
    phone_e164: str | None = None
    title: str | None = None
    role: str | None = None
    company_id: int | None = Field(default=None, sa_column=_fk("company.id", "SET NULL"))
    lifecycle: str = "lead"
    source: str | None = None  # first touch: referral, web, event, …
    last_touch: str | None = None  # the channel or campaign of the latest touch
    owner: str
    notes: str | None = None
    cadence_days: int | None = None  # keep in touch at least this often
    # when the cadence was set (None: with the contact); counts only without interactions
    cadence_since: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    lead_status: str | None = None  # new, working, hot, cold, junk, dead
    score: int = 0  # lead score, recomputed by `tinycrm score`
    unsubscribed: bool = False  # never added to campaigns
    do_not_contact: bool = False  # never added to campaigns
    search_key: str = ""  # name, email, phone and title folded (validate.folded), for --search
    # Its vCard UID: made when the contact is, kept from an imported card (migration 0010).
    uid: str | None = Field(default_factory=new_uid, sa_column_kwargs={"default": new_uid})
    created_at: datetime = Field(sa_column=_created())
    updated_at: datetime = Field(sa_column=_created())


class Pipeline(TableModel, table=True):
    """A sales process: an ordered list of stages."""

    __table_args__ = IDS_NEVER_REUSED

    id: int | None = Field(default=None, primary_key=True)
    name: str
    name_key: str = Field(unique=True)
    position: int = 0
    created_at: datetime = Field(sa_column=_created())


class Stage(TableModel, table=True):
    """A step of a pipeline. Won and lost are deal outcomes, not stages."""

    __table_args__ = (UniqueConstraint("pipeline_id", "name_key"), IDS_NEVER_REUSED)

    id: int | None = Field(default=None, primary_key=True)
    pipeline_id: int = Field(sa_column=_fk("pipeline.id", "CASCADE", nullable=False))
    name: str
    name_key: str
    position: int
    probability: int  # win probability in percent, 0-100
    rotting_days: int | None = None


class Deal(TableModel, table=True):
    """An opportunity moving through a pipeline."""

    __table_args__ = (Index("ix_deal_title_key", "title_key"), IDS_NEVER_REUSED)

    id: int | None = Field(default=None, primary_key=True)
    title: str
    title_key: str
    contact_id: int | None = Field(default=None, sa_column=_fk("contact.id", "SET NULL"))
    company_id: int | None = Field(default=None, sa_column=_fk("company.id", "SET NULL"))
    pipeline_id: int = Field(sa_column=_fk("pipeline.id", "RESTRICT", nullable=False))
    stage_id: int = Field(sa_column=_fk("stage.id", "RESTRICT", nullable=False))
    amount_minor: int | None = Field(default=None, sa_column=Column(MinorUnits("deal")))
    currency: str
    probability: int | None = None  # an override of the stage's probability
    close_date: date | None = Field(default=None, sa_column=Column(StoredDate("deal")))
    status: str = Field(default="open", index=True)
    lost_reason: str | None = None
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime("deal")))
    owner: str
    external_id: str | None = Field(default=None, index=True)  # id in the system it came from
    created_at: datetime = Field(sa_column=_created())
    updated_at: datetime = Field(sa_column=_created())


def effective_probability(status: str, override: int | None, stage_probability: int) -> int:
    """Won deals are certain, lost ones are not; open ones use the override or the stage's."""
    if status == "won":
        return 100
    if status == "lost":
        return 0
    return override if override is not None else stage_probability


class LifecycleChange(TableModel, table=True):
    """Every change of a contact's lifecycle (lead → customer → churned …), for churn,
    lifetime value and conversion reports."""

    __tablename__ = "lifecycle_change"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(sa_column=_fk("contact.id", "CASCADE", nullable=False))
    from_lifecycle: str | None = None
    to_lifecycle: str
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    actor: str


class Activity(TableModel, table=True):
    """A call, email, meeting, note or task, linked to a contact, company and/or deal."""

    __table_args__ = (
        Index("ix_activity_open_tasks", "kind", "done_at", "due_at"),
        Index("ix_activity_contact_when", "contact_id", "occurred_at"),
        Index("ix_activity_deal_when", "deal_id", "occurred_at"),
        Index("ix_activity_kind_when", "kind", "occurred_at"),
        Index("ix_activity_task_due", "kind", "due_at", "done_at"),
        Index("ux_activity_mail_key_contact", "mail_key", "contact_id", unique=True),
        IDS_NEVER_REUSED,
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str
    subject: str
    body: str | None = None
    contact_id: int | None = Field(default=None, sa_column=_fk("contact.id", "SET NULL"))
    company_id: int | None = Field(default=None, sa_column=_fk("company.id", "SET NULL"))
    deal_id: int | None = Field(default=None, sa_column=_fk("deal.id", "SET NULL"))
    occurred_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime("activity"), index=True)
    )
    due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime("activity")))
    remind_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime("activity")))
    repeat: str | None = None  # for tasks: 2w, month, weekday, … (see tinycrm.repeat)
    # the first due time of a repeating series: occurrences follow the rule from here
    repeat_anchor: datetime | None = Field(default=None, sa_column=Column(UTCDateTime("activity")))
    done_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime("activity")))
    # the sequence enrollment that scheduled this task (no FK: adding one would make
    # SQLite rebuild the whole activity table)
    enrollment_id: int | None = Field(default=None, index=True)
    campaign_id: int | None = Field(default=None, index=True)  # same reason: no FK
    channel: str | None = None  # the channel of a touch: web, event, ads, social, …
    # mail logged from a mailbox (tinycrm mail): the message's key, and in or out
    mail_key: str | None = None
    direction: str | None = None
    owner: str
    created_at: datetime = Field(sa_column=_created())
    updated_at: datetime = Field(sa_column=_created())


class Event(TableModel, table=True):
    """The audit log and activity feed: one row per write."""

    __table_args__ = (Index("ix_event_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    actor: str
    action: str
    entity: str
    entity_id: int | None = None
    summary: str


class Tag(TableModel, table=True):
    """A tag on a contact, company or deal (lowercase)."""

    __table_args__ = (
        UniqueConstraint("entity", "entity_id", "name"),
        Index("ix_tag_entity_name", "entity", "name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entity: str
    entity_id: int
    name: str = Field(sa_type=SORT_KEY)  # read in code points, from its indexes (0030)


class FieldValue(TableModel, table=True):
    """A custom field (key = value) on a contact, company or deal."""

    __tablename__ = "field_value"
    __table_args__ = (UniqueConstraint("entity", "entity_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    entity: str
    entity_id: int
    key: str = Field(sa_type=SORT_KEY)  # read in code points, from its index (0030)
    value: str


class Qualification(TableModel, table=True):
    """BANT: budget, authority, need, timeline, each yes / no / unknown with a note."""

    __table_args__ = (UniqueConstraint("entity", "entity_id", "criterion"),)

    id: int | None = Field(default=None, primary_key=True)
    entity: str  # contact | deal
    entity_id: int
    criterion: str  # budget | authority | need | timeline
    answer: str  # yes | no | unknown
    note: str | None = None
    updated_at: datetime = Field(sa_column=_created())


class Segment(TableModel, table=True):
    """A saved filter expression, usable wherever ``--where`` is."""

    __table_args__ = IDS_NEVER_REUSED

    id: int | None = Field(default=None, primary_key=True)
    name: str
    name_key: str = Field(unique=True)
    expression: str
    created_at: datetime = Field(sa_column=_created())


class Campaign(TableModel, table=True):
    __table_args__ = IDS_NEVER_REUSED

    id: int | None = Field(default=None, primary_key=True)
    name: str
    name_key: str = Field(unique=True)
    channel: str  # email, event, ads, social, direct mail
    starts_on: date | None = Field(default=None, sa_column=Column(StoredDate()))
    ends_on: date | None = Field(default=None, sa_column=Column(StoredDate()))
    # None also when other SQL stored no whole number of minor units (MinorUnits; named)
    budget_minor: int | None = Field(default=None, sa_column=Column(MinorUnits("campaign")))
    currency: str = "EUR"
    notes: str | None = None
    created_at: datetime = Field(sa_column=_created())


class CampaignMember(TableModel, table=True):
    __tablename__ = "campaign_member"
    __table_args__ = (UniqueConstraint("campaign_id", "contact_id"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(sa_column=_fk("campaign.id", "CASCADE", nullable=False))
    contact_id: int = Field(sa_column=_fk("contact.id", "CASCADE", nullable=False))
    status: str = "targeted"  # targeted, sent, responded, converted
    added_at: datetime = Field(sa_column=_created())
    updated_at: datetime = Field(sa_column=_created())


class ContactAlias(TableModel, table=True):
    """An email or id a contact was known by before a merge: it still resolves as a REF."""

    __tablename__ = "contact_alias"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(sa_column=_fk("contact.id", "CASCADE", nullable=False))
    kind: str  # email | id
    value: str = Field(index=True)
    created_at: datetime = Field(sa_column=_created())


# --------------------------------------------------------------------------- read models


UNREADABLE: Any = ReadField(default_factory=list, exclude_if=lambda names: not names)
"""A read model's ``unreadable``: the fields whose stored value is no value of their type
(other SQL wrote ``'not a date'`` into a date): each is none; in JSON only when some are."""


class ReadModel(BaseModel):
    """Base of what the store returns: plain, detached, immutable values."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    @classmethod
    def from_row(cls, values: dict[str, Any]) -> Self:
        """Build from a row of our own tables without validating it again.

        Rows were validated on their way into the database; for a list of 10,000
        contacts, skipping pydantic's validation (and ``model_construct``'s
        bookkeeping) is the difference between 0.15 s and 0.01 s. ``values``
        must hold every field.
        """
        model = object.__new__(cls)
        object.__setattr__(model, "__dict__", values)
        object.__setattr__(model, "__pydantic_fields_set__", set(values))
        object.__setattr__(model, "__pydantic_extra__", None)
        object.__setattr__(model, "__pydantic_private__", None)
        return model


class CompanyRead(ReadModel):
    id: int
    name: str
    domain: str | None
    industry: str | None
    size: int | None
    phone: str | None
    address: str | None
    city: str | None
    country: str | None
    owner: str
    tags: list[str]
    fields: dict[str, str]
    created_at: datetime | None  # None: unreadable (other SQL wrote no time)
    updated_at: datetime | None
    unreadable: list[str] = UNREADABLE


class ContactRead(ReadModel):
    # In the order of a listed contact's row (the table's columns, then the company's
    # name, tags and custom fields: ``stream_contacts``), so that a contact has one order
    # of keys and CSV columns everywhere, a list of none included
    id: int
    name: str
    email: str | None
    phone: str | None
    title: str | None
    role: str | None
    company_id: int | None
    lifecycle: str
    source: str | None
    last_touch: str | None = None
    owner: str
    notes: str | None
    cadence_days: int | None = None
    lead_status: str | None = None
    score: int = 0
    unsubscribed: bool = False
    do_not_contact: bool = False
    uid: str | None = None  # its vCard UID
    created_at: datetime | None  # None: unreadable (other SQL wrote no time)
    updated_at: datetime | None
    company: str | None
    tags: list[str]
    fields: dict[str, str]
    unreadable: list[str] = UNREADABLE


class StageRead(ReadModel):
    id: int
    pipeline: str
    pipeline_id: int
    name: str
    position: int
    probability: int
    rotting_days: int | None
    deals: int = 0


class PipelineRead(ReadModel):
    id: int
    name: str
    stages: list[StageRead]


class DealRead(ReadModel):
    id: int
    title: str
    pipeline: str
    pipeline_id: int
    stage: str
    stage_id: int
    status: str
    amount: Number | None  # exact in tinycrm's JSON (tinycrm.formats.jsonnumbers)
    currency: str
    probability: int
    probability_override: bool
    close_date: date | None
    contact: str | None
    contact_id: int | None
    company: str | None
    company_id: int | None
    lost_reason: str | None
    closed_at: datetime | None
    owner: str
    external_id: str | None = None
    tags: list[str]
    fields: dict[str, str]
    created_at: datetime | None  # None: unreadable (other SQL wrote no time)
    updated_at: datetime | None
    unreadable: list[str] = UNREADABLE


class ActivityRead(ReadModel):
    id: int
    kind: str
    subject: str
    body: str | None
    contact: str | None
    contact_id: int | None
    company: str | None
    company_id: int | None
    deal: str | None
    deal_id: int | None
    occurred_at: datetime | None
    due_at: datetime | None
    remind_at: datetime | None = None
    repeat: str | None = None
    repeat_anchor: datetime | None = None  # the first due time of a repeating series
    done_at: datetime | None
    owner: str
    campaign_id: int | None = None
    channel: str | None = None
    created_at: datetime | None  # None: unreadable (other SQL wrote no time)
    unreadable: list[str] = UNREADABLE


class EventRead(ReadModel):
    id: int
    at: datetime | None  # None: unreadable (other SQL wrote no time)
    actor: str
    action: str
    entity: str
    entity_id: int | None
    summary: str


class WebhookDeliveryRead(ReadModel):
    """One event for one endpoint in the webhook outbox (``tinycrm webhooks failed``)."""

    id: int
    event_id: int
    endpoint: str
    event_type: str
    created_at: datetime
    attempts: int
    next_at: datetime
    delivered_at: datetime | None
    failed_at: datetime | None
    last_status: int | None
    last_error: str | None


class StageChangeRead(ReadModel):
    id: int
    deal_id: int
    from_stage: str | None
    to_stage: str | None
    from_status: str | None
    to_status: str
    at: datetime | None  # None: unreadable (other SQL wrote no time)
    actor: str


class ContactView(ReadModel):
    """The 360-degree view of a contact."""

    contact: ContactRead
    company: CompanyRead | None
    deals: list[DealRead]
    open_tasks: list[ActivityRead]
    activities: list[ActivityRead]
    events: list[EventRead]
    next_touch: datetime | None = None  # when keeping in touch is next due (with a cadence)


class CompanyView(ReadModel):
    company: CompanyRead
    contacts: list[ContactRead]
    deals: list[DealRead]
    open_tasks: list[ActivityRead]
    activities: list[ActivityRead]
    events: list[EventRead]


class DealView(ReadModel):
    deal: DealRead
    history: list[StageChangeRead]
    open_tasks: list[ActivityRead]
    activities: list[ActivityRead]
    events: list[EventRead]
