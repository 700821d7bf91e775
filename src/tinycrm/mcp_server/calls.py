"""How a tool call runs: on a worker thread, one at a time, off the server's loop."""

from __future__ import annotations

import threading
from collections.abc import Callable

import anyio
from mcp.types import CallToolResult


class _Call:
    """One tool call on its thread: whether its client has cancelled it, and what its
    write saved (``saved``), for a cancellation that comes too late to undo it."""

    def __init__(self) -> None:
        self.cancelled = threading.Event()
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
) -> CallToolResult:
    """``work`` (a tool call) on a worker thread once it has the ``turn`` (one call at a
    time on the store: its session, its warnings), while the server goes on reading and
    answering (list_tools, the SDK's own requests).

    A call its client cancels is waited for all the same: a thread cannot be stopped
    half-way, and the store must not be left mid-transaction. A write rolls back if the
    cancellation comes before its COMMIT, pre-write hooks and all (``writing``). One
    that comes later finds it saved: the SDK sends a cancelled call no answer, so what
    it saved is given to ``untold`` (the next answer says it). A call still waiting for
    its turn never starts."""
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
            outcome.append(await anyio.to_thread.run_sync(on_thread, limiter=turn))
        except Exception as exc:  # told by the caller, not by the task group
            failure.append(exc)
        finally:
            done.set()

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(thread)
        try:
            await done.wait()
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
