"""contract, support_case and case_message: contracts and support cases

``contract``: what a customer signed, from a won deal: value per term, the current
term's first and last day, the term (12m) and the anchor day later terms count from,
auto-renewal, notice period, the renewal deal opened for the current term, and when it
was cancelled or lapsed. ``support_case``: a customer's problem with its priority,
status, SLA due times and CSAT; ``case_message``: its thread. New tables only.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 16:23:08.738690
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from tinycrm.store.types import UTCDateTime

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "support_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("priority", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("opened_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("response_due_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolution_due_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("first_response_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("csat_comment", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("support_case", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_case_company_id"), ["company_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_support_case_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_support_case_opened_at"), ["opened_at"], unique=False)
        batch_op.create_index("ix_support_case_status", ["status", "priority"], unique=False)

    op.create_table(
        "case_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["support_case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_message_case_id"), ["case_id"], unique=False)

    op.create_table(
        "contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("value_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("term", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("anchor_date", sa.Date(), nullable=False),
        sa.Column("term_index", sa.Integer(), nullable=False),
        sa.Column("auto_renew", sa.Boolean(), nullable=False),
        sa.Column("notice", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("renewals", sa.Integer(), nullable=False),
        sa.Column("renewal_deal_id", sa.Integer(), nullable=True),
        sa.Column("renewal_deal_for", sa.Date(), nullable=True),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        sa.Column("cancel_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("lapsed_on", sa.Date(), nullable=True),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["renewal_deal_id"], ["deal.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contract_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contract_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contract_deal_id"), ["deal_id"], unique=False)
        batch_op.create_index("ix_contract_end_date", ["end_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.drop_index("ix_contract_end_date")
        batch_op.drop_index(batch_op.f("ix_contract_deal_id"))
        batch_op.drop_index(batch_op.f("ix_contract_contact_id"))
        batch_op.drop_index(batch_op.f("ix_contract_company_id"))

    op.drop_table("contract")
    with op.batch_alter_table("case_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_message_case_id"))

    op.drop_table("case_message")
    with op.batch_alter_table("support_case", schema=None) as batch_op:
        batch_op.drop_index("ix_support_case_status")
        batch_op.drop_index(batch_op.f("ix_support_case_opened_at"))
        batch_op.drop_index(batch_op.f("ix_support_case_contact_id"))
        batch_op.drop_index(batch_op.f("ix_support_case_company_id"))

    op.drop_table("support_case")
