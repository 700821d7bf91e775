"""HTML mail as plain text: what a person reads, not the markup.

Scripts, styles and the head are dropped; block elements (paragraphs, divs, table rows,
list items, headings) and ``<br>`` end lines; list items get a bullet; links keep their
text, and their target after it (``the proposal <https://…>``, unless the text says it);
entities are decoded. Runs of blank lines and spaces are collapsed. The standard
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
        self.links: list[tuple[str | None, int]] = []  # open <a>: its target, where it starts

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
        if tag == "a":
            href = dict(attrs).get("href") or ""
            target = href.strip() if _TARGET.match(href.strip()) else None
            self.links.append((target, len(self.parts)))
            if len(self.links) > LINKS_OPEN:  # links never closed, nested: the first
                del self.links[0]  # ones' targets are not told (each read its text)
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
        if tag == "a" and self.links:
            self._link_ends()
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
            self.head = self.head and tag != "head" and self.skipping > 0
        elif tag in _BLOCK and tag != "li":  # the next item starts its own line
            self.parts.append("\n\n" if tag in ("p", "table", "blockquote") else "\n")

    def _link_ends(self) -> None:
        """After a link's text, its target in angle brackets (a ``mailto:`` one as the
        address), unless the text says it already."""
        target, start = self.links.pop()
        if target is None or self.skipping:
            return
        shown = target[len("mailto:") :] if target.lower().startswith("mailto:") else target
        text = "".join(self.parts[start:])
        if shown.split("?")[0].rstrip("/") not in text:
            self.parts.append(f" <{shown}>")

    def handle_data(self, data: str) -> None:
        if data.strip():
            self._body_starts()
        if not self.skipping:
            self.parts.append(data.replace("\n", " "))


LINKS_OPEN = 16  # links inside links (unclosed <a> tags) whose targets are told, at most
_TARGET = re.compile(r"(?i)(?:https?|ftp|mailto):")  # a link's target worth keeping


def html_to_text(html: str) -> str:
    """The readable text of an HTML document or fragment."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    while parser.links:  # a link left open: it ends with the document
        parser._link_ends()
    lines = [_SPACES.sub(" ", line).strip() for line in "".join(parser.parts).split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
