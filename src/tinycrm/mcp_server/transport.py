"""The stdio transport ``tinycrm mcp`` serves on: the SDK's, reading each line as bytes.

The SDK's (``mcp.server.stdio``) decodes standard input with ``errors="replace"``: a
request whose bytes were not UTF-8 reached the tools with U+FFFD in their place, and a
contact was saved under a name bent without a word. Here each line is read as bytes
and one that is not UTF-8 is refused with a parse error under its request's id
(``malformed.not_utf8``), nothing run; a request whose id is neither a string nor an
integer, which the SDK takes for a notification, is refused too (``malformed.bad_id``),
and a line longer than ``LINE_BYTES`` is refused unread (the SDK's read a 100 MB line
whole, 400 MB of memory, for arguments of at most 10,000 characters). A byte order
mark before the first request is passed over (the SDK's took the request for bad JSON
naming no id, and dropped it: the client waited for ever for its initialize). What a
terminal would obey in an answer (a C1 control, a bidi override stored in a name and
given raw in its structuredContent) is written as its JSON escape.
The rest is the SDK's: its claim of the standard descriptors (a hook reads no request,
its output misses the wire), its parsing, its messages. Those are private to the SDK:
on a release that moved them, importing this module fails, and the server uses the SDK's
own transport.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, BinaryIO

import anyio
from mcp import types
from mcp.server.stdio import _claim_fd, _open_stdin_diversion, _open_stdout_diversion
from mcp.shared._context_streams import create_context_streams
from mcp.shared.message import SessionMessage

from tinycrm.mcp_server.fitting import escaped
from tinycrm.mcp_server.malformed import bad_id, not_utf8, too_long

LINE_BYTES = 16 * 1024 * 1024
"""The longest request line read: a tool's texts are at most 10,000 characters, a REF
1,000; the rest of a longer line is passed over in pieces, never held."""
_SKIPPED_IN = 1024 * 1024
BOM = b"\xef\xbb\xbf"
"""UTF-8's byte order mark, which a Windows editor writes first in a file of requests."""

Incoming = SessionMessage | Exception
Outgoing = SessionMessage | bytes
"""What the writer takes: a message, or an answer already written as a JSON line."""


@asynccontextmanager
async def stdio_streams() -> AsyncIterator[tuple[Any, Any]]:
    """The streams of the server's messages: what standard input sends (each message,
    or the exception its line raised, as the SDK's transport gives them) and what goes
    to standard output (``Outgoing``)."""
    restore_stdin = restore_stdout = None
    try:
        stdin, restore_stdin = _claim_fd(0, sys.stdin, "rb", _open_stdin_diversion)
        stdout, restore_stdout = _claim_fd(1, sys.stdout, "wb", _open_stdout_diversion)
        incoming, read_stream = create_context_streams[Incoming](0)
        write_stream, outgoing = create_context_streams[Outgoing](0)
        refusals = write_stream.clone()

        async def read() -> None:
            async with incoming, refusals:
                line = await anyio.to_thread.run_sync(_read_line, stdin)
                if line.startswith(BOM) and not isinstance(line, _TooLong):
                    line = line[len(BOM) :]  # a file saved by Notepad: not a character
                while line:
                    taken = _taken(line)
                    if isinstance(taken, bytes):
                        await refusals.send(taken)
                    elif taken is not None:
                        await incoming.send(taken)
                    line = await anyio.to_thread.run_sync(_read_line, stdin)

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


class _TooLong(bytes):
    """The start of a line longer than ``LINE_BYTES``; ``size`` its bytes in all, ``end``
    its last (where a client that writes the id last wrote it)."""

    size = 0
    end = b""


def _read_line(stream: BinaryIO) -> bytes:
    """The next line of ``stream`` (b"" at its end); a ``_TooLong`` for a longer line
    than ``LINE_BYTES``, the rest of which is read and dropped."""
    line = stream.readline(LINE_BYTES + 1)
    if len(line) <= LINE_BYTES or line.endswith(b"\n"):
        return line
    too_long = _TooLong(line[:1000])
    too_long.size, too_long.end = len(line), line[-1000:]
    while rest := stream.readline(_SKIPPED_IN):
        too_long.size += len(rest)
        too_long.end = (too_long.end + rest)[-1000:]
        if rest.endswith(b"\n"):
            break
    return too_long


def _taken(line: bytes) -> Incoming | bytes | None:
    """A line read: the message it holds, the exception the SDK's parser raised for it,
    or the answer refusing it (bytes); None for a line refused with no answer owed."""
    if isinstance(line, _TooLong):
        start, end = (part.decode("utf-8", "replace") for part in (line, line.end))
        refusal = too_long(start, end, line.size, LINE_BYTES)
        return None if refusal is None else _line(SessionMessage(refusal))
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
    written = item.message.model_dump_json(by_alias=True, exclude_unset=True)
    return escaped(written).encode() + b"\n"  # a structuredContent's C1 controls too


def _write(stream: BinaryIO, data: bytes) -> None:
    stream.write(data)
    stream.flush()
