"""What a tool answers: records as ``--json`` prints them, then the warnings told."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent

from tinycrm import safetext
from tinycrm.errors import TinyCrmError, TinyCrmWarning
from tinycrm.formats import jsonnumbers
from tinycrm.mcp_server.fitting import cut_text, fit
from tinycrm.mcp_server.words import tool_words

TOLD_CHARS = 2_000
"""At most this many characters of a warning told or a refusal (a hook's first line of
output may be 64 KiB)."""


def plain(data: Any) -> dict[str, Any]:
    """A read model as the JSON object ``--json`` prints; a list as ``{"results": […],
    "count": n}`` (a tool's structured result is an object). Amounts are
    ``jsonnumbers`` markers until ``answer`` writes them."""
    if isinstance(data, list):
        return {"results": jsonnumbers.jsonable(data), "count": len(data)}
    result: dict[str, Any] = jsonnumbers.jsonable(data)
    return result


def listed(rows: list[Any], limit: int, offset: int = 0) -> dict[str, Any]:
    """A page asked for with one row past ``limit`` from ``offset``: ``{"results": […],
    "count": n, "offset": offset, "more": …}``, ``more`` saying whether the limit left
    rows out (a default limit of 50 would otherwise pass for all there is), and then
    ``next_offset``, the offset of the next page."""
    page: dict[str, Any] = {**plain(rows[:limit]), "offset": offset, "more": len(rows) > limit}
    if page["more"]:
        page["next_offset"] = offset + page["count"]
    return page


def plain_report(report: Any) -> dict[str, Any]:
    """A report as ``report NAME --json`` prints it: its amounts numbers, not strings."""
    result: dict[str, Any] = jsonnumbers.marked(report.model_dump())
    return result


def answer(data: dict[str, Any], told: list[str] | None = None) -> CallToolResult:
    """A tool's result: its JSON as text, every amount exact as ``--json`` prints it
    (``999999999999999.99``), and the same JSON as the structured result, where the SDK
    writes amounts as floats (a client wanting every digit parses the text with
    ``parse_float=Decimal``). Then each warning ``told``, as the command line says it on
    stderr: ``Warning: …``, one line, its controls escaped. At most ``ANSWER_CHARS`` of
    JSON (``fitting``): a longer answer is cut, saying so."""
    data, text = fit(data)
    said = [
        f"Warning: {safetext.display(cut_text(' '.join(line.split()), TOLD_CHARS))}"
        for line in told or ()
    ]
    return CallToolResult(
        content=[TextContent(type="text", text=line) for line in [text, *said]],
        structured_content=json.loads(text),
    )


@contextmanager
def warnings_told() -> Iterator[list[str]]:
    """The ``TinyCrmWarning``s issued inside (a likely duplicate, a phone kept as typed,
    a post-write hook that failed), collected for the answer: on the server's stderr the
    assistant would never see them. Other warnings are shown as before."""
    told: list[str] = []
    shown = warnings.showwarning

    def show(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if issubclass(category, TinyCrmWarning):
            said = str(message)  # a failed post-write hook's words are its own
            told.append(tool_words(said, own=said.startswith("post-write hook ")))
        else:
            shown(message, category, *args, **kwargs)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield told


@contextmanager
def refusals() -> Iterator[None]:
    """The CRM's refusals as tool errors with tinycrm's own message, its controls shown
    escaped as on the command line (a client may show it on a terminal; a hook's first
    line of output, say, is the hook's own text); its advice in the server's words
    (``words.tool_words``: a tool where the command line names a command), but for a
    hook's own."""
    from tinycrm.hooks import HookRefused

    try:
        yield
    except TinyCrmError as exc:
        said = tool_words(str(exc), own=isinstance(exc, HookRefused))
        raise ToolError(safetext.display(cut_text(said, TOLD_CHARS), multiline=True)) from exc
