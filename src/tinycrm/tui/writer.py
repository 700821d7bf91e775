"""The board's one writer: writes in order, on one thread, each either saved or reported.

Every write the board makes (a move, a won deal, a form's save) is a ``Write`` on
the queue of one ``Writer``. Its thread takes them one at a time, in the order they
were asked for, each in its own transaction (``crm.board.write``: only into the
file the board opened, with bounded lock waits). So:

* what the screen shows at once (a card moved at the key press) is written in the
  order the user made it;
* when a write fails (the database is busy, the file is gone), the writes queued
  behind it are cancelled, never run later: the board reloads and shows what is
  stored, and nothing it reported as "not saved" is committed afterwards;
* ``discard`` (quitting with changes still waiting) cancels every write that has
  not reached its commit and waits for one that has: afterwards each write is
  known to be saved or not, and a cancelled one can never commit (a write checks
  for cancellation inside its transaction, just before the commit).

The thread is a daemon: a write stuck on a lock does not keep the process alive
once the user chose to leave it behind. Results go back to the app's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import warnings
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tinycrm.api import Crm
from tinycrm.api.models import ChangeMarker, DatabaseGone, FileId
from tinycrm.errors import TinyCrmError, TinyCrmWarning, Unavailable

QUEUED, RUNNING, COMMITTING, SAVED, FAILED, CANCELLED = (
    "queued",
    "running",
    "committing",
    "saved",
    "failed",
    "cancelled",
)


DRAWN_WAIT = 0.2
"""The longest a shown write waits for its frame before it runs anyway (seconds)."""


class WriteCancelled(TinyCrmError):
    """The write was not run: one before it failed, or it was discarded."""


def refusal(label: str, error: TinyCrmError) -> str:
    """What to say of a write that was refused: the store's words, after the change
    (``label``) when they do not name it, as a busy or a lost database's do not."""
    if isinstance(error, Unavailable):
        return f"{label}: {error}"
    return str(error)


class _Discarded(Exception):
    """Raised inside a write's transaction to roll it back (it was discarded meanwhile)."""


@dataclass(eq=False)
class Write:
    """One write the board asked for, and what became of it."""

    call: Callable[[], Any]
    label: str = "a change"
    """What it does, for messages: "move Acme renewal to Qualified"."""
    deal_id: int | None = None
    """The card it is about, marked on the board while the write waits."""
    done: Callable[[Any], Any] | None = None
    failed: Callable[[TinyCrmError], Any] | None = None
    shown: bool = False
    """The screen already shows its effect (no reload needed when nobody else wrote)."""
    state: str = QUEUED
    result: Any = None
    error: TinyCrmError | None = None
    markers: tuple[ChangeMarker, ChangeMarker] | None = None
    """The change marker just before and just after the write, in its transaction."""
    behind: list[Write] = field(default_factory=list)
    """The writes cancelled because this one failed."""
    warnings: list[str] = field(default_factory=list)
    """What the write warned about (a post-write hook that failed): saved all the same."""
    drawn: threading.Event | None = None
    """Set once the screen showing the write's effect is drawn: the writer waits for it (up
    to ``DRAWN_WAIT``), so that its work does not hold back the frame the user waits for."""


class Writer:
    """A queue of ``Write``s and the one thread that runs them."""

    def __init__(
        self,
        crm: Crm,
        *,
        opened: FileId | None,
        report: Callable[[Write], Any],
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.crm = crm
        self.opened = opened
        self._report = report
        self._loop = loop
        self._cond = threading.Condition()
        self._queue: deque[Write] = deque()
        self._current: Write | None = None
        self._stopped: TinyCrmError | None = None
        self._closed = False
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ the app's side

    def submit(self, write: Write) -> None:
        """Queue ``write``; its outcome is reported on the app's loop."""
        with self._cond:
            if self._stopped is not None:
                write.state, write.error = FAILED, self._stopped
                self._send(write)
                return
            self._queue.append(write)
            self._cond.notify_all()
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="tinycrm-writer", daemon=True
                )
                self._thread.start()

    def pending(self) -> list[Write]:
        """Writes not yet saved or failed: the one running, then those queued."""
        with self._cond:
            current = [self._current] if self._current is not None else []
            return [w for w in current if w.state in (RUNNING, COMMITTING)] + list(self._queue)

    def stop(self, error: TinyCrmError) -> list[Write]:
        """Refuse every write from now on with ``error``; cancel those queued (returned)."""
        with self._cond:
            self._stopped = error
            cancelled = list(self._queue)
            self._queue.clear()
            for write in cancelled:
                write.state, write.error = CANCELLED, error
            return cancelled

    @property
    def stopped(self) -> TinyCrmError | None:
        return self._stopped

    def discard(self, timeout: float | None = None) -> list[Write]:
        """Cancel every write that has not begun to commit; return those cancelled.

        A write already committing is waited for (up to ``timeout`` seconds), so that
        afterwards each write is either saved or certainly never will be.
        """
        with self._cond:
            cancelled = list(self._queue)
            self._queue.clear()
            current = self._current
            if current is not None and current.state == RUNNING:
                cancelled.insert(0, current)
            for write in cancelled:
                write.state = CANCELLED
                write.error = WriteCancelled(f"not saved: {write.label} was discarded")
            self._cond.wait_for(
                lambda: self._current is None or self._current.state != COMMITTING, timeout
            )
            self._closed = True
            self._cond.notify_all()
            return cancelled

    def close(self) -> None:
        """Let the thread end once the queue is empty."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    # ------------------------------------------------------------------ the thread's side

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._queue or self._closed)
                if not self._queue:
                    self._thread = None
                    return
                write = self._queue.popleft()
                write.state = RUNNING
                self._current = write
            if write.drawn is not None:  # the frame first: Python work here takes the GIL
                write.drawn.wait(DRAWN_WAIT)
            self._perform(write)
            with self._cond:
                if write.state == FAILED:
                    write.behind = list(self._queue)
                    self._queue.clear()
                    for later in write.behind:
                        later.state = CANCELLED
                        later.error = WriteCancelled(
                            f"not saved: {later.label} waited behind a change that failed"
                        )
                    if isinstance(write.error, DatabaseGone):
                        self._stopped = write.error
                self._current = None
                self._cond.notify_all()
            if write.state != CANCELLED:
                self._send(write)

    def _perform(self, write: Write) -> None:
        with warnings.catch_warnings(record=True) as caught:
            self._perform_caught(write)
        write.warnings = [str(w.message) for w in caught if issubclass(w.category, TinyCrmWarning)]

    def _perform_caught(self, write: Write) -> None:
        try:
            with self.crm.board.write(opened=self.opened):
                before = self.crm.board.change_marker()
                result = write.call()
                after = self.crm.board.change_marker()
                with self._cond:
                    if write.state == CANCELLED:
                        raise _Discarded
                    write.state = COMMITTING
            write.result, write.markers = result, (before, after)
            state = SAVED
        except _Discarded:
            return
        except TinyCrmError as exc:
            write.error, state = exc, FAILED
        except Exception as exc:  # a bug, not the user's mistake: say so, keep running
            write.error, state = TinyCrmError(f"unexpected error: {exc!r}"), FAILED
        with self._cond:
            if write.state == CANCELLED and state == FAILED:
                return  # discarded while it waited, and it did not get through: as discarded
            write.state = state

    def _send(self, write: Write) -> None:
        loop = self._loop
        if loop is None:
            self._report(write)
            return
        with contextlib.suppress(RuntimeError):  # the app's loop closed: nobody left to tell
            loop.call_soon_threadsafe(self._report, write)
