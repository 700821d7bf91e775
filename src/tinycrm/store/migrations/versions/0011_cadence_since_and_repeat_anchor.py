"""when a keep-in-touch cadence was set, and the anchor of a repeating task's series

``contact.cadence_since``: the moment the cadence was set. A cadence runs from the last
interaction; only a contact with none counts from this moment (None: from its creation,
which is what every contact that existed before this revision had).

``activity.repeat_anchor``: the first due time of a repeating task. Each occurrence
follows the rule from the anchor, not from the last due time, so monthly on the 31st
gives Feb 28 and then Mar 31 again. Existing repeating tasks are anchored at their
current due time (what they would have stepped from).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 10:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tinycrm.store.types import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (nullable, no foreign key): SQLite does not rebuild the tables.
    op.add_column("contact", sa.Column("cadence_since", UTCDateTime(), nullable=True))
    op.add_column("activity", sa.Column("repeat_anchor", UTCDateTime(), nullable=True))
    op.execute(
        "UPDATE activity SET repeat_anchor = due_at "
        "WHERE repeat IS NOT NULL AND due_at IS NOT NULL AND done_at IS NULL"
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL), not batch mode: recreating the
    # tables would drop contact's search triggers.
    op.execute("ALTER TABLE activity DROP COLUMN repeat_anchor")
    op.execute("ALTER TABLE contact DROP COLUMN cadence_since")
