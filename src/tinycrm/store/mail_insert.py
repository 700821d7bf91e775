"""The INSERT of a mailbox email's activity that writes nothing when the message is
logged for the contact already: :class:`~tinycrm.store.mail_log.MailLogger`'s, kept
apart from it."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, cast

from sqlalchemy import CursorResult

from tinycrm.store.models import Activity, table_of

__all__ = ["insert_once", "wrote"]


@lru_cache(maxsize=2)
def insert_once(dialect: str) -> Any:
    """The INSERT of an email activity that writes nothing when the message is logged
    for the contact already (``ON CONFLICT DO NOTHING`` on its unique key): another sync
    (a colleague's, on the same PostgreSQL database) logged it after our check, its
    insert waiting for that commit. Made once, executed with each row."""
    if dialect == "postgresql":  # (psycopg's rowcount of it is -1: RETURNING tells)
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        table = table_of(Activity)
        return (
            pg_insert(table)
            .on_conflict_do_nothing(index_elements=["mail_key", "contact_id"])
            .returning(table.c.id)
        )
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table_of(Activity)).on_conflict_do_nothing(
        index_elements=["mail_key", "contact_id"]
    )


def wrote(result: Any) -> bool:
    """Whether :func:`insert_once` wrote its row."""
    if result.returns_rows:
        return result.first() is not None
    return bool(cast(CursorResult[Any], result).rowcount)
