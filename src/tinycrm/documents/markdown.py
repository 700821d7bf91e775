"""A quote as Markdown: headings, a pipe table, the totals."""

from __future__ import annotations

from tinycrm.documents.model import HEADERS, Party, QuoteDocument
from tinycrm.safetext import display


def _cell(text: str) -> str:
    """Text safe inside a table cell and on one line: controls shown as escapes (stored
    text may hold them: :mod:`tinycrm.safetext`), pipes and Markdown marks escaped."""
    flat = " ".join(display(text, multiline=True).split())
    for mark in ("\\", "|", "*", "_", "`", "[", "]", "<", ">", "#"):
        flat = flat.replace(mark, "\\" + mark)
    return flat


def _party(title: str, party: Party) -> list[str]:
    out = [f"**{title}**", ""]
    lines = [p for p in (party.name, *party.lines) if p]
    out += [_cell(line) + "  " for line in lines] or ["—"]
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
    if doc.payment_terms:
        out += [f"Payment terms: {_cell(doc.payment_terms)}", ""]
    if doc.notes:
        out += ["## Notes", "", *[_cell(n) + "  " for n in doc.notes.splitlines()], ""]
    if doc.footer:
        out += [_cell(" · ".join(doc.footer)), ""]
    return "\n".join(out)
