"""Every list tool that can say ``more`` takes an ``offset``: paging through all the
records with the SDK's own client gives each exactly once, in the order of one answer."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

import tinycrm
from tests.mcp_server.test_server import call, db_url, refused, serve, sqlite_url

__all__ = ["db_url", "sqlite_url"]  # the fixtures, for pytest


async def pages(client: Client, tool: str, limit: int, **arguments: Any) -> list[Any]:
    """Every record ``tool`` lists, page after page at each answer's ``next_offset``."""
    found: list[Any] = []
    offset = 0
    while True:
        page = await call(client, tool, limit=limit, offset=offset, **arguments)
        assert page["offset"] == offset and page["count"] == len(page["results"])
        found += page["results"]
        if not page["more"]:
            assert "next_offset" not in page
            return found
        assert page["next_offset"] == offset + page["count"]
        offset = page["next_offset"]


def key(record: dict[str, Any]) -> Any:
    return record.get("kind"), record["id"]


def test_paging_through_250_contacts_gives_each_once_in_order(db_url: str) -> None:
    with tinycrm.open(db_url) as crm:
        for n in range(250):  # two and two share a name: ties on the sort key
            crm.contacts.add(f"Pat Tie{n // 2:03d}", email=f"pat{n}@example.com")
        crm.companies.add("Acme")
        crm.companies.add("Acme Two")
        crm.companies.add("Acme Three")

        listed = [c.id for c in crm.contacts.list(where="name~pat")]
        found = [("contact", h.id) for h in crm.search("pat", kinds="contacts", limit=None)]
    assert len(listed) == len(set(listed)) == 250 == len(found)

    async def session(client: Client) -> None:
        cut = await call(client, "list_contacts", where="name~pat", limit=1000)
        assert cut["more"] and cut["next_offset"] == cut["count"] < 250  # past 100,000 chars
        for limit in (1, 7, 100, 1000):  # 1000: cut to fit, the next page where it ends
            paged = await pages(client, "list_contacts", limit, where="name~pat")
            assert [c["id"] for c in paged] == listed
        for limit in (9, 100):
            paged = await pages(client, "search", limit, text="pat", kinds=["contacts"])
            assert [key(h) for h in paged] == found
        for tool in ("list_companies", "feed", "next_actions", "list_deals", "list_tasks"):
            whole = (await call(client, tool, limit=1000))["results"]
            assert [key(r) for r in await pages(client, tool, 2)] == [key(r) for r in whole]
        past = await call(client, "list_contacts", offset=10_000)
        assert past == {"results": [], "count": 0, "offset": 10_000, "more": False}

    serve(db_url, session)


@pytest.mark.parametrize(
    ("offset", "said"),
    [
        (-1, "offset: input should be greater than or equal to 0"),
        (2**63, "offset: input should be less than or equal to 9223372036854775807"),
        ("5.0", "offset: a whole number as a JSON number or its digits alone"),
        (True, "offset: a whole number, not true"),
    ],
)
def test_an_offset_is_a_whole_number_from_zero(sqlite_url: str, offset: Any, said: str) -> None:
    async def session(client: Client) -> None:
        for tool in ("list_contacts", "search"):
            text = {"text": "x"} if tool == "search" else {}
            assert said in await refused(client, tool, offset=offset, **text)
        assert (await call(client, "list_contacts", offset="3"))["offset"] == 3

    serve(sqlite_url, session)


def test_each_list_tool_that_says_more_takes_an_offset(sqlite_url: str) -> None:
    async def session(client: Client) -> None:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        for name, tool in tools.items():
            properties = tool.input_schema["properties"]
            if "limit" in properties and "ref" not in properties:
                assert properties["offset"]["minimum"] == 0, name
                assert "next_offset" in (tool.description or ""), name

    serve(sqlite_url, session)
