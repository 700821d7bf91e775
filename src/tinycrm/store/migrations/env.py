"""Alembic environment for tinycrm (used through tinycrm.store.migrations.runner)."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import tinycrm.store.all_tables  # (every table, for autogenerate and alembic check)
import tinycrm.store.models
from tinycrm.store.migrations.runner import UNMANAGED_INDEXES, UNMANAGED_PREFIXES

config = context.config
target_metadata = SQLModel.metadata


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    if type_ == "table" and name and name.startswith(UNMANAGED_PREFIXES):
        return False
    if type_ == "table" and name == "alembic_version":
        return False  # Alembic's own (named explicitly on PostgreSQL: see _run)
    return not (type_ == "index" and name in UNMANAGED_INDEXES)


def _run(connection: Any) -> None:
    tinycrm.store.models.partial_indexes_for(connection.dialect.name)
    options: dict[str, Any] = {}
    if connection.dialect.name == "postgresql":
        # Keep Alembic's bookkeeping in the schema being migrated, whatever else is on
        # the search path.
        options["version_table_schema"] = connection.exec_driver_sql(
            "SELECT current_schema()"
        ).scalar()
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
        **options,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
