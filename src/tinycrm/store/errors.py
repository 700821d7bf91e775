"""The store's errors: the public ones of ``tinycrm.errors``, under the store's old names.

``StoreError`` is ``TinyCrmError``; new code names the latter.
"""

from __future__ import annotations

from tinycrm.errors import Ambiguous, Conflict, Invalid, NotFound, TinyCrmError, Unavailable

StoreError = TinyCrmError

__all__ = [
    "Ambiguous",
    "Conflict",
    "Invalid",
    "NotFound",
    "StoreError",
    "TinyCrmError",
    "Unavailable",
]
