"""Documents a customer receives: a quote as Markdown, HTML or PDF.

The renderers take a :class:`~tinycrm.documents.model.QuoteDocument` (plain, formatted
text: amounts already written out with their currency) and return bytes; they know
nothing of the database.
"""

from __future__ import annotations

from pathlib import Path

from tinycrm.documents.model import DocumentLine, Party, QuoteDocument, TaxRow

__all__ = ["FORMATS", "DocumentLine", "Party", "QuoteDocument", "TaxRow", "render"]

FORMATS = ("md", "html", "pdf")


def render(document: QuoteDocument, fmt: str, *, pdf_font: Path | str | None = None) -> bytes:
    """``document`` as ``md``, ``html`` or ``pdf`` bytes. ``pdf_font``: a TrueType font
    for the PDF (``"builtin"``: Helvetica, Latin-1 only; None: a Unicode font found on
    the system, else Helvetica). ``ValueError`` with one line when it cannot be done."""
    if fmt == "md":
        from tinycrm.documents.markdown import to_markdown

        return to_markdown(document).encode("utf-8")
    if fmt == "html":
        from tinycrm.documents.html import to_html

        return to_html(document).encode("utf-8")
    if fmt == "pdf":
        from tinycrm.documents.pdf import to_pdf

        return to_pdf(document, font=pdf_font)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
