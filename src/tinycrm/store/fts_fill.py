"""Big fills of SQLite's full-text indexes (FTS5): how much of the new index is kept in
memory before it is written out.

FTS5 gathers new entries in an in-memory hash and writes them out as a segment when
the hash passes ``hashsize`` (1 MiB by default); segments are merged again and again as
they pile up. For a fill of 100,000 rows, 16 MiB makes a few segments instead of
dozens (measured: the trigram index's fill 30% less CPU, the search index's 15%).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

FTS_HASH = 16 * 2**20  # bytes of index a bulk fill keeps in memory (SQLite's default: 1 MiB)
FTS_HASH_FROM = 1000  # rows: a smaller fill keeps the default


@contextmanager
def fts_hash(conn: Connection, fts: str, rows: int) -> Iterator[None]:
    """Inside, for a fill of many ``rows``: the full-text index ``fts`` (SQLite FTS5)
    keeps up to 16 MiB of new entries in memory before writing them out as a segment.
    The setting is stored in the index's ``_config`` table: it is written back as it
    was inside the caller's transaction (a rollback leaves it as it was, too)."""
    if rows < FTS_HASH_FROM or conn.dialect.name != "sqlite":
        yield
        return
    config = f"{fts}_config"
    before = conn.exec_driver_sql(f"SELECT v FROM {config} WHERE k = 'hashsize'").scalar()
    conn.exec_driver_sql(f"INSERT INTO {fts}({fts}, rank) VALUES ('hashsize', {FTS_HASH})")
    yield
    conn.exec_driver_sql(
        f"INSERT INTO {fts}({fts}, rank) VALUES ('hashsize', {int(before or 2**20)})"
    )
    if before is None:  # (the default, now in this connection's memory, is not written)
        conn.exec_driver_sql(f"DELETE FROM {config} WHERE k = 'hashsize'")
