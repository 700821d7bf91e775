"""How a tool call runs: on a worker thread, one at a time, off the server's loop."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Awaitable, Callable
from contextvars import ContextVar

import anyio
from mcp.types import CallToolResult

TICK_SECONDS = 1.0
"""A call still running this long after it was asked, or after its last progress
notification, sends one (when its client gave a progressToken)."""
WAITING_TURN = "waiting for the call before it to finish (calls run one at a time)"

Progress = Callable[[float, float | None, str | None], Awaitable[None]]
reporting: ContextVar[Progress | None] = ContextVar("reporting", default=None)
"""How the tool call this task runs reports its progress: the SDK's
``Context.report_progress``, which sends nothing unless the client asked for it."""


class _Call:
    """One tool call on its thread: whether its client has cancelled it, and what its
    write saved (``saved``), for a cancellation that comes too late to undo it."""

    def __init__(self) -> None:
        self.cancelled = threading.Event()
        self.started = threading.Event()
        """Set once it has its turn."""
        self.saved: str | None = None


class _Calls(threading.local):
    """The tool call running on this thread."""

    call = _Call()  # never cancelled: outside a call


_calls = _Calls()


async def off_the_loop(
    work: Callable[[], CallToolResult],
    turn: anyio.CapacityLimiter,
    *,
    untold: Callable[[str], None],
    running: str,
) -> CallToolResult:
    """``work`` (a tool call) on a worker thread once it has the ``turn`` (one call at a
    time on the store: its session, its warnings), while the server goes on reading and
    answering (list_tools, the SDK's own requests).

    A call its client cancels is waited for all the same: a thread cannot be stopped
    half-way, and the store must not be left mid-transaction. A write rolls back if the
    cancellation comes before its COMMIT, pre-write hooks and all (``writing``). One
    that comes later finds it saved: the SDK sends a cancelled call no answer, so what
    it saved is given to ``untold`` (the next answer says it). A call still waiting for
    its turn never starts.

    While it waits (its turn, the database's lock, a hook), a progress notification
    every ``TICK_SECONDS`` says so (``running`` once it has its turn), for a client
    that gave a progressToken: a write behind another program's can wait 10 s for the
    lock and as long again for each hook, and a client not told may take the server
    for hung."""
    call = _Call()
    done = anyio.Event()
    outcome: list[CallToolResult] = []
    failure: list[Exception] = []

    def on_thread() -> CallToolResult:
        _calls.call = call
        try:
            return work()
        finally:
            del _calls.call

    async def thread() -> None:
        try:
            async with turn:
                call.started.set()  # its turn: it runs now
                outcome.append(await anyio.to_thread.run_sync(on_thread))
        except Exception as exc:  # told by the caller, not by the task group
            failure.append(exc)
        finally:
            done.set()

    async def ticks(progress: Progress) -> None:
        for tick in itertools.count(1):
            await anyio.sleep(TICK_SECONDS)
            said = running if call.started.is_set() else WAITING_TURN
            try:
                await progress(tick, None, said)
            except Exception:  # a client gone: its answer will not reach it either
                return

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(thread)
        progress = reporting.get()
        if progress is not None:
            tasks.start_soon(ticks, progress)
        try:
            await done.wait()
            tasks.cancel_scope.cancel()  # the ticks; the thread has ended
        except anyio.get_cancelled_exc_class():
            call.cancelled.set()
            with anyio.CancelScope(shield=True):
                await done.wait()
            if call.saved is not None and outcome:
                untold(call.saved)
            raise
    if failure:
        raise failure[0]
    return outcome[0]


def cancelled() -> bool:
    """Whether the client has cancelled the tool call running on this thread."""
    return _calls.call.cancelled.is_set()


def saved(what: str) -> None:
    """Say that the tool call running on this thread has committed ``what``."""
    _calls.call.saved = what
