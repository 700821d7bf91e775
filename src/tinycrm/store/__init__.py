"""The store: the only package that talks to the database.

Import service functions from their modules (``tinycrm.store.contacts`` and so
on). This package module stays light so that importing the errors does not pull
in SQLAlchemy.
"""

from tinycrm.store.errors import Ambiguous, Conflict, Invalid, NotFound, StoreError, Unavailable

__all__ = ["Ambiguous", "Conflict", "Invalid", "NotFound", "StoreError", "Unavailable"]
