"""index activities by kind and time

Reports count calls, emails, meetings and notes per week over a date range
(``report activity --by week``); with an index on (kind, occurred_at) that is a
range scan per kind instead of a pass over every activity.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 02:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_activity_kind_when", "activity", ["kind", "occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_activity_kind_when", table_name="activity")
