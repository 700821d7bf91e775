"""The automation tables: follow-up sequences (``sequence``, ``sequence_step``,
``sequence_enrollment``) and lead-scoring rules (``score_rule``).

Kept apart from ``models`` so that a command which never touches them (``contact add``,
``contact list``) does not pay for defining them. Whatever must see the whole schema
imports ``tinycrm.store.all_tables``.

No ``from __future__ import annotations``, for the reason ``models`` gives.
"""

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field

from tinycrm.store.models import IDS_NEVER_REUSED, TableModel, _created, _fk
from tinycrm.store.types import UTCDateTime


class FollowUpSequence(TableModel, table=True):
    """A drip of follow-up tasks: steps at day offsets from enrollment."""

    __tablename__ = "sequence"
    __table_args__ = IDS_NEVER_REUSED

    id: int | None = Field(default=None, primary_key=True)
    name: str
    name_key: str = Field(unique=True)
    created_at: datetime = Field(sa_column=_created())


class SequenceStep(TableModel, table=True):
    __tablename__ = "sequence_step"

    id: int | None = Field(default=None, primary_key=True)
    sequence_id: int = Field(sa_column=_fk("sequence.id", "CASCADE", nullable=False))
    position: int
    day_offset: int
    text: str  # may hold {name} and {company}


class SequenceEnrollment(TableModel, table=True):
    __tablename__ = "sequence_enrollment"

    id: int | None = Field(default=None, primary_key=True)
    sequence_id: int = Field(sa_column=_fk("sequence.id", "CASCADE", nullable=False))
    contact_id: int = Field(sa_column=_fk("contact.id", "CASCADE", nullable=False))
    started_at: datetime = Field(sa_column=_created())
    stopped_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    stop_reason: str | None = None


class ScoreRule(TableModel, table=True):
    """A lead-scoring rule: contacts matching ``condition`` (the filter language) get points."""

    __tablename__ = "score_rule"
    __table_args__ = IDS_NEVER_REUSED

    id: int | None = Field(default=None, primary_key=True)
    name: str
    name_key: str = Field(unique=True)
    condition: str
    points: int
    created_at: datetime = Field(sa_column=_created())
