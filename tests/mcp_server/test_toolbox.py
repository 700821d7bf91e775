"""How each tool is registered: the hints a client sees in ``list_tools`` say what the
tool does to the CRM, as the MCP specification means them. Through the official SDK's
client, in process."""

from __future__ import annotations

import anyio
from mcp import Client

import tinycrm
from tests.mcp_server.test_server import (  # noqa: F401 (a fixture)
    READ_TOOLS,
    WRITE_TOOLS,
    call,
    refused,
    sqlite_url,
)

ADDS = {"add_contact", "log_activity", "add_task"}
"""Only add a record: nothing there changes, and the same call again adds another."""
CHANGES = WRITE_TOOLS - ADDS
"""Change or remove what was there; the same call again changes nothing more."""


def test_each_tools_hints_say_what_it_does_to_the_crm(sqlite_url: str) -> None:  # noqa: F811
    """move_deal, close_deal and complete_task said destructiveHint false, which the
    specification keeps for a tool that "performs only additive updates": a client
    asking before each destructive call let an assistant move, win, lose or complete
    without a word. Each overwrites what was there (a stage, an open deal, an open task),
    and a repeat is refused, so each is destructive and idempotent, as the edits are.
    The adds say they are not idempotent: a second add_task is a second task. Every write
    is open-world: it runs the user's hooks and queues their webhooks, which reach
    whatever those reach (openWorldHint false said a write stayed in the CRM)."""
    from tinycrm.mcp_server.server import build_server

    async def main() -> None:
        with tinycrm.open(sqlite_url) as crm:
            crm.deals.add("Engine order", contact="ada@example.com")
            crm.tasks.add("Send the contract", due="+2d")
            async with Client(build_server(crm, allow_writes=True)) as client:
                tools = {tool.name: tool for tool in (await client.list_tools()).tools}
                assert set(tools) == READ_TOOLS | WRITE_TOOLS
                for name, tool in tools.items():
                    hints = tool.annotations
                    assert hints is not None, name
                    seen = (
                        hints.read_only_hint,
                        hints.destructive_hint,
                        hints.idempotent_hint,
                        hints.open_world_hint,
                    )
                    if name in READ_TOOLS:
                        assert seen == (True, None, None, False), (name, seen)
                    elif name in ADDS:
                        assert seen == (False, False, False, True), (name, seen)
                    else:
                        assert seen == (False, True, True, True), (name, seen)
                # idempotent as said: the same call again is refused, nothing more changed
                for tool, arguments in [
                    ("move_deal", {"ref": "Engine order", "stage": "Qualified"}),
                    ("close_deal", {"ref": "Engine order", "outcome": "won"}),
                    ("complete_task", {"task_id": 1}),
                ]:
                    await call(client, tool, **arguments)
                    before = crm.events_written
                    said = await refused(client, tool, **arguments)
                    assert "already" in said, (tool, said)
                    assert crm.events_written == before, tool

    anyio.run(main)
