"""``CrmServer``: the SDK's ``MCPServer`` with the session kept in order.

Over the SDK's stdio transport: a request line it cannot take is answered, not dropped
(``malformed``); nothing is served before initialize (``handshake``); the end of input
waits for the calls running; no more requests are read while ``OWED_AT_MOST`` are
unanswered; a write tool, when writes are off, is refused saying how to turn them on;
an argument a tool has not got is refused, not dropped.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from typing import Any

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.dispatcher import coerce_request_id
from mcp.types import (
    JSONRPCError,
    JSONRPCNotification,
    JSONRPCRequest,
    JSONRPCResponse,
    Tool,
)
from pydantic import ValidationError

from tinycrm import safetext
from tinycrm.mcp_server.arguments import argument_problems, nul_argument
from tinycrm.mcp_server.calls import reporting
from tinycrm.mcp_server.handshake import Handshake
from tinycrm.mcp_server.malformed import reused, unreadable
from tinycrm.mcp_server.offered import NothingElseOffered

CANCELLED = "notifications/cancelled"
OWED_AT_MOST = 256
"""No more requests are read while this many are unanswered: a client that reads no
answers is held back (its writes wait) instead of having each answer kept in memory."""

WRITES_OFF = (
    "writes are off: this server was started without --allow-writes (the user can add "
    "\"--allow-writes\" to the server's args in their MCP client's configuration to let "
    "assistants change the CRM)"
)


class CrmServer(NothingElseOffered, MCPServer):
    """An ``MCPServer`` whose write tools refuse, with a reason, when writes are off."""

    def __init__(self, *, allow_writes: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.allow_writes = allow_writes
        self.write_tools: set[str] = set()
        """The names of the tools that write, registered or not (writes off)."""
        self.arguments: dict[str, tuple[str, ...]] = {}
        """Each tool's argument names: the SDK drops any other, which would make an
        ``add_task(ref=...)`` a task about nobody; it is refused instead."""
        self.running = 0
        """Tool calls begun and not yet answered."""
        self.settled: anyio.Event | None = None
        """Set when a call ends or an answer goes out, for the end of input to wait."""
        self.handshake = Handshake(
            lambda method: self._lowlevel_server.get_request_handler(method) is not None
        )
        """Where the session stands: a request before initialize is refused in words."""
        self.owed: Counter[str | int] = Counter()
        """The ids of the requests read and owed an answer: not yet answered, nor
        cancelled by their client (a cancelled request gets none)."""

    async def run_stdio_async(self) -> None:
        """The SDK's stdio transport, with these added. A request line it cannot take
        (JSON its parser refuses, JSON that is not JSON-RPC) is answered under the
        request's id (``malformed``): the SDK drops such a line without a word, and the
        client would wait for an answer that never comes. The end of input waits for the
        tool calls running (on their threads) to be answered: the SDK takes it for a
        client gone and cancels them, and a script piping its requests in (``printf … |
        tinycrm mcp``) got 'Connection closed', nothing saved. No more requests are read
        while ``OWED_AT_MOST`` are unanswered. A client that stops reading ends the
        server without a traceback."""
        from mcp.shared.message import SessionMessage

        try:  # private to the SDK: a later release may move it; its own transport then
            from mcp.shared._context_streams import create_context_streams

            from tinycrm.mcp_server.transport import stdio_streams

            self._lowlevel_server.create_initialization_options  # noqa: B018
        except (ImportError, AttributeError):
            await super().run_stdio_async()
            return
        try:
            async with stdio_streams() as (read_stream, write_stream):
                relay, relayed = create_context_streams[SessionMessage | Exception](0)

                async def read() -> None:
                    async with relay:
                        async for item in read_stream:
                            if isinstance(item, Exception):  # told, as the SDK would not
                                for refusal in unreadable(item):
                                    await write_stream.send(SessionMessage(refusal))
                            elif self._in_use(item.message):  # its answer would be the other's
                                await write_stream.send(SessionMessage(reused(item.message.id)))
                                continue
                            elif early := self.handshake.refusal(item.message):  # before init
                                await write_stream.send(SessionMessage(early))
                                continue
                            elif unfit := self.handshake.unfit(item.message):  # named, not bare
                                await write_stream.send(SessionMessage(unfit))
                                continue
                            else:
                                self._count(item.message)
                            await relay.send(item)
                            while self.owed.total() >= OWED_AT_MOST:  # until answers go out
                                self.settled = anyio.Event()
                                await self.settled.wait()
                        await anyio.wait_all_tasks_blocked()  # the last requests' calls begun
                        await self._answered()

                async with anyio.create_task_group() as tasks:
                    tasks.start_soon(read)
                    lowlevel = self._lowlevel_server
                    answers = _CountedAnswers(write_stream, self)
                    await lowlevel.run(relayed, answers, lowlevel.create_initialization_options())
                    tasks.cancel_scope.cancel()
        except* BrokenPipeError:  # the client stopped reading: as `… | head`, no error
            _stdout_gone()

    def _in_use(self, message: Any) -> bool:
        """Whether ``message`` is a request under the id of one still owed an answer:
        the SDK ran both, answered both under that id, and a cancellation of it stopped
        the second only."""
        return isinstance(message, JSONRPCRequest) and coerce_request_id(message.id) in self.owed

    def _count(self, message: Any) -> None:
        """A request read is owed an answer; one its client cancels (the SDK then sends
        none), or one answered (``_CountedAnswers``), is not."""
        if isinstance(message, JSONRPCRequest):
            self.owed[coerce_request_id(message.id)] += 1
            return
        if isinstance(message, JSONRPCResponse | JSONRPCError):
            settled: Any = message.id
        elif isinstance(message, JSONRPCNotification) and message.method == CANCELLED:
            settled = (message.params or {}).get("requestId")
        else:
            return
        if isinstance(settled, int | str) and not isinstance(settled, bool):
            key = coerce_request_id(settled)
            if self.owed[key] > 1:
                self.owed[key] -= 1
            else:  # answered, cancelled, or never asked (a late cancellation)
                self.owed.pop(key, None)
        if self.settled is not None:
            self.settled.set()

    async def _answered(self) -> None:
        """Wait, at the end of input, for the calls running and then for every request
        read to be answered: the SDK cancels its handlers once its input ends, and a call
        whose tool had returned but whose answer was not yet written lost it (a script
        piping three requests got two answers, now and then). A request its client
        cancelled is owed none: the server does not wait for it (the client, closing,
        stopped a server that did). One the SDK leaves unanswered otherwise is waited for
        five seconds at most."""
        while self.running or self.owed:
            self.settled = anyio.Event()
            if self.running:
                await self.settled.wait()
                continue
            with anyio.move_on_after(5):
                await self.settled.wait()
            if not self.settled.is_set():
                return

    async def list_tools(self) -> list[Tool]:
        """The tools, each schema saying what ``call_tool`` enforces: no other arguments."""
        return [
            tool.model_copy(
                update={"input_schema": {**tool.input_schema, "additionalProperties": False}}
            )
            for tool in await super().list_tools()
        ]

    async def call_tool(self, name: str, arguments: dict[str, Any], *args: Any, **kw: Any) -> Any:
        if name in self.write_tools and not self.allow_writes:
            raise ToolError(WRITES_OFF)
        known = self.arguments.get(name)
        if known is None and name not in self.write_tools:  # the SDK's words, the name short
            raise ToolError(f"Unknown tool: {safetext.quoted(name)}")
        unknown = sorted(set(arguments or {}) - set(known)) if known is not None else []
        if unknown and known is not None:
            named = ", ".join(safetext.quoted(a) for a in unknown[:5])
            if len(unknown) > 5:
                named += f" and {len(unknown) - 5:,} more"
            raise ToolError(f"{name} has no argument {named} (its arguments: {', '.join(known)})")
        if (nul := nul_argument(arguments or {})) is not None:
            raise ToolError(f"Error executing tool {name}: {nul}")
        self.running += 1
        context = args[0] if args else kw.get("context")
        told = reporting.set(getattr(context, "report_progress", None))
        try:
            return await super().call_tool(name, arguments, *args, **kw)
        except ToolError as exc:
            refusal = exc.__cause__
            if not isinstance(refusal, ValidationError):
                raise
            raise ToolError(
                f"Error executing tool {name}: {argument_problems(refusal)}"
            ) from refusal
        finally:
            reporting.reset(told)
            self.running -= 1
            if self.settled is not None:
                self.settled.set()


def _stdout_gone() -> None:
    """Standard output, whose reader left, pointed at /dev/null: what is still buffered
    for it is dropped as the server exits, not told as one more broken pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


class _CountedAnswers:
    """The server's write stream, counting the answers it writes (``CrmServer.owed``)
    for the end of input to know when every request read has had its answer."""

    def __init__(self, stream: Any, server: CrmServer) -> None:
        self._stream, self._server = stream, server

    async def send(self, item: Any, /) -> None:
        await self._stream.send(item)
        if isinstance(getattr(item, "message", None), JSONRPCResponse | JSONRPCError):
            self._server._count(item.message)
            self._server.handshake.answered(item.message)

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def __aenter__(self) -> _CountedAnswers:
        await self._stream.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> bool | None:
        return await self._stream.__aexit__(*exc)  # type: ignore[no-any-return]
