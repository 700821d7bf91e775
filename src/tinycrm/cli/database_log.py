"""SQLAlchemy's error log records on stderr, one line each.

SQLAlchemy logs, rather than raises, what goes wrong while it cleans up (a cursor or a
connection it could not close); with no handler, Python's logging prints each record with
its whole traceback. A command shows them as one line, ``Warning: database: …``, and drops
those raised while an interruption unwound: the command's own line tells it (``Error:
interrupted; nothing was saved …``).

``logging`` is imported when a command runs, not at start-up (``--help`` has no use for
it; SQLAlchemy imports it anyway).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING

from tinycrm import interrupts, safetext

if TYPE_CHECKING:
    import logging


def _emit(record: logging.LogRecord) -> None:
    error = record.exc_info[1] if record.exc_info else None
    if error is not None and interrupts.interrupted_by(error):
        return
    text = record.getMessage() + (f": {error}" if error is not None else "")
    with suppress(OSError, ValueError):  # a closed stderr
        sys.stderr.write(f"Warning: database: {safetext.display(' '.join(text.split()))}\n")


@contextmanager
def on_stderr() -> Iterator[None]:
    """While a command runs: the ``sqlalchemy`` loggers' warnings and errors as one line
    each on stderr (none when an interruption is behind them)."""
    import logging

    class OneLine(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            _emit(record)

    logger = logging.getLogger("sqlalchemy")
    handler, propagate = OneLine(logging.WARNING), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
