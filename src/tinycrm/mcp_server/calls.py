"""How a tool call runs: on a worker thread, one at a time, off the server's loop."""

from __future__ import annotations

import threading
from collections.abc import Callable

import anyio
from mcp.types import CallToolResult


class _Calls(threading.local):
    """The tool call running on this thread: whether its client has cancelled it."""

    cancelled = threading.Event()  # never set: outside a call


_calls = _Calls()


async def off_the_loop(
    work: Callable[[], CallToolResult], turn: anyio.CapacityLimiter
) -> CallToolResult:
    """``work`` (a tool call) on a worker thread once it has the ``turn`` (one call at a
    time on the store: its session, its warnings), while the server goes on reading and
    answering (list_tools, the SDK's own requests).

    A call its client cancels is waited for all the same: a thread cannot be stopped
    half-way, and the store must not be left mid-transaction. A write that has done its
    work when the cancellation comes (it may have waited for the lock all that while)
    rolls back (``writing``); one already running its pre-write hooks or committing
    goes on to the end. A call still waiting for its turn never starts."""
    cancelled = threading.Event()
    done = anyio.Event()
    outcome: list[CallToolResult] = []
    failure: list[Exception] = []

    def call() -> CallToolResult:
        _calls.cancelled = cancelled
        try:
            return work()
        finally:
            del _calls.cancelled

    async def thread() -> None:
        try:
            outcome.append(await anyio.to_thread.run_sync(call, limiter=turn))
        except Exception as exc:  # told by the caller, not by the task group
            failure.append(exc)
        finally:
            done.set()

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(thread)
        try:
            await done.wait()
        except anyio.get_cancelled_exc_class():
            cancelled.set()
            raise
    if failure:
        raise failure[0]
    return outcome[0]


def cancelled() -> bool:
    """Whether the client has cancelled the tool call running on this thread."""
    return _calls.cancelled.is_set()
