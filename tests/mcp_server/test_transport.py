"""``tinycrm mcp``'s stdio transport (``mcp_server.transport``) against raw request lines,
as a client may send them by mistake: each request gets an answer it can match, and
nothing it could not read is run."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.cli.conftest import tinycrm_executable
from tests.mcp_server.test_server import sqlite_url  # noqa: F401 (a fixture)
from tinycrm import open as open_crm

HELLO = (
    b'{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":'
    b'"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}\n'
    b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n'
)


class Raw:
    """A ``tinycrm mcp`` subprocess spoken to line by line."""

    def __init__(self, server: subprocess.Popen[bytes]) -> None:
        self.server = server
        self.lines: queue.Queue[bytes] = queue.Queue()
        assert server.stdout is not None
        out = server.stdout
        threading.Thread(
            target=lambda: [self.lines.put(line) for line in iter(out.readline, b"")],
            daemon=True,
        ).start()

    def send(self, line: bytes) -> None:
        assert self.server.stdin is not None
        self.server.stdin.write(line + b"\n")
        self.server.stdin.flush()

    def answer(self) -> dict[str, Any]:
        answer: dict[str, Any] = json.loads(self.lines.get(timeout=60))
        return answer

    def ask(self, line: bytes) -> dict[str, Any]:
        self.send(line)
        return self.answer()


@contextmanager
def raw_server(url: str, *flags: str) -> Iterator[Raw]:
    server = subprocess.Popen(
        [*tinycrm_executable(), "--db", url, "mcp", *flags],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    raw = Raw(server)
    try:
        raw.send(HELLO.rstrip(b"\n"))
        assert raw.answer()["id"] == 0
        yield raw
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=60)


def add_contact(request_id: bytes, name: bytes) -> bytes:
    return (
        b'{"jsonrpc":"2.0","id":' + request_id + b',"method":"tools/call","params":'
        b'{"name":"add_contact","arguments":{"name":"' + name + b'"}}}'
    )


def test_a_request_that_is_not_utf8_is_refused_and_nothing_saved(sqlite_url: str) -> None:  # noqa: F811
    """add_contact(name=<"Ren" and the byte 0xE9, Latin-1's é>) saved a contact named
    'Ren\\ufffd': the SDK's transport reads each byte that is not UTF-8 as U+FFFD, and
    the name was bent without a word. The line is now refused with a parse error under
    its id, saying which byte where, and nothing is saved; an id holding such a byte is
    answered under null; the server goes on."""
    with raw_server(sqlite_url, "--allow-writes") as raw:
        line = add_contact(b"7", b"Ren\xe9 Dupont")
        refused = raw.ask(line)
        at = line.index(b"\xe9")
        assert refused == {
            "jsonrpc": "2.0",
            "id": 7,
            "error": {
                "code": -32700,
                "message": f"cannot read the request: it is not UTF-8 (byte 0xE9 at offset {at})",
            },
        }
        refused = raw.ask(add_contact(b'"a\xff"', b"Ren\xc3\xa9 Dupont"))
        assert refused["id"] is None and refused["error"]["code"] == -32700, refused
        saved = raw.ask(add_contact(b"8", "René Dupont".encode()))
        assert saved["id"] == 8 and not saved["result"]["isError"], saved
    with open_crm(sqlite_url) as crm:
        assert [c.name for c in crm.contacts.list()] == ["Ada Lovelace", "René Dupont"]


def test_a_request_whose_id_is_no_string_nor_integer_is_answered(sqlite_url: str) -> None:  # noqa: F811
    """A request with the id 1.5, 1.0 or true (a client counting in floats, a bug) was
    read by the SDK as a notification: never answered, its client waited for ever. Each
    is now refused as an Invalid Request (-32600), under its id as written when that is
    a number (JSON-RPC allows them; MCP takes strings and integers), under null
    otherwise; nothing is run, and the server goes on."""
    with raw_server(sqlite_url, "--allow-writes") as raw:
        for written, answered_under, said in [
            (b"1.5", 1.5, "1.5"),
            (b"1.0", 1.0, "1.0"),
            (b"1e400", float("inf"), "1e400"),
            (b"true", None, "true"),
            (b"null", None, "null"),
            (b"[1]", None, "an array"),
            (b'{"n":1}', None, "an object"),
        ]:
            raw.send(add_contact(written, b"Grace Hopper"))
            line = raw.lines.get(timeout=60)
            echoed = written if isinstance(answered_under, float) else b"null"  # as written
            assert line.startswith(b'{"jsonrpc":"2.0","id":' + echoed + b","), line
            said = f"not a JSON-RPC 2.0 request: id: a string or an integer, not {said}"
            answer = json.loads(line)
            assert answer == {
                "jsonrpc": "2.0",
                "id": answered_under,
                "error": {"code": -32600, "message": said},
            }
        saved = raw.ask(add_contact(b'"9"', b"Grace Hopper"))
        assert saved["id"] == "9" and not saved["result"]["isError"], saved
    with open_crm(sqlite_url) as crm:
        assert [c.name for c in crm.contacts.list()] == ["Ada Lovelace", "Grace Hopper"]


def test_a_request_line_past_what_any_tool_takes_is_refused_unread(sqlite_url: str) -> None:  # noqa: F811
    """A 100 MB request line (add_contact with 100 MB of notes) was read whole: 400 MB of
    the server's memory and 8 s before the notes were refused as longer than 10,000
    characters; a larger one would have taken all the memory there is. A line longer
    than LINE_BYTES is now passed over in pieces, never held, and refused under its id,
    where the official SDKs write it: first (Python's) or last (TypeScript's)."""
    from tinycrm.mcp_server.transport import LINE_BYTES

    notes = b"x" * (LINE_BYTES + 1)
    first = add_contact(b"5", b'Grace Hopper","notes":"' + notes)
    last = (
        b'{"method":"tools/call","params":{"name":"add_contact","arguments":{"name":"Grace '
        b'Hopper","notes":"' + notes + b'"}},"jsonrpc":"2.0","id":"six"}'
    )
    with raw_server(sqlite_url, "--allow-writes") as raw:
        for line, request_id in [(first, 5), (last, "six")]:
            answer = raw.ask(line)
            assert answer["id"] == request_id, answer
            assert answer["error"] == {
                "code": -32600,
                "message": f"the request is {len(line) + 1:,} bytes, more than the "
                f"{LINE_BYTES:,} this server reads (a text is at most 10,000 characters): "
                "send less",
            }
        saved = raw.ask(add_contact(b"7", b"Alan Turing"))  # the next line is read whole
        assert saved["id"] == 7 and not saved["result"]["isError"], saved
    with open_crm(sqlite_url) as crm:
        assert [c.name for c in crm.contacts.list()] == ["Ada Lovelace", "Alan Turing"]


def test_a_byte_order_mark_before_the_first_request_is_passed_over(sqlite_url: str) -> None:  # noqa: F811
    """Requests piped from a file a Windows editor saved (`tinycrm mcp < requests.jsonl`)
    begin with UTF-8's byte order mark: the initialize it came before was taken for bad
    JSON naming no id and dropped without a word, and the client waited for ever. The
    mark is now passed over, and the server answers from the first request on."""
    done = subprocess.run(
        [*tinycrm_executable(), "--db", sqlite_url, "mcp"],
        input=b"\xef\xbb\xbf" + HELLO + b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n',
        capture_output=True, timeout=120,
    )  # fmt: skip
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [answer["id"] for answer in answers] == [0, 1], done.stdout[-500:]
    assert answers[0]["result"]["serverInfo"]["name"] == "tinycrm"


def test_a_request_under_the_id_of_one_not_yet_answered_is_refused(
    sqlite_url: str,  # noqa: F811
    isolated_user_dirs: Path,
) -> None:
    """A client reusing an id (add_contact(Grace) as 5 while a slow pre-write hook held
    add_contact(Ada Byron) 5) had both run and both answered under 5, the answer to one
    read as the other's; and a cancellation of 5 stopped only the second. The second is
    now refused at once (-32600), nothing run; the first is answered and saved as asked,
    and once it is, its id may be used again."""
    hook = isolated_user_dirs / "config" / "tinycrm" / "hooks" / "pre-write"
    hook.parent.mkdir(parents=True)
    hook.write_text("#!/bin/sh\ncat >/dev/null\nwhile [ ! -e release ]; do sleep 0.02; done\n")
    hook.chmod(0o755)
    with raw_server(sqlite_url, "--allow-writes") as raw:
        raw.send(add_contact(b"5", b"Ada Byron"))
        refused = raw.ask(add_contact(b"5", b"Grace Hopper"))
        assert refused == {
            "jsonrpc": "2.0",
            "id": 5,
            "error": {
                "code": -32600,
                "message": "not a JSON-RPC 2.0 request: id: 5 is that of a request not yet "
                "answered; give each request an id of its own",
            },
        }
        (hook.parent / "release").touch()
        first = raw.answer()
        assert first["id"] == 5 and first["result"]["structuredContent"]["name"] == "Ada Byron"
        again = raw.ask(add_contact(b"5", b"Alan Turing"))
        assert again["id"] == 5 and not again["result"]["isError"], again
    with open_crm(sqlite_url) as crm:
        names = [c.name for c in crm.contacts.list()]
    assert names == ["Ada Byron", "Ada Lovelace", "Alan Turing"]


def test_a_request_before_initialize_is_told_the_session_is_not_initialized(
    sqlite_url: str,  # noqa: F811
) -> None:
    """tools/list or add_contact sent before initialize got the SDK's bare
    '-32602 Invalid request parameters', naming nothing the client could fix. Each is now
    refused saying the session is not initialized, nothing run; a ping is answered, an
    unknown method is still 'Method not found', and once initialized the server serves."""
    server = subprocess.Popen(
        [*tinycrm_executable(), "--db", sqlite_url, "mcp", "--allow-writes"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    raw = Raw(server)
    try:
        said = (
            "the session is not initialized: send initialize, then "
            "notifications/initialized, before {}"
        )
        for request_id, line in [
            (1, b'{"jsonrpc":"2.0","id":1,"method":"tools/list"}'),
            (2, add_contact(b"2", b"Grace Hopper")),
        ]:
            refused = raw.ask(line)
            method = "tools/list" if request_id == 1 else "tools/call"
            assert refused == {
                "jsonrpc": "2.0",
                "id": request_id,
                "error": {"code": -32602, "message": said.format(method)},
            }, refused
        assert raw.ask(b'{"jsonrpc":"2.0","id":3,"method":"ping"}') == {
            "jsonrpc": "2.0",
            "id": 3,
            "result": {},
        }
        unknown = raw.ask(b'{"jsonrpc":"2.0","id":4,"method":"no/such"}')
        assert unknown["error"]["code"] == -32601, unknown
        raw.send(HELLO.rstrip(b"\n"))
        assert raw.answer()["id"] == 0
        listed = raw.ask(b'{"jsonrpc":"2.0","id":5,"method":"tools/list"}')
        assert listed["id"] == 5 and listed["result"]["tools"], listed
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=60)
    with open_crm(sqlite_url) as crm:
        assert [c.name for c in crm.contacts.list()] == ["Ada Lovelace"]


def test_an_initialize_whose_params_are_wrong_names_what_is_wrong(
    sqlite_url: str,  # noqa: F811
) -> None:
    """initialize with params {} or a protocolVersion of 5 got the SDK's bare '-32602
    Invalid request parameters' (data ""), naming nothing the client could fix. It is now
    refused under the same code naming each bad param; the session is still not
    initialized (tools/list is told so), and a good initialize then opens it."""
    server = subprocess.Popen(
        [*tinycrm_executable(), "--db", sqlite_url, "mcp"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    raw = Raw(server)
    try:
        for params, said in [
            (
                b"{}",
                "params.capabilities: required; params.clientInfo: required; "
                "params.protocolVersion: required",
            ),
            (
                b'{"protocolVersion":5,"capabilities":{},"clientInfo":{"name":"t","version":"1"}}',
                "params.protocolVersion: input should be a valid string",
            ),
            (
                b'{"protocolVersion":"2025-06-18","capabilities":[],"clientInfo":{"name":"t"}}',
                "params.capabilities: input should be a valid dictionary or instance of "
                "ClientCapabilities; params.clientInfo.version: required",
            ),
            (b"null", "params: required"),
        ]:
            line = b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":' + params + b"}"
            assert raw.ask(line) == {
                "jsonrpc": "2.0",
                "id": 1,
                "error": {"code": -32602, "message": f"invalid params for initialize: {said}"},
            }
        early = raw.ask(b'{"jsonrpc":"2.0","id":2,"method":"tools/list"}')
        assert "the session is not initialized" in early["error"]["message"], early
        raw.send(HELLO.rstrip(b"\n"))
        assert raw.answer()["id"] == 0
        listed = raw.ask(b'{"jsonrpc":"2.0","id":3,"method":"tools/list"}')
        assert listed["id"] == 3 and listed["result"]["tools"], listed
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=60)


def test_an_answer_on_the_wire_holds_no_character_a_terminal_obeys(sqlite_url: str) -> None:  # noqa: F811
    """A name stored with a C1 control (U+009B is CSI) or a bidi override (by SQL, an
    older version) reached the wire raw in the answer's structuredContent, for a person
    trying `tinycrm mcp` on a terminal to have it obeyed; the text content escaped them
    already. Every such character is now a JSON escape on the wire: the same value to
    the client, seen as \\u009b on a terminal."""
    from sqlalchemy import text

    from tinycrm.store.engine import open_store

    store = open_store(sqlite_url)
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE contact SET name = :name WHERE id = 1"),
            {"name": "Ada\x9b2J\u202eLovelace\x85"},
        )
    store.close()
    with raw_server(sqlite_url) as raw:
        raw.send(
            b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":'
            b'"contact_briefing","arguments":{"ref":"#1","limit":1}}}'
        )
        line = raw.lines.get(timeout=60)
    shown = line.decode()
    assert not [c for c in shown if "\x7f" <= c <= "\x9f" or c == "\u202e"], shown[:300]
    assert "\\u009b2J\\u202eLovelace\\u0085" in shown
    answer = json.loads(line)
    name = answer["result"]["structuredContent"]["contact"]["name"]
    assert name == "Ada\x9b2J\u202eLovelace\x85"


def test_a_request_whose_params_the_sdk_cannot_read_names_what_is_wrong(
    sqlite_url: str,  # noqa: F811
) -> None:
    """tools/call with no tool name, a name that is a number, or arguments that are a list
    was answered with the SDK's bare '-32602 Invalid request parameters', naming nothing
    to fix. Each is now refused (same code) naming the method and each bad param; nothing
    is run, and the server goes on."""
    with raw_server(sqlite_url, "--allow-writes") as raw:
        for params, said in [
            (b'{"arguments":{"name":"Grace"}}', "params.name: required"),
            (b'{"name":5}', "params.name: input should be a valid string"),
            (
                b'{"name":"add_contact","arguments":["Grace"]}',
                "params.arguments: input should be a valid dictionary",
            ),
            (b"null", "params: required"),
        ]:
            line = b'{"jsonrpc":"2.0","id":3,"method":"tools/call","params":' + params + b"}"
            assert raw.ask(line) == {
                "jsonrpc": "2.0",
                "id": 3,
                "error": {"code": -32602, "message": f"invalid params for tools/call: {said}"},
            }
        listed = raw.ask(b'{"jsonrpc":"2.0","id":4,"method":"tools/list","params":{"cursor":5}}')
        assert listed["error"]["message"] == (
            "invalid params for tools/list: params.cursor: input should be a valid string"
        )
        saved = raw.ask(add_contact(b"5", b"Alan Turing"))
        assert saved["id"] == 5 and not saved["result"]["isError"], saved
    with open_crm(sqlite_url) as crm:
        assert [c.name for c in crm.contacts.list()] == ["Ada Lovelace", "Alan Turing"]


def test_a_prompt_or_resource_the_server_has_not_is_refused_short(sqlite_url: str) -> None:  # noqa: F811
    """The server offers no prompts and no resources. prompts/get was answered with the
    error code 0 (not a JSON-RPC code) and a traceback on the server's stderr; a
    resources/read of a 1,000,000-character URI echoed it twice. Each is now -32602,
    its name quoted short."""
    uri = "x:" + "u" * 1_000_000
    with raw_server(sqlite_url) as raw:
        prompt = raw.ask(
            b'{"jsonrpc":"2.0","id":1,"method":"prompts/get","params":{"name":"brief\\u001b"}}'
        )
        assert prompt["error"] == {
            "code": -32602,
            "message": "Unknown prompt: 'brief\\x1b' (this server offers no prompts)",
        }, prompt
        read = json.dumps(
            {"jsonrpc": "2.0", "id": 2, "method": "resources/read", "params": {"uri": uri}}
        )
        resource = raw.ask(read.encode())
        assert resource["error"]["code"] == -32602, resource
        said = resource["error"]["message"]
        assert said.startswith("Unknown resource: 'x:uuu") and len(said) < 300, said[:300]
        assert "(this server offers no resources)" in said
        assert len(json.dumps(resource)) < 1000
