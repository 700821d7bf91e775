"""Ctrl-C, TERM and a closed terminal (HUP) that never lie about what was saved.

A command that is interrupted says one of two things, and it is always true:
"interrupted; nothing was saved" (exit 130: the transaction rolled back), or its own
summary followed by "interrupted after saving" (exit 0: it committed). One process-wide
state makes that so, driven from three places:

* the store commits inside :func:`saving` (so does a file renamed into place): a SIGINT
  or SIGTERM (and SIGHUP wherever these two are named) that arrives during the COMMIT is
  held until the commit has returned and been counted, so no KeyboardInterrupt can fall
  between "the database has it" and "we know it";
* the command line runs each command inside :func:`watch`: SIGINT and SIGTERM raise
  :class:`Interrupted` while nothing is saved, and are held from the first commit to
  the end of the command, so that a command that has saved prints its whole summary;
  the root then adds "interrupted after saving";
* a command with more than one step opens :func:`interruptible` where stopping after a
  commit is right (``remind`` while it delivers: it gives its claims back).

At the end of the process (:func:`finish`, :func:`exit_now`) the signals stay blocked, and
the last look for one is the step before ``_exit``: a signal that came while the output was
flushed is still told. Two windows remain, and no Python code can close them: the few
instructions between that last look and the exit system call (the process has saved and
said everything by then), and the interpreter's own start-up (~30 ms on a warm machine,
before ``tinycrm.entry`` installs its first handler), where a signal ends Python as it
ends any program and nothing has been read or written.

A signal whose handler ran inside a finalizer (an object's ``__del__`` or a weakref
callback, which SQLAlchemy's connection pool uses) would be lost: Python prints
"Exception ignored" and goes on. While a command runs, :func:`_unraisable` takes such
an :class:`Interrupted` back as the held signal, and the next commit raises it before
it begins (the command rolls back) or, after a commit, it is told as any held signal.

Signals are only handled in the main thread (Python runs handlers there), so commits
made by other threads (the board's workers) are counted but hold nothing. Outside a
command (the store used as a library, the tests), :func:`saving` holds SIGINT and
SIGTERM for the commit only and then hands them to whatever handled them before.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType
from typing import Any

# SIGHUP: the terminal closed (its window, an ssh session that dropped) under a running
# command, which then stops as for Ctrl-C: a remind run gives its claims back, a file half
# written is removed. Before, the default action ended the process where it stood, as kill -9.
SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM, raised where the command was (a KeyboardInterrupt, so that
    every ``with`` and ``finally`` on the way rolls back and cleans up as for Ctrl-C)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class _State:
    def __init__(self) -> None:
        self.watching = False  # our handler is installed for a command (or the process)
        self.process = False  # installed by main(): kept until the process exits
        self.holds = 0  # saving() blocks in progress
        self.tail = False  # something was saved (or the command is over): hold to the end
        self.opened = 0  # interruptible() blocks in progress
        self.pending: int | None = None  # a held signal
        self.raised = False  # a signal was raised as Interrupted in this command
        self.commits = 0  # commits since the command began
        self.aside = 0  # aside() blocks in progress: their writes are not the command's
        self.noted = False  # "interrupted after saving" was said
        self.lock = threading.Lock()


_state = _State()


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _held() -> bool:
    return _state.holds > 0 or (_state.tail and _state.opened == 0)


def _handler(signum: int, _frame: FrameType | None) -> None:
    if _held():
        if _state.pending is None:
            _state.pending = signum
        return
    _state.raised = True
    raise Interrupted(signum)


def _install() -> dict[int, Any]:
    previous: dict[int, Any] = {}
    for signum in SIGNALS:
        handler = signal.getsignal(signum)
        # None: set outside Python; SIG_IGN: ignored by whoever started us (a background
        # job of a script: Ctrl-C at its terminal is not for it). Both are left alone.
        if handler is not None and handler is not signal.SIG_IGN:
            previous[signum] = handler
            signal.signal(signum, _handler)
    return previous


def _restore(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)


def _unraisable(unraisable: Any) -> None:
    """``sys.unraisablehook`` while a command runs: an :class:`Interrupted` raised inside
    a finalizer (where Python can only print and drop it) becomes the held signal."""
    if not take_back(unraisable.exc_value):
        _previous_unraisable(unraisable)


def take_back(error: BaseException | None) -> bool:
    """An :class:`Interrupted` raised where it cannot go on up (a finalizer; a Python
    function SQLite calls, whose exception SQLite turns into "user-defined function raised
    exception"): kept as the held signal, raised at the next :func:`check` or commit. True
    when taken; False for anything else, which the caller raises or reports."""
    if isinstance(error, Interrupted) and _main_thread():
        if _state.pending is None:
            _state.pending = error.signum
        return True
    return False


def check() -> None:
    """Raise a signal :func:`take_back` kept, now that it can go on up (after the SQL
    statement it landed in), unless signals are held (then it is told as any held one)."""
    if _state.watching and _state.pending is not None and _main_thread() and not _held():
        raise Interrupted(_take_pending())  # type: ignore[arg-type]


_previous_unraisable = sys.unraisablehook


def _hook_unraisable() -> None:
    global _previous_unraisable
    if sys.unraisablehook is not _unraisable:
        _previous_unraisable = sys.unraisablehook
        sys.unraisablehook = _unraisable


def _unhook_unraisable() -> None:
    if sys.unraisablehook is _unraisable:
        sys.unraisablehook = _previous_unraisable


def _take_pending() -> int | None:
    pending, _state.pending = _state.pending, None
    return pending


# --------------------------------------------------------------------------- the store's side


@contextmanager
def saving() -> Iterator[None]:
    """Around a commit (or a rename into place): signals wait until it has returned and
    been counted; a commit that raises is not counted."""
    counts = _state.aside == 0
    if not _main_thread():
        yield
        if counts:
            with _state.lock:
                _state.commits += 1
        return
    previous = None if _state.watching else _install()
    if _state.watching and not _held() and _state.pending is not None:
        # a signal taken back from a finalizer (see _unraisable): before the commit
        raise Interrupted(_take_pending())  # type: ignore[arg-type]
    _state.holds += 1
    try:
        yield
        if counts:
            with _state.lock:
                _state.commits += 1
            if _state.watching:
                _state.tail = True
    finally:
        _state.holds -= 1
        if previous is not None:
            # No command watches: give a held signal to whoever handled it before.
            _restore(previous)
            pending = _take_pending()
            if pending is not None:
                signal.raise_signal(pending)
        elif not _held() and _state.pending is not None:
            raise Interrupted(_take_pending())  # type: ignore[arg-type]


@contextmanager
def aside() -> Iterator[None]:
    """Files written in this block are copies kept on the side (the copy made before an
    upgrade or a restore), not what the command saves: they leave it interruptible."""
    _state.aside += 1
    try:
        yield
    finally:
        _state.aside -= 1


def saved() -> int:
    """How many commits the current command has made (0: nothing was saved)."""
    return _state.commits


# --------------------------------------------------------------------------- the command's side


@contextmanager
def interruptible() -> Iterator[None]:
    """A block that SIGINT and SIGTERM interrupt even after a commit (a signal held
    before it is raised on entry). The caller says what was saved when it catches it."""
    if not _main_thread() or not _state.watching:
        yield
        return
    _state.opened += 1
    try:
        if not _held() and _state.pending is not None:
            raise Interrupted(_take_pending())  # type: ignore[arg-type]
        yield
    finally:
        _state.opened -= 1


@contextmanager
def watch() -> Iterator[None]:
    """Around one command: SIGINT and SIGTERM interrupt it until it saves something,
    and are held from then to its end. A signal held before it began (see
    :func:`install`) interrupts it at once."""
    if not _main_thread():
        yield
        return
    previous = None if _state.watching else _install()
    _state.watching = True
    _hook_unraisable()
    _state.tail = False
    _state.holds = _state.opened = _state.commits = 0
    _state.raised = False
    _state.noted = False
    try:
        if _state.pending is not None:
            raise Interrupted(_take_pending())  # type: ignore[arg-type]
        yield
    finally:
        _state.tail = True  # the command is over: what comes now is held, then said
        if previous is not None and not _state.process:
            _restore(previous)
            _unhook_unraisable()
            _state.watching = False
            _state.tail = False


_FROM_A_FUNCTION = "user-defined function raised exception"


def interrupted_by(error: BaseException) -> bool:
    """Whether ``error`` was raised while an interruption unwound (a KeyboardInterrupt,
    :class:`Interrupted` among them, in its chain of causes and contexts): code that
    is not safe against a signal in the middle of it can fail on the way out."""
    seen: set[int] = set()
    found: BaseException | None = error
    while found is not None and id(found) not in seen:
        if isinstance(found, KeyboardInterrupt):
            return True
        if _state.raised and (_FROM_A_FUNCTION in str(found) or _sqlite_interrupted(found)):
            # SQLite called a Python function (the search index's fold, the progress
            # handler of store.sqlite_connections.answering_signals) and the signal was
            # raised in it: SQLite keeps only its own error, not the interruption
            return True
        seen.add(id(found))
        found = found.__cause__ or found.__context__
    return False


def _sqlite_interrupted(error: BaseException) -> bool:
    """SQLite's own error for a statement its progress handler ended."""
    sqlite3 = sys.modules.get("sqlite3")  # (not imported for it: a command without SQLite)
    return (
        sqlite3 is not None
        and isinstance(error, sqlite3.OperationalError)
        and (str(error) == "interrupted")
    )


def after_saving_note() -> str | None:
    """The line to add when a signal was held after the command saved (once), else None."""
    if _state.pending is None or _state.noted:
        return None
    if _state.commits == 0:
        return None
    _state.noted = True
    signame = signal.Signals(_state.pending).name
    return f"interrupted after saving ({signame} arrived once the changes were committed)"


def install() -> None:
    """For the life of the process (the console script): our handler from the start,
    holding signals until a command begins, so none is lost or turned into a traceback."""
    if not _main_thread() or _state.watching:
        return
    _install()
    _hook_unraisable()
    _state.watching = True
    _state.process = True
    _state.tail = True


def finish() -> str | None:
    """At the end of the command: hold SIGINT and SIGTERM for the rest of the process
    (blocked, so that one arriving now stays pending for :func:`exit_now`'s last look),
    and return the note for one held after the command saved (None when there is
    nothing to say)."""
    if not _main_thread():
        return None
    if not _block():
        for signum in SIGNALS:  # no POSIX signal masks: nothing can be held, so ignore
            signal.signal(signum, signal.SIG_IGN)
    _take_arrived()
    return after_saving_note()


def _block() -> bool:
    """Block SIGINT and SIGTERM (a handler already due runs first); False without masks."""
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    except (AttributeError, OSError):
        return False
    return True


def _take_arrived() -> None:
    """A signal that arrived while blocked becomes the held one."""
    try:
        arrived = signal.sigpending() & set(SIGNALS)
    except (AttributeError, OSError):
        return
    if arrived and _state.pending is None:
        _state.pending = min(arrived)


def exit_now(code: object) -> None:
    """Exit with ``code`` (as ``SystemExit`` takes it) now: flush the standard streams,
    run the ``atexit`` functions, and skip the interpreter's teardown.

    The last thing before the exit is one more look for a signal (held blocked since
    :func:`finish`): one that came while the output was flushed is still told after a
    summary ("interrupted after saving"). What remains is the few instructions between
    that look and the ``_exit`` system call; a signal there finds a process that has
    saved and said everything, and is discarded with it.
    """
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code & 0xFF
    else:
        sys.stderr.write(f"{code}\n")
        status = 1
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a reader that left (`| head`), a closed stream
            stream.flush()
    atexit._run_exitfuncs()
    if status == 0 and _main_thread():
        _block()  # (already, after finish(); exit_now alone blocks here)
        _take_arrived()
        note = after_saving_note()
        if note:
            with suppress(OSError):
                os.write(2, f"{note}\n".encode())
    os._exit(status)
