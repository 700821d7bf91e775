"""A quote as one self-contained HTML page (inline style, every text escaped, controls
shown as escapes)."""

from __future__ import annotations

from html import escape

from tinycrm.documents.model import Party, QuoteDocument
from tinycrm.safetext import display

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2.5em auto; max-width: 50em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
table { border-collapse: collapse; width: 100%; margin: 1.5em 0; }
th, td { padding: 0.35em 0.5em; border-bottom: 1px solid #ddd; text-align: left; }
td.num, th.num { text-align: right; white-space: nowrap; }
.parties { display: flex; gap: 4em; margin-top: 1.5em; }
.totals td { border: none; }
.totals tr.total td { font-weight: bold; border-top: 2px solid #222; }
.facts td { border: none; padding: 0.1em 0.8em 0.1em 0; }
footer { margin-top: 2em; color: #666; font-size: 0.9em; }
"""


TOTAL = ' class="total"'


def _e(text: str) -> str:
    """Text as HTML: controls shown as escapes (stored text may hold them:
    :mod:`tinycrm.safetext`), then markup characters escaped."""
    return escape(display(text, multiline=True), quote=True)


def _lines(text: str) -> str:
    """Text of several lines, a ``<br>`` between them."""
    return "<br>".join(_e(line) for line in text.splitlines())


def _party(title: str, party: Party) -> str:
    lines = [p for p in (party.name, *party.lines) if p]
    body = "<br>".join(_e(line) for line in lines) or "—"
    return f"<div><h2>{_e(title)}</h2><p>{body}</p></div>"


def to_html(doc: QuoteDocument) -> str:
    """The quote as an HTML document."""
    facts = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in doc.facts())
    head = (
        '<tr><th>#</th><th>Description</th><th class="num">Qty</th>'
        '<th class="num">Unit price</th><th class="num">Discount</th>'
        '<th class="num">Tax</th><th class="num">Net</th></tr>'
    )
    rows = "".join(
        f"<tr><td>{line.position}</td><td>{_e(line.description)}</td>"
        f'<td class="num">{_e(line.quantity)}</td><td class="num">{_e(line.unit_price)}</td>'
        f'<td class="num">{_e(line.discount)}</td><td class="num">{_e(line.tax)}</td>'
        f'<td class="num">{_e(line.net)}</td></tr>'
        for line in doc.lines
    )
    totals = "".join(
        f"<tr{TOTAL if label == 'Total' else ''}><td>{_e(label)}</td>"
        f'<td class="num">{_e(value)}</td></tr>'
        for label, value in doc.totals()
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(doc.title())}</title><style>{STYLE}</style></head><body>",
        f"<h1>{_e(doc.title())}</h1>",
        f'<table class="facts">{facts}</table>',
        f'<div class="parties">{_party("From", doc.seller)}{_party("To", doc.customer)}</div>',
        f"<table><thead>{head}</thead><tbody>{rows}</tbody></table>",
        f'<table class="totals">{totals}</table>',
    ]
    if doc.payment_terms:  # may hold line breaks, as the notes
        parts.append(f"<p>Payment terms: {_lines(doc.payment_terms)}</p>")
    if doc.notes:
        parts.append(f"<h2>Notes</h2><p>{_lines(doc.notes)}</p>")
    if doc.footer:
        parts.append(f"<footer>{_e(' · '.join(doc.footer))}</footer>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
