"""A throwaway PostgreSQL schema for a benchmark: created, handed over as a URL whose
``search_path`` names it, and dropped afterwards, whatever happens in between.

    with throwaway_schema(args.pg, "bench_dupes") as url:
        measure(url, ...)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager


def shared_extensions(conn: object) -> None:
    """pg_trgm and unaccent in ``public``, as the tests make them: the migrations create
    them in the first schema of the search path when they are missing, and a bench schema
    dropped with CASCADE would take them (and every other schema's use of them) along."""
    from sqlalchemy import text

    for name in ("pg_trgm", "unaccent"):
        conn.execute(text(f"CREATE EXTENSION IF NOT EXISTS {name} SCHEMA public"))  # type: ignore[attr-defined]


@contextmanager
def throwaway_schema(pg_url: str, prefix: str = "bench") -> Iterator[str]:
    """A new schema ``PREFIX_xxxxxxxx`` on the server ``pg_url`` names; yields a URL for it."""
    from sqlalchemy import create_engine, text

    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url)
    with admin.begin() as conn:
        shared_extensions(conn)
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        sep = "&" if "?" in pg_url else "?"
        yield f"{pg_url}{sep}options=-csearch_path%3D{schema},public"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
