"""The databases the hostile suite runs its cases against: SQLite and PostgreSQL.

A target hands each case the seeded database fresh (``fresh``) and says afterwards
whether the case left it as it was (``digest``):

- SQLite: a copy of the seeded file per case, compared by ``iterdump``.
- PostgreSQL: one schema per test process (xdist worker), seeded once, with a copy of
  every table kept in a snapshot schema beside it. A case that changed a row or moved a
  sequence is followed by a reset from the snapshot (TRUNCATE, then INSERT … SELECT in
  foreign-key order, then the sequences set back); most cases fail and change nothing,
  so most cases cost one digest query. The digest hashes every table's rows (as text,
  sorted) in one query; sequences are compared apart: a refused INSERT may draw an id
  (PostgreSQL's sequences do not roll back), which is not a change to the data.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def sqlite_digest(db: Path) -> str:
    """A SQLite database's contents as SQL text (iterdump), hashed."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        text = "\n".join(con.iterdump())
    finally:
        con.close()
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


class SqliteTarget:
    backend = "sqlite"
    task = ""  # the seeded open task's id

    def __init__(self, seed_db: Path) -> None:
        self.seed_db = seed_db
        self.seed_digest = sqlite_digest(seed_db)

    def fresh(self, folder: Path) -> str:
        """The seeded database for one case (a copy in ``folder``): TINYCRM_DB's value."""
        db = folder / "tinycrm.db"
        shutil.copy(self.seed_db, db)
        return str(db)

    def the_database_file(self, folder: Path) -> str:
        return str(folder / "tinycrm.db")

    def unchanged(self, folder: Path) -> str | None:
        """None when the case left the database as seeded, else what is wrong."""
        db = folder / "tinycrm.db"
        if not db.exists():
            return "the database is gone"
        return None if sqlite_digest(db) == self.seed_digest else "the database changed"


class PostgresTarget:
    backend = "postgresql"
    task = ""

    def __init__(self, url: str, engine: Any, snapshot: str, sqlite_seed: Path) -> None:
        self.url = url
        self.engine = engine
        self.snapshot = snapshot
        self.sqlite_seed = sqlite_seed
        self.tables = tables_of(engine)
        self.seed_rows = self._rows_digest()
        self.seed_sequences = self._sequences()

    def fresh(self, folder: Path) -> str:
        """The seeded schema, reset first if the last case changed it: TINYCRM_DB's value."""
        if self._rows_digest() != self.seed_rows or self._sequences() != self.seed_sequences:
            self._reset()
        return self.url

    def the_database_file(self, folder: Path) -> str:
        """ "The database itself" where a case names a file: PostgreSQL has none, so a
        SQLite copy of the seed (a real database file that is not the one in use)."""
        db = folder / "tinycrm.db"
        if not db.exists():
            shutil.copy(self.sqlite_seed, db)
        return str(db)

    def unchanged(self, folder: Path) -> str | None:
        return None if self._rows_digest() == self.seed_rows else "the database changed"

    # --------------------------------------------------------------------------------

    def _rows_digest(self) -> str:
        from sqlalchemy import text

        parts = [
            f"SELECT '{t}' AS t, count(*) AS n, "
            f"md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '')) AS h "
            f'FROM "{t}" r'
            for t in self.tables
        ]
        with self.engine.connect() as conn:
            rows = conn.execute(text(" UNION ALL ".join(parts))).all()
        return hashlib.sha256(repr(sorted(rows)).encode()).hexdigest()

    def _sequences(self) -> list[tuple[str, int | None]]:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            return [
                (name, value)
                for name, value in conn.execute(
                    text(
                        "SELECT sequencename, last_value FROM pg_sequences "
                        "WHERE schemaname = current_schema() ORDER BY sequencename"
                    )
                )
            ]

    def _reset(self) -> None:
        from sqlalchemy import text

        names = ", ".join(f'"{t}"' for t in self.tables)
        with self.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names}"))
            for table in self.tables:  # parents first
                conn.execute(
                    text(
                        f'INSERT INTO "{table}" OVERRIDING SYSTEM VALUE '
                        f'SELECT * FROM "{self.snapshot}"."{table}"'
                    )
                )
            for name, value in self.seed_sequences:
                if value is None:  # never drawn: back to its start
                    conn.execute(text(f'ALTER SEQUENCE "{name}" RESTART'))
                else:
                    conn.execute(text("SELECT setval(:s, :v)"), {"s": f'"{name}"', "v": value})


def tables_of(engine: Any) -> list[str]:
    """The schema's tables, parents before children (SQLModel's order; any table the
    models do not know, e.g. one a newer migration made, after them)."""
    from sqlalchemy import text
    from sqlmodel import SQLModel

    import tinycrm.store.models  # noqa: F401  (registers the tables)

    with engine.connect() as conn:
        present = set(
            conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                    "AND tablename <> 'alembic_version'"
                )
            ).scalars()
        )
    ordered = [t.name for t in SQLModel.metadata.sorted_tables if t.name in present]
    return ordered + sorted(present - set(ordered))


@contextmanager
def snapshot_schema(engine: Any, tables: list[str]) -> Iterator[str]:
    """A copy of every table of the current schema in a schema of its own (dropped after)."""
    from sqlalchemy import text

    name = f"tinycrm_snap_{uuid.uuid4().hex[:10]}"
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
        for table in tables:
            conn.execute(text(f'CREATE TABLE "{name}"."{table}" AS SELECT * FROM "{table}"'))
    try:
        yield name
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
