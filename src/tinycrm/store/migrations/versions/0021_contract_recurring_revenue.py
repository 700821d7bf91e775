"""contract.arr_minor: the recurring revenue a year a contract was made with

Copied from its deal's recurring line items (ARR, minor units) when the contract is
added; NULL for a contract from a deal without recurring items. A plain ``ADD COLUMN``.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 17:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("contract", sa.Column("arr_minor", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE contract DROP COLUMN arr_minor")
