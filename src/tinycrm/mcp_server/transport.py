"""The stdio transport ``tinycrm mcp`` serves on: the SDK's, reading each line as bytes.

The SDK's (``mcp.server.stdio``) decodes standard input with ``errors="replace"``: a
request whose bytes were not UTF-8 reached the tools with U+FFFD in their place, and a
contact was saved under a name bent without a word. Here each line is read as bytes
and one that is not UTF-8 is refused with a parse error under its request's id
(``malformed.not_utf8``), nothing run; a request whose id is neither a string nor an
integer, which the SDK takes for a notification, is refused too (``malformed.bad_id``).
The rest is the SDK's: its claim of the standard descriptors (a hook reads no request,
its output misses the wire), its parsing, its messages. Those are private to the SDK:
on a release that moved them, the server uses the SDK's own transport.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, BinaryIO

import anyio
from mcp import types
from mcp.shared.message import SessionMessage

from tinycrm.mcp_server.malformed import bad_id, not_utf8

Incoming = SessionMessage | Exception
Outgoing = SessionMessage | bytes
"""What the writer takes: a message, or an answer already written as a JSON line."""


@asynccontextmanager
async def stdio_streams() -> AsyncIterator[tuple[Any, Any]]:
    """The streams of the server's messages: what standard input sends (each message,
    or the exception its line raised, as the SDK's transport gives them) and what goes
    to standard output (``Outgoing``)."""
    from mcp.server.stdio import _claim_fd, _open_stdin_diversion, _open_stdout_diversion
    from mcp.shared._context_streams import create_context_streams

    restore_stdin = restore_stdout = None
    try:
        stdin, restore_stdin = _claim_fd(0, sys.stdin, "rb", _open_stdin_diversion)
        stdout, restore_stdout = _claim_fd(1, sys.stdout, "wb", _open_stdout_diversion)
        incoming, read_stream = create_context_streams[Incoming](0)
        write_stream, outgoing = create_context_streams[Outgoing](0)
        refusals = write_stream.clone()

        async def read() -> None:
            async with incoming, refusals:
                while line := await anyio.to_thread.run_sync(stdin.readline):
                    taken = _taken(line)
                    if isinstance(taken, bytes):
                        await refusals.send(taken)
                    elif taken is not None:
                        await incoming.send(taken)

        async def write() -> None:
            async with outgoing:
                async for item in outgoing:
                    await anyio.to_thread.run_sync(_write, stdout, _line(item))

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(read)
            tasks.start_soon(write)
            yield read_stream, write_stream
    finally:
        if restore_stdout is not None:
            restore_stdout()
        if restore_stdin is not None:
            restore_stdin()


def _taken(line: bytes) -> Incoming | bytes | None:
    """A line read: the message it holds, the exception the SDK's parser raised for it,
    or the answer refusing it (bytes); None for a line refused with no answer owed."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        refusal = not_utf8(line, exc)
        return None if refusal is None else _line(SessionMessage(refusal))
    try:
        message = types.jsonrpc_message_adapter.validate_json(text, by_name=False)
    except Exception as exc:  # as the SDK's transport: told on the read stream
        return exc
    if isinstance(message, types.JSONRPCNotification):  # or a request with an id MCP has not
        return bad_id(text) or SessionMessage(message)
    return SessionMessage(message)


def _line(item: Outgoing) -> bytes:
    if isinstance(item, bytes):
        return item
    return item.message.model_dump_json(by_alias=True, exclude_unset=True).encode() + b"\n"


def _write(stream: BinaryIO, data: bytes) -> None:
    stream.write(data)
    stream.flush()
