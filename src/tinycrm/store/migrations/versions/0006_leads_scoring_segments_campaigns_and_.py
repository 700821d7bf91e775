"""leads, scoring, segments, campaigns and merges

Contacts gain a lead status, a stored score and consent flags (unsubscribed,
do not contact); BANT answers live in qualification; score rules, saved
segments, campaigns with their members, and the aliases a merged contact
still answers to get tables of their own. Activities can name the campaign
or channel they came through (last-touch attribution).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 01:00:37.576494
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import tinycrm.store.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("budget_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", tinycrm.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name_key"),
    )
    op.create_table(
        "qualification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("criterion", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("updated_at", tinycrm.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entity", "entity_id", "criterion"),
    )
    op.create_table(
        "score_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("condition", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("created_at", tinycrm.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name_key"),
    )
    op.create_table(
        "segment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("expression", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", tinycrm.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name_key"),
    )
    op.create_table(
        "campaign_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("added_at", tinycrm.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tinycrm.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "contact_id"),
    )
    with op.batch_alter_table("campaign_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_member_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_campaign_member_contact_id"), ["contact_id"], unique=False
        )

    op.create_table(
        "contact_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", tinycrm.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contact_alias", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_alias_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contact_alias_value"), ["value"], unique=False)

    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("campaign_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_index(batch_op.f("ix_activity_campaign_id"), ["campaign_id"], unique=False)

    # Plain ALTER TABLE ADD COLUMN, not batch mode: recreating the contact table on
    # SQLite would drop the search index's triggers.
    op.add_column("contact", sa.Column("lead_status", sqlmodel.sql.sqltypes.AutoString()))
    op.add_column(
        "contact", sa.Column("score", sa.Integer(), nullable=False, server_default=sa.text("0"))
    )
    for flag in ("unsubscribed", "do_not_contact"):
        op.add_column(
            "contact",
            sa.Column(flag, sa.Boolean(), nullable=False, server_default=sa.text("false")),
        )


def downgrade() -> None:
    for column in ("do_not_contact", "unsubscribed", "score", "lead_status"):
        op.drop_column("contact", column)  # plain ALTER TABLE (SQLite >= 3.35): keeps triggers

    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_campaign_id"))
        batch_op.drop_column("channel")
        batch_op.drop_column("campaign_id")

    with op.batch_alter_table("contact_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_alias_value"))
        batch_op.drop_index(batch_op.f("ix_contact_alias_contact_id"))

    op.drop_table("contact_alias")
    with op.batch_alter_table("campaign_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_member_contact_id"))
        batch_op.drop_index(batch_op.f("ix_campaign_member_campaign_id"))

    op.drop_table("campaign_member")
    op.drop_table("segment")
    op.drop_table("score_rule")
    op.drop_table("qualification")
    op.drop_table("campaign")
