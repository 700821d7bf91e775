"""A quote as a PDF, through fpdf2 (pure Python).

Text is written in a Unicode TrueType font when one is at hand: the one ``[quotes]
pdf_font`` names, else DejaVu Sans, Noto Sans or Liberation Sans where the system keeps
them. Without one, Helvetica (the PDF's built-in font) writes Latin-1 text: ``€`` and
typographic dashes and quotes are spelled out (``EUR``, ``-``, ``"``), and any other
character it cannot show is refused with one line naming it, so a PDF never silently
drops a customer's name. A TrueType font is held to the same rule: a character it has no
glyph for (DejaVu Sans has no Chinese, for one) is refused naming it and the font.

fpdf2 draws a text's characters in the order they are stored, one glyph each (it shapes
text only through HarfBuzz, which tinycrm does not need). So every line drawn is put in
visual order first (the Unicode bidi algorithm, ``fpdf.bidi``): Hebrew reads right to
left, brackets in it mirrored, a wrapped paragraph's first line on top. Letters that
join (Arabic, Syriac, N'Ko, Mandaic, Mongolian) cannot be written unshaped: they are
refused as a missing glyph is, naming the text (HTML has them: a browser shapes).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Container
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
RIGHT_TO_LEFT = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
"""Characters of right-to-left scripts (Hebrew, Arabic, …): a line with none is drawn as
it is stored, without the bidi algorithm's cost (a quote of 10,000 lines)."""
JOINED = (
    ("Arabic", "\u0600", "\u06ff"),
    ("Syriac", "\u0700", "\u074f"),
    ("Arabic", "\u0750", "\u077f"),
    ("N'Ko", "\u07c0", "\u07ff"),
    ("Mandaic", "\u0840", "\u085f"),
    ("Arabic", "\u0870", "\u08ff"),
    ("Mongolian", "\u1800", "\u18af"),
)
"""Scripts whose letters join and change shape with their neighbours: (name, first, last)."""
MIRRORED = dict(zip("()[]{}<>«»‹›", ")(][}{><»«›‹", strict=True))


def joined_script(char: str) -> str | None:
    """The name of the joining script a letter or mark of ``char`` belongs to (None: not
    one; digits and punctuation of those blocks need no shaping)."""
    for name, first, last in JOINED:
        if first <= char <= last:
            return name if unicodedata.category(char)[0] in "LM" else None
    return None


def visual(line: str) -> str:
    """One line of text as it is drawn left to right: in visual order, brackets at a
    right-to-left level mirrored (a line with no right-to-left character as it is)."""
    if not RIGHT_TO_LEFT.search(line):
        return line
    from fpdf.bidi import BidiParagraph

    drawn = BidiParagraph(line).get_reordered_characters()
    return "".join(
        MIRRORED.get(c.character, c.character) if c.embedding_level % 2 else c.character
        for c in drawn
    )


def find_font(font: Path | str | None) -> Path | None:
    """The TrueType font to use: ``font`` (``"builtin"``: none), else a system one."""
    if font is not None and str(font).strip():
        if str(font).strip() == BUILTIN:
            return None
        from tinycrm.errors import Invalid
        from tinycrm.files import expand_home

        try:  # '~nouser/f.ttf' raised RuntimeError from Path.expanduser: a traceback
            path = expand_home(font, "PDF font")
        except Invalid as exc:
            raise ValueError(f"{exc} ([quotes] pdf_font)") from None
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
                script = joined_script(char) if "\u0600" <= char <= "\u18af" else None
                if script is not None:
                    raise ValueError(
                        f"the PDF cannot join the {script} letters of {text[:40]!r} (it does "
                        "not shape text): use --format html"
                    )
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
        _paragraph(pdf, 0, height, text(value))
        pdf.set_x(pdf.l_margin)

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
        pdf.cell(sum(WIDTHS[:-1]), 6, visual(text(label)), align="R")
        pdf.cell(WIDTHS[-1], 6, visual(text(value)), align="R", new_x="LMARGIN", new_y="NEXT")
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
        _paragraph(pdf, half - 4, 5, text("\n".join([title.upper(), *lines])))
    pdf.set_xy(pdf.l_margin, max(pdf.get_y(), top + 30))


def _paragraph(pdf: object, width: float, height: float, value: str) -> None:
    """``value`` wrapped in a column ``width`` wide (0: to the right margin) from where
    the pen is, each line in visual order (``visual``), the pen under it at the
    column's left after; a paragraph whose first strong character is right-to-left is
    aligned right.

    Wrapped by ``_wrap`` and written a line at a time with ``FPDF.text``, on the next
    page when this one is full: fpdf2's ``multi_cell`` measures each line again for
    every character it adds, which took 13 s and more for notes of a megabyte."""
    from fpdf import FPDF

    assert isinstance(pdf, FPDF)
    x, y = pdf.get_x(), pdf.get_y()
    if not width:
        width = pdf.w - pdf.r_margin - x
    pad = pdf.c_margin
    measure = _measure(pdf)
    baseline = height / 2 + 0.3 * pdf.font_size  # where fpdf2's cell() puts its text
    right_to_left = RIGHT_TO_LEFT.search(value) is not None
    for paragraph in value.split("\n"):
        right = False
        if right_to_left and RIGHT_TO_LEFT.search(paragraph):
            from fpdf.bidi import auto_detect_base_direction
            from fpdf.enums import TextDirection

            right = auto_detect_base_direction(paragraph) == TextDirection.RTL
        for line in _wrap(paragraph, width - 2 * pad, measure):
            if y + height > pdf.page_break_trigger and y > pdf.t_margin + 1e-6:
                pdf.add_page()
                y = pdf.get_y()
            if line:
                shift = width - pad - measure(line) if right else pad
                pdf.text(x + shift, y + baseline, visual(line))
            y += height
    pdf.set_xy(x, y)


def _table(pdf: object, family: str, bold: str, text: _Text, doc: QuoteDocument) -> None:
    """The lines as a table; a long cell wraps (between words, else between characters),
    nothing is cut, and a row longer than what is left of a page goes on on the next one
    under the headings again.

    Written line by line with ``FPDF.text`` from the font's own widths: fpdf2's
    ``table()`` lays every cell out twice through ``multi_cell``, which took 42 s of CPU
    for a quote of 10,000 lines; this takes a second or two."""
    from fpdf import FPDF

    assert isinstance(pdf, FPDF)
    height, size = 5.0, 9.0
    pad = pdf.c_margin
    left = pdf.l_margin
    pdf.set_font(family, bold, size)
    heading_width = _measure(pdf)
    pdf.set_font(family, "", size)
    width = _measure(pdf)
    widths = _widths(doc, heading_width, width, pad)
    starts = [left + sum(widths[:i]) for i in range(len(widths))]
    right = left + sum(widths)
    baseline = height / 2 + 0.3 * pdf.font_size  # where fpdf2's cell() puts its text
    headings = [text(head) for head in HEADERS]
    at_left = [head == "Description" for head in HEADERS]

    def row(cells: list[list[str]], measure: Callable[[str], float]) -> None:
        """One row, each cell's lines together (text is read back cell by cell); moved
        to the next page when it does not fit what is left of this one, and split over
        pages only when it is taller than a page."""
        done, total = 0, max(len(c) for c in cells)
        while done < total:
            room = int((pdf.page_break_trigger - pdf.get_y()) / height + 1e-9)
            if room < total - done and (room < 1 or pdf.get_y() > top[0] + 1e-6):
                pdf.add_page()
                heading()
                continue
            take = min(room, total - done)
            y = pdf.get_y()
            for lines, x, w, left_aligned in zip(cells, starts, widths, at_left, strict=True):
                for n, piece in enumerate(lines[done : done + take]):
                    if piece:
                        shift = pad if left_aligned else w - pad - measure(piece)
                        pdf.text(x + shift, y + n * height + baseline, piece)
            pdf.set_y(y + take * height)
            done += take

    top = [0.0]  # where the rows start on this page, under its headings

    def heading() -> None:
        if pdf.get_y() + 2 * height > pdf.page_break_trigger:  # with one line under them
            pdf.add_page()
        top[0] = float("inf")  # the headings themselves are never moved on
        pdf.set_font(family, bold, size)
        cells = [
            _wrap(h, w - 2 * pad, heading_width) for h, w in zip(headings, widths, strict=True)
        ]
        row(cells, heading_width)
        pdf.line(left, pdf.get_y(), right, pdf.get_y())
        pdf.set_font(family, "", size)
        top[0] = pdf.get_y()

    heading()
    for number, line in enumerate(doc.lines):
        if number:
            pdf.line(left, pdf.get_y(), right, pdf.get_y())
        values = [text(value) for value in line.cells()]
        cells = [
            [visual(piece) for piece in _wrap(v, w - 2 * pad, width)]
            for v, w in zip(values, widths, strict=True)
        ]
        row(cells, width)
    pdf.set_x(left)


def _measure(pdf: object) -> Callable[[str], float]:
    """The width of a text in the current font and size (fpdf2's own figures, without
    the per-call work of ``get_string_width``)."""
    from fpdf import FPDF

    assert isinstance(pdf, FPDF)
    font, points, k = pdf.current_font, pdf.font_size_pt, pdf.k
    assert font is not None
    known: dict[str, float] = {}  # a quote's amounts, rates and units repeat

    def measure(value: str) -> float:
        width = known.get(value)
        if width is None:
            width = float(font.get_text_width(value.replace("\t", " "), points, None)[1]) / k
            if len(known) < 100_000:
                known[value] = width
        return width

    return measure


def _widths(
    doc: QuoteDocument, heading: Callable[[str], float], body: Callable[[str], float], pad: float
) -> list[float]:
    """``WIDTHS``, the ``#`` column as wide as its widest number needs (the description
    gives what it takes, keeping at least half of its own)."""
    longest = max((len(str(line.position)) for line in doc.lines), default=1)
    numbers = {str(line.position) for line in doc.lines if len(str(line.position)) == longest}
    need = max([heading(HEADERS[0]), *(body(n) for n in numbers)]) + 2 * pad
    widths = [float(w) for w in WIDTHS]
    grow = min(max(0.0, need - widths[0]), widths[1] / 2)
    widths[0] += grow
    widths[1] -= grow
    return widths


def _wrap(value: str, room: float, measure: Callable[[str], float]) -> list[str]:
    """``value`` in lines no wider than ``room``: between words where it can, else between
    characters (a word longer than the cell); its own line ends kept. Each word (and
    each character of a word wider than the cell) is measured once: a line's width is
    the sum of its words' and spaces' (the fonts fpdf2 writes here have no kerning)."""
    out: list[str] = []
    space = measure(" ")
    for paragraph in value.split("\n"):
        if measure(paragraph) <= room:
            out.append(paragraph)
            continue
        parts: list[str] = []  # the words of the line being filled
        used, chars = 0.0, 0  # its width and length (0: nothing on it yet)
        for word in paragraph.split(" "):
            wide = measure(word)
            if chars and used + space + wide <= room:
                parts.append(word)
                used, chars = used + space + wide, chars + 1 + len(word)
                continue
            if not chars and wide <= room:
                parts, used, chars = [word], wide, len(word)
                continue
            if chars:
                out.append(" ".join(parts))
            if wide > room and len(word) > 1:
                first, wide = 0, measure(word[0])
                for at in range(1, len(word)):
                    step = measure(word[at])
                    if wide + step <= room:
                        wide += step
                        continue
                    out.append(word[first:at])
                    first, wide = at, step
                word = word[first:]
            parts, used, chars = [word], wide, len(word)
        out.append(" ".join(parts))
    return out
