"""Alembic migrations, shipped inside the package.

``SCHEMA_HEAD`` lets the store see that a database is current with one query,
without importing Alembic; a test checks that it names the real head.
"""

SCHEMA_HEAD = "0031"
