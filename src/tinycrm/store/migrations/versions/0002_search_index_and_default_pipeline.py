"""search index and the default pipeline

The search index (SQLite: an FTS5 trigram table kept in step by triggers;
PostgreSQL: a pg_trgm index) covers ``contact.search_key``; contacts that exist
already are indexed. A database without any pipeline gets the default "Sales"
pipeline.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 00:12:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tinycrm.store.types
from tinycrm.store import pg_extensions
from tinycrm.store.types import utcnow

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _create_search_index()
    _seed_default_pipeline()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("contact_fts_ai", "contact_fts_ad", "contact_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS contact_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_contact_search_trgm")


SQLITE_FTS = [
    "CREATE VIRTUAL TABLE contact_fts USING fts5("
    "search_key, content='contact', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER contact_fts_ai AFTER INSERT ON contact BEGIN "
    "INSERT INTO contact_fts(rowid, search_key) VALUES (new.id, new.search_key); END",
    "CREATE TRIGGER contact_fts_ad AFTER DELETE ON contact BEGIN "
    "INSERT INTO contact_fts(contact_fts, rowid, search_key) "
    "VALUES ('delete', old.id, old.search_key); END",
    "CREATE TRIGGER contact_fts_au AFTER UPDATE OF search_key ON contact BEGIN "
    "INSERT INTO contact_fts(contact_fts, rowid, search_key) "
    "VALUES ('delete', old.id, old.search_key); "
    "INSERT INTO contact_fts(rowid, search_key) VALUES (new.id, new.search_key); END",
]


def _create_search_index() -> None:
    """Substring search that is fast on 100k contacts.

    Both indexes cover ``contact.search_key``, which the store fills with the
    casefolded name, email, phone and title. Where the feature is missing (an
    SQLite built without FTS5, a PostgreSQL role that may not create pg_trgm)
    search still works, by a plain scan.
    """
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        options = {row[0] for row in bind.exec_driver_sql("PRAGMA compile_options")}
        if "ENABLE_FTS5" not in options:
            return
        for statement in SQLITE_FTS:
            op.execute(statement)
        op.execute("INSERT INTO contact_fts(contact_fts) VALUES ('rebuild')")
    elif bind.dialect.name == "postgresql":
        with bind.begin_nested():
            available = bind.exec_driver_sql(
                "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"
            ).scalar()
        if not available:
            return
        # never into this (a team's) schema: dropped with it, it would take every other
        # schema's trigram index along (pg_extensions); where the role may not create it,
        # search falls back to a scan
        pg_extensions.add_trigram_index(bind)


def _seed_default_pipeline() -> None:
    pipeline = sa.table(
        "pipeline",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("name_key", sa.String),
        sa.column("position", sa.Integer),
        sa.column("created_at", tinycrm.store.types.UTCDateTime()),
    )
    stage = sa.table(
        "stage",
        sa.column("pipeline_id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("name_key", sa.String),
        sa.column("position", sa.Integer),
        sa.column("probability", sa.Integer),
        sa.column("rotting_days", sa.Integer),
    )
    bind = op.get_bind()
    if bind.execute(sa.select(sa.func.count()).select_from(pipeline)).scalar():
        return
    pipeline_id = bind.execute(
        pipeline.insert()
        .values(name="Sales", name_key="sales", position=0, created_at=utcnow())
        .returning(pipeline.c.id)
    ).scalar_one()
    stages = [
        ("Lead-in", 10, 14),
        ("Qualified", 25, 14),
        ("Proposal", 50, 10),
        ("Negotiation", 75, 7),
    ]
    op.bulk_insert(
        stage,
        [
            {
                "pipeline_id": pipeline_id,
                "name": name,
                "name_key": name.casefold(),
                "position": position,
                "probability": probability,
                "rotting_days": rotting,
            }
            for position, (name, probability, rotting) in enumerate(stages)
        ],
    )
