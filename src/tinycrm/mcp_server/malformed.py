"""The answers to lines the SDK's stdio transport could not take as JSON-RPC messages.

The SDK drops such a line without a word, and a client waits for ever for the answer
to its request. ``unreadable`` answers each request it can find an id for: a parse
error for a line that is not JSON (or JSON the SDK's parser refuses), "Invalid Request"
for JSON that is not a JSON-RPC 2.0 request, and for each request of a batch.
"""

from __future__ import annotations

import json
import re
from typing import Any

from mcp.types import INVALID_PARAMS, INVALID_REQUEST, PARSE_ERROR, ErrorData, JSONRPCError
from pydantic import ValidationError

from tinycrm import safetext

BATCHES = "batches are not taken (MCP has none): send each request on its own line"

_LEADING_ID = re.compile(
    r'\s*\{\s*"jsonrpc"\s*:\s*"2\.0"\s*,\s*"id"\s*:\s*(-?[0-9]{1,18}|"[^"\\]{0,200}")(?=\s*[,}])'
)


_TRAILING_ID = re.compile(r'"id"\s*:\s*(-?[0-9]{1,18}|"[^"\\]{0,200}")\s*\}\s*$')
"""The id as the TypeScript SDK writes it, last: ``{"method": …, "jsonrpc": "2.0", "id": 7}``."""


def unreadable(error: Exception) -> list[JSONRPCError]:
    """The answers to a line the transport could not take (``error``, pydantic's): one
    under each request id the line holds, none for a notification, a client's answer,
    or a line that names no id."""
    problems = error.errors(include_url=False) if isinstance(error, ValidationError) else []
    if not problems:
        return []
    if problems[0]["type"] == "json_invalid":
        refusal = _not_json(problems[0])
        return [] if refusal is None else [refusal]
    message = _message_of(problems)
    if isinstance(message, list):
        return [_refused(m.get("id"), BATCHES) for m in message if _owed(m)]
    if not isinstance(message, dict) or not _owed(message):
        return []
    found = [p for p in problems if p["loc"][:1] == ("JSONRPCRequest",)]
    by_position = isinstance(message.get("params"), list)  # JSON-RPC 2.0's; not MCP's
    if by_position and [p["loc"] for p in found] == [("JSONRPCRequest", "params")]:
        method = str(message.get("method"))[:200]  # a string: only params is wrong
        said = f"invalid params for {method}: params: an object (by name), not an array"
        return [_refused(message.get("id"), said, INVALID_PARAMS)]
    said = "; ".join(f"{'.'.join(map(str, p['loc'][1:]))}: {said_of(p)}" for p in found)
    return [_refused(message.get("id"), f"not a JSON-RPC 2.0 request: {said[:500]}")]


def _message_of(problems: list[Any]) -> Any:
    """The message the line held, as pydantic's ``problems`` with it give it: the input of
    one about the whole message, or of a field missing from it. Not the first input that
    is a list: ``params: []`` (JSON-RPC's params by position) was taken for a batch of
    none, and its request went unanswered."""
    for problem in problems:
        if len(problem["loc"]) == 1 or (problem["type"] == "missing" and len(problem["loc"]) == 2):
            return problem["input"]
    return None


def reused(request_id: str | int) -> JSONRPCError:
    """The refusal of a request under the id of one not yet answered (MCP: an id is
    never used twice in a session)."""
    shown = safetext.quoted(request_id) if isinstance(request_id, str) else request_id
    said = (
        f"not a JSON-RPC 2.0 request: id: {shown} is that of a request not yet answered; "
        "give each request an id of its own"
    )
    return _refused(request_id, said)


def said_of(problem: Any) -> str:
    """What pydantic's ``problem`` says, in a clause: ``required`` for a missing one."""
    said = "required" if problem["type"] == "missing" else str(problem["msg"])
    return said[:1].lower() + said[1:]


def _owed(message: Any) -> bool:
    """Whether ``message`` is a request (not a notification, nor a client's answer)
    with an id to answer under."""
    if not isinstance(message, dict) or "result" in message or "error" in message:
        return False
    request_id = message.get("id")
    return isinstance(request_id, int | str) and not isinstance(request_id, bool)


def _refused(request_id: Any, said: str, code: int = INVALID_REQUEST) -> JSONRPCError:
    return JSONRPCError(
        jsonrpc="2.0",
        id=request_id,
        error=ErrorData(code=code, message=safetext.display(said)),
    )


def _not_json(problem: Any) -> JSONRPCError | None:
    """A parse error under the id of the request the line holds (``problem``, pydantic's
    ``json_invalid``, holds the line), or None when it names none."""
    line, said = problem.get("input"), str(problem["msg"])
    if not isinstance(line, str):
        return None
    message = _loaded(line)
    named, request_id = _request_id(line, message)
    if message is not None:
        try:
            json.dumps(message, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            said = "a string holds a lone surrogate (\\ud800-\\udfff), which is not text"
    if "recursion limit" in said:
        said += " (nested too deeply)"
    if not named:
        return None
    return _refused(request_id, f"cannot read the request: {said}", PARSE_ERROR)


def not_utf8(line: bytes, error: UnicodeDecodeError) -> JSONRPCError | None:
    """A parse error for a request ``line`` that is not UTF-8, under its id (None when it
    names none): the SDK read each bad byte as U+FFFD, and a tool saved it as text."""
    text = line.decode("utf-8", "surrogateescape")  # the id is found as in any other line
    named, request_id = _request_id(text, _loaded(text))
    if not named:
        return None
    if isinstance(request_id, str) and any("\udc80" <= c <= "\udcff" for c in request_id):
        request_id = None  # a bad byte in the id: JSON-RPC's null, for an id not read
    bad = " ".join(f"0x{byte:02X}" for byte in line[error.start : error.end])
    said = f"cannot read the request: it is not UTF-8 (byte {bad} at offset {error.start:,})"
    return _refused(request_id, said, PARSE_ERROR)


def too_long(start: str, end: str, size: int, most: int) -> JSONRPCError | None:
    """The refusal of a request line of ``size`` bytes, more than the ``most`` read,
    under the id at its ``start`` or its ``end`` (None when it names none there)."""
    found = _LEADING_ID.match(start) or _TRAILING_ID.search(end)
    if found is None:
        return None
    said = (
        f"the request is {size:,} bytes, more than the {most:,} this server reads (a "
        "text is at most 10,000 characters): send less"
    )
    return _refused(json.loads(found.group(1)), said)


def _loaded(line: str) -> Any:
    """The JSON ``line`` holds as Python's own parser reads it (it takes what pydantic's
    refuses, bar the deepest nesting), or None."""
    try:
        return json.loads(line, parse_int=_whole)
    except (ValueError, RecursionError):
        return None


_UNREAD = float("nan")
"""A whole number of more digits than Python reads (4,300), as ``_loaded`` gives it."""


def _whole(digits: str) -> int | float:
    return int(digits) if len(digits) <= 4000 else _UNREAD


def _request_id(line: str, message: Any) -> tuple[bool, str | int | None]:
    """Whether the request ``message`` (``line`` read as JSON, or None) names an id, and
    the id to answer under: None (JSON-RPC's null) for one of thousands of digits, never
    its first digits, which may be another request's id. When the line is not JSON, the
    id at its start, as clients write it: ``{"jsonrpc": "2.0", "id": …``."""
    if message is None:
        found = _LEADING_ID.match(line)
        request_id = json.loads(found.group(1)) if found else None
    else:
        request_id = message.get("id") if isinstance(message, dict) else None
    if request_id is _UNREAD:
        return True, None
    if isinstance(request_id, bool) or not isinstance(request_id, int | str):
        return False, None
    return True, request_id


class _Number(str):
    """A JSON number as its line wrote it: ``1.0`` answered under ``1.0``, not ``1``."""


def bad_id(line: str) -> bytes | None:
    """The answer, as a JSON line, to a request (``line``, JSON) whose id is neither a
    string nor an integer, or None for a line that is no such request. The SDK reads a
    request with the id 1.5, 1.0 or true as a notification, and answers none: its
    client waited for ever. It is refused as an Invalid Request under its id as written
    when that is a number, and JSON-RPC's null otherwise."""
    try:
        message = json.loads(line, parse_int=_Number, parse_float=_Number)
    except (ValueError, RecursionError):
        return None
    if not isinstance(message, dict) or "id" not in message:
        return None
    if "result" in message or "error" in message:  # a client's answer: none is owed
        return None
    found = message["id"]
    if isinstance(found, _Number) and len(found) <= 40:
        shown = echoed = str(found)
    elif isinstance(found, _Number):
        shown, echoed = f"a number of {len(found):,} digits", "null"
    else:
        echoed = "null"
        kinds: dict[type, str] = {dict: "an object", list: "an array", str: "a string"}
        shown = (
            json.dumps(found) if found in (True, False, None) else kinds.get(type(found), "that")
        )
    said = f"not a JSON-RPC 2.0 request: id: a string or an integer, not {shown}"
    error = {"code": INVALID_REQUEST, "message": safetext.display(said)}
    written = json.dumps(error, separators=(",", ":"))
    return f'{{"jsonrpc":"2.0","id":{echoed},"error":{written}}}\n'.encode()
