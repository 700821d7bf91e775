"""What a tool's arguments are, as a client sees them in ``list_tools`` and as the tool
takes them. Through the official SDK's client, in process."""

from __future__ import annotations

from typing import Any

import anyio
import jsonschema
from mcp import Client

import tinycrm
from tests.mcp_server.test_server import call, refused, sqlite_url  # noqa: F401 (a fixture)
from tinycrm.mcp_server.arguments import MAX_ID

REFS = {
    "contact_briefing": ("ref",),
    "company_briefing": ("ref",),
    "deal_briefing": ("ref",),
    "list_tasks": ("contact", "deal"),
    "add_contact": ("company",),
    "log_activity": ("ref",),
    "add_task": ("contact", "company", "deal"),
    "move_deal": ("ref",),
    "close_deal": ("ref",),
    "edit_task": ("contact", "company", "deal"),
}
"""Every argument that names a record as a REF: text, or an id as a number."""


def test_a_refs_schema_says_it_takes_an_id_as_a_number(sqlite_url: str) -> None:  # noqa: F811
    """Every REF takes an id sent as a JSON number (ref=12), but its schema said
    ``type: string``: a client checking arguments against it refused the number the
    instructions offer, or had the assistant quote it. It says text or a whole number
    from 1 now (text bounded as before), and the tool takes the number."""
    from tinycrm.mcp_server.server import build_server

    async def main() -> None:
        with tinycrm.open(sqlite_url) as crm:
            crm.companies.add("Analytical Engines")
            crm.deals.add("Engine order", contact="ada@example.com")
            async with Client(build_server(crm, allow_writes=True)) as client:
                tools = {tool.name: tool for tool in (await client.list_tools()).tools}
                for name, refs in REFS.items():
                    schema = tools[name].input_schema
                    for ref in refs:
                        said = schema["properties"][ref]
                        branches: list[dict[str, Any]] = said["anyOf"]
                        assert {"type": "integer", "minimum": 1, "maximum": MAX_ID} in branches
                        text = next(b for b in branches if b["type"] == "string")
                        assert text["maxLength"] == 1000, (name, ref, said)
                        if ref == "ref":  # required: not empty either
                            assert text["minLength"] == 1, (name, said)
                        assert "type" not in said, (name, ref, said)
                    for other, value in schema["properties"].items():
                        if other not in refs and "REF" in value.get("description", ""):
                            raise AssertionError(f"{name}.{other} is a REF left out: {value}")
                check = jsonschema.Draft202012Validator
                move = tools["move_deal"].input_schema
                check(move).validate({"ref": 1, "stage": "Qualified"})
                check(move).validate({"ref": "Engine order", "stage": "Qualified"})
                for wrong in (0, 1.5, True, MAX_ID + 1, ""):
                    assert not check(move).is_valid({"ref": wrong, "stage": "Won"}), wrong
                tasks = tools["add_task"].input_schema
                check(tasks).validate({"text": "Call", "due": "+1d", "deal": 1, "company": None})
                moved = await call(client, "move_deal", ref=1, stage="Qualified")
                assert moved["stage"] == "Qualified"
                task = await call(client, "add_task", text="Call", due="+1d", deal=1, company=1)
                assert (task["deal_id"], task["company_id"]) == (1, 1)
                said = await refused(client, "move_deal", ref=MAX_ID + 1, stage="Won")
                assert said.endswith(
                    f"an id is a whole number from 1 to {MAX_ID}, not {MAX_ID + 1}"
                )

    anyio.run(main)
