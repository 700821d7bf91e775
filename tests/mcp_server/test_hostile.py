"""``tinycrm mcp`` against what an assistant may send by mistake (or a prompt injection on
purpose): huge names and arguments. Through the official SDK's client."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import Client
from mcp.server.mcpserver.exceptions import ToolError

import tinycrm
from tests.conftest import PG_URL, new_pg_schema
from tests.mcp_server.test_server import call, refused, serve, sqlite_url  # noqa: F401 (a fixture)
from tinycrm.errors import Invalid
from tinycrm.mcp_server.answers import refusals


def test_a_huge_tool_or_argument_name_is_named_in_a_short_line(sqlite_url: str) -> None:  # noqa: F811
    """A call of a tool named with 1,000,000 characters was answered 'Unknown tool: ' and
    the megabyte; an argument so named, or 20,000 arguments a tool has not got, the same
    in 'search has no argument …'. Each is now quoted short, as other refusals are."""

    async def session(client: Client) -> None:
        said = await refused(client, "x" * 1_000_000)
        assert said.startswith("Unknown tool: 'xxx") and len(said) < 300, len(said)
        said = await refused(client, "search", text="ada", **{"y" * 1_000_000: 1})
        assert said.startswith("search has no argument 'yyy") and len(said) < 300, len(said)
        said = await refused(client, "search", text="ada", **{f"a{n}": 1 for n in range(20_000)})
        assert said.startswith("search has no argument 'a0', ") and len(said) < 1000, len(said)
        assert "(its arguments: text, kinds, limit, offset)" in said, said
        assert (await call(client, "search", text="ada"))["results"]  # and it goes on

    serve(sqlite_url, session)


def test_a_ref_no_record_could_have_is_refused_at_once(sqlite_url: str) -> None:  # noqa: F811
    """contact_briefing(ref=<10,000,000 characters>) took 10 s to say no contact matches
    (list_tasks(contact=…) and add_task(contact=…) the same), the server's one store
    turn held all the while; a REF is now at most 1,000 characters, refused at once,
    as the schema the client sees says."""

    async def session(client: Client) -> None:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        ref = tools["contact_briefing"].input_schema["properties"]["ref"]
        assert ref["anyOf"][0] == {"type": "string", "minLength": 1, "maxLength": 1000}
        huge = "x" * 10_000_000
        for tool, arguments in [
            ("contact_briefing", {"ref": huge}),
            ("deal_briefing", {"ref": huge}),
            ("list_tasks", {"contact": huge}),
            ("add_task", {"text": "Call", "due": "+1d", "contact": huge}),
            ("log_activity", {"kind": "note", "ref": huge, "text": "Met"}),
        ]:
            said = await refused(client, tool, **arguments)
            assert "at most 1000 characters" in said and len(said) < 300, (tool, said[:300])

    serve(sqlite_url, session, "--allow-writes")


def test_a_stage_no_pipeline_could_have_is_refused_at_once(sqlite_url: str) -> None:  # noqa: F811
    """move_deal(stage=<5 MB>) was looked for among the stages (0.7 s per 5 MB, the
    server's one store turn held all the while): its stage is now capped as a REF is,
    refused at once, as the schema the client sees says, and the deal stays where it was."""

    async def session(client: Client) -> None:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        stage = tools["move_deal"].input_schema["properties"]["stage"]
        assert (stage["minLength"], stage["maxLength"]) == (1, 1000), stage
        said = await refused(client, "move_deal", ref="Engine order", stage="x" * 5_000_000)
        assert "stage: " in said and "at most 1000 characters" in said, said[:300]
        assert len(said) < 300, len(said)

    with tinycrm.open(sqlite_url) as crm:
        crm.deals.add("Engine order")
        stage = crm.deals.get("Engine order").stage
    serve(sqlite_url, session, "--allow-writes")
    with tinycrm.open(sqlite_url) as crm:
        assert crm.deals.get("Engine order").stage == stage


def test_a_long_refusal_is_cut_where_it_says() -> None:
    """A refusal quotes what it was given short (safetext.quoted); one that did not would
    reach the assistant whole: the server cuts it as it cuts an answer's long texts."""
    with pytest.raises(ToolError) as refusal, refusals():
        raise Invalid("bad: " + "n" * 100_000)
    said = str(refusal.value)
    assert len(said) < 2100 and said.endswith("[cut: 98,005 more characters]"), said[-100:]


def test_many_bad_items_are_named_a_few_and_counted(sqlite_url: str) -> None:  # noqa: F811
    """search(kinds=[1] * 100,000) was refused with 4.5 MB: 'kinds[0]: input should be a
    valid string; kinds[1]: …' for each item. Now the first five, and how many more (as
    many as kinds takes: more are refused by their number)."""

    async def session(client: Client) -> None:
        said = await refused(client, "search", text="ada", kinds=[1] * 20)
        assert said == (
            "Error executing tool search: kinds[0]: input should be a valid string; "
            "kinds[1]: input should be a valid string; kinds[2]: input should be a valid "
            "string; kinds[3]: input should be a valid string; kinds[4]: input should be a "
            "valid string; and 15 more"
        ), said[:500]

    serve(sqlite_url, session)


def test_the_schemas_bound_the_numbers_in_json_schemas_words(sqlite_url: str) -> None:  # noqa: F811
    """limit's schema said {"ge": 1, "le": 1000} and task_id's {"ge": 1}: pydantic's
    words, which JSON Schema has not got, so a client checking arguments against the
    schema let limit=5000 or task_id=0 through and an assistant read no bound. They are
    now "minimum" and "maximum"; true still is not a number."""
    import anyio

    import tinycrm
    from tinycrm.mcp_server.server import build_server

    async def main() -> None:
        with tinycrm.open(sqlite_url) as crm:
            async with Client(build_server(crm, allow_writes=True)) as client:
                tools = {tool.name: tool for tool in (await client.list_tools()).tools}
                for tool in tools.values():
                    for name, schema in tool.input_schema["properties"].items():
                        assert not {"ge", "le", "gt", "lt"} & set(schema), (tool.name, name)
                limit = tools["list_contacts"].input_schema["properties"]["limit"]
                assert (limit["minimum"], limit["maximum"]) == (1, 1000)
                task_id = tools["complete_task"].input_schema["properties"]["task_id"]
                assert task_id["minimum"] == 1
                said = await refused(client, "list_contacts", limit=True)
                assert said.endswith("limit: a whole number, not true"), said

    anyio.run(main)


def test_a_tools_description_is_its_docstring_without_the_indentation(
    sqlite_url: str,  # noqa: F811
) -> None:
    """Each tool's description was its docstring as written in the source: every line
    after the first began with eight spaces ('custom\\n        fields'), sent to the
    assistant with every tools/list and kept in its context. They are now dedented."""
    import anyio

    import tinycrm
    from tinycrm.mcp_server.server import build_server

    async def main() -> None:
        with tinycrm.open(sqlite_url) as crm:
            async with Client(build_server(crm, allow_writes=True)) as client:
                for tool in (await client.list_tools()).tools:
                    assert tool.description and "\n " not in tool.description, tool.name
                    assert tool.description == tool.description.strip()

    anyio.run(main)


def test_add_contact_takes_a_bounded_number_of_tags(sqlite_url: str) -> None:  # noqa: F811
    """add_contact(tags=<20,000 tags>) held the database's write lock for 12 s while it
    saved them (100,000: a minute), every other writer, the command line and the board
    too, waiting and then giving up as 'database is busy'. The tags are now at most
    TAGS_AT_MOST, as the schema the client sees says; more are refused at once, nothing
    saved, and a contact with that many is saved as before."""
    from tinycrm.mcp_server.arguments import TAGS_AT_MOST

    async def session(client: Client) -> None:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        tags = tools["add_contact"].input_schema["properties"]["tags"]
        assert tags["anyOf"][0]["maxItems"] == TAGS_AT_MOST, tags
        many = [f"tag{n}" for n in range(20_000)]
        said = await refused(client, "add_contact", name="Grace Hopper", tags=many)
        assert said == (
            f"Error executing tool add_contact: tags: list should have at most "
            f"{TAGS_AT_MOST} items after validation, not 20000"
        ), said
        most = many[:TAGS_AT_MOST]
        added = await call(client, "add_contact", name="Grace Hopper", tags=most)
        assert sorted(added["tags"]) == sorted(most)

    serve(sqlite_url, session, "--allow-writes")
    with tinycrm.open(sqlite_url) as crm:
        assert [c.name for c in crm.contacts.list()] == ["Ada Lovelace", "Grace Hopper"]


@pytest.mark.parametrize(
    "backend",
    ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="no PG"))],
)
def test_a_column_removed_under_the_server_is_told_in_one_line(
    backend: str,
    tmp_path: Path,
) -> None:
    """A column of tinycrm's dropped while the server ran: PostgreSQL's 42703 reached the
    assistant as the bare 'Error executing tool' (a ProgrammingError); now the store's
    one line, naming the column and the likely cause, and the server goes on."""
    import contextlib

    from sqlalchemy import create_engine, text

    with contextlib.ExitStack() as stack:
        if backend == "sqlite":
            url = str(tmp_path / "crm.db")
        else:
            url = stack.enter_context(new_pg_schema("tinycrm_mcp_col"))
        with tinycrm.open(url) as crm:
            crm.contacts.add("Ada Lovelace", email="ada@example.com")

        async def session(client: Client) -> None:
            assert (await call(client, "search", text="ada"))["results"]
            admin = create_engine(url if "://" in url else f"sqlite:///{url}")
            with admin.begin() as conn:
                conn.execute(text("ALTER TABLE contact DROP COLUMN source"))
            admin.dispose()
            said = await refused(client, "contact_briefing", ref="ada@example.com")
            assert "has no column source; it was removed from it" in said, said
            assert "\n" not in said and "Error" not in said.partition(": ")[2], said
            assert (await call(client, "search", text="ada"))["results"]

        serve(url, session)


def test_a_nul_in_an_argument_is_refused_naming_that_argument(sqlite_url: str) -> None:  # noqa: F811
    """A NUL in a REF was refused as 'text: NUL characters are not allowed': the
    database's last check, which names no argument. log_activity(ref='Ada\\x00') told
    the assistant to fix its text, which was fine; move_deal and contact_briefing have
    no text. Each argument holding a NUL is now named, an item of a list by its place,
    and nothing is saved."""

    async def session(client: Client) -> None:
        for tool, arguments, named in [
            ("log_activity", {"kind": "note", "ref": "Ada\x00", "text": "Met"}, "ref"),
            ("add_task", {"text": "Call", "due": "+1d", "contact": "\x00"}, "contact"),
            ("add_task", {"text": "Call", "due": "+1d", "deal": "a\x00"}, "deal"),
            ("contact_briefing", {"ref": "a\x00"}, "ref"),
            ("move_deal", {"ref": "a\x00", "stage": "Won"}, "ref"),
            ("list_tasks", {"deal": "a\x00"}, "deal"),
            ("report", {"name": "pipeline", "pipeline": "a\x00"}, "pipeline"),
            ("add_contact", {"name": "Grace", "company": "Acme\x00"}, "company"),
            ("add_contact", {"name": "Grace", "tags": ["vip", "a\x00"]}, "tags[1]"),
        ]:
            said = await refused(client, tool, **arguments)
            at = arguments[named.split("[")[0]] or ""
            at = at[1] if isinstance(at, list) else at
            assert said == (
                f"Error executing tool {tool}: {named}: NUL characters are not allowed "
                f"(\\x00 at position {at.index(chr(0)) + 1})"
            ), (tool, said)
        assert (await call(client, "list_contacts"))["count"] == 1

    serve(sqlite_url, session, "--allow-writes")


@pytest.mark.skipif(not PG_URL, reason="TINYCRM_TEST_PG_URL not set")
def test_a_write_to_a_read_only_postgresql_database_is_a_tool_error_that_says_so() -> None:
    """On a PostgreSQL database that takes no writes (a standby, default_transaction_
    read_only on) every write tool answered 'Error executing tool add_contact' and no
    more, with a traceback on the server's stderr. Now the tool error says the database
    is read-only and what to do; reads go on, nothing is written."""
    said = (
        "cannot write: the PostgreSQL database is read-only (cannot execute {} in a "
        "read-only transaction; a standby, or default_transaction_read_only on): write to "
        "the primary, or ask the database's owner to allow writes"
    )  # the statement PostgreSQL refused first: a write locks the rows it links to

    async def session(client: Client) -> None:
        for tool, arguments, statement in [
            ("add_contact", {"name": "Grace Hopper"}, "INSERT"),
            (
                "log_activity",
                {"kind": "note", "ref": "Ada Lovelace", "text": "Met"},
                "SELECT FOR KEY SHARE",
            ),
            ("complete_task", {"task_id": 1}, "SELECT FOR KEY SHARE"),
        ]:
            refusal = await refused(client, tool, **arguments)
            assert refusal == f"Error executing tool {tool}: " + said.format(statement)
        assert (await call(client, "list_contacts"))["count"] == 1

    with new_pg_schema("tinycrm_mcp_read_only") as url:
        with tinycrm.open(url) as crm:
            crm.contacts.add("Ada Lovelace", email="ada@example.com")
            crm.tasks.add("Send the contract", due="+2d", contact="ada@example.com")
        read_only = url.replace("options=-c", "options=-cdefault_transaction_read_only%3Don%20-c")
        serve(read_only, session, "--allow-writes")
        with tinycrm.open(url) as crm:
            assert [c.name for c in crm.contacts.list()] == ["Ada Lovelace"]
            assert [t.subject for t in crm.tasks.list("open")] == ["Send the contract"]


def test_a_whole_number_argument_takes_a_number_or_exactly_its_digits(sqlite_url: str) -> None:  # noqa: F811
    """limit and task_id are "integer" in the schema, but pydantic's lax mode read
    '5.0', ' 5 ', '+5' and '5_0' as numbers (complete_task(task_id=' 1 ') completed task
    1), and task_id=2**70 went looking for a task with that id. An integer argument now
    takes a JSON number (5, or 5.0, which JSON Schema counts as an integer) or a string
    of exactly its digits (some clients send every argument as a string); any other
    string is refused naming the argument, as is an id past 2**63 - 1, nothing saved."""

    async def session(client: Client) -> None:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        task_id = tools["complete_task"].input_schema["properties"]["task_id"]
        assert (task_id["minimum"], task_id["maximum"]) == (1, 2**63 - 1), task_id
        assert (await call(client, "list_contacts", limit="5"))["count"] == 1
        assert (await call(client, "list_contacts", limit=5.0))["count"] == 1
        assert (await call(client, "contact_briefing", ref="1", limit="3"))["contact"]
        for tool, arguments in [
            ("list_contacts", {"limit": "5.0"}),
            ("list_contacts", {"limit": " 5"}),
            ("list_contacts", {"limit": "+5"}),
            ("list_contacts", {"limit": "5_0"}),
            ("list_contacts", {"limit": "1e3"}),
            ("list_contacts", {"limit": "05"}),
            ("list_contacts", {"limit": "５"}),
            ("search", {"text": "ada", "limit": "ten"}),
            ("contact_briefing", {"ref": "1", "limit": "2.0"}),
            ("complete_task", {"task_id": " 1 "}),
            ("complete_task", {"task_id": "1.0"}),
        ]:
            (named,) = (key for key in arguments if key in ("limit", "task_id"))
            given = repr(arguments[named])
            said = await refused(client, tool, **arguments)
            assert said == (
                f"Error executing tool {tool}: {named}: a whole number as a JSON number "
                f"or its digits alone, not the text {given}"
            ), (tool, arguments, said)
        for value, bound in [
            (2**70, "less than or equal to 9223372036854775807"),
            (str(2**70), "less than or equal to 9223372036854775807"),
            ("9" * 5000, "less than or equal to 9223372036854775807"),
            (-1, "greater than or equal to 1"),
            ("-1", "greater than or equal to 1"),
            (0, "greater than or equal to 1"),
        ]:
            said = await refused(client, "complete_task", task_id=value)
            assert said == f"Error executing tool complete_task: task_id: input should be {bound}"
        said = await refused(client, "list_contacts", limit=str(2**70))
        assert said.endswith("limit: input should be less than or equal to 1000"), said
        assert (await call(client, "list_tasks", scope="open"))["count"] == 1  # none done
        assert (await call(client, "complete_task", task_id="1"))["id"] == 1

    serve(sqlite_url, session, "--allow-writes")


def test_search_with_no_kinds_is_refused_not_a_search_of_every_kind(sqlite_url: str) -> None:  # noqa: F811
    """search(kinds=[]) or kinds=[""] searched every kind, as if kinds were left out,
    where the command line's `search --in ""` is refused: an assistant narrowing its
    search to nothing got everything. Now refused the command line's way, in the tool's
    words; a blank kind beside others is passed over, as --in "contacts," is."""

    async def session(client: Client) -> None:
        for kinds in ([], [""], ["  ", ""]):
            said = await refused(client, "search", text="ada", kinds=kinds)
            assert said == (
                "Error executing tool search: the kinds to search must not be empty: leave "
                "kinds out to search them all"
            ), (kinds, said)
        hits = await call(client, "search", text="ada", kinds=["contacts", " "])
        assert [hit["kind"] for hit in hits["results"]] == ["contact"]

    serve(sqlite_url, session)


def test_a_ref_sent_as_a_number_no_id_could_be_is_refused_saying_so(sqlite_url: str) -> None:  # noqa: F811
    """A REF takes an id as a JSON number (ref=1), but ref=0, -3, 2**70, 1.5 or true was
    refused as 'input should be a valid string', which sent the assistant to quote a
    number that was no id either; ref=1.0, a whole number as JSON Schema counts them
    (and as limit and task_id take it), was refused too. Now 1.0 is the id 1, and the
    others are refused saying what an id is."""
    import anyio

    from tinycrm.mcp_server.server import build_server

    async def main() -> None:
        with tinycrm.open(sqlite_url) as crm:
            async with Client(build_server(crm, allow_writes=True)) as client:
                ada = await call(client, "contact_briefing", ref=1.0)
                assert ada["contact"]["name"] == "Ada Lovelace"
                for value, said in [
                    (0, "an id is a whole number from 1 to 9223372036854775807, not 0"),
                    (-3, "an id is a whole number from 1 to 9223372036854775807, not -3"),
                    (2**70, f"an id is a whole number from 1 to 9223372036854775807, not {2**70}"),
                    (1.5, "an id is a whole number, not 1.5"),
                    (True, "a REF (text, or an id as a number), not true"),
                ]:
                    refusal = await refused(client, "contact_briefing", ref=value)
                    assert refusal.endswith(f"ref: {said}"), (value, refusal)
                    refusal = await refused(client, "add_task", text="Call", due="+1d", deal=value)
                    assert refusal.endswith(f"deal: {said}"), (value, refusal)
                assert (await call(client, "list_tasks", scope="all"))["count"] == 1

    anyio.run(main)


def test_a_time_or_pipeline_no_one_could_mean_is_refused_at_once(sqlite_url: str) -> None:  # noqa: F811
    """add_task(due=<5,000,000 characters>) took 5 s to say it could not understand the
    date (its advice looks for the date word each word is nearest), the server's one
    store turn held all the while; log_activity's at, edit_task's due, report's start and
    end the same, and report(pipeline=…) 4 s to say no pipeline matched. A time is now at
    most 100 characters and a pipeline as long as a REF, refused at once, as the schema
    the client sees says."""
    import anyio

    from tinycrm.mcp_server.server import build_server

    huge = "x" * 1_000_000
    cases = [
        ("add_task", {"text": "Call", "due": huge}, "due", 100),
        ("log_activity", {"kind": "note", "ref": "1", "text": "Met", "at": huge}, "at", 100),
        ("edit_task", {"task_id": 1, "due": huge}, "due", 100),
        ("edit_activity", {"activity_id": 1, "at": huge}, "at", 100),
        ("report", {"name": "pipeline", "start": huge}, "start", 100),
        ("report", {"name": "pipeline", "end": huge}, "end", 100),
        ("report", {"name": "pipeline", "pipeline": huge}, "pipeline", 1000),
    ]

    async def main() -> None:
        with tinycrm.open(sqlite_url) as crm:
            async with Client(build_server(crm, allow_writes=True)) as client:
                tools = {tool.name: tool for tool in (await client.list_tools()).tools}
                for tool, arguments, name, most in cases:
                    said = tools[tool].input_schema["properties"][name]
                    text = said.get("anyOf", [said])[0]  # the text, before null
                    assert text["maxLength"] == most, (tool, said)
                    refusal = await refused(client, tool, **arguments)
                    assert refusal.endswith(f"{name}: string should have at most {most} characters")
                task = await call(client, "add_task", text="Call", due="next monday 9:00 am")
                assert task["subject"] == "Call"  # a time as people write it still reads

    anyio.run(main)


def test_search_takes_a_bounded_number_of_kinds(sqlite_url: str) -> None:  # noqa: F811
    """search(kinds=["contacts"] * 300,000) took 4 s to search contacts (each kind was
    looked at in turn), the server's one store turn held all the while; 1,000,000 fit in
    a request line. There are five kinds to name: at most 20 are taken (a kind named twice,
    or in the singular, still reads), as the schema says."""
    import anyio

    from tinycrm.mcp_server.server import build_server

    async def main() -> None:
        with tinycrm.open(sqlite_url) as crm:
            async with Client(build_server(crm)) as client:
                tools = {tool.name: tool for tool in (await client.list_tools()).tools}
                kinds = tools["search"].input_schema["properties"]["kinds"]["anyOf"][0]
                assert kinds["maxItems"] == 20, kinds
                said = await refused(client, "search", text="ada", kinds=["contacts"] * 300_000)
                assert said.endswith(
                    "kinds: list should have at most 20 items after validation, not 300000"
                ), said
                hits = await call(client, "search", text="ada", kinds=["contacts"] * 20)
                assert [hit["kind"] for hit in hits["results"]] == ["contact"]

    anyio.run(main)
