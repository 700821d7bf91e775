"""How a tool is registered and runs: ``Toolbox.tool`` over the ``Crm``.

Each tool runs on a worker thread, one at a time (``calls.off_the_loop``): a write waiting
for the database's lock or a slow hook leaves the server answering everything else. A
read refuses once the database file the server opened is gone from its path; a write
looks again just before it commits, and rolls back if its client cancelled it. A write
tool exists only when writes are allowed (``CrmServer`` refuses it otherwise, saying
how to turn them on).
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import anyio
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, ToolAnnotations

from tinycrm import safetext
from tinycrm.mcp_server.answers import answer, refusals, warnings_told
from tinycrm.mcp_server.calls import cancelled, off_the_loop, saved
from tinycrm.mcp_server.fitting import cut_text

if TYPE_CHECKING:
    from tinycrm.api import Crm
    from tinycrm.mcp_server.crm_server import CrmServer

STILL_SAVING = "still saving: waiting for the database (another write holds it) or a hook"

READ = ToolAnnotations(readOnlyHint=True, openWorldHint=False)
ADD = ToolAnnotations(
    readOnlyHint=False, destructiveHint=False, idempotentHint=False, openWorldHint=True
)
"""A write that only adds (a contact, a task, an activity logged; a company a new
contact names): "only additive updates", as the MCP specification says a destructive
hint of false means. The same call again adds another: not idempotent."""
REWRITE = ToolAnnotations(
    readOnlyHint=False, destructiveHint=True, idempotentHint=True, openWorldHint=True
)
"""A write that changes or deletes what was there (a move, a win or a loss and a task
done overwrite a stage, an open deal, an open task; an edit overwrites, a deletion and a
reopening remove), where the same call again changes nothing more: it is refused (the
deal is already in that stage, already won, the task already done), or the values given
are there already, the record deleted is gone (ids are never reused), the task reopened
is open. A due time relative to now ('+2h') is judged anew, a few seconds on.

Both are open-world: a write runs the user's hooks (programs that may reach anywhere)
and queues the events their webhooks POST to other services, so what it does does not
stay in the CRM. A read (``READ``) runs neither and stays in the CRM."""

SAVED_ANYWAY = "which its client cancelled once it was being saved, was saved all the same"

Tool = Callable[..., Any]


def saved_record(kind: str, data: dict[str, Any]) -> str:
    """The record a write tool saved, as its answer names it: ``contact #2 Grace Hopper``."""
    named = next((data[k] for k in ("name", "title", "subject") if data.get(k)), None)
    said = kind
    if data.get("id") is not None:
        said += f" #{data['id']}"
    return said if named is None else f"{said} {safetext.display(cut_text(str(named), 200))}"


class Toolbox:
    """The tools of ``server`` over ``crm``: ``tool`` registers one, ``reading`` and
    ``writing`` are what its body runs in."""

    def __init__(self, crm: Crm, server: CrmServer) -> None:
        self.crm, self.server = crm, server
        # A server runs for hours. Were its SQLite file renamed, deleted or replaced (a
        # backup restored) under it, its pooled connections would go on reading and
        # writing the old file, lost to the path: every tool refuses then, as the board
        # does, and a write looks again just before it commits.
        self.opened = crm.board.file_id()
        # PostgreSQL waits for a lock for ever: a write behind another's would hold the
        # tools for good. Bounded as SQLite's busy timeout, told as "database is busy".
        crm.board.bound_lock_waits()
        self.turn = anyio.CapacityLimiter(1)
        self.untold: list[str] = []
        """Writes saved although their client had cancelled them: said with the next answer."""

    @contextmanager
    def reading(self) -> Iterator[None]:
        """A read: the CRM's refusals as tool errors, the file opened still there."""
        with refusals():
            self.crm.board.check_file(self.opened)
            yield

    @contextmanager
    def writing(self) -> Iterator[None]:
        """A write: rolled back, hooks and all, when its client cancels it before it
        commits; the file opened looked at again just before the commit."""
        with refusals(), self.crm.board.write(opened=self.opened, last_check=_unless_cancelled):
            yield
            _unless_cancelled()  # already (it waited for the lock): no hook is asked

    def _saved_unanswered(self, what: str) -> None:
        self.untold.append(what)
        print(f"tinycrm mcp: {what}", file=sys.stderr, flush=True)

    def tool(
        self, annotations: ToolAnnotations, *, saves: str = "record"
    ) -> Callable[[Tool], Tool]:
        """Register the function as a tool: its name, parameters and docstring are the
        tool's. One that writes (not ``readOnlyHint``) says what it ``saves`` when its
        client cancelled it too late (``deleted task`` for a deletion, lest it read as a
        task saved), and is not registered while writes are off."""
        writes = not annotations.read_only_hint
        server = self.server

        def register(fn: Tool) -> Tool:
            if writes:
                server.write_tools.add(fn.__name__)
                if not server.allow_writes:
                    return fn

            def run(*args: Any, **kwargs: Any) -> CallToolResult:
                with warnings_told() as told:
                    data = fn(*args, **kwargs)
                if writes:
                    saved(f"{fn.__name__}, {SAVED_ANYWAY}: {saved_record(saves, data)} "
                          "(do not repeat it)")  # fmt: skip
                earlier = [self.untold.pop(0) for _ in list(self.untold)]
                return answer(data, [*earlier, *told])

            @functools.wraps(fn)  # the tool's own parameters, schema and description
            async def answering(*args: Any, **kwargs: Any) -> CallToolResult:
                work = functools.partial(run, *args, **kwargs)
                said = STILL_SAVING if writes else "still reading"
                return await off_the_loop(
                    work, self.turn, untold=self._saved_unanswered, running=said
                )

            server.arguments[fn.__name__] = tuple(inspect.signature(fn).parameters)
            described = inspect.cleandoc(fn.__doc__ or "")  # not the source's indentation
            return server.tool(
                annotations=annotations, description=described, structured_output=True
            )(answering)

        return register


def _unless_cancelled() -> None:
    if cancelled():  # the client gave up on it: it rolls back, hooks and all
        raise ToolError("the call was cancelled; nothing was saved")
