"""Completion for the shell's Tab key: names of records in a database, without opening a
``Crm`` (no migration, no lock, no SQLAlchemy on SQLite). See ``tinycrm.store.completion``."""

from __future__ import annotations

from tinycrm.store.completion import KINDS, candidates

__all__ = ["KINDS", "complete"]


def complete(kind: str, prefix: str, *, db: str | None = None) -> list[tuple[str, str]]:
    """Up to 50 ``(value, description)`` pairs of ``kind`` (``contact``, ``company``,
    ``deal``, ``pipeline``, ``stage``, ``segment``, ``campaign``, ``tag``) whose value
    starts with ``prefix``, case-insensitively; ``db`` as ``tinycrm.open`` takes it."""
    return candidates(db, kind, prefix)
