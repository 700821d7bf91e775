"""The tools that correct and remove: edit, reopen or delete a task; edit or delete a
logged call, email, meeting or note (``crm.tasks.edit/reopen/remove``,
``crm.activities.edit/remove``). Registered only when the server runs with
``--allow-writes``, as the other writes.

Each changes or removes what was there, so each is marked destructive (and idempotent:
the same call again changes nothing more). A deletion takes ``confirm=true`` besides the
id: an assistant deletes only on purpose, never by the way. Tasks and logged activities
share their ids: each tool takes the one it is for and says what an id of the other is.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from tinycrm.errors import warn
from tinycrm.mcp_server.answers import plain
from tinycrm.mcp_server.arguments import (
    AN_ID_AS_TEXT,
    REF_CHARS,
    WHEN_CHARS,
    ActivityId,
    Deliberate,
    TaskId,
)
from tinycrm.mcp_server.toolbox import REWRITE, Toolbox
from tinycrm.mcp_server.write_tools import subject_is_text

NewText = Annotated[
    str | None,
    Field(
        min_length=1,
        description="The new text: its first line the subject; lines after it replace the body.",
    ),
]
NewBody = Annotated[str | None, Field(description='The new longer notes ("" clears them).')]


ContactLink = Annotated[
    str | None,
    Field(description='Now about this contact (a REF; "" for none).', max_length=REF_CHARS),
    AN_ID_AS_TEXT,
]
CompanyLink = Annotated[
    str | None,
    Field(description='Now about this company (a REF; "" for none).', max_length=REF_CHARS),
    AN_ID_AS_TEXT,
]
DealLink = Annotated[
    str | None,
    Field(description='Now about this deal (a REF; "" for none).', max_length=REF_CHARS),
    AN_ID_AS_TEXT,
]


def _given(**values: Any) -> dict[str, Any]:
    """The arguments given (a null is left out, as one not sent): what is not is kept.
    None given: refused, as the command line refuses an edit with no option."""
    given = {name: value for name, value in values.items() if value is not None}
    if not given:
        names = list(values)
        raise ToolError(
            f"nothing to change: give {', '.join(names[:-1])} or {names[-1]} (what is left "
            "out is kept)"
        )
    return given


def _lines_as_body(given: dict[str, Any]) -> dict[str, Any]:
    """``text``'s lines after the first given as the ``body`` they become (with the body
    given after them), so that the store's checks of a body apply to them: an email
    logged from a mailbox keeps its body, and ``edit_activity(text="Subject\\nnew
    body")`` changed it all the same."""
    text = given.get("text")
    first, _, rest = (text or "").strip().partition("\n")
    if not rest.strip():
        return given
    body = given.get("body")
    parts = [part for part in (rest.strip(), body) if part and part.strip()]
    return {**given, "text": first, "body": "\n".join(parts)}


def add_edit_tools(box: Toolbox) -> None:
    """Register the tools that edit, reopen and delete tasks and logged activities."""
    crm, tool, writing = box.crm, box.tool, box.writing

    def unchanged(before: int, what: str) -> None:
        """Say so when an edit saved nothing: every value given was there already
        (``before``: ``events_written`` before its write, which counts at the COMMIT)."""
        if crm.events_written == before:
            warn(f"nothing changed: {what} already had every value given")

    @tool(REWRITE, saves="task")
    def edit_task(
        task_id: TaskId,
        text: NewText = None,
        due: Annotated[
            str | None,
            Field(
                min_length=1,
                max_length=WHEN_CHARS,
                description="The new due time: 'tomorrow 9:00', 'friday', '+3d' (the "
                "reminder moves with it).",
            ),
        ] = None,
        body: NewBody = None,
        contact: ContactLink = None,
        company: CompanyLink = None,
        deal: DealLink = None,
    ) -> dict[str, Any]:
        """Change a task: its text, due time, notes, or what it is about. What is left
        out is kept; "" clears the body or a link."""
        changes = _given(text=text, due=due, body=body, contact=contact, company=company,
                         deal=deal)  # fmt: skip
        before = crm.events_written
        with writing(), subject_is_text():
            task = crm.tasks.edit(task_id, **changes)
        unchanged(before, f"task #{task.id} {task.subject}")
        return plain(task)

    @tool(REWRITE, saves="task")
    def reopen_task(task_id: TaskId) -> dict[str, Any]:
        """Open a done task again (done by mistake). A repeating task's next occurrence,
        made when it was done, goes with it unless it has been changed since
        (next_removed, next_kept: its id)."""
        with writing():
            task = crm.tasks.reopen(task_id)
        if task.next_removed is not None:
            warn(f"removed its next occurrence #{task.next_removed}, made when it was done")
        return plain(task)

    @tool(REWRITE, saves="deleted task")
    def delete_task(task_id: TaskId, confirm: Deliberate) -> dict[str, Any]:
        """Delete a task, open or done, for good; answers the task as it was. Only when
        the user asks for it: a task done is complete_task, one moved is edit_task."""
        with writing():
            return plain(crm.tasks.remove(task_id))

    @tool(REWRITE, saves="activity")
    def edit_activity(
        activity_id: ActivityId,
        text: NewText = None,
        body: NewBody = None,
        at: Annotated[
            str | None,
            Field(
                min_length=1,
                max_length=WHEN_CHARS,
                description="When it happened: '2026-12-01 14:00', 'yesterday 15:00', '-2h'.",
            ),
        ] = None,
        kind: Annotated[
            Literal["call", "email", "meeting", "note"] | None, Field(description="What it was.")
        ] = None,
    ) -> dict[str, Any]:
        """Correct a logged call, email, meeting or note: its text, notes, time or kind.
        What is left out is kept. An email logged from a mailbox keeps its time, notes
        and kind: only its subject changes."""
        changes = _lines_as_body(_given(text=text, body=body, at=at, kind=kind))
        before = crm.events_written
        with writing(), subject_is_text():
            activity = crm.activities.edit(activity_id, **changes)
        unchanged(before, f"{activity.kind} #{activity.id} {activity.subject}")
        return plain(activity)

    @tool(REWRITE, saves="deleted activity")
    def delete_activity(activity_id: ActivityId, confirm: Deliberate) -> dict[str, Any]:
        """Delete a logged call, email, meeting or note for good; answers it as it was.
        Only when the user asks for it: a wrong detail is edit_activity's."""
        with writing():
            return plain(crm.activities.remove(activity_id))
