"""tinycrm's errors: one base class, ``TinyCrmError``, for everything a user can cause.

``str(err)`` is one line a person can read. Front ends map the base class to an
exit code (the CLI: 1) or a message in one place; a form reads ``Invalid.field``
to mark the field without parsing the message. Config, filter, format and
delivery errors are subclasses too, so ``except tinycrm.TinyCrmError`` catches
every refusal and nothing else.

This module imports nothing, so any module, front end or script can use it
without loading SQLAlchemy.
"""

from __future__ import annotations


class TinyCrmError(Exception):
    """Base class: an operation tinycrm refused. ``str(err)`` is one line for a user."""


class NotFound(TinyCrmError):
    """No record matches a reference; ``suggestions`` describes records whose names hold
    it (what the message offers as "did you mean …?")."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions = suggestions or []


class Ambiguous(TinyCrmError):
    """A reference matches more than one record; ``candidates`` names them."""

    def __init__(self, message: str, candidates: list[str] | None = None) -> None:
        super().__init__(message)
        self.candidates = candidates or []


class Conflict(TinyCrmError):
    """The write would break a uniqueness or integrity rule (duplicate email, ...)."""


class Invalid(TinyCrmError):
    """A value is not acceptable (bad email, negative amount, unknown currency, ...).

    ``field`` names the input it concerns (``"email"``, ``"amount"``) when one does.
    """

    def __init__(self, *args: object, field: str | None = None) -> None:
        super().__init__(*args)  # cooperative: ``InvalidFilter`` passes a FilterError's arguments
        self.field = field


class Unavailable(TinyCrmError):
    """The database cannot be opened or reached."""


class TinyCrmWarning(UserWarning):
    """Done, but worth a look: a phone number kept as typed because it cannot be read,
    a new contact that looks like one already there. The CLI prints it as one line
    on stderr (``Warning: …``) and succeeds; a script sees a Python warning."""


def warn(message: str) -> None:
    """Issue a ``TinyCrmWarning`` (shown every time, not once per place in the code)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("always", TinyCrmWarning)
        warnings.warn(message, TinyCrmWarning, stacklevel=3)


__all__ = [
    "Ambiguous",
    "Conflict",
    "Invalid",
    "NotFound",
    "TinyCrmError",
    "TinyCrmWarning",
    "Unavailable",
    "warn",
]
