"""What the shell offers on Tab: contact emails and names, company names and domains,
deal titles, stage, pipeline, segment, campaign and tag names, read from the database.

A completion runs while the user waits at the prompt, so it must feel instant: on
SQLite (the common case) it opens the file read-only with the standard library's
``sqlite3``, without importing SQLAlchemy or the table models, and never creates,
migrates or locks anything. Other databases go through SQLAlchemy. Whatever goes wrong
(no database yet, a file that is not ours, a server that is down) completes nothing:
a Tab key must never print an error into the user's command line.
"""

from __future__ import annotations

import os
import re
import sqlite3
import urllib.parse
from pathlib import Path
from typing import Any

LIMIT = 50

# kind: (the value offered, a description shown beside it by zsh and fish, the table,
# the columns the typed prefix is matched against, extra WHERE). A contact is offered by
# its email when that is what the user started typing, else by its name; a company by
# its name, else by the domain typed (all are REFs).
_QUERIES: dict[str, tuple[str, str, str, tuple[str, ...], str]] = {
    "contact": (
        "CASE WHEN email {like} :prefix ESCAPE '\\' THEN email ELSE name END",
        "CASE WHEN email {like} :prefix ESCAPE '\\' THEN name ELSE COALESCE(email, '') END",
        "contact",
        ("email", "name"),
        "",
    ),
    "company": (
        "CASE WHEN name {like} :prefix ESCAPE '\\' THEN name ELSE domain END",
        "CASE WHEN name {like} :prefix ESCAPE '\\' THEN COALESCE(domain, '') ELSE name END",
        "company",
        ("name", "domain"),
        "",
    ),
    "deal": ("title", "status", "deal", ("title",), ""),
    "pipeline": ("name", "''", "pipeline", ("name",), ""),
    "stage": ("name", "''", "stage", ("name",), ""),
    "segment": ("name", "expression", "segment", ("name",), ""),
    "campaign": ("name", "channel", "campaign", ("name",), ""),
    "tag": ("name", "''", "tag", ("name",), ""),
}
KINDS = tuple(_QUERIES)


def _sql(kind: str, case_insensitive_like: str, code_points: str = "") -> str:
    """The query of ``kind``'s candidates; ``code_points`` is what makes the database
    order them by code point (as SQLite does): ``COLLATE "C"`` on PostgreSQL, whose
    database may collate in a language's order (en_US puts '_x' before '0x'). It goes on
    the value itself: a DISTINCT query orders only by what it selects."""
    value, help_, table, columns, extra = _QUERIES[kind]
    value = value.format(like=case_insensitive_like)
    help_ = help_.format(like=case_insensitive_like)
    match = " OR ".join(f"{c} {case_insensitive_like} :prefix ESCAPE '\\'" for c in columns)
    return (
        f"SELECT DISTINCT ({value}){code_points} AS value, {help_} AS help FROM {table} "
        f"WHERE ({match}){extra} ORDER BY value LIMIT {LIMIT}"
    )


def _pattern(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


def _sqlite_file(value: str) -> Path | None:
    """The file a ``--db`` value names when it is SQLite (a path or a ``sqlite:///`` URL)."""
    if "://" not in value:
        return Path(value).expanduser()
    scheme, _, rest = value.partition("://")
    if scheme.split("+")[0] != "sqlite":
        return None
    path = urllib.parse.unquote(rest.partition("?")[0].removeprefix("/"))
    return Path(path) if path and path != ":memory:" else None


def _default_value() -> str:
    """``engine.default_path()``, without importing the engine (and SQLAlchemy)."""
    from platformdirs import user_data_dir

    return str(Path(user_data_dir("tinycrm", appauthor=False)) / "tinycrm.db")


def candidates(db: str | None, kind: str, prefix: str) -> list[tuple[str, str]]:
    """Up to ``LIMIT`` (value, description) pairs of ``kind`` starting with ``prefix``
    (case-insensitive), in the database ``db`` names (else ``$TINYCRM_DB``, else the
    user's own). Nothing at all when anything is wrong."""
    if kind not in _QUERIES or "\x00" in prefix:
        return []
    value = db or os.environ.get("TINYCRM_DB") or _default_value()
    scheme, separator, rest = value.partition("://")
    if separator and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):
        value = f"{scheme.lower()}{separator}{rest}"  # SQLITE:/// is sqlite:///, as --db reads it
    try:
        path = _sqlite_file(value)
        if path is not None:
            return _from_sqlite(path, kind, prefix)
        return _from_url(value, kind, prefix)
    except Exception:  # a Tab must never print an error: complete nothing
        return []


def _from_sqlite(path: Path, kind: str, prefix: str) -> list[tuple[str, str]]:
    if not path.is_file():
        return []
    uri = f"file:{urllib.parse.quote(str(path.absolute()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=0.2)
    try:
        rows = conn.execute(_sql(kind, "LIKE"), {"prefix": _pattern(prefix)}).fetchall()
    finally:
        conn.close()
    return [(str(v), str(h or "")) for v, h in rows if v]


def _from_url(url: str, kind: str, prefix: str) -> list[tuple[str, str]]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, connect_args=_quick_connect(url))
    try:
        with engine.connect() as conn:
            rows: list[Any] = list(
                conn.execute(
                    text(_sql(kind, "ILIKE", ' COLLATE "C"')), {"prefix": _pattern(prefix)}
                )
            )
    finally:
        engine.dispose()
    return [(str(v), str(h or "")) for v, h in rows if v]


def _quick_connect(url: str) -> dict[str, Any]:
    """A server that does not answer at once is not waited for."""
    return {"connect_timeout": 2} if url.startswith("postgresql") else {}
