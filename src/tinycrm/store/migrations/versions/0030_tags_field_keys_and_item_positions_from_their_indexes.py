"""tags, custom field names and a deal's next item position are read from their indexes

Tags and custom field names are read in code point order (``COLLATE "C"`` since they are
sorted as SQLite sorts them), and on PostgreSQL their columns were in the database's
collation: the contact export's tag read sorted 300,000 tags again after the unique
index (entity, entity_id, name) had given them in the database's order (244 ms, 121 ms
from the index). Both columns are declared in the ``C`` collation there, their indexes
rebuilt in that order (equality, and so uniqueness, is the same: byte for byte). Nothing
changes on SQLite (code points already).

The position of a deal's next item (the largest + 1) read every item of the deal through
the index on deal_id; an index on (deal_id, position), which serves what the one on
deal_id served, finds it in one step on both databases.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 01:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (("tag", "name"), ("field_value", "key"))


def upgrade() -> None:
    op.drop_index("ix_deal_item_deal_id", table_name="deal_item")
    op.create_index("ix_deal_item_deal_position", "deal_item", ["deal_id", "position"])
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in COLUMNS:  # the indexes holding the column are rebuilt in its order
        op.execute(f'ALTER TABLE {table} ALTER COLUMN "{column}" TYPE VARCHAR COLLATE "C"')


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, column in COLUMNS:
            op.execute(
                f'ALTER TABLE {table} ALTER COLUMN "{column}" TYPE VARCHAR COLLATE "default"'
            )
    op.drop_index("ix_deal_item_deal_position", table_name="deal_item")
    op.create_index("ix_deal_item_deal_id", "deal_item", ["deal_id"])
