"""A quote as Markdown: headings, a pipe table, the totals."""

from __future__ import annotations

import re

from tinycrm.documents.model import HEADERS, Party, QuoteDocument
from tinycrm.safetext import display

_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
"""An ``&`` that would start a character reference (``&amp;``, ``&#169;``)."""
_BLOCK = re.compile(r"^([0-9]{1,9}(?=[.)])|[-+=])")
"""What opens a block at the start of a line: a list item (``-``, ``+``, ``1.``,
``2)``), a rule or heading underline (``---``, ``===``); ``_cell`` escapes the other
marks (``#``, ``>``, a fence's ``~`` and backtick) wherever they are."""


def _cell(text: str) -> str:
    """Text safe inside a table cell and on one line: controls shown as escapes (stored
    text may hold them: :mod:`tinycrm.safetext`), pipes and Markdown marks escaped."""
    flat = " ".join(display(text, multiline=True).split())
    for mark in ("\\", "|", "*", "_", "`", "[", "]", "<", ">", "#", "~"):
        flat = flat.replace(mark, "\\" + mark)
    return _ENTITY.sub(r"\\&", flat)


def _line(text: str) -> str:
    """``_cell`` at the start of a line: what would open a block there is escaped too
    (``1986\\. A year``, ``\\---``), so the line shows as typed."""
    cell = _cell(text)
    m = _BLOCK.match(cell)
    if m is None:
        return cell
    if m[1][0].isdigit():  # the mark is the point or parenthesis after the number
        return f"{m[1]}\\{cell[len(m[1]) :]}"
    return "\\" + cell


def _party(title: str, party: Party) -> list[str]:
    out = [f"**{title}**", ""]
    lines = [p for p in (party.name, *party.lines) if p]
    out += [_line(line) + "  " for line in lines] or ["—"]
    return [*out, ""]


def to_markdown(doc: QuoteDocument) -> str:
    """The quote as a Markdown document."""
    out = [f"# {_cell(doc.title())}", ""]
    out += [f"- {label}: {_cell(value)}" for label, value in doc.facts()]
    out.append("")
    out += _party("From", doc.seller)
    out += _party("To", doc.customer)
    out.append("| " + " | ".join(HEADERS) + " |")
    out.append("|---|---|--:|--:|--:|--:|--:|")
    for line in doc.lines:
        out.append("| " + " | ".join(_cell(c) for c in line.cells()) + " |")
    out.append("")
    for label, value in doc.totals():
        text = f"{_cell(label)}: {_cell(value)}"
        out.append(f"**{text}**  " if label == "Total" else f"{text}  ")
    out.append("")
    if doc.payment_terms:  # may hold line breaks: a line each, as the notes
        first, *more = doc.payment_terms.splitlines() or [""]
        out += [f"Payment terms: {_cell(first)}  ", *[_line(t) + "  " for t in more], ""]
    if doc.notes:
        out += ["## Notes", "", *[_line(n) + "  " for n in doc.notes.splitlines()], ""]
    if doc.footer:
        out += [_line(" · ".join(doc.footer)), ""]
    return "\n".join(out)
