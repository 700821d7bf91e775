"""``tinycrm mcp``: the CRM as a Model Context Protocol server, for assistants.

Built on the official ``mcp`` SDK (``MCPServer``) and on the public API only: every
tool calls the ``Crm`` a script would use, so a write made by an assistant records the
same event, runs the same rules and hooks, and reaches the same webhooks as the same
write typed at the shell. Tools answer with the records as ``--json`` prints them.

Reads are always there; the writes (add a contact, log an activity, add or complete a
task, move or close a deal) exist only when the server is started with
``--allow-writes``. Called without it, a write tool is refused as a tool error that
says how to turn writes on. A refusal of the CRM (not found, ambiguous, invalid) is a
tool error carrying tinycrm's own one-line message; nothing an assistant sends can
stop the server.
"""

from __future__ import annotations

import functools
import inspect
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, Literal

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.dispatcher import coerce_request_id
from mcp.types import (
    CallToolResult,
    JSONRPCError,
    JSONRPCNotification,
    JSONRPCRequest,
    JSONRPCResponse,
    Tool,
    ToolAnnotations,
)
from pydantic import BeforeValidator, Field, ValidationError

from tinycrm import __version__, safetext, search_text
from tinycrm.errors import Invalid
from tinycrm.mcp_server.answers import (
    answer,
    listed,
    plain,
    plain_report,
    refusals,
    warnings_told,
)
from tinycrm.mcp_server.arguments import (
    MAX_ID,
    REF_CHARS,
    REPORTS,
    TAGS_AT_MOST,
    Limit,
    Number,
    Offset,
    Ref,
    Shown,
    Where,
    an_id_as_text,
    argument_problems,
    nul_argument,
)
from tinycrm.mcp_server.calls import cancelled, off_the_loop, reporting, saved
from tinycrm.mcp_server.fitting import cut_text
from tinycrm.mcp_server.handshake import Handshake
from tinycrm.mcp_server.malformed import reused, unreadable
from tinycrm.mcp_server.offered import NothingElseOffered

if TYPE_CHECKING:
    from tinycrm.api import Crm

INSTRUCTIONS = """\
tinycrm is the user's CRM: companies, contacts, deals in pipeline stages, activities
(calls, emails, meetings, notes) and tasks. A REF names a record as on the command line:
an id (12 or #12), an email, a whole name, a company name or domain, a deal title (case
does not matter; a part of a name names no one, but the refusal offers the records it may
mean). A name two records share is refused with their ids: use one.
Before a meeting, call `search` and then the matching `*_briefing`. `next_actions` is
what to do now, most pressing first. Amounts are exact decimals in the deal's currency."""

CANCELLED = "notifications/cancelled"
OWED_AT_MOST = 256
"""No more requests are read while this many are unanswered: a client that reads no
answers is held back (its writes wait) instead of having each answer kept in memory."""

WRITES_OFF = (
    "writes are off: this server was started without --allow-writes (the user can add "
    "\"--allow-writes\" to the server's args in their MCP client's configuration to let "
    "assistants change the CRM)"
)

STILL_SAVING = "still saving: waiting for the database (another write holds it) or a hook"

WRITE_TOOLS = (
    "add_contact",
    "log_activity",
    "add_task",
    "complete_task",
    "move_deal",
    "close_deal",
)

READ = ToolAnnotations(readOnlyHint=True, openWorldHint=False)
WRITE = ToolAnnotations(readOnlyHint=False, destructiveHint=False, openWorldHint=False)


SAVED_ANYWAY = "which its client cancelled once it was being saved, was saved all the same"
SAVED_KINDS = {
    "add_contact": "contact",
    "log_activity": "activity",
    "add_task": "task",
    "complete_task": "task",
    "move_deal": "deal",
    "close_deal": "deal",
}


def saved_record(tool: str, data: dict[str, Any]) -> str:
    """The record a write tool saved, as its answer names it: ``contact #2 Grace Hopper``."""
    named = next((data[k] for k in ("name", "title", "subject") if data.get(k)), None)
    said = SAVED_KINDS.get(tool, "record")
    if data.get("id") is not None:
        said += f" #{data['id']}"
    return said if named is None else f"{said} {safetext.display(cut_text(str(named), 200))}"


@contextmanager
def _report_words() -> Iterator[None]:
    """A report's refusal in the tool's words: its arguments are start and end, where
    the command line's (and the store's messages) are --from and --to."""
    try:
        yield
    except Invalid as exc:
        said = str(exc).replace("--from/--to", "start and end")
        said = re.sub(r"--from\b", "start", re.sub(r"--to\b", "end", said))
        if said == str(exc):
            raise
        raise Invalid(said, field=exc.field) from exc


@contextmanager
def _subject_is_text() -> Iterator[None]:
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


class CrmServer(NothingElseOffered, MCPServer):
    """An ``MCPServer`` whose write tools refuse, with a reason, when writes are off."""

    def __init__(self, *, allow_writes: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.allow_writes = allow_writes
        self.arguments: dict[str, tuple[str, ...]] = {}
        """Each tool's argument names: the SDK drops any other, which would make an
        ``add_task(ref=...)`` a task about nobody; it is refused instead."""
        self.running = 0
        """Tool calls begun and not yet answered."""
        self.settled: anyio.Event | None = None
        """Set when a call ends or an answer goes out, for the end of input to wait."""
        self.handshake = Handshake(
            lambda method: self._lowlevel_server.get_request_handler(method) is not None
        )
        """Where the session stands: a request before initialize is refused in words."""
        self.owed: Counter[str | int] = Counter()
        """The ids of the requests read and owed an answer: not yet answered, nor
        cancelled by their client (a cancelled request gets none)."""

    async def run_stdio_async(self) -> None:
        """The SDK's stdio transport, with these added. A request line it cannot take
        (JSON its parser refuses, JSON that is not JSON-RPC) is answered under the
        request's id (``malformed``): the SDK drops such a line without a word, and the
        client would wait for an answer that never comes. The end of input waits for the
        tool calls running (on their threads) to be answered: the SDK takes it for a
        client gone and cancels them, and a script piping its requests in (``printf … |
        tinycrm mcp``) got 'Connection closed', nothing saved. No more requests are read
        while ``OWED_AT_MOST`` are unanswered. A client that stops reading ends the
        server without a traceback."""
        from mcp.shared.message import SessionMessage

        try:  # private to the SDK: a later release may move it; its own transport then
            from mcp.shared._context_streams import create_context_streams

            from tinycrm.mcp_server.transport import stdio_streams

            self._lowlevel_server.create_initialization_options  # noqa: B018
        except (ImportError, AttributeError):
            await super().run_stdio_async()
            return
        try:
            async with stdio_streams() as (read_stream, write_stream):
                relay, relayed = create_context_streams[SessionMessage | Exception](0)

                async def read() -> None:
                    async with relay:
                        async for item in read_stream:
                            if isinstance(item, Exception):  # told, as the SDK would not
                                for refusal in unreadable(item):
                                    await write_stream.send(SessionMessage(refusal))
                            elif self._in_use(item.message):  # its answer would be the other's
                                await write_stream.send(SessionMessage(reused(item.message.id)))
                                continue
                            elif early := self.handshake.refusal(item.message):  # before init
                                await write_stream.send(SessionMessage(early))
                                continue
                            elif unfit := self.handshake.unfit(item.message):  # named, not bare
                                await write_stream.send(SessionMessage(unfit))
                                continue
                            else:
                                self._count(item.message)
                            await relay.send(item)
                            while self.owed.total() >= OWED_AT_MOST:  # until answers go out
                                self.settled = anyio.Event()
                                await self.settled.wait()
                        await anyio.wait_all_tasks_blocked()  # the last requests' calls begun
                        await self._answered()

                async with anyio.create_task_group() as tasks:
                    tasks.start_soon(read)
                    lowlevel = self._lowlevel_server
                    answers = _CountedAnswers(write_stream, self)
                    await lowlevel.run(relayed, answers, lowlevel.create_initialization_options())
                    tasks.cancel_scope.cancel()
        except* BrokenPipeError:  # the client stopped reading: as `… | head`, no error
            _stdout_gone()

    def _in_use(self, message: Any) -> bool:
        """Whether ``message`` is a request under the id of one still owed an answer:
        the SDK ran both, answered both under that id, and a cancellation of it stopped
        the second only."""
        return isinstance(message, JSONRPCRequest) and coerce_request_id(message.id) in self.owed

    def _count(self, message: Any) -> None:
        """A request read is owed an answer; one its client cancels (the SDK then sends
        none), or one answered (``_CountedAnswers``), is not."""
        if isinstance(message, JSONRPCRequest):
            self.owed[coerce_request_id(message.id)] += 1
            return
        if isinstance(message, JSONRPCResponse | JSONRPCError):
            settled: Any = message.id
        elif isinstance(message, JSONRPCNotification) and message.method == CANCELLED:
            settled = (message.params or {}).get("requestId")
        else:
            return
        if isinstance(settled, int | str) and not isinstance(settled, bool):
            key = coerce_request_id(settled)
            if self.owed[key] > 1:
                self.owed[key] -= 1
            else:  # answered, cancelled, or never asked (a late cancellation)
                self.owed.pop(key, None)
        if self.settled is not None:
            self.settled.set()

    async def _answered(self) -> None:
        """Wait, at the end of input, for the calls running and then for every request
        read to be answered: the SDK cancels its handlers once its input ends, and a call
        whose tool had returned but whose answer was not yet written lost it (a script
        piping three requests got two answers, now and then). A request its client
        cancelled is owed none: the server does not wait for it (the client, closing,
        stopped a server that did). One the SDK leaves unanswered otherwise is waited for
        five seconds at most."""
        while self.running or self.owed:
            self.settled = anyio.Event()
            if self.running:
                await self.settled.wait()
                continue
            with anyio.move_on_after(5):
                await self.settled.wait()
            if not self.settled.is_set():
                return

    async def list_tools(self) -> list[Tool]:
        """The tools, each schema saying what ``call_tool`` enforces: no other arguments."""
        return [
            tool.model_copy(
                update={"input_schema": {**tool.input_schema, "additionalProperties": False}}
            )
            for tool in await super().list_tools()
        ]

    async def call_tool(self, name: str, arguments: dict[str, Any], *args: Any, **kw: Any) -> Any:
        if name in WRITE_TOOLS and not self.allow_writes:
            raise ToolError(WRITES_OFF)
        known = self.arguments.get(name)
        if known is None and name not in WRITE_TOOLS:  # the SDK's words, the name short
            raise ToolError(f"Unknown tool: {safetext.quoted(name)}")
        unknown = sorted(set(arguments or {}) - set(known)) if known is not None else []
        if unknown and known is not None:
            named = ", ".join(safetext.quoted(a) for a in unknown[:5])
            if len(unknown) > 5:
                named += f" and {len(unknown) - 5:,} more"
            raise ToolError(f"{name} has no argument {named} (its arguments: {', '.join(known)})")
        if (nul := nul_argument(arguments or {})) is not None:
            raise ToolError(f"Error executing tool {name}: {nul}")
        self.running += 1
        context = args[0] if args else kw.get("context")
        told = reporting.set(getattr(context, "report_progress", None))
        try:
            return await super().call_tool(name, arguments, *args, **kw)
        except ToolError as exc:
            refusal = exc.__cause__
            if not isinstance(refusal, ValidationError):
                raise
            raise ToolError(
                f"Error executing tool {name}: {argument_problems(refusal)}"
            ) from refusal
        finally:
            reporting.reset(told)
            self.running -= 1
            if self.settled is not None:
                self.settled.set()


def _stdout_gone() -> None:
    """Standard output, whose reader left, pointed at /dev/null: what is still buffered
    for it is dropped as the server exits, not told as one more broken pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


class _CountedAnswers:
    """The server's write stream, counting the answers it writes (``CrmServer.owed``)
    for the end of input to know when every request read has had its answer."""

    def __init__(self, stream: Any, server: CrmServer) -> None:
        self._stream, self._server = stream, server

    async def send(self, item: Any, /) -> None:
        await self._stream.send(item)
        if isinstance(getattr(item, "message", None), JSONRPCResponse | JSONRPCError):
            self._server._count(item.message)
            self._server.handshake.answered(item.message)

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def __aenter__(self) -> _CountedAnswers:
        await self._stream.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> bool | None:
        return await self._stream.__aexit__(*exc)  # type: ignore[no-any-return]


def build_server(crm: Crm, *, allow_writes: bool = False) -> CrmServer:
    """The MCP server over ``crm``: read tools always, write tools with ``allow_writes``."""
    server = CrmServer(
        allow_writes=allow_writes,
        name="tinycrm",
        version=__version__,
        log_level="WARNING",
        instructions=INSTRUCTIONS
        + ("" if allow_writes else "\nThis server is read-only (started without --allow-writes)."),
    )

    # A server runs for hours. Were its SQLite file renamed, deleted or replaced (a
    # backup restored) under it, its pooled connections would go on reading and writing
    # the old file, lost to the path: every tool refuses then, as the board does, and a
    # write looks again just before it commits.
    opened = crm.board.file_id()

    @contextmanager
    def reading() -> Iterator[None]:
        with refusals():
            crm.board.check_file(opened)
            yield

    # PostgreSQL waits for a lock for ever: a write behind another's would hold the
    # tools for good. Bounded as SQLite's busy timeout, told as "database is busy".
    crm.board.bound_lock_waits()
    turn = anyio.CapacityLimiter(1)

    def unless_cancelled() -> None:
        if cancelled():  # the client gave up on it: it rolls back, hooks and all
            raise ToolError("the call was cancelled; nothing was saved")

    @contextmanager
    def writing() -> Iterator[None]:
        with refusals(), crm.board.write(opened=opened, last_check=unless_cancelled):
            yield
            unless_cancelled()  # already (it waited for the lock): no hook is asked

    untold: list[str] = []
    """Writes saved although their client had cancelled them: said with the next answer."""

    def saved_unanswered(what: str) -> None:
        untold.append(what)
        print(f"tinycrm mcp: {what}", file=sys.stderr, flush=True)

    def tool(annotations: ToolAnnotations) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            if annotations is WRITE and not allow_writes:
                return fn

            def run(*args: Any, **kwargs: Any) -> CallToolResult:
                with warnings_told() as told:
                    data = fn(*args, **kwargs)
                if annotations is WRITE:
                    saved(f"{fn.__name__}, {SAVED_ANYWAY}: {saved_record(fn.__name__, data)} "
                          "(do not repeat it)")  # fmt: skip
                earlier = [untold.pop(0) for _ in list(untold)]
                return answer(data, [*earlier, *told])

            @functools.wraps(fn)  # the tool's own parameters, schema and description
            async def answering(*args: Any, **kwargs: Any) -> CallToolResult:
                work = functools.partial(run, *args, **kwargs)
                said = STILL_SAVING if annotations is WRITE else "still reading"
                return await off_the_loop(work, turn, untold=saved_unanswered, running=said)

            server.arguments[fn.__name__] = tuple(inspect.signature(fn).parameters)
            described = inspect.cleandoc(fn.__doc__ or "")  # not the source's indentation
            return server.tool(
                annotations=annotations, description=described, structured_output=True
            )(answering)

        return register

    # Each tool runs on a worker thread, one at a time (off_the_loop): a write waiting for
    # the database's lock or a slow hook leaves the server answering everything else.

    @tool(READ)
    def search(
        text: Annotated[
            str,
            Field(
                min_length=1,
                description='Words to find, each the start of a word ("contr" finds '
                '"contract"), or "a quoted phrase"; case and accents do not matter.',
            ),
        ],
        kinds: Annotated[
            list[str] | None,
            Field(
                description="Only these: contacts, companies, deals, activities, cases "
                "(default all)."
            ),
        ] = None,
        limit: Limit = 10,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        """Search everything: contact names, emails, phones, titles, notes and custom
        fields, companies, deal titles, activities (calls, notes, meetings, mail subjects
        and bodies) and support cases. Best first. Each hit has its kind, id, name, a
        detail line and a snippet where it matched; an activity or a case names the record
        it is about (about_kind, about_id). Pass a contact, company or deal id to its *_briefing.
        When the answer says more, the next page is at its next_offset."""
        if not search_text.parse(text):  # as the command line: not "no results"
            raise ToolError(
                f"nothing to search for in {safetext.quoted(text)}: give a word or a "
                '"quoted phrase"'
            )
        if kinds is not None:  # as the command line's --in: blanks passed over, not all
            kinds = [kind for kind in kinds if kind.strip()]
            if not kinds:
                raise ToolError(
                    "the kinds to search must not be empty: leave kinds out to search them all"
                )
        with reading():
            hits = crm.search(text, kinds=kinds, limit=limit + 1, offset=offset)
            return listed(hits, limit, offset)

    @tool(READ)
    def contact_briefing(ref: Ref, limit: Shown = 20) -> dict[str, Any]:
        """The 360-degree view of a contact, for a briefing before a meeting: details,
        company, deals, open tasks, the last interactions and changes, and when keeping
        in touch is next due."""
        with reading():
            return plain(crm.contacts.show(ref, limit=limit))

    @tool(READ)
    def company_briefing(ref: Ref, limit: Shown = 20) -> dict[str, Any]:
        """The 360-degree view of a company: details, its contacts, deals, open tasks,
        the last interactions and changes."""
        with reading():
            return plain(crm.companies.show(ref, limit=limit))

    @tool(READ)
    def deal_briefing(ref: Ref, limit: Shown = 20) -> dict[str, Any]:
        """The 360-degree view of a deal: details, stage history, open tasks, the last
        interactions and changes."""
        with reading():
            return plain(crm.deals.show(ref, limit=limit))

    @tool(READ)
    def list_contacts(where: Where = None, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        """Contacts by name, optionally filtered (--where language). When the answer says
        more, the next page is at its next_offset."""
        with reading():
            rows = crm.contacts.list(where=where, limit=limit + 1, offset=offset)
            return listed(rows, limit, offset)

    @tool(READ)
    def list_companies(
        where: Where = None, limit: Limit = 50, offset: Offset = 0
    ) -> dict[str, Any]:
        """Companies by name, optionally filtered (--where language). When the answer says
        more, the next page is at its next_offset."""
        with reading():
            rows = crm.companies.list(where=where, limit=limit + 1, offset=offset)
            return listed(rows, limit, offset)

    @tool(READ)
    def list_deals(
        where: Where = None,
        status: Annotated[
            Literal["open", "won", "lost", "all"], Field(description="Which deals.")
        ] = "open",
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        """Deals in pipeline and stage order (open ones by default), optionally filtered.
        When the answer says more, the next page is at its next_offset."""
        with reading():
            chosen = None if status == "all" else status
            rows = crm.deals.list(where=where, status=chosen, limit=limit + 1, offset=offset)
            return listed(rows, limit, offset)

    @tool(READ)
    def list_tasks(
        scope: Annotated[
            Literal["open", "overdue", "today", "upcoming", "done", "all"],
            Field(description="Which tasks, judged from now."),
        ] = "open",
        contact: Annotated[
            str | None,
            Field(description="Only this contact's (a REF).", max_length=REF_CHARS),
            BeforeValidator(an_id_as_text),
        ] = None,
        deal: Annotated[
            str | None,
            Field(description="Only this deal's (a REF).", max_length=REF_CHARS),
            BeforeValidator(an_id_as_text),
        ] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        """Tasks by due time. When the answer says more, the next page is at its
        next_offset."""
        with reading():
            rows = crm.tasks.list(scope, contact=contact, deal=deal, limit=limit + 1, offset=offset)
            return listed(rows, limit, offset)

    @tool(READ)
    def next_actions(limit: Limit = 20, offset: Offset = 0) -> dict[str, Any]:
        """What to do now, most pressing first (overdue tasks, deals going stale or
        closing, contacts due a touch), each with the reason and a score. When the answer
        says more, the next page is at its next_offset (judged anew: what grew more
        pressing meanwhile may move)."""
        with reading():
            return listed(crm.next(limit=limit + 1, offset=offset), limit, offset)

    @tool(READ)
    def report(
        name: Annotated[REPORTS, Field(description="Which report.")],
        start: Annotated[
            str | None, Field(description="First day: 2026-01-01 or relative, e.g. -90d.")
        ] = None,
        end: Annotated[str | None, Field(description="Last day, as start.")] = None,
        pipeline: Annotated[str | None, Field(description="Only this pipeline.")] = None,
        owner: Annotated[str | None, Field(description="Only this owner's deals.")] = None,
        by: Annotated[
            str | None,
            Field(
                description="Periods or groups, as the command line's --by: forecast month or "
                "quarter; winrate source, owner or pipeline; churn month or quarter; activity "
                "week or owner; cases week, month, priority or owner."
            ),
        ] = None,
    ) -> dict[str, Any]:
        """A sales report: pipeline (open deals by stage), forecast (weighted value by
        expected close), winrate, cycle (days to win), funnel, sources, churn, clv
        (customer lifetime value), activity (calls, emails… per period), cases (support
        cases: response and resolution times, SLA, CSAT; pipeline and owner do not
        apply) or dashboard (the key numbers). Money is per currency."""
        with reading(), _report_words():
            if name == "dashboard":
                given = {"start": start, "end": end, "pipeline": pipeline, "owner": owner}
                unused = [key for key, value in {**given, "by": by}.items() if value is not None]
                if unused:
                    last = unused.pop()
                    names = f"{', '.join(unused)} or {last}" if unused else last
                    raise Invalid(f"the dashboard report takes no {names}")
                return plain_report(crm.reports.dashboard())
            if name == "cases":
                if pipeline is not None or owner is not None:
                    raise Invalid("pipeline and owner do not apply to the cases report")
                return plain_report(crm.cases.report(by=by, start=start, end=end))
            run = getattr(crm.reports, name)
            grouped = {} if by is None else {"by": by}
            if grouped and "by" not in inspect.signature(run).parameters:
                raise Invalid(f"the {name} report has no by")
            scope = {"start": start, "end": end, "pipeline": pipeline, "owner": owner}
            return plain_report(run(**scope, **grouped))

    @tool(READ)
    def feed(limit: Limit = 20, offset: Offset = 0) -> dict[str, Any]:
        """The latest changes, newest first: every create, edit, move, win and loss. When
        the answer says more, the next page is at its next_offset (a change made meanwhile
        comes first and moves the others one on)."""
        with reading():
            return listed(crm.feed(limit=limit + 1, offset=offset), limit, offset)

    # ------------------------------------------------------------------ writes

    @tool(WRITE)
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
            BeforeValidator(an_id_as_text),
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

    @tool(WRITE)
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
            BeforeValidator(an_id_as_text),
        ],
        text: Annotated[str, Field(min_length=1, description="A one-line summary.")],
        body: Annotated[str | None, Field(description="Longer notes.")] = None,
        at: Annotated[
            str | None,
            Field(
                description="When it happened (default now): '2026-12-01 "
                "14:00', 'yesterday 15:00', '-2h'."
            ),
        ] = None,
    ) -> dict[str, Any]:
        """Record a call, email, meeting or note. A deal's contact and company are linked too."""
        with writing(), _subject_is_text():
            return plain(crm.log(kind, ref, text, body=body, at=at))

    @tool(WRITE)
    def add_task(
        text: Annotated[str, Field(min_length=1, description="What to do.")],
        due: Annotated[
            str, Field(description="When: 'tomorrow 9:00', 'friday', '+3d', '2026-12-24 10:00'.")
        ],
        contact: Annotated[
            str | None,
            Field(description="A contact REF.", max_length=REF_CHARS),
            BeforeValidator(an_id_as_text),
        ] = None,
        company: Annotated[
            str | None,
            Field(description="A company REF.", max_length=REF_CHARS),
            BeforeValidator(an_id_as_text),
        ] = None,
        deal: Annotated[
            str | None,
            Field(description="A deal REF.", max_length=REF_CHARS),
            BeforeValidator(an_id_as_text),
        ] = None,
        body: str | None = None,
    ) -> dict[str, Any]:
        """Add a task with a due time, about a contact, company or deal."""
        with writing(), _subject_is_text():
            added = crm.tasks.add(
                text, due=due, contact=contact, company=company, deal=deal, body=body
            )
            return plain(added)

    @tool(WRITE)
    def complete_task(
        task_id: Annotated[
            int,
            Field(ge=1, le=MAX_ID, description="The task's id (list_tasks shows it)."),
            Number,
        ],
    ) -> dict[str, Any]:
        """Mark a task done; a repeating task gets its next occurrence."""
        with writing():
            return plain(crm.tasks.done(task_id))

    @tool(WRITE)
    def move_deal(
        ref: Ref,
        stage: Annotated[str, Field(min_length=1, description="The stage to move it to.")],
    ) -> dict[str, Any]:
        """Move a deal to another stage of its pipeline."""
        with writing():
            return plain(crm.deals.move(ref, stage))

    @tool(WRITE)
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

    return server
