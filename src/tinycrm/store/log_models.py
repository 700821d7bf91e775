"""The logs few commands read or write: a deal's moves and closes (``stage_change``,
defined in ``stage_changes``, which the board and the deal commands import alone), the
webhook outbox (``webhook_delivery``), what ``tinycrm remind`` has announced
(``announcement``, and ``announcement_channel``: where a run that failed in part told
them), each import and what it changed (``import_batch``,
``import_change``), and how far ``tinycrm mail sync`` has read (``mail_checkpoint``).

Kept apart from ``models`` so that a command which never touches them (``contact add``,
``contact list``) does not pay for defining them: each table costs every command that
imports it a few milliseconds. Whatever must see the whole schema imports
``tinycrm.store.all_tables``.

No ``from __future__ import annotations``, for the reason ``models`` gives.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field

from tinycrm.store.models import IDS_NEVER_REUSED, TableModel, _created, _fk
from tinycrm.store.stage_changes import StageChange as StageChange  # where it was named
from tinycrm.store.types import UTCDateTime


class WebhookDelivery(TableModel, table=True):
    """The webhook outbox: one row per event and endpoint, written in the event's own
    transaction; ``tinycrm webhooks deliver`` sends it, claiming it first (``lease_owner``
    until ``lease_until``) so two deliverers never send it both."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_due", "delivered_at", "failed_at", "next_at"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(sa_column=_fk("event.id", "CASCADE", nullable=False))
    endpoint: str  # the URL: its secret and retry settings are read from the config
    event_type: str  # deal.won
    body: str  # the JSON POSTed, as it was when the event was written
    created_at: datetime = Field(sa_column=_created())
    attempts: int = 0
    next_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    lease_owner: str | None = None
    lease_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    failed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_status: int | None = None  # the HTTP status of the last try (None: no answer)
    last_error: str | None = None


class Announcement(TableModel, table=True):
    """A due item that ``tinycrm remind`` has told about (or is telling about right now).

    One row per item and due time: the unique key is what keeps two overlapping
    runs from announcing the same thing twice. ``announced_at`` stays empty while
    the run that claimed it is delivering; a failed delivery deletes the claim.
    """

    __table_args__ = (
        UniqueConstraint("key", "due_at"),
        Index("ix_announcement_run_id", "run_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str  # task:12, remind:12, cadence:5, rotting:7, closing:9
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    run_id: str
    claimed_at: datetime = Field(sa_column=_created())
    announced_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class AnnouncementChannel(TableModel, table=True):
    """Where a due item went out in a run that failed elsewhere: the next run tells it
    only where it did not (``channel``: ``stdout``, ``mail:ann@example.com``,
    ``webhook:<hash of the URL>``, ``desktop``). Forgotten once the item is announced."""

    __tablename__ = "announcement_channel"
    __table_args__ = (UniqueConstraint("key", "due_at", "channel"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str  # as Announcement.key
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    channel: str
    told_at: datetime = Field(sa_column=_created())


class ImportBatch(TableModel, table=True):
    """One run of ``tinycrm import``: what it read and what it did, so it can be undone."""

    __tablename__ = "import_batch"
    __table_args__ = IDS_NEVER_REUSED

    id: int | None = Field(default=None, primary_key=True)
    kind: str  # contacts, companies, deals, activities, all
    source: str  # the file name, or "-" for stdin
    at: datetime = Field(sa_column=_created())
    actor: str
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    undone_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class ImportChange(TableModel, table=True):
    """One record an import created, or one field it changed (with the value before)."""

    __tablename__ = "import_change"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(sa_column=_fk("import_batch.id", "CASCADE", nullable=False))
    entity: str
    entity_id: int
    action: str  # created | updated
    field: str | None = None  # for updates: the field, "tag:NAME" or "field:KEY"
    old_value: str | None = None  # JSON
    new_value: str | None = None  # JSON


class MailCheckpoint(TableModel, table=True):
    """How far ``tinycrm mail sync`` has read one IMAP folder of one account: its
    UIDVALIDITY and the last UID logged. Advanced in the transaction that logs the
    batch, so a run that stops loses nothing and logs nothing twice."""

    __tablename__ = "mail_checkpoint"
    __table_args__ = (UniqueConstraint("account", "folder", name="ux_mail_checkpoint_folder"),)

    id: int | None = Field(default=None, primary_key=True)
    account: str  # imap://user@host:port
    folder: str
    uidvalidity: int = Field(sa_column=Column(BigInteger, nullable=False))  # 32-bit unsigned
    last_uid: int = Field(sa_column=Column(BigInteger, nullable=False))
    updated_at: datetime = Field(sa_column=_created())


class MailTombstone(TableModel, table=True):
    """A mailbox email deleted from the CRM (``activity rm``): the key the mail log knew
    it by for the contact (``Activity.mail_key``), so that the next ``mail sync`` or
    ``mail import`` does not log it again (``mail import --again`` does, and lifts it).
    ``dated_at`` is the message's Date, believed or not (None: it has none that reads),
    which tells another message under the same Message-ID from it."""

    __tablename__ = "mail_tombstone"
    __table_args__ = (UniqueConstraint("mail_key", "contact_id"),)

    id: int | None = Field(default=None, primary_key=True)
    mail_key: str
    contact_id: int = Field(sa_column=_fk("contact.id", "CASCADE", nullable=False))
    dated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    deleted_at: datetime = Field(sa_column=_created())
