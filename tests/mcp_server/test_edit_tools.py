"""The tools that correct and remove tasks and logged activities (``edit_task``,
``reopen_task``, ``delete_task``, ``edit_activity``, ``delete_activity``), driven by the
official ``mcp`` SDK's client over stdio against ``tinycrm mcp --allow-writes``, on
SQLite and PostgreSQL."""

from __future__ import annotations

import anyio
import pytest
from mcp import Client

import tinycrm
from tests.mcp_server.test_server import (  # noqa: F401 (fixtures)
    call,
    db_url,
    refused,
    serve,
    sqlite_url,
)

NOT_TRUE = "confirm: must be true: a deletion cannot be undone, so it is made only when the user asks for it"  # noqa: E501
SHARED_IDS = (
    "Tasks and logged activities share their ids: edit_task, reopen_task and delete_task "
    "take a task's, edit_activity and delete_activity a logged call's, email's, meeting's "
    "or note's. Delete only what the user asks to delete."
)
EDITS = ("edit_task", "reopen_task", "delete_task", "edit_activity", "delete_activity")


def _ids(url: str) -> tuple[int, int]:
    """The open task's id and the logged call's, in ``db_url``'s account."""
    with tinycrm.open(url) as crm:
        (task,) = crm.tasks.list()
        (logged,) = crm.activities.list(tasks=False)
    return task.id, logged.id


def test_a_task_is_edited_reopened_and_deleted(db_url: str) -> None:  # noqa: F811
    task_id, call_id = _ids(db_url)
    with tinycrm.open(db_url) as crm:
        ada = crm.contacts.get("ada@example.com").id

    async def session(client: Client) -> None:
        changed = await client.call_tool("edit_task", {
            "task_id": task_id, "text": "Send the signed contract\nBoth copies",
            "due": "2030-01-02 09:00", "deal": "", "contact": ada,
        })  # fmt: skip
        assert len(changed.content) == 1, changed.content  # no "nothing changed"
        edited = changed.structured_content
        assert edited is not None
        assert (edited["subject"], edited["body"]) == ("Send the signed contract", "Both copies")
        assert (edited["deal"], edited["contact"]) == (None, "Ada Lovelace")
        again = await client.call_tool("edit_task", {"task_id": task_id, "due": "2030-01-02 09:00"})
        assert not again.is_error and again.content[-1].text == (
            f"Warning: nothing changed: task #{task_id} Send the signed contract already had "
            "every value given"
        )
        said = await refused(client, "edit_task", task_id=task_id)
        assert said.endswith(
            "nothing to change: give text, due, body, contact, company or deal (what is left "
            "out is kept)"
        )
        assert (await refused(client, "reopen_task", task_id=task_id)).endswith("is not done")
        await call(client, "complete_task", task_id=task_id)
        assert (await call(client, "reopen_task", task_id=str(task_id)))["done_at"] is None
        said = await refused(client, "edit_task", task_id=call_id, text="Call")
        assert said.endswith(
            f"#{call_id} is a logged call, not a task (list_tasks shows the tasks)"
        )
        assert (await refused(client, "delete_task", task_id=task_id)).endswith("confirm: required")
        for not_true in (False, 1, "yes", "True", " true", "1"):
            said = await refused(client, "delete_task", task_id=task_id, confirm=not_true)
            assert said.endswith(NOT_TRUE), said
        gone = await call(client, "delete_task", task_id=task_id, confirm=True)
        assert gone["subject"] == "Send the signed contract"
        said = await refused(client, "delete_task", task_id=task_id, confirm=True)
        assert said.endswith(f"no task with id {task_id}")

    serve(db_url, session, "--allow-writes")
    with tinycrm.open(db_url) as crm:
        assert crm.tasks.list("all") == []
        feed = crm.feed(limit=None)
        done = [e.action for e in feed if (e.entity, e.entity_id) == ("activity", task_id)]
        assert done == ["deleted", "reopened", "completed", "updated", "created"], done


def test_reopening_a_repeating_task_says_it_took_back_the_next_one(db_url: str) -> None:  # noqa: F811
    """reopen_task removed a repeating task's next occurrence without a word: the
    assistant, and the user, thought two tasks were open. It now says so."""
    with tinycrm.open(db_url) as crm:
        weekly = crm.tasks.add("Weekly report", due="2030-01-07 09:00", every="1w")
        crm.tasks.done(weekly.id)
        (following,) = [t for t in crm.tasks.list() if t.subject == "Weekly report"]

    async def session(client: Client) -> None:
        result = await client.call_tool("reopen_task", {"task_id": weekly.id})
        assert not result.is_error and result.structured_content is not None
        assert result.structured_content["next_removed"] == following.id
        assert result.content[-1].text == (
            f"Warning: removed its next occurrence #{following.id}, made when it was done"
        )

    serve(db_url, session, "--allow-writes")


def test_a_logged_activity_is_edited_and_deleted(db_url: str) -> None:  # noqa: F811
    task_id, call_id = _ids(db_url)

    async def session(client: Client) -> None:
        edited = await call(
            client, "edit_activity", activity_id=call_id, text="Discussed the price",
            kind="meeting", at="2026-01-05 10:00", body="Ten per cent off",
        )  # fmt: skip
        assert (edited["subject"], edited["kind"]) == ("Discussed the price", "meeting")
        assert edited["body"] == "Ten per cent off" and edited["occurred_at"]
        cleared = await client.call_tool("edit_activity", {"activity_id": call_id, "body": ""})
        assert [part.text for part in cleared.content][1:] == []
        assert cleared.structured_content and cleared.structured_content["body"] is None
        said = await refused(client, "edit_activity", activity_id=call_id, at="tomorrow 10:00")
        assert said.endswith("a planned meeting is a task: add_task(text=…, due=…)"), said
        said = await refused(client, "edit_activity", activity_id=task_id, text="Call")
        assert said.endswith(
            f"#{task_id} is a task, not a logged activity (edit_task and delete_task take tasks)"
        ), said
        said = await refused(client, "delete_activity", activity_id=call_id, confirm=0)
        assert said.endswith(NOT_TRUE), said
        # some clients send every argument as text: true as "true", as a number as its digits
        gone = await call(client, "delete_activity", activity_id=str(call_id), confirm="true")
        assert (gone["id"], gone["kind"]) == (call_id, "meeting")

    serve(db_url, session, "--allow-writes")
    with tinycrm.open(db_url) as crm:
        assert crm.activities.list(tasks=False) == []
        assert [task.id for task in crm.tasks.list()] == [task_id]


def test_an_email_from_a_mailbox_keeps_all_but_its_subject(sqlite_url: str) -> None:  # noqa: F811
    """Its time, body and kind are how the next mail import knows it: the API refuses a
    change to them, and edit_activity(text="Subject\\nnew body"), whose lines after the
    first are the body, changed the body all the same. It is refused too."""
    from tinycrm.mail.message import parse_message

    raw = (
        "From: ann@acme.example\nTo: me@mycompany.example\nSubject: Hello\n"
        "Date: Tue, 01 Dec 2026 10:00:00 +0000\nMessage-ID: <m1@acme.example>\n\nHi there\n"
    )
    with tinycrm.open(sqlite_url) as crm:
        crm.contacts.add("Ann Lee", email="ann@acme.example")
        crm.mail.log([parse_message(raw.encode())])
        (mail,) = crm.activities.list(tasks=False)

    async def session(client: Client) -> None:
        for change in [{"text": "Hello again\nA body of my own"}, {"body": "Mine"},
                       {"kind": "note"}, {"at": "-9d"}]:  # fmt: skip
            said = await refused(client, "edit_activity", activity_id=mail.id, **change)
            assert "logged from a mailbox" in said and "tinycrm" not in said, said
            assert said.endswith("change its subject (text, one line), or delete it"), said
        edited = await call(client, "edit_activity", activity_id=mail.id, text="Hello again")
        assert (edited["subject"], edited["body"]) == ("Hello again", mail.body)

    serve(sqlite_url, session, "--allow-writes")
    with tinycrm.open(sqlite_url) as crm:
        assert crm.activities.get(mail.id).body == mail.body


def test_the_edits_say_they_change_what_was_there_and_deletions_ask_for_true(
    sqlite_url: str,  # noqa: F811
) -> None:
    from tinycrm.mcp_server.server import build_server

    async def main() -> None:
        with tinycrm.open(sqlite_url) as crm:
            async with Client(build_server(crm, allow_writes=True)) as client:
                tools = {tool.name: tool for tool in (await client.list_tools()).tools}
                for name in EDITS:
                    hints = tools[name].annotations
                    assert hints is not None, name
                    assert (hints.read_only_hint, hints.destructive_hint) == (False, True), name
                    assert (hints.idempotent_hint, hints.open_world_hint) == (True, True), name
                for name in ("delete_task", "delete_activity"):
                    schema = tools[name].input_schema
                    assert "confirm" in schema["required"], name
                    assert schema["properties"]["confirm"]["const"] is True, name
                    assert "cannot be undone" in schema["properties"]["confirm"]["description"]
                assert tools["add_task"].annotations.destructive_hint is False  # type: ignore[union-attr]
                assert client.instructions and SHARED_IDS in " ".join(client.instructions.split())
            async with Client(build_server(crm)) as client:
                listed = {tool.name for tool in (await client.list_tools()).tools}
                assert not listed & set(EDITS)
                assert client.instructions and "edit_task" not in client.instructions

    anyio.run(main)


def test_a_deletion_cancelled_too_late_is_told_as_a_deletion(
    sqlite_url: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A write whose client cancels it once it is committed is told with the next answer
    ('…, was saved all the same: task #1 Send the contract'); for delete_task that read
    as a task saved, which an assistant might take for one still there. It says the task
    was deleted."""
    from tinycrm.mcp_server import toolbox
    from tinycrm.mcp_server.server import build_server

    said: list[str] = []
    logged_id: list[int] = []
    monkeypatch.setattr(toolbox, "saved", said.append)

    async def main() -> None:
        with tinycrm.open(sqlite_url) as crm:
            logged = crm.log("note", "ada@example.com", "Met")
            logged_id.append(logged.id)
            async with Client(build_server(crm, allow_writes=True)) as client:
                await call(client, "delete_task", task_id=1, confirm=True)
                await call(client, "delete_activity", activity_id=logged.id, confirm=True)

    anyio.run(main)
    assert said == [
        f"delete_task, {toolbox.SAVED_ANYWAY}: deleted task #1 Send the contract (do not "
        "repeat it)",
        f"delete_activity, {toolbox.SAVED_ANYWAY}: deleted activity #{logged_id[0]} Met (do "
        "not repeat it)",
    ], said
