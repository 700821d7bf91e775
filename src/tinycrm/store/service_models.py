"""The tables and read models of what comes after the sale: contracts and support cases.

Kept apart from ``models``: only the commands that use them define them (a table costs
every command that defines it start-up time); ``all_tables`` imports every table module.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index
from sqlmodel import Field

from tinycrm.store.models import IDS_NEVER_REUSED, ReadModel, TableModel, _created, _fk
from tinycrm.store.types import MinorUnits, Number, StoredDate, UTCDateTime


class Contract(TableModel, table=True):
    """What a customer signed: a value per term, from a start day to an end day (both
    included), renewed by hand or automatically, with a notice period."""

    __table_args__ = (Index("ix_contract_end_date", "end_date"), IDS_NEVER_REUSED)

    id: int | None = Field(default=None, primary_key=True)
    title: str
    deal_id: int | None = Field(default=None, sa_column=_fk("deal.id", "SET NULL"))
    contact_id: int | None = Field(default=None, sa_column=_fk("contact.id", "SET NULL"))
    company_id: int | None = Field(default=None, sa_column=_fk("company.id", "SET NULL"))
    value_minor: int | None = Field(default=None, sa_column=Column(MinorUnits("contract")))
    currency: str
    # the recurring revenue a year of the deal's recurring items when it was made (0021)
    arr_minor: int | None = Field(default=None, sa_column=Column(MinorUnits("contract")))
    # the current term's first day
    start_date: date = Field(sa_column=Column(StoredDate(), nullable=False))
    # the current term's last day (included)
    end_date: date = Field(sa_column=Column(StoredDate(), nullable=False))
    term: str | None = None  # 12m, 30d (tinycrm.terms); None: only an end date was given
    # the day later terms are counted from (month ends do not drift)
    anchor_date: date = Field(sa_column=Column(StoredDate(), nullable=False))
    term_index: int = 0  # the current term's number counted from anchor_date (-1: its own end)
    auto_renew: bool = False
    notice: str | None = None  # 30d, 3m: notice must be given this long before the end
    renewals: int = 0  # terms added after the first
    renewal_deal_id: int | None = Field(
        default=None, sa_column=_fk("deal.id", "SET NULL", index=False)
    )  # the renewal deal opened for the current term
    # the end day of the term it was opened for
    renewal_deal_for: date | None = Field(default=None, sa_column=Column(StoredDate()))
    cancelled_on: date | None = Field(default=None, sa_column=Column(StoredDate()))
    cancel_reason: str | None = None
    # ended without renewal: its customer's churn was recorded
    lapsed_on: date | None = Field(default=None, sa_column=Column(StoredDate()))
    owner: str
    created_at: datetime = Field(sa_column=_created())
    updated_at: datetime = Field(sa_column=_created())


class SupportCase(TableModel, table=True):
    """A problem a customer reported, with its SLA due times (business hours)."""

    __tablename__ = "support_case"
    __table_args__ = (Index("ix_support_case_status", "status", "priority"), IDS_NEVER_REUSED)

    id: int | None = Field(default=None, primary_key=True)
    subject: str
    contact_id: int | None = Field(default=None, sa_column=_fk("contact.id", "SET NULL"))
    company_id: int | None = Field(default=None, sa_column=_fk("company.id", "SET NULL"))
    priority: str = "normal"  # low, normal, high, urgent
    status: str = "new"  # new, open, pending, resolved, closed
    channel: str | None = None  # email, phone, chat, web
    owner: str
    opened_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    response_due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    resolution_due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    first_response_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    csat: int | None = None  # 1-5, once resolved
    csat_comment: str | None = None
    created_at: datetime = Field(sa_column=_created())
    updated_at: datetime = Field(sa_column=_created())


class CaseMessage(TableModel, table=True):
    """One message of a case's thread: what the customer wrote, a reply, a note."""

    __tablename__ = "case_message"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(sa_column=_fk("support_case.id", "CASCADE", nullable=False))
    kind: str  # customer | reply | note
    author: str
    body: str
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


# --------------------------------------------------------------------------- read models


class ContractRead(ReadModel):
    id: int
    title: str
    status: str  # active | upcoming | ended | cancelled (as of today)
    deal: str | None
    deal_id: int | None
    contact: str | None
    contact_id: int | None
    company: str | None
    company_id: int | None
    value: Number | None
    currency: str
    arr: Number | None = None  # recurring revenue a year, from the deal's recurring items
    mrr: Number | None = None  # arr / 12
    start_date: date  # of the current term (an auto-renewing one rolled forward to today)
    end_date: date
    term: str | None
    auto_renew: bool
    notice: str | None
    notice_deadline: date | None
    renewals: int
    renewal_deal_id: int | None
    cancelled_on: date | None
    cancel_reason: str | None
    owner: str
    created_at: datetime | None  # None: unreadable (other SQL wrote no time)
    updated_at: datetime | None


class CaseMessageRead(ReadModel):
    id: int
    case_id: int
    kind: str
    author: str
    body: str
    at: datetime | None  # None: unreadable (other SQL wrote no time)


class CaseRead(ReadModel):
    id: int
    subject: str
    status: str
    priority: str
    channel: str | None
    contact: str | None
    contact_id: int | None
    company: str | None
    company_id: int | None
    owner: str
    opened_at: datetime | None  # None: unreadable (other SQL wrote no time)
    response_due_at: datetime | None
    resolution_due_at: datetime | None  # None while paused
    resolution_paused: bool = False  # pending, its resolution clock stopped (case_clock)
    resolution_left_hours: float | None = None  # paused: working hours left when it resumes
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    breached: bool  # a target missed: answered or resolved late, or overdue now
    csat: int | None
    csat_comment: str | None
    created_at: datetime | None  # None: unreadable (other SQL wrote no time)
    updated_at: datetime | None


class CaseView(ReadModel):
    case: CaseRead
    thread: list[CaseMessageRead]


class CsatChange(ReadModel):
    """One score a CSAT import records (or, in a dry run, would)."""

    line: int
    case_id: int
    subject: str
    csat_before: int | None
    csat: int
    comment: str | None


class CsatImport(ReadModel):
    """What ``tinycrm case csat-import`` did (or, with ``dry_run``, would do)."""

    source: str
    dry_run: bool
    recorded: int  # scores written: new ones and replaced ones
    replaced: int  # of them, those that replaced a different score (--overwrite)
    unchanged: int  # the same score (and comment) as the case has already
    changes: list[CsatChange]
