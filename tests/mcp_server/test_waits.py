"""``tinycrm mcp`` while a tool call waits: for the database's write lock another process
holds, or for a slow pre-write hook. Driven by the official SDK's client over stdio."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

import tinycrm
from tests.cli.conftest import tinycrm_executable
from tests.conftest import PG_URL, _reset_pg
from tests.mcp_server.test_server import call, serve, sqlite_url  # noqa: F401 (a fixture)


def _hook(isolated_user_dirs: Path, body: str) -> Path:
    """A pre-write hook running ``body`` after it has said so (its folder's ``started``)."""
    hook = isolated_user_dirs / "config" / "tinycrm" / "hooks" / "pre-write"
    hook.parent.mkdir(parents=True)
    hook.write_text(f"#!/bin/sh\ncat >/dev/null\ntouch started\n{body}\n")
    hook.chmod(0o755)
    return hook.parent


async def _until(path: Path) -> None:
    """Wait (not time anything) until ``path`` is there."""
    with anyio.fail_after(60):
        while not path.exists():
            await anyio.sleep(0.02)


@pytest.mark.parametrize("waiting_for", ["the lock", "a slow hook"])
def test_the_server_answers_while_a_write_waits(
    sqlite_url: str,  # noqa: F811
    isolated_user_dirs: Path,
    waiting_for: str,
) -> None:
    """add_contact waiting for the write lock another process held (up to the 10 s busy
    timeout) or for a slow pre-write hook (up to the hooks' 10 s) stopped the whole server:
    list_tools, anything else went unanswered until it gave up, and a client
    asking it anything took it for dead. Now the call waits on its own; the server
    answers meanwhile, and the write goes through once the lock (the hook) lets it."""
    hooks = _hook(
        isolated_user_dirs,
        "while [ ! -e release ]; do sleep 0.02; done" if waiting_for == "a slow hook" else "",
    )
    holder = sqlite3.connect(sqlite_url, isolation_level=None)
    if waiting_for == "the lock":
        holder.execute("BEGIN IMMEDIATE")  # as another tinycrm mid-write

    async def session(client: Client) -> None:
        written: dict[str, Any] = {}

        async def add() -> None:
            written["grace"] = await client.call_tool("add_contact", {"name": "Grace Hopper"})

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(add)
            await anyio.wait_all_tasks_blocked()  # its request is on its way, before the next
            if waiting_for == "a slow hook":
                await _until(hooks / "started")  # the write has begun: it waits now
            with anyio.fail_after(60):
                tools = (await client.list_tools()).tools
            assert "add_contact" in {tool.name for tool in tools}
            assert "grace" not in written  # still waiting: nothing let it go yet
            if waiting_for == "the lock":
                holder.execute("ROLLBACK")
            else:
                (hooks / "release").touch()
        result = written["grace"]
        assert not result.is_error, result.content
        names = [c["name"] for c in (await call(client, "list_contacts"))["results"]]
        assert names == ["Ada Lovelace", "Grace Hopper"]

    try:
        serve(sqlite_url, session, "--allow-writes")
    finally:
        holder.close()


def test_a_write_its_client_cancels_while_it_waits_is_not_saved(
    sqlite_url: str,  # noqa: F811
    isolated_user_dirs: Path,
) -> None:
    """A client that gives up on add_contact while it waits for the lock (a user pressing
    Esc) is told nothing more of it: once the lock is free, the contact is not added
    behind its back, nor are the pre-write hooks asked about it, and the calls after it
    are answered."""
    hooks = _hook(isolated_user_dirs, "")
    holder = sqlite3.connect(sqlite_url, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")

    async def session(client: Client) -> None:
        with anyio.CancelScope() as scope:

            async def cancel_once_sent() -> None:
                await anyio.wait_all_tasks_blocked()
                scope.cancel()

            async with anyio.create_task_group() as tasks:
                tasks.start_soon(cancel_once_sent)
                await client.call_tool("add_contact", {"name": "Grace Hopper"})
        assert scope.cancelled_caught
        await client.list_tools()  # the cancellation has reached the server
        holder.execute("ROLLBACK")
        with anyio.fail_after(60):  # after the cancelled call: one call at a time
            names = [c["name"] for c in (await call(client, "list_contacts"))["results"]]
        assert names == ["Ada Lovelace"]
        assert not (hooks / "started").exists()  # its hook never ran
        logged = await call(client, "log_activity", kind="note", ref="Ada Lovelace", text="Met")
        assert logged["kind"] == "note"  # and a write after it goes through
        assert (hooks / "started").exists()  # that one's did

    try:
        serve(sqlite_url, session, "--allow-writes")
    finally:
        holder.close()
    with tinycrm.open(sqlite_url) as crm:
        assert [c.name for c in crm.contacts.list()] == ["Ada Lovelace"]


def test_a_call_cancelled_while_it_waits_its_turn_never_runs(sqlite_url: str) -> None:  # noqa: F811
    """Calls run one at a time: add_contact(Alan) behind add_contact(Grace), which waits
    for the lock, is cancelled by its client. Grace is added once the lock is free; Alan,
    never."""
    holder = sqlite3.connect(sqlite_url, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")

    async def session(client: Client) -> None:
        written: dict[str, Any] = {}

        async def add(name: str, scope: anyio.CancelScope) -> None:
            with scope:
                written[name] = await client.call_tool("add_contact", {"name": name})

        alan = anyio.CancelScope()
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(add, "Grace Hopper", anyio.CancelScope())
            await anyio.wait_all_tasks_blocked()
            tasks.start_soon(add, "Alan Turing", alan)  # behind Grace
            await anyio.wait_all_tasks_blocked()
            alan.cancel()
            await client.list_tools()  # the cancellation has reached the server
            holder.execute("ROLLBACK")
        assert not written["Grace Hopper"].is_error
        assert "Alan Turing" not in written
        names = [c["name"] for c in (await call(client, "list_contacts"))["results"]]
        assert names == ["Ada Lovelace", "Grace Hopper"]

    try:
        serve(sqlite_url, session, "--allow-writes")
    finally:
        holder.close()


@pytest.mark.skipif(not PG_URL, reason="needs TINYCRM_TEST_PG_URL")
def test_on_postgresql_a_write_waits_for_a_lock_as_long_as_on_sqlite(pg_schema_url: str) -> None:
    """On PostgreSQL a write behind another's lock waited for ever: add_contact never
    answered, and every call after it queued behind it. It now gives up after SQLite's
    busy timeout, as the board does: 'database is busy', nothing written, and the next
    call goes through."""
    from sqlalchemy import create_engine, text

    _reset_pg(pg_schema_url)
    holder = create_engine(pg_schema_url).connect()
    holder.execute(text("LOCK TABLE contact IN EXCLUSIVE MODE"))  # another writer's

    async def session(client: Client) -> None:
        with anyio.fail_after(60):
            result = await client.call_tool("add_contact", {"name": "Grace Hopper"})
        assert result.is_error and "database is busy" in result.content[0].text, result
        holder.rollback()
        added = await call(client, "add_contact", name="Ada Lovelace")
        assert added["name"] == "Ada Lovelace"

    try:
        serve(pg_schema_url, session, "--allow-writes")
    finally:
        holder.close()
    with tinycrm.open(pg_schema_url) as crm:
        assert [c.name for c in crm.contacts.list()] == ["Ada Lovelace"]


def test_calls_sent_before_the_end_of_input_are_answered(sqlite_url: str) -> None:  # noqa: F811
    """A script piping its requests in (`printf … | tinycrm mcp --allow-writes`) ends its
    input after the last one: the server took the end for a client gone, cancelled the
    calls still running, answered 'Connection closed' and saved nothing. Calls sent
    before the end are now answered, and their writes saved, before the server exits."""
    requests = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "script", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "add_contact", "arguments": {"name": "Grace Hopper"}}},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
            "name": "list_contacts", "arguments": {}}},
    ]  # fmt: skip
    done = subprocess.run(
        [*tinycrm_executable(), "--db", sqlite_url, "mcp", "--allow-writes"],
        input="".join(json.dumps(request) + "\n" for request in requests),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    answers = {a["id"]: a for a in map(json.loads, done.stdout.splitlines())}
    assert set(answers) == {1, 2, 3}, done.stdout[-500:]
    assert "error" not in answers[2], answers[2]
    assert answers[2]["result"]["structuredContent"]["name"] == "Grace Hopper"
    assert "error" not in answers[3], answers[3]
    with tinycrm.open(sqlite_url) as crm:
        assert [c.name for c in crm.contacts.list()] == ["Ada Lovelace", "Grace Hopper"]


def _blocking_hook(isolated_user_dirs: Path, kind: str) -> Path:
    """A ``kind`` hook that says it has begun (its folder's ``started``) and then waits
    until the test lets it go (``release``)."""
    hook = isolated_user_dirs / "config" / "tinycrm" / "hooks" / kind
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text(
        "#!/bin/sh\ncat >/dev/null\ntouch started\nwhile [ ! -e release ]; do sleep 0.02; done\n"
    )
    hook.chmod(0o755)
    return hook.parent


async def _cancel_while_the_hook_runs(client: Client, hooks: Path) -> None:
    """Call add_contact(Grace Hopper), cancel it (as a user pressing Esc) once the hook
    has begun, then let the hook go."""
    with anyio.CancelScope() as scope:

        async def cancel_once_started() -> None:
            await _until(hooks / "started")
            scope.cancel()

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(cancel_once_started)
            await client.call_tool("add_contact", {"name": "Grace Hopper"})
    assert scope.cancelled_caught
    await client.list_tools()  # the cancellation has reached the server
    (hooks / "release").touch()


def test_a_write_cancelled_while_its_pre_write_hook_runs_is_not_saved(
    sqlite_url: str,  # noqa: F811
    isolated_user_dirs: Path,
    tmp_path: Path,
) -> None:
    """A client that gave up on add_contact while a pre-write hook checked it got no
    answer (a cancelled request gets none), yet the contact was saved once the hook let
    it: the assistant took it for not done and added Grace again. A cancellation that
    comes before the commit now rolls the write back, hooks and all."""
    hooks = _blocking_hook(isolated_user_dirs, "pre-write")

    async def session(client: Client) -> None:
        await _cancel_while_the_hook_runs(client, hooks)
        with anyio.fail_after(60):  # after the cancelled call: one call at a time
            answer = await client.call_tool("list_contacts", {})
        assert [c["name"] for c in answer.structured_content["results"]] == ["Ada Lovelace"]
        assert len(answer.content) == 1, answer.content  # nothing to tell

    with (tmp_path / "stderr").open("w") as errlog:
        serve(sqlite_url, session, "--allow-writes", errlog=errlog)
    with tinycrm.open(sqlite_url) as crm:
        assert [c.name for c in crm.contacts.list()] == ["Ada Lovelace"]
    # The server exits as its input ends, owing no answer to the cancelled call: it waited
    # for one, the client stopped it and it said 'Error: interrupted after saving part of
    # its work' in the client's log, of a write that never was.
    assert (tmp_path / "stderr").read_text() == ""


def test_a_write_cancelled_once_it_is_saved_is_told_with_the_next_answer(
    sqlite_url: str,  # noqa: F811
    isolated_user_dirs: Path,
    tmp_path: Path,
) -> None:
    """Past its commit a write cannot be taken back: a cancellation that comes while the
    post-write hooks run finds it saved. Its answer is not sent (a cancelled request gets
    none), so the next answer says it was saved after all, with its id, lest the
    assistant do it again."""
    hooks = _blocking_hook(isolated_user_dirs, "post-write")

    async def session(client: Client) -> None:
        await _cancel_while_the_hook_runs(client, hooks)
        with anyio.fail_after(60):
            answer = await client.call_tool("list_contacts", {})
        names = [c["name"] for c in answer.structured_content["results"]]
        assert names == ["Ada Lovelace", "Grace Hopper"]
        told = [c.text for c in answer.content[1:]]
        assert told == [
            "Warning: add_contact, which its client cancelled once it was being saved, was "
            "saved all the same: contact #2 Grace Hopper (do not repeat it)"
        ], told
        again = await client.call_tool("list_contacts", {})
        assert len(again.content) == 1, again.content  # told once

    with (tmp_path / "stderr").open("w") as errlog:
        serve(sqlite_url, session, "--allow-writes", errlog=errlog)
    assert (  # and in the server's log (its stderr), for the user
        "tinycrm mcp: add_contact, which its client cancelled once it was being saved, was "
        "saved all the same: contact #2 Grace Hopper (do not repeat it)\n"
    ) in (tmp_path / "stderr").read_text()


@pytest.mark.slow  # a flood of requests until the pipe fills: scale, not behaviour
def test_a_client_that_reads_no_answers_is_held_back_not_buffered_for(sqlite_url: str) -> None:  # noqa: F811
    """A client that went on sending requests without reading the answers (a stuck
    reader, a script writing first and reading later) had them all read and run, every
    answer held in the server's memory until written: 2,000 list_contacts of 300 contacts
    took the server past 350 MB, growing. The server now reads no more requests while
    OWED_AT_MOST are unanswered: the client's writes wait (the pipe is full), and every
    request is answered once it reads."""
    import errno
    import os
    import threading
    import time

    from tinycrm.mcp_server.crm_server import OWED_AT_MOST

    sent = 3 * OWED_AT_MOST + 2000  # past the bound and what a pipe holds
    server = subprocess.Popen(
        [*tinycrm_executable(), "--db", sqlite_url, "mcp"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    assert server.stdin is not None and server.stdout is not None
    hello = {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"}}}  # fmt: skip
    lines = [json.dumps(hello), '{"jsonrpc":"2.0","method":"notifications/initialized"}']
    lines += [f'{{"jsonrpc":"2.0","id":{n},"method":"tools/list"}}' for n in range(1, sent + 1)]
    data = "".join(line + "\n" for line in lines).encode()
    fd = server.stdin.fileno()
    os.set_blocking(fd, False)
    written, waited = 0, 0
    try:
        while written < len(data) and waited < 100:  # not a timing: the pipe stays full
            try:
                written += os.write(fd, data[written : written + 4096])
                waited = 0
            except OSError as exc:
                assert exc.errno == errno.EAGAIN
                waited += 1
                time.sleep(0.05)
        assert written < len(data), "the server took every request without its answers read"
        answers: list[bytes] = []
        reader = threading.Thread(target=lambda: answers.extend(server.stdout), daemon=True)
        reader.start()
        os.set_blocking(fd, True)
        server.stdin.write(data[written:])
        server.stdin.close()
        reader.join(timeout=300)
        ids = {json.loads(answer)["id"] for answer in answers}
        assert ids == set(range(sent + 1)), len(ids)  # every one answered, none lost
    finally:
        server.kill()
        server.wait(timeout=60)


def test_a_client_gone_leaves_the_server_without_a_traceback(sqlite_url: str) -> None:  # noqa: F811
    """A client that stopped reading (it crashed, or closed its end of the pipe) while it
    still sent requests left the server with a 170-line traceback on stderr, the client's
    log, ending in 'BrokenPipeError', and exit status 1. The reader left: as for
    `tinycrm contact list | head`, the server stops without a word, exit 0."""
    server = subprocess.Popen(
        [*tinycrm_executable(), "--db", sqlite_url, "mcp", "--allow-writes"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert server.stdin is not None and server.stdout is not None
    hello = {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"}}}  # fmt: skip
    server.stdin.write(json.dumps(hello).encode() + b"\n")
    server.stdin.flush()
    assert json.loads(server.stdout.readline())["id"] == 0
    server.stdout.close()  # the client stops reading
    server.stdin.write(
        b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n'
        b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_contacts",'
        b'"arguments":{}}}\n'
    )
    server.stdin.flush()
    _out, err = server.communicate(timeout=60)
    assert err.decode() == ""
    assert server.returncode == 0


@pytest.mark.parametrize("waiting_for", ["the lock", "a slow hook"])
def test_a_write_that_waits_tells_its_progress(
    sqlite_url: str,  # noqa: F811
    isolated_user_dirs: Path,
    waiting_for: str,
) -> None:
    """add_contact behind another program's write (up to the 10 s busy timeout) or a slow
    pre-write hook (10 s each) sent nothing until it was done, though its client gave a
    progressToken to be told: a client, or its user, could take the server for hung.
    While it waits it now sends progress notifications saying what it waits for; a call
    queued behind it says it waits for its turn; and the write goes through."""
    from tinycrm.mcp_server.calls import WAITING_TURN
    from tinycrm.mcp_server.toolbox import STILL_SAVING

    hooks = _hook(
        isolated_user_dirs,
        "while [ ! -e release ]; do sleep 0.02; done" if waiting_for == "a slow hook" else "",
    )
    holder = sqlite3.connect(sqlite_url, isolation_level=None)
    if waiting_for == "the lock":
        holder.execute("BEGIN IMMEDIATE")  # as another tinycrm mid-write

    async def session(client: Client) -> None:
        told: dict[str, list[tuple[float, str | None]]] = {"grace": [], "list": []}
        heard = {name: anyio.Event() for name in told}
        written: dict[str, Any] = {}

        def progress(name: str) -> Any:
            async def tell(progress: float, total: float | None, message: str | None) -> None:
                told[name].append((progress, message))
                heard[name].set()

            return tell

        async def add() -> None:
            written["grace"] = await client.call_tool(
                "add_contact", {"name": "Grace Hopper"}, progress_callback=progress("grace")
            )

        async def listed() -> None:
            written["list"] = await client.call_tool(
                "list_contacts", {}, progress_callback=progress("list")
            )

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(add)
            with anyio.fail_after(60):
                await heard["grace"].wait()  # told while it waits
            tasks.start_soon(listed)
            with anyio.fail_after(60):
                await heard["list"].wait()  # and the call behind it: its turn
            assert "grace" not in written and "list" not in written
            if waiting_for == "the lock":
                holder.execute("ROLLBACK")
            else:
                (hooks / "release").touch()
        assert not written["grace"].is_error, written["grace"].content
        assert not written["list"].is_error, written["list"].content
        assert told["grace"][0] == (1, STILL_SAVING), told
        assert told["list"][0] == (1, WAITING_TURN), told
        for said in told.values():  # as MCP asks: each progress past the one before
            assert [n for n, _ in said] == list(range(1, len(said) + 1)), said

    try:
        serve(sqlite_url, session, "--allow-writes")
    finally:
        holder.close()
    with tinycrm.open(sqlite_url) as crm:
        assert [c.name for c in crm.contacts.list()] == ["Ada Lovelace", "Grace Hopper"]
