"""A quote as a PDF, through fpdf2 (pure Python).

Text is written in a Unicode TrueType font when one is at hand: the one ``[quotes]
pdf_font`` names, else DejaVu Sans, Noto Sans or Liberation Sans where the system keeps
them. Without one, Helvetica (the PDF's built-in font) writes Latin-1 text: ``€`` and
typographic dashes and quotes are spelled out (``EUR``, ``-``, ``"``), and any other
character it cannot show is refused with one line naming it, so a PDF never silently
drops a customer's name. A TrueType font is held to the same rule: a character it has no
glyph for (DejaVu Sans has no Chinese, for one) is refused naming it and the font.
"""

from __future__ import annotations

from collections.abc import Container
from pathlib import Path

from tinycrm.documents.model import HEADERS, Party, QuoteDocument
from tinycrm.safetext import display

BUILTIN = "builtin"
SYSTEM_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  # Debian, Ubuntu
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",  # Fedora
    "/usr/share/fonts/TTF/DejaVuSans.ttf",  # Arch
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/Library/Fonts/Arial Unicode.ttf",  # macOS
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "C:\\Windows\\Fonts\\arial.ttf",
)
LATIN1_SPELLED = {
    "€": "EUR ",
    "–": "-",
    "—": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "…": "...",
    "\u202f": " ",
    "\u2009": " ",
}
WIDTHS = (8, 70, 18, 26, 18, 14, 26)  # mm: #, description, qty, price, discount, tax, net


def find_font(font: Path | str | None) -> Path | None:
    """The TrueType font to use: ``font`` (``"builtin"``: none), else a system one."""
    if font is not None and str(font).strip():
        if str(font).strip() == BUILTIN:
            return None
        path = Path(font).expanduser()
        if not path.is_file():
            raise ValueError(f"PDF font {path} does not exist ([quotes] pdf_font)")
        return path
    for candidate in SYSTEM_FONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    return None


class _Text:
    """Makes text writable in the chosen font: Latin-1 for Helvetica; for a TrueType
    font (``glyphs``: the code points it has, ``font``: its file), only what it can draw,
    since fpdf2 would put an empty box in the place of any other character and go on."""

    def __init__(self, unicode: bool, glyphs: Container[int] = (), font: Path | None = None):
        self.unicode = unicode
        self.glyphs = glyphs
        self.font = font

    def __call__(self, text: str) -> str:
        text = display(text, multiline=True)  # stored controls written as escapes (\x1b)
        if self.unicode:
            for char in text:
                if char not in "\n\t" and ord(char) not in self.glyphs:
                    raise ValueError(
                        f"the PDF font {self.font} has no {char!r} (in {text[:40]!r}): set "
                        "[quotes] pdf_font to a TrueType font that has it, or use --format html"
                    )
            return text
        out = "".join(LATIN1_SPELLED.get(c, c) for c in text).replace("EUR  ", "EUR ")
        for char in out:
            if ord(char) > 0xFF:
                raise ValueError(
                    f"the PDF's built-in font cannot write {char!r} (in {text[:40]!r}): set "
                    "[quotes] pdf_font to a Unicode TrueType font (DejaVuSans.ttf), or use "
                    "--format html"
                )
        return out


def to_pdf(doc: QuoteDocument, *, font: Path | str | None = None) -> bytes:
    """The quote as PDF bytes (A4). ``ValueError`` with one line for text it cannot write."""
    from fpdf import FPDF
    from fpdf.fonts import TTFFont

    ttf = find_font(font)
    pdf = FPDF(format="A4")
    if ttf is not None:
        try:
            pdf.add_font("body", "", str(ttf))
        except Exception as exc:  # fpdf2 raises several kinds for a bad font file
            raise ValueError(f"cannot use PDF font {ttf}: {exc}") from None
        family, bold = "body", ""
        added = pdf.fonts["body"]
        assert isinstance(added, TTFFont)
        text = _Text(True, added.cmap, ttf)
    else:
        family, bold = "helvetica", "B"
        text = _Text(False)
    pdf.set_title(text(doc.title()))
    pdf.set_creator("tinycrm")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()

    def write(value: str, size: float = 10, style: str = "", height: float = 5) -> None:
        pdf.set_font(family, style if ttf is None else "", size)
        pdf.multi_cell(0, height, text(value), new_x="LMARGIN", new_y="NEXT")

    write(doc.title(), size=18, style=bold, height=10)
    for label, value in doc.facts():
        write(f"{label}: {value}")
    pdf.ln(4)
    _parties(pdf, family, text, doc.seller, doc.customer)
    pdf.ln(4)
    _table(pdf, family, bold if ttf is None else "", text, doc)
    pdf.ln(3)
    for label, value in doc.totals():
        pdf.set_font(family, bold if label == "Total" and ttf is None else "", 10)
        pdf.cell(sum(WIDTHS[:-1]), 6, text(label), align="R")
        pdf.cell(WIDTHS[-1], 6, text(value), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    if doc.payment_terms:
        write(f"Payment terms: {doc.payment_terms}")
    if doc.notes:
        pdf.ln(2)
        write("Notes", style=bold)
        write(doc.notes)
    if doc.footer:
        pdf.ln(4)
        write(" · ".join(doc.footer) if ttf is not None else " - ".join(doc.footer), size=8)
    return bytes(pdf.output())


def _parties(pdf: object, family: str, text: _Text, seller: Party, customer: Party) -> None:
    from fpdf import FPDF

    assert isinstance(pdf, FPDF)
    top = pdf.get_y()
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    for column, (title, party) in enumerate((("From", seller), ("To", customer))):
        pdf.set_xy(pdf.l_margin + column * half, top)
        lines = [p for p in (party.name, *party.lines) if p] or ["-"]
        pdf.set_font(family, "", 9)
        pdf.multi_cell(half - 4, 5, text("\n".join([title.upper(), *lines])))
    pdf.set_xy(pdf.l_margin, max(pdf.get_y(), top + 30))


def _table(pdf: object, family: str, bold: str, text: _Text, doc: QuoteDocument) -> None:
    """The lines as a table; a long description wraps in its cell, nothing is cut."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    assert isinstance(pdf, FPDF)
    align = tuple("LEFT" if head == "Description" else "RIGHT" for head in HEADERS)
    pdf.set_font(family, "", 9)
    with pdf.table(
        col_widths=WIDTHS,
        text_align=align,
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis=bold or None),
        line_height=5,
        width=sum(WIDTHS),
        align="LEFT",
    ) as table:
        table.row([text(head) for head in HEADERS])
        for line in doc.lines:
            table.row([text(value) for value in line.cells()])
