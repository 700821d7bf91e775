"""Every table of the schema, defined: ``SQLModel.metadata`` holds them all once this
module is imported.

A command defines only the tables it uses (each costs a few milliseconds of start-up):
``models`` holds the records and what nearly every command touches, and the modules
below the rest. What must see the whole schema imports this module: the migrations'
``env.py`` (autogenerate and ``alembic check``), the dump (``export all``/``import
all``), and an import's undo (every foreign key to a record it removes counts).
"""

from tinycrm.store import (
    automation_models,  # noqa: F401  (sequences, score rules)
    log_models,  # noqa: F401  (stage changes, webhook outbox, announcements, imports, mail)
    models,  # noqa: F401  (records, tags, fields, events, …)
    sales_models,  # noqa: F401  (products, deal items, quotes)
    service_models,  # noqa: F401  (contracts, cases)
)
