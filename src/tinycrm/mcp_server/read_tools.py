"""The read tools: search, the briefings, the lists, next actions, reports and the feed.

Always there, writes allowed or not. Each lists a page at a time (``limit``, ``offset``,
and ``more`` saying whether there is another) or answers one record's view.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from tinycrm import safetext, search_text
from tinycrm.errors import Invalid
from tinycrm.mcp_server.answers import listed, plain, plain_report
from tinycrm.mcp_server.arguments import (
    AN_ID_AS_TEXT,
    KINDS_AT_MOST,
    REF_CHARS,
    REPORTS,
    WHEN_CHARS,
    Limit,
    Offset,
    Ref,
    Shown,
    Where,
)
from tinycrm.mcp_server.toolbox import READ, Toolbox


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


def add_read_tools(box: Toolbox) -> None:
    """Register the read tools on ``box``'s server."""
    crm, tool, reading = box.crm, box.tool, box.reading

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
                "(default all).",
                max_length=KINDS_AT_MOST,
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
            AN_ID_AS_TEXT,
        ] = None,
        deal: Annotated[
            str | None,
            Field(description="Only this deal's (a REF).", max_length=REF_CHARS),
            AN_ID_AS_TEXT,
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
            str | None,
            Field(
                description="First day: 2026-01-01 or relative, e.g. -90d.", max_length=WHEN_CHARS
            ),
        ] = None,
        end: Annotated[
            str | None, Field(description="Last day, as start.", max_length=WHEN_CHARS)
        ] = None,
        pipeline: Annotated[
            str | None, Field(description="Only this pipeline.", max_length=REF_CHARS)
        ] = None,
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
