"""The store's own errors. Front ends map them to exit codes and messages.

This module imports nothing heavy, so the command line can catch these errors
without loading SQLAlchemy.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class: an operation the store refused. ``str(err)`` is one line for a user."""


class NotFound(StoreError):
    """No record matches a reference."""


class Ambiguous(StoreError):
    """A reference matches more than one record."""

    def __init__(self, message: str, candidates: list[str] | None = None) -> None:
        super().__init__(message)
        self.candidates = candidates or []


class Conflict(StoreError):
    """The write would break a uniqueness or integrity rule (duplicate email, ...)."""


class Invalid(StoreError):
    """A value is not acceptable (bad email, negative amount, unknown currency, ...)."""


class Unavailable(StoreError):
    """The database cannot be opened or reached."""
