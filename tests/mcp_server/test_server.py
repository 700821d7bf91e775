"""``tinycrm mcp`` driven by the official ``mcp`` SDK's own client over stdio, against a
real ``tinycrm mcp`` subprocess, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import shutil
import subprocess
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import anyio
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

import tinycrm
from tests.cli.conftest import tinycrm_executable
from tests.conftest import BACKENDS, _reset_pg
from tinycrm.mcp_server.crm_server import WRITES_OFF

READ_TOOLS = {
    "search",
    "contact_briefing",
    "company_briefing",
    "deal_briefing",
    "list_contacts",
    "list_companies",
    "list_deals",
    "list_tasks",
    "next_actions",
    "report",
    "feed",
}
WRITE_TOOLS = {
    "add_contact",
    "log_activity",
    "add_task",
    "complete_task",
    "move_deal",
    "close_deal",
    "edit_task",
    "reopen_task",
    "delete_task",
    "edit_activity",
    "delete_activity",
}


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database at the newest schema holding one small account, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "crm.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = str(path)
    else:
        url = request.getfixturevalue("pg_schema_url")
        _reset_pg(url)
    with tinycrm.open(url) as crm:
        crm.contacts.add("Ada Lovelace", email="ada@example.com", company="Analytical Engines")
        crm.deals.add(
            "Engine order", contact="ada@example.com", amount=Decimal("18500"), currency="EUR"
        )
        crm.tasks.add("Send the contract", due="+2d", deal="Engine order")
        crm.log("call", "ada@example.com", "Discussed the order")
    return url


Session = Callable[[Client], Awaitable[Any]]


def serve(url: str, session: Session, *flags: str, errlog: TextIO | None = None) -> Any:
    """Start ``tinycrm --db URL mcp FLAGS`` and run ``session`` with a connected client;
    the server's stderr goes to ``errlog`` (a file) when given."""
    command, *prefix = tinycrm_executable()
    params = StdioServerParameters(
        command=command,
        args=[*prefix, "--db", url, "mcp", *flags],
        env={**os.environ},
    )
    server: Any = params if errlog is None else stdio_client(params, errlog=errlog)

    async def main() -> Any:
        async with Client(server, read_timeout_seconds=60) as client:
            return await session(client)

    return anyio.run(main)


async def call(client: Client, tool: str, **arguments: Any) -> Any:
    """A tool's structured result; a tool error fails the test with its message."""
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    text = json.loads(result.content[0].text)  # the same JSON as text, for any client
    assert text == result.structured_content
    return result.structured_content


async def refused(client: Client, tool: str, **arguments: Any) -> str:
    result = await client.call_tool(tool, arguments)
    assert result.is_error
    return result.content[0].text


def test_read_only_server_lists_reads_and_every_read_answers(db_url: str) -> None:
    async def session(client: Client) -> None:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert set(tools) == READ_TOOLS
        for tool in tools.values():
            assert tool.description and tool.input_schema["type"] == "object"
            assert tool.annotations and tool.annotations.read_only_hint
        assert tools["report"].input_schema["properties"]["name"]["enum"][0] == "pipeline"

        hits = await call(client, "search", text="ada")
        found = [(h["kind"], h["name"]) for h in hits["results"]]
        assert found[0] == ("contact", "Ada Lovelace")
        # her activities and tasks: her name is part of their text
        assert sorted(found[1:]) == [("activity", "Discussed the order"),
                                     ("activity", "Send the contract")]  # fmt: skip
        contact = await call(client, "contact_briefing", ref="ada@example.com")
        assert contact["contact"]["email"] == "ada@example.com"
        assert contact["company"]["name"] == "Analytical Engines"
        assert [d["title"] for d in contact["deals"]] == ["Engine order"]
        assert [t["subject"] for t in contact["open_tasks"]] == ["Send the contract"]
        assert [a["subject"] for a in contact["activities"]][:1] == ["Discussed the order"]
        company = await call(client, "company_briefing", ref="Analytical Engines")
        assert [c["name"] for c in company["contacts"]] == ["Ada Lovelace"]
        deal = await call(client, "deal_briefing", ref="Engine order")
        assert deal["deal"]["amount"] == 18500 and deal["deal"]["currency"] == "EUR"

        assert (await call(client, "list_contacts", where="email=ada@example.com"))["count"] == 1
        assert (await call(client, "list_companies"))["count"] == 1
        assert (await call(client, "list_deals", status="all"))["count"] == 1
        assert (await call(client, "list_deals", status="won"))["count"] == 0
        tasks = await call(client, "list_tasks", scope="upcoming")
        assert [t["subject"] for t in tasks["results"]] == ["Send the contract"]
        assert "results" in await call(client, "next_actions")
        for name in tools["report"].input_schema["properties"]["name"]["enum"]:
            assert await call(client, "report", name=name)
        pipeline = await call(client, "report", name="pipeline", owner="nobody")
        assert pipeline["report"] == "pipeline"
        feed = await call(client, "feed", limit=50)
        assert {e["entity"] for e in feed["results"]} >= {"contact", "deal"}

    serve(db_url, session)


def test_the_report_tool_runs_every_report_of_the_command_line(db_url: str) -> None:
    """The README says the assistant can "run every report", but the tool's names stopped
    at activity: `tinycrm report cases` (support cases) was out of its reach."""
    from tinycrm.cli.reports import app as report_app

    commands = {c.name or c.callback.__name__ for c in report_app.registered_commands}

    async def session(client: Client) -> None:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        names = set(tools["report"].input_schema["properties"]["name"]["enum"])
        assert commands <= names, commands - names
        with anyio.fail_after(60):
            crm_case = await call(client, "report", name="cases", start="-30d")
        assert crm_case["report"] == "cases" and crm_case["rows"]
        assert "owner" in await refused(client, "report", name="cases", owner="sam")
        # and as the command line's --by (the tool had none: forecasts were by month only)
        assert (await call(client, "report", name="forecast", by="quarter"))["by"] == "quarter"
        assert (await call(client, "report", name="winrate", by="owner"))["by"] == "owner"
        assert (await call(client, "report", name="cases", by="priority"))["by"] == "priority"
        assert "by" in await refused(client, "report", name="pipeline", by="month")

    serve(db_url, session)


def test_bad_arguments_are_tool_errors_and_the_server_goes_on(db_url: str) -> None:
    async def session(client: Client) -> None:
        assert "no contact matches 'nobody'" in await refused(
            client, "contact_briefing", ref="nobody"
        )
        assert "text" in await refused(client, "search", text=5)
        assert "name" in await refused(client, "report", name="nonsense")
        assert await refused(client, "list_contacts", where="tag:(")
        assert await refused(client, "list_deals", limit=10**30)
        assert "Unknown tool" in await refused(client, "drop_everything")
        # and it still answers
        assert (await call(client, "list_contacts"))["count"] == 1

    serve(db_url, session)


def test_an_argument_a_tool_does_not_have_is_refused_not_dropped(db_url: str) -> None:
    """`add_task(text=..., due=..., ref="ada@example.com")` made a task about nobody and
    answered as if all was well: the SDK dropped the argument the tool does not have (its
    are contact, company, deal). Such a call is now refused, naming it, and writes nothing."""

    async def session(client: Client) -> None:
        before = (await call(client, "list_tasks", scope="all"))["count"]
        message = await refused(
            client, "add_task", text="Call back", due="tomorrow 9:00", ref="ada@example.com"
        )
        assert "'ref'" in message and "contact" in message, message
        assert (await call(client, "list_tasks", scope="all"))["count"] == before
        assert "'query'" in await refused(client, "search", query="ada")
        assert (await call(client, "search", text="ada"))["results"]

    serve(db_url, session, "--allow-writes")


def test_writes_are_refused_without_allow_writes(db_url: str) -> None:
    async def session(client: Client) -> None:
        for tool in WRITE_TOOLS:
            assert await refused(client, tool, name="Grace Hopper") == WRITES_OFF

    serve(db_url, session)
    with tinycrm.open(db_url) as crm:
        assert [c.name for c in crm.contacts.list()] == ["Ada Lovelace"]


def test_writes_go_through_the_api_with_their_events(db_url: str) -> None:
    async def session(client: Client) -> None:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        assert tools == READ_TOOLS | WRITE_TOOLS
        grace = await call(
            client, "add_contact", name="Grace Hopper", email="grace@example.com",
            company="Analytical Engines", tags=["vip"],
        )  # fmt: skip
        assert grace["tags"] == ["vip"] and grace["company"] == "Analytical Engines"
        assert "already" in await refused(
            client, "add_contact", name="Grace Again", email="grace@example.com"
        )
        logged = await call(
            client, "log_activity", kind="meeting", ref="grace@example.com", text="Kick-off"
        )
        assert logged["kind"] == "meeting"
        task = await call(
            client, "add_task", text="Follow up", due="tomorrow 9:00", contact="Grace Hopper"
        )
        done = await call(client, "complete_task", task_id=task["id"])
        assert done["done_at"]
        moved = await call(client, "move_deal", ref="Engine order", stage="Proposal")
        assert moved["stage"] == "Proposal"
        assert "reason" in await refused(client, "close_deal", ref="Engine order", outcome="lost")
        won = await call(client, "close_deal", ref="Engine order", outcome="won")
        assert won["status"] == "won"
        assert await refused(client, "move_deal", ref="Engine order", stage="No such stage")

    serve(db_url, session, "--allow-writes")
    with tinycrm.open(db_url) as crm:
        events = [(e.entity, e.action) for e in crm.feed(limit=None)]
        assert ("contact", "created") in events and ("deal", "won") in events
        assert crm.contacts.get("grace@example.com").tags == ["vip"]
        assert crm.deals.get("Engine order").status == "won"


def test_on_a_terminal_it_says_what_it_is_for(tmp_path: Path) -> None:
    primary, secondary = pty.openpty()
    try:
        done = subprocess.run(
            [*tinycrm_executable(), "--db", str(tmp_path / "t.db"), "mcp"],
            stdin=secondary, stdout=secondary, stderr=subprocess.PIPE, text=True, timeout=60,
        )  # fmt: skip
    finally:
        os.close(secondary)
        os.close(primary)
    assert done.returncode == 2
    assert done.stderr.startswith("Error: tinycrm mcp speaks the Model Context Protocol")
    assert not (tmp_path / "t.db").exists()


def test_a_pre_write_hook_refuses_an_assistants_write(
    db_url: str, isolated_user_dirs: Path
) -> None:
    hook = isolated_user_dirs / "config" / "tinycrm" / "hooks" / "pre-write"
    hook.parent.mkdir(parents=True)
    hook.write_text("#!/bin/sh\necho 'no new contacts today'\nexit 1\n")
    hook.chmod(0o755)

    async def session(client: Client) -> None:
        message = await refused(client, "add_contact", name="Grace Hopper")
        assert message.endswith("no new contacts today")
        assert (await call(client, "list_contacts"))["count"] == 1  # reads are not hooked

    serve(db_url, session, "--allow-writes")
    with tinycrm.open(db_url) as crm:
        assert [c.name for c in crm.contacts.list()] == ["Ada Lovelace"]


def test_a_refusal_reaches_the_client_with_its_controls_escaped(
    db_url: str, isolated_user_dirs: Path
) -> None:
    # A client may show a tool error on a terminal (Claude Code does): a hook's own words
    # reach it as they reach the command line, escaped.
    hook = isolated_user_dirs / "config" / "tinycrm" / "hooks" / "pre-write"
    hook.parent.mkdir(parents=True)
    hook.write_text("#!/bin/sh\nprintf 'no \\033]0;owned\\007\\033[31mred\\n'\nexit 1\n")
    hook.chmod(0o755)

    async def session(client: Client) -> None:
        message = await refused(client, "add_contact", name="Grace Hopper")
        assert message.endswith("no \\x1b]0;owned\\x07\\x1b[31mred"), message

    serve(db_url, session, "--allow-writes")


@pytest.mark.parametrize("how", ["renamed", "replaced"])
def test_the_server_writes_only_into_the_file_it_opened(
    tmp_path: Path, sqlite_template: Path, how: str
) -> None:
    # A server runs for hours: a database file moved away or restored from a backup
    # under it must not swallow an assistant's writes (its pooled connection goes on
    # writing to the old file, lost to the path).
    path = tmp_path / "crm.db"
    shutil.copy(sqlite_template, path)
    with tinycrm.open(str(path)) as crm:
        crm.contacts.add("Ada Lovelace")
    restored = tmp_path / "restored.db"
    shutil.copy(sqlite_template, restored)
    with tinycrm.open(str(restored)) as crm:
        crm.contacts.add("Grace Hopper")

    async def session(client: Client) -> None:
        assert (await call(client, "list_contacts"))["count"] == 1
        for suffix in ("", "-wal", "-shm"):  # moved as a whole, as `db backup` would
            with contextlib.suppress(FileNotFoundError):
                Path(f"{path}{suffix}").rename(tmp_path / f"moved.db{suffix}")
        if how == "replaced":
            restored.rename(path)
        said = await refused(client, "add_contact", name="Alan Turing")
        assert f"was {'replaced' if how == 'replaced' else 'renamed or deleted'}" in said
        assert "was" in await refused(client, "list_contacts")

    serve(str(path), session, "--allow-writes")
    with tinycrm.open(str(tmp_path / "moved.db")) as crm:
        assert [c.name for c in crm.contacts.list()] == ["Ada Lovelace"]
    if how == "replaced":
        with tinycrm.open(str(path)) as crm:
            assert [c.name for c in crm.contacts.list()] == ["Grace Hopper"]
    else:
        assert not path.exists()  # and no new, empty database in its place


def test_amounts_reach_the_client_exactly_in_the_text_and_as_numbers(db_url: str) -> None:
    """The text a tool answers with carries every digit (the SDK writes the structured
    result's amounts as floats); a report's amounts are numbers as ``--json`` prints them."""
    big = "999999999999999.99"
    with tinycrm.open(db_url) as crm:
        crm.deals.add("Big order", amount=big, currency="EUR")

    async def session(client: Client) -> None:
        for tool, arguments in [
            ("list_deals", {"where": "amount>1000000"}),
            ("deal_briefing", {"ref": "Big order"}),
        ]:
            structured = await call(client, tool, **arguments)
            result = await client.call_tool(tool, arguments)
            assert big in result.content[0].text
            exact = json.loads(result.content[0].text, parse_float=Decimal)
            deal = exact["results"][0] if "results" in exact else exact["deal"]
            assert deal["amount"] == Decimal(big)
            found = structured["results"][0] if "results" in structured else structured["deal"]
            assert found["amount"] == float(big)
        pipeline = await call(client, "report", name="pipeline")
        assert pipeline["rows"][0]["value"] == {"EUR": 18500 + float(big)}

    serve(db_url, session)


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A SQLite database holding Ada, for what does not depend on the backend (a tool's
    arguments are checked before any query)."""
    path = tmp_path / "crm.db"
    shutil.copy(sqlite_template, path)
    with tinycrm.open(str(path)) as crm:
        crm.contacts.add("Ada Lovelace", email="ada@example.com")
        crm.tasks.add("Send the contract", due="+2d", contact="ada@example.com")
    return str(path)


def test_a_bad_argument_is_one_line_that_names_it(sqlite_url: str) -> None:
    """A wrong type, a limit out of range, a missing argument came back as pydantic's
    report: several lines naming 'searchArguments', '[type=less_than_equal,
    input_value=…, input_type=int]' and a 'For further information visit
    https://errors.pydantic.dev/…' line per argument. Now one line per call, each
    argument by its name and what it should be."""

    async def session(client: Client) -> None:
        said = {
            "limit": await refused(client, "search", text="ada", limit=10**30),
            "missing": await refused(client, "search"),
            "list": await refused(client, "search", text="ada", kinds="contacts"),
            "items": await refused(client, "add_contact", name="Eve", tags=[1, 2]),
            "choice": await refused(client, "list_deals", status="bogus"),
        }
        for message in said.values():
            assert "\n" not in message, message
            assert "pydantic" not in message and "Arguments" not in message, message
            assert "type=" not in message and "input_value" not in message, message
        assert said["limit"] == (
            "Error executing tool search: limit: input should be less than or equal to 1000"
        )
        assert said["missing"] == "Error executing tool search: text: required"
        assert said["list"] == "Error executing tool search: kinds: input should be a valid list"
        assert said["items"] == (
            "Error executing tool add_contact: tags[0]: input should be a valid string; "
            "tags[1]: input should be a valid string"
        )
        assert said["choice"] == (
            "Error executing tool list_deals: status: input should be 'open', 'won', 'lost' "
            "or 'all'"
        )
        assert (await call(client, "search", text="ada"))["results"]  # and it goes on

    serve(sqlite_url, session, "--allow-writes")


def test_true_or_false_is_not_a_number(sqlite_url: str) -> None:
    """`complete_task(task_id=true)` completed task 1 and `list_contacts(limit=true)`
    answered with one contact: the SDK's lax validation read a boolean as 1 (false as 0),
    though the schema the client sees says integer. Both are refused now."""

    async def session(client: Client) -> None:
        (task,) = (await call(client, "list_tasks"))["results"]
        assert task["id"] == 1
        said = await refused(client, "complete_task", task_id=True)
        assert said == "Error executing tool complete_task: task_id: a whole number, not true"
        assert not (await call(client, "list_tasks", scope="done"))["results"]
        said = await refused(client, "list_contacts", limit=False)
        assert said == "Error executing tool list_contacts: limit: a whole number, not false"
        assert await refused(client, "search", text="ada", limit="true")  # as JSON in text
        assert (await call(client, "list_contacts", limit="1"))["count"] == 1  # as before

    serve(sqlite_url, session, "--allow-writes")


def test_a_whole_number_with_an_exponent_is_bounded_as_any_other(sqlite_url: str) -> None:
    """``1e20`` is a whole number to JSON Schema: one past 64 bits was refused as "unable
    to parse input string as an integer, exceeded maximum size", naming a string nobody
    sent and no bound."""

    async def session(client: Client) -> None:
        said = await refused(client, "list_contacts", limit=1e20)
        assert said.endswith("limit: input should be less than or equal to 1000"), said
        said = await refused(client, "complete_task", task_id=1e308)
        assert said.endswith("task_id: input should be less than or equal to 9223372036854775807")
        said = await refused(client, "feed", offset=-1e19)
        assert said.endswith("offset: input should be greater than or equal to 0"), said
        said = await refused(client, "feed", limit=2.5)
        assert said.endswith("limit: input should be a valid integer, got a number with a "
                             "fractional part"), said  # fmt: skip
        assert (await call(client, "list_contacts", limit=1e0))["count"] == 1

    serve(sqlite_url, session, "--allow-writes")


def test_a_write_tells_the_assistant_its_warnings(
    sqlite_url: str, isolated_user_dirs: Path
) -> None:
    """What the command line says as `Warning: …` on stderr (a new contact that looks like
    one already there, a phone kept as typed, a post-write hook that failed) went to the
    server's stderr, which the assistant never sees: it was told all was well. Each
    warning now follows the record in the tool's answer."""
    hook = isolated_user_dirs / "config" / "tinycrm" / "hooks" / "post-write"
    hook.parent.mkdir(parents=True)
    hook.write_text("#!/bin/sh\ncat >/dev/null\necho 'sync \\033[31mdown'\nexit 3\n")
    hook.chmod(0o755)

    async def session(client: Client) -> None:
        result = await client.call_tool("add_contact", {"name": "Grace Hopper", "phone": "12"})
        assert not result.is_error
        record, *warnings = [part.text for part in result.content]
        assert json.loads(record) == result.structured_content
        assert result.structured_content["name"] == "Grace Hopper"
        assert len(warnings) == 2, warnings
        assert warnings[0].startswith("Warning: phone '12' has no country code"), warnings
        assert (
            warnings[1] == "Warning: post-write hook post-write failed (exit 3): sync \\x1b[31mdown"
        )
        quiet = await client.call_tool("list_contacts", {})
        assert len(quiet.content) == 1  # a read with nothing to warn of: the records alone

    serve(sqlite_url, session, "--allow-writes")


def test_an_assistants_new_contact_that_looks_like_one_already_there_is_said(
    sqlite_url: str,
) -> None:
    """`contact add "Ada L" --email ada+crm@example.com` warns that she looks like #1 Ada
    Lovelace; the same through add_contact said nothing: the server's write is one
    transaction around the API call, and the store took any outer transaction for a bulk
    job (the demo), which leaves the likely-duplicate check out."""

    async def session(client: Client) -> None:
        result = await client.call_tool(
            "add_contact", {"name": "Ada L", "email": "ada+crm@example.com"}
        )
        assert not result.is_error
        warnings = [part.text for part in result.content[1:]]
        assert len(warnings) == 1, warnings
        assert "looks like #1 Ada Lovelace <ada@example.com>" in warnings[0], warnings

    serve(sqlite_url, session, "--allow-writes")


def test_what_a_tool_cannot_use_is_refused_not_dropped(db_url: str) -> None:
    """close_deal(outcome='won', reason='great demo') closed the deal and dropped the
    reason (a won deal has none: `tinycrm deal won` takes no --reason); report(name=
    'dashboard', start=…, owner=…) answered the whole dashboard as if they were not
    there. Both are refused now, saying what does not apply, and nothing is written."""

    async def session(client: Client) -> None:
        said = await refused(
            client, "close_deal", ref="Engine order", outcome="won", reason="great demo"
        )
        assert said.endswith(
            "a won deal has no reason (log_activity a note to keep why it was won)"
        ), said
        assert (await call(client, "deal_briefing", ref="Engine order"))["deal"]["status"] == (
            "open"
        )
        said = await refused(client, "report", name="dashboard", start="-30d", owner="sam")
        assert said.endswith("the dashboard report takes no start or owner"), said
        assert "by" in await refused(client, "report", name="dashboard", by="month")
        assert (await call(client, "report", name="dashboard"))["open_deals"] == 1

    serve(db_url, session, "--allow-writes")


def test_the_listed_schemas_say_no_other_arguments(sqlite_url: str) -> None:
    """A call with an argument a tool does not have is refused (see above), but the input
    schemas the server listed allowed any other property (JSON Schema's default): a
    client checking its call against the schema found nothing wrong."""

    async def session(client: Client) -> None:
        for tool in (await client.list_tools()).tools:
            assert tool.input_schema.get("additionalProperties") is False, tool.name
        assert "'ref'" in await refused(client, "add_task", text="x", due="+1d", ref="Ada")

    serve(sqlite_url, session, "--allow-writes")


def test_a_request_the_server_cannot_read_is_answered_not_left_waiting(sqlite_url: str) -> None:
    r"""A request whose JSON the SDK's parser refuses (a lone surrogate "\ud800" in an
    argument, a number of 5,000 digits, arrays nested 5,000 deep) got no answer at all:
    the transport dropped the line, and the client waited for its own timeout (forever,
    for a client without one). Each is now answered with a JSON-RPC parse error under
    its id saying why; the server goes on."""
    import queue
    import threading

    server = subprocess.Popen(
        [*tinycrm_executable(), "--db", sqlite_url, "mcp"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    lines: queue.Queue[bytes] = queue.Queue()
    assert server.stdout is not None and server.stdin is not None
    threading.Thread(
        target=lambda: [lines.put(line) for line in iter(server.stdout.readline, b"")],
        daemon=True,
    ).start()

    def ask(text: str) -> dict[str, Any]:
        assert server.stdin is not None
        server.stdin.write(text.encode() + b"\n")
        server.stdin.flush()
        answer: dict[str, Any] = json.loads(lines.get(timeout=60))
        return answer

    def tool(request_id: int, name: str, arguments: str) -> str:
        return (
            f'{{"jsonrpc":"2.0","id":{request_id},"method":"tools/call",'
            f'"params":{{"name":"{name}","arguments":{arguments}}}}}'
        )

    try:
        hello = ask(
            '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":'
            '"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}'
        )
        assert hello["result"]["serverInfo"]["name"] == "tinycrm"
        server.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
        for request_id, arguments, why in [
            (2, r'{"text":"\ud800"}', "lone surrogate"),
            (3, '{"text":"ada","limit":' + "9" * 5000 + "}", "number out of range"),
            (4, '{"text":"ada","kinds":' + "[" * 5000 + "]" * 5000 + "}", "recursion"),
        ]:
            answer = ask(tool(request_id, "search", arguments))
            assert answer["id"] == request_id, answer
            assert answer["error"]["code"] == -32700, answer
            assert why in answer["error"]["message"], answer
            assert "\n" not in answer["error"]["message"], answer
        invalid = ask('{"jsonrpc":"2.0","id":6,"method":5}')  # JSON, not JSON-RPC
        assert invalid["id"] == 6 and invalid["error"]["code"] == -32600, invalid
        found = ask(tool(5, "search", '{"text":"ada"}'))  # and it goes on
        assert found["id"] == 5 and not found["result"]["isError"], found
    finally:
        server.stdin.close()
        server.wait(timeout=60)


def test_what_the_server_tells_the_assistant_about_refs_is_true(sqlite_url: str) -> None:
    """The instructions said a unique prefix of a name works as a REF, but a REF is an
    id, an email or a whole name: "Ada L" names no one, and the assistant, told it
    would, was refused. Nor did log_activity say how to name a record whose name a
    contact and a company share (contact:REF, company:REF, deal:REF)."""
    with tinycrm.open(sqlite_url) as crm:
        crm.companies.add("Ada Lovelace")  # a company as a person is named

    async def session(client: Client) -> None:
        assert client.instructions is not None
        assert "prefix" not in client.instructions
        assert "no contact matches 'Ada L'" in await refused(
            client, "contact_briefing", ref="Ada L"
        )
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        ref = tools["log_activity"].input_schema["properties"]["ref"]["description"]
        assert "contact:" in ref and "company:" in ref, ref
        assert "could be" in await refused(
            client, "log_activity", kind="note", ref="Ada Lovelace", text="Met"
        )
        logged = await call(
            client, "log_activity", kind="note", ref="contact:Ada Lovelace", text="Met"
        )
        assert logged["contact"] == "Ada Lovelace"

    serve(sqlite_url, session, "--allow-writes")


def test_a_ref_sent_as_a_json_number_is_that_id(sqlite_url: str) -> None:
    """The instructions say a REF may be an id, and assistants send an id as a number:
    ``contact_briefing(ref=1)`` was refused as "ref: input should be a valid string"."""

    async def session(client: Client) -> None:
        by_number = await call(client, "contact_briefing", ref=1)
        assert by_number == await call(client, "contact_briefing", ref="1")
        logged = await call(client, "log_activity", kind="note", ref=1, text="Met")
        assert logged["contact_id"] == 1
        for bad in (True, 1.5, 2**70):
            said = await refused(client, "contact_briefing", ref=bad)
            assert "\n" not in said and said.startswith("Error executing tool"), said

    serve(sqlite_url, session, "--allow-writes")


def test_an_optional_ref_sent_as_a_json_number_is_that_id_too(sqlite_url: str) -> None:
    """contact_briefing(ref=1) took the id as a number, but list_tasks(contact=1),
    add_task(contact=1, company=1, deal=1) and add_contact(company=1) were still refused
    with "input should be a valid string": every REF now takes an id as a number."""

    with tinycrm.open(sqlite_url) as crm:
        crm.companies.add("Analytical Engines")
        crm.deals.add("Engine order", contact="ada@example.com")

    async def session(client: Client) -> None:
        as_text = await call(client, "list_tasks", scope="all", contact="1")
        assert as_text["count"] == 1
        assert await call(client, "list_tasks", scope="all", contact=1) == as_text
        assert (await call(client, "list_tasks", scope="all", deal=1))["count"] == 0
        task = await call(client, "add_task", text="Call", due="+1d", contact=1, company=1, deal=1)
        assert (task["contact_id"], task["company_id"], task["deal_id"]) == (1, 1, 1)
        assert (await call(client, "add_contact", name="Bea", company=1))["company_id"] == 1
        said = await refused(client, "list_tasks", contact=True)
        assert said.endswith("contact: a REF (text, or an id as a number), not true"), said

    serve(sqlite_url, session, "--allow-writes")


def test_a_list_cut_short_by_its_limit_says_so(sqlite_url: str) -> None:
    """list_contacts answers 50 contacts unless told otherwise, with "count": 50: with 51
    contacts the assistant could not tell the list was cut and told the user they have
    50. Each list now says whether its limit left records out ("more")."""
    with tinycrm.open(sqlite_url) as crm:
        for name in ("Alan Turing", "Grace Hopper"):
            crm.contacts.add(name)

    async def session(client: Client) -> None:
        cut = await call(client, "list_contacts", limit=2)
        assert (cut["count"], cut["more"]) == (2, True)
        whole = await call(client, "list_contacts", limit=3)
        assert (whole["count"], whole["more"]) == (3, False)
        assert (await call(client, "list_contacts"))["more"] is False
        # Ada and her task match "ada"; the feed holds four events; there is one task
        assert (await call(client, "search", text="ada", limit=1))["more"] is True
        assert (await call(client, "feed", limit=1))["more"] is True
        assert (await call(client, "list_tasks", scope="all", limit=1))["more"] is False
        for tool in ("list_companies", "list_deals", "next_actions"):
            assert isinstance((await call(client, tool, limit=1))["more"], bool), tool

    serve(sqlite_url, session)


def test_a_report_refusal_names_the_tools_own_arguments(sqlite_url: str) -> None:
    """report(start='tomorrow', end='yesterday') was refused as '--from 2026-12-07 is after
    --to 2026-12-05': the command line's options, which the tool does not have (its are
    start and end; an assistant trying from= was refused again)."""

    async def session(client: Client) -> None:
        said = await refused(client, "report", name="forecast", start="tomorrow", end="yesterday")
        assert "--" not in said and " is after end " in said, said
        assert said.startswith("Error executing tool report: start "), said
        said = await refused(client, "report", name="activity", end="9999-12-31")
        assert said.startswith("Error executing tool report: end 9999-12-31 is too far"), said
        said = await refused(client, "report", name="churn", start="0001-01-01", by="month")
        assert said.endswith("narrow start and end"), said

    serve(sqlite_url, session)


def test_a_search_for_no_word_is_refused_as_on_the_command_line(sqlite_url: str) -> None:
    """`tinycrm search '  '` is refused ('nothing to search for'), but search(text='  ')
    or text='"' answered no results: the assistant told the user nothing matched."""

    async def session(client: Client) -> None:
        for text in ("   ", '"', '""'):
            said = await refused(client, "search", text=text)
            assert "nothing to search for in" in said and "quoted phrase" in said, said
        said = await refused(client, "search", text=" " * 1_000_000)
        assert len(said) < 200, len(said)

    serve(sqlite_url, session)


def test_an_empty_ref_is_refused_not_a_task_about_nobody(sqlite_url: str) -> None:
    """add_task(text=..., due=..., contact="") made a task about nobody; list_tasks(contact="")
    listed everyone's: an empty REF is refused, naming it, and nothing is written."""

    async def session(client: Client) -> None:
        before = (await call(client, "list_tasks", scope="all"))["count"]
        for about in ("contact", "company", "deal"):
            said = await refused(client, "add_task", text="Call", due="+1d", **{about: ""})
            assert f"the {about} must not be empty" in said, said
        said = await refused(client, "list_tasks", scope="all", contact=" ")
        assert "the contact must not be empty" in said, said
        said = await refused(client, "log_activity", kind="call", ref=" ", text="Hi")
        assert "the REF must not be empty" in said, said
        assert (await call(client, "list_tasks", scope="all"))["count"] == before

    serve(sqlite_url, session, "--allow-writes")


def test_a_report_owner_no_record_could_have_is_refused_not_echoed(sqlite_url: str) -> None:
    """report(name='pipeline', owner=<1 MB>) answered with the megabyte in its scope: an
    owner is now taken as a record's owner is (one line, at most 10,000 characters)."""

    async def session(client: Client) -> None:
        said = await refused(client, "report", name="pipeline", owner="x" * 1_000_000)
        assert "owner is too long" in said and len(said) < 200, said[:300]
        said = await refused(client, "report", name="winrate", owner="sam\x1b[2J")
        assert "owner" in said and "\x1b" not in said, said
        answer = await call(client, "report", name="pipeline", owner="  sam ")
        assert answer["scope"]["owner"] == "sam"

    serve(sqlite_url, session)


def test_a_refused_text_is_named_as_the_tools_argument(sqlite_url: str) -> None:
    """log_activity's and add_task's ``text`` is the store's subject: a refusal of it
    named "subject", an argument neither tool has."""

    async def session(client: Client) -> None:
        said = await refused(
            client, "log_activity", kind="note", ref="Ada Lovelace", text="x" * 301
        )
        assert said.endswith(": text is too long (at most 300 characters)"), said
        said = await refused(client, "add_task", text="a\x1bb", due="+1d")
        assert said.endswith(": text: control characters are not allowed (\\x1b at position 2)")
        assert "subject" not in said
        said = await refused(client, "log_activity", kind="note", ref="Ada Lovelace", text="ok",
                             body="x" * 1_000_001)  # fmt: skip
        assert said.endswith(": body is too long (at most 1,000,000 characters)"), said

    serve(sqlite_url, session, "--allow-writes")
