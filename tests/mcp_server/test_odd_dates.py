"""What ``tinycrm mcp`` answers when other SQL stored text in a contact's or company's
time (``UPDATE contact SET created_at = 'not a date'``): the record, its time null and
named in its ``unreadable``, and the warning naming it and its fix; the tools ended in
an error (``ValidationError``)."""

from __future__ import annotations

import sqlite3

from mcp import Client

import tinycrm
from tests.mcp_server.test_server import serve, sqlite_url  # noqa: F401 (a fixture)
from tinycrm.store.search_index import register_sqlite_fold

SAID = (
    "Warning: contact #{id} Ada: its creation time is stored as 'not a date', no date or time "
    "(written by other SQL?): shown as unreadable; give it again (UPDATE contact SET "
    "created_at = CURRENT_TIMESTAMP WHERE id = {id}, or the time it was)"
)


def test_the_tools_answer_a_contact_whose_time_is_unreadable(
    sqlite_url: str,  # noqa: F811
) -> None:
    with tinycrm.open(sqlite_url) as crm:
        crm.companies.add("Acme")
        ada = crm.contacts.add("Ada", email="ada@x.io", company="Acme")
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as db:
        register_sqlite_fold(db)
        db.execute("UPDATE contact SET created_at = 'not a date' WHERE id = ?", (ada.id,))

    async def session(client: Client) -> None:
        for tool, args in [
            ("list_contacts", {"where": "email=ada@x.io"}),
            ("contact_briefing", {"ref": "ada@x.io"}),
            ("company_briefing", {"ref": "Acme"}),
        ]:
            result = await client.call_tool(tool, args)
            assert not result.is_error, (tool, result.content[0].text)
            said = [c.text for c in result.content[1:]]
            assert said == [SAID.format(id=ada.id)], (tool, said)
        listed = (
            await client.call_tool("list_contacts", {"where": "email=ada@x.io"})
        ).structured_content
        assert "not a date" not in str(listed)
        assert "'unreadable': ['created_at']" in str(listed)

    serve(sqlite_url, session)
