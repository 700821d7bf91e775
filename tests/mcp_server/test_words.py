"""What ``tinycrm mcp`` tells an assistant to do is something it can do: the store's
advice names command-line commands and options (``tinycrm task add TEXT --due WHEN``),
which an assistant has not got; at the MCP boundary they become the server's tools and
arguments, or, where no tool does it, a command for the user to run. Through the SDK."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest
from mcp import Client

import tinycrm
from tests.conftest import PG_URL, new_pg_schema
from tests.mcp_server.test_server import call, refused, serve, sqlite_url  # noqa: F401 (a fixture)
from tinycrm.mcp_server.words import tool_words


def test_the_store_s_advice_is_given_in_the_server_s_tools(sqlite_url: str) -> None:  # noqa: F811
    """move_deal(stage='Won') answered 'won and lost are outcomes: tinycrm deal won REF,
    tinycrm deal lost REF --reason TEXT'; log_activity of a meeting tomorrow 'a planned
    meeting is a task: tinycrm task add TEXT --due WHEN'; close_deal(outcome='lost',
    reason=' ') '(--reason TEXT)'; add_contact(tags=['a,b']) '(give several --tag
    options)'. Each now names the tool and its arguments; nothing is written."""
    with tinycrm.open(sqlite_url) as crm:
        crm.deals.add("Engine order", contact="ada@example.com")

    async def session(client: Client) -> None:
        said = await refused(client, "move_deal", ref="Engine order", stage="Won")
        assert "tinycrm" not in said and "--" not in said, said
        assert "close_deal(ref=…, outcome='won')" in said, said
        assert "close_deal(ref=…, outcome='lost', reason=…)" in said, said
        said = await refused(
            client, "log_activity", kind="meeting", ref="Ada Lovelace", text="Demo",
            at="tomorrow 10:00",
        )  # fmt: skip
        assert said.endswith("a planned meeting is a task: add_task(text=…, due=…)"), said
        said = await refused(client, "close_deal", ref="Engine order", outcome="lost", reason=" ")
        assert "--reason" not in said and "(reason)" in said, said
        said = await refused(client, "add_contact", name="Grace Hopper", tags=["vip,new"])
        assert said.endswith("(give each tag as its own item of tags)"), said

    serve(sqlite_url, session, "--allow-writes")


def test_advice_no_tool_can_follow_is_for_the_user(sqlite_url: str) -> None:  # noqa: F811
    """add_contact of someone who looks like Ada warned 'if they are one person: tinycrm
    contact merge 1 2', as if the assistant could run it: no tool merges contacts. It is
    now the user's to run, and said so."""

    async def session(client: Client) -> None:
        result = await client.call_tool(
            "add_contact", {"name": "Ada L", "email": "ada+crm@example.com"}
        )
        assert not result.is_error
        (warning,) = [part.text for part in result.content[1:]]
        assert warning.endswith(
            "if they are one person: the user can run `tinycrm contact merge 1 2` "
            "(no tool of this server does)"
        ), warning

    serve(sqlite_url, session, "--allow-writes")


def test_a_command_quoted_from_what_was_given_is_left_as_it_is() -> None:
    """contact_briefing(ref='tinycrm deal rm 3') was refused as 'no contact matches 'the
    user can run `tinycrm deal rm 3'` (no tool of this server does)': what the assistant
    gave, quoted, is not advice."""
    for said in ["no contact matches 'tinycrm deal rm 3'", 'no tag "tinycrm deal rm 3"']:
        assert tool_words(said) == said


def test_a_hook_s_own_words_are_left_as_they_are() -> None:
    assert tool_words("run tinycrm deal rm 3 first", own=True) == "run tinycrm deal rm 3 first"
    assert (
        tool_words("nothing was saved: run the command again")
        == "nothing was saved: call the tool again"
    )
    assert tool_words(
        "deal X has active contract #2 Y (2026-01-01 to 2026-12-31): cancel it first "
        "(tinycrm contract cancel 2)"
    ).endswith(
        "cancel it first (the user can run `tinycrm contract cancel 2`; "
        "no tool of this server does)"
    )
    assert tool_words(
        "deal X has 1 contract: deleting the deal keeps it, unlinked; confirm to delete it "
        "anyway (tinycrm deal rm --yes)"
    ).endswith("(the user can run `tinycrm deal rm --yes`; no tool of this server does)")


def test_writes_off_says_what_the_user_can_do(sqlite_url: str) -> None:  # noqa: F811
    """A write tool on a read-only server said 'run `tinycrm mcp --allow-writes`', as if
    the assistant could: the user's MCP client starts the server, from its configuration."""

    async def session(client: Client) -> None:
        said = await refused(client, "add_contact", name="Grace Hopper")
        assert "run `tinycrm" not in said, said
        assert 'the user can add "--allow-writes" to the server\'s args' in said, said

    serve(sqlite_url, session)


@pytest.mark.parametrize("how", ["renamed", "replaced"])
def test_a_database_gone_under_the_server_says_what_the_user_can_do(
    sqlite_url: str,  # noqa: F811
    tmp_path: Path,
    how: str,
) -> None:
    """Every tool of a server whose database file was renamed (replaced) under it said
    'quit, and open the database where it is now' ('quit, and open it again'): the
    board's words; an assistant can neither quit nor open. Now the user is to start the
    server again, and the assistant is told so."""

    async def session(client: Client) -> None:
        assert (await call(client, "list_contacts"))["count"] == 1
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{sqlite_url}{suffix}").rename(tmp_path / f"moved.db{suffix}")
        if how == "replaced":
            shutil.copy(tmp_path / "moved.db", sqlite_url)
        for tool, arguments in [("list_contacts", {}), ("add_contact", {"name": "Alan"})]:
            said = await refused(client, tool, **arguments)
            assert "quit" not in said, said
            assert said.endswith("(the user has to start this server again, on the database "
                                 "where it is now)" if how == "renamed" else
                                 "(the user has to start this server again)"), said  # fmt: skip

    serve(sqlite_url, session, "--allow-writes")


@pytest.mark.skipif(not PG_URL, reason="TINYCRM_TEST_PG_URL not set")
def test_a_database_without_tinycrms_tables_is_one_line_to_the_assistant() -> None:
    """A PostgreSQL schema that says it is tinycrm's at head but lacks a table (dropped
    under it, or not tinycrm's): the assistant got the SDK's bare 'Error executing tool
    list_contacts', stderr a ProgrammingError traceback. Now the store's one line."""
    from sqlalchemy import create_engine, make_url, text

    with new_pg_schema("tinycrm_no_contact") as url:
        admin = create_engine(url)
        with admin.begin() as conn:
            conn.execute(text("DROP TABLE contact CASCADE"))
        admin.dispose()
        shown = make_url(url).render_as_string(hide_password=True)

        async def session(client: Client) -> None:
            said = await refused(client, "list_contacts")
            assert said == (
                f"Error executing tool list_contacts: cannot use database {shown}: it has no "
                "table contact; tinycrm's tables "
                "were removed from it, or it is not a tinycrm database (check --db and "
                "TINYCRM_DB; restore a backup)"
            )

        serve(url, session)
