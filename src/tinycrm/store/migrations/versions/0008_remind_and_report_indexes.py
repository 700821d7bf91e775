"""indexes for remind and reports: cadences, announcements by run, tasks by due time

``remind`` tests keep-in-touch cadences from a range of ix_contact_cadence
(cadence, created; partial: only contacts that have a cadence, so other inserts
do not pay for it) instead of a pass over every contact, and finds its own claims
by run id. ``report activity`` counts the tasks that went overdue in each period
from a range of ix_activity_task_due.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 04:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_contact_cadence",
        "contact",
        ["cadence_days", "created_at"],
        sqlite_where=sa.text("cadence_days IS NOT NULL"),
        postgresql_where=sa.text("cadence_days IS NOT NULL"),
    )
    op.create_index("ix_announcement_run_id", "announcement", ["run_id"])
    op.create_index("ix_activity_task_due", "activity", ["kind", "due_at", "done_at"])


def downgrade() -> None:
    op.drop_index("ix_activity_task_due", table_name="activity")
    op.drop_index("ix_announcement_run_id", table_name="announcement")
    op.drop_index("ix_contact_cadence", table_name="contact")
