"""HTML mail as plain text: what a person reads, not the markup.

Scripts, styles and the head are dropped; block elements (paragraphs, divs, table rows,
list items, headings) and ``<br>`` end lines; list items get a bullet; links keep their
text; entities are decoded. Runs of blank lines and spaces are collapsed. The standard
library's HTML parser reads what mail clients write, tag soup included.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_text"]

_SKIP = frozenset({"script", "style", "head", "title", "template"})
_BLOCK = frozenset(
    {"p", "div", "tr", "table", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
     "blockquote", "pre", "section", "article", "header", "footer", "hr", "dl", "dt", "dd"}
)  # fmt: skip
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.head = False  # in a <head> and nothing else skipped: what else closes it

    def _body_starts(self) -> None:
        """A <head> left open ends where the body starts, as a browser reads it: at
        <body>, a block, a line break or text (else all the mail is its head)."""
        if self.head and self.skipping == 1:
            self.head, self.skipping = False, 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body" or tag in _BLOCK or tag in ("br", "td", "th"):
            self._body_starts()
        if tag == "head" and not self.skipping:
            self.head = True
        if tag in _SKIP:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag in _BLOCK:
            self.parts.append("\n\n" if tag in ("p", "table", "blockquote") else "\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr", "body"):
            self._body_starts()
        if tag == "br" or tag == "hr":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
            self.head = self.head and tag != "head" and self.skipping > 0
        elif tag in _BLOCK and tag != "li":  # the next item starts its own line
            self.parts.append("\n\n" if tag in ("p", "table", "blockquote") else "\n")

    def handle_data(self, data: str) -> None:
        if data.strip():
            self._body_starts()
        if not self.skipping:
            self.parts.append(data.replace("\n", " "))


def html_to_text(html: str) -> str:
    """The readable text of an HTML document or fragment."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = [_SPACES.sub(" ", line).strip() for line in "".join(parser.parts).split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
