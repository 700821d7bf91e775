"""support cases in the search: their subjects, messages and satisfaction comments

``tinycrm search --in cases`` (and every search) finds support cases (0016) by their
subject, the bodies of their messages and the customer's satisfaction comment; an index
table and its triggers as 0018 made for the other kinds (``store/search_index.py``), filled
from the cases there are.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 17:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from tinycrm.store import search_index

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    search_index.install(op.get_bind(), ["case"], legacy=True)


def downgrade() -> None:
    search_index.uninstall(op.get_bind(), ["case"])
