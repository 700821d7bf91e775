"""What the migration tests share: an empty PostgreSQL schema to migrate, and the
timestamp literal their raw rows are written with."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text

from ..conftest import PG_URL

T = "'2024-01-02 03:04:05.000000'"
"""A timestamp as the rows of an old database hold it (SQL literal)."""


@contextmanager
def empty_pg_schema(prefix: str) -> Iterator[str]:
    """A PostgreSQL schema of our own, empty (the migrations under test make its tables):
    its URL, ``search_path`` set to it; dropped on leaving."""
    assert PG_URL
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{separator}options=-csearch_path%3D{schema},public"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
