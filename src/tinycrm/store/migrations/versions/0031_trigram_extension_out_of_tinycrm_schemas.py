"""the trigram extension out of tinycrm schemas, and its index where it was missing

PostgreSQL only. Migration 0002 created ``pg_trgm`` in the current schema: the first
team's tinycrm schema held it, and that schema's ``DROP SCHEMA … CASCADE`` took every
other schema's trigram index along. Found in this (a tinycrm) schema, the extension is
moved to ``public`` (else ``tinycrm_extensions``) where the role may; the indexes built
on it keep working (they hold its operator class by id). A schema whose role could not
create the extension then (contact search by a scan) gets the index once the extension
exists or may now be created. Nothing changes on SQLite.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 10:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from tinycrm.store import pg_extensions

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # moves the extension out of this schema if it is here, makes the index if missing
        pg_extensions.ensure_extension(bind, "pg_trgm", movable=True)
        pg_extensions.add_trigram_index(bind)


def downgrade() -> None:
    pass  # the extension stays where it is now: moving it back would bring the danger back
