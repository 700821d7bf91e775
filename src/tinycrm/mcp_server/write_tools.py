"""The write tools: add a contact, log an activity, add or complete a task, move or
close a deal. Registered only when the server runs with ``--allow-writes``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from tinycrm.errors import Invalid
from tinycrm.mcp_server.answers import plain
from tinycrm.mcp_server.arguments import (
    AN_ID_AS_TEXT,
    REF_CHARS,
    TAGS_AT_MOST,
    WHEN_CHARS,
    Ref,
    TaskId,
)
from tinycrm.mcp_server.toolbox import ADD, REWRITE, Toolbox


@contextmanager
def subject_is_text() -> Iterator[None]:
    """A refusal of an activity's or a task's subject in the tool's words: its argument
    is ``text`` (the store says "subject is too long", and the assistant looked for an
    argument named subject)."""
    try:
        yield
    except Invalid as exc:
        said = str(exc)
        if exc.field != "subject" or not said.startswith("subject"):
            raise
        raise Invalid("text" + said.removeprefix("subject"), field="text") from exc


def add_write_tools(box: Toolbox) -> None:
    """Register the write tools on ``box``'s server (refused while writes are off)."""
    crm, tool, writing = box.crm, box.tool, box.writing

    @tool(ADD, saves="contact")
    def add_contact(
        name: Annotated[str, Field(min_length=1, description="The person's full name.")],
        email: str | None = None,
        phone: str | None = None,
        title: Annotated[str | None, Field(description="Job title.")] = None,
        company: Annotated[
            str | None,
            Field(
                description="A company REF; a new name creates the company.", max_length=REF_CHARS
            ),
            AN_ID_AS_TEXT,
        ] = None,
        tags: Annotated[
            list[str] | None,
            Field(description="Tags to give the contact.", max_length=TAGS_AT_MOST),
        ] = None,
        source: Annotated[str | None, Field(description="Where the contact came from.")] = None,
        notes: str | None = None,
    ) -> dict[str, Any]:
        """Add a contact (refused if the email is already someone's)."""
        with writing():
            added = crm.contacts.add(
                name, email=email, phone=phone, title=title, company=company, tags=tags,
                source=source, notes=notes,
            )  # fmt: skip
            return plain(added)

    @tool(ADD, saves="activity")
    def log_activity(
        kind: Annotated[Literal["call", "email", "meeting", "note"], Field(description="What.")],
        ref: Annotated[
            str,
            Field(
                min_length=1,
                max_length=REF_CHARS,
                description="Who or what it was about: a contact, company or deal REF; "
                "contact:REF, company:REF or deal:REF when a contact and a company (or a "
                "deal) share the name.",
            ),
            AN_ID_AS_TEXT,
        ],
        text: Annotated[str, Field(min_length=1, description="A one-line summary.")],
        body: Annotated[str | None, Field(description="Longer notes.")] = None,
        at: Annotated[
            str | None,
            Field(
                description="When it happened (default now): '2026-12-01 "
                "14:00', 'yesterday 15:00', '-2h'.",
                max_length=WHEN_CHARS,
            ),
        ] = None,
    ) -> dict[str, Any]:
        """Record a call, email, meeting or note. A deal's contact and company are linked too."""
        with writing(), subject_is_text():
            return plain(crm.log(kind, ref, text, body=body, at=at))

    @tool(ADD, saves="task")
    def add_task(
        text: Annotated[str, Field(min_length=1, description="What to do.")],
        due: Annotated[
            str,
            Field(
                description="When: 'tomorrow 9:00', 'friday', '+3d', '2026-12-24 10:00'.",
                max_length=WHEN_CHARS,
            ),
        ],
        contact: Annotated[
            str | None,
            Field(description="A contact REF.", max_length=REF_CHARS),
            AN_ID_AS_TEXT,
        ] = None,
        company: Annotated[
            str | None,
            Field(description="A company REF.", max_length=REF_CHARS),
            AN_ID_AS_TEXT,
        ] = None,
        deal: Annotated[
            str | None,
            Field(description="A deal REF.", max_length=REF_CHARS),
            AN_ID_AS_TEXT,
        ] = None,
        body: str | None = None,
    ) -> dict[str, Any]:
        """Add a task with a due time, about a contact, company or deal."""
        with writing(), subject_is_text():
            added = crm.tasks.add(
                text, due=due, contact=contact, company=company, deal=deal, body=body
            )
            return plain(added)

    @tool(REWRITE, saves="task")
    def complete_task(
        task_id: TaskId,
    ) -> dict[str, Any]:
        """Mark a task done; a repeating task gets its next occurrence."""
        with writing():
            return plain(crm.tasks.done(task_id))

    @tool(REWRITE, saves="deal")
    def move_deal(
        ref: Ref,
        stage: Annotated[
            str,
            Field(min_length=1, max_length=REF_CHARS, description="The stage to move it to."),
        ],
    ) -> dict[str, Any]:
        """Move a deal to another stage of its pipeline."""
        with writing():
            return plain(crm.deals.move(ref, stage))

    @tool(REWRITE, saves="deal")
    def close_deal(
        ref: Ref,
        outcome: Annotated[Literal["won", "lost"], Field(description="How it ended.")],
        reason: Annotated[
            str | None,
            Field(description="Why it was lost (required when lost; none when won)."),
        ] = None,
    ) -> dict[str, Any]:
        """Close a deal as won or lost."""
        with writing():
            if outcome == "won":
                if reason is not None:  # it would be dropped: a won deal keeps none
                    raise ToolError(
                        "a won deal has no reason (log_activity a note to keep why it was won)"
                    )
                return plain(crm.deals.win(ref))
            if not reason:
                raise ToolError("a lost deal needs a reason")
            return plain(crm.deals.lose(ref, reason=reason))
