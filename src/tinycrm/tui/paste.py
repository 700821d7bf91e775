"""A pasted text arrives whole, as one ``Paste`` event, whatever escape codes it holds.

With bracketed paste the terminal sends ``ESC[200~``, the text, ``ESC[201~``.
Textual's parser reads escape sequences inside the paste too: pasted text that
holds ESC (coloured text copied from a terminal, or a hostile clipboard) came out
partly as key presses (escape closed the form, tab moved to the next field, the
rest was typed there) and partly as a cut-short paste. ``PasteSafeParser`` takes
the paste out before Textual's parser sees it: everything between the markers is
one ``Paste`` event, control characters and all, for the field to refuse. Only the
end marker ends a paste (a terminal that strips ESC from pastes, as most do, never
sends one inside it).

``install()`` makes the Linux driver use it; the board calls it when it runs in a
real terminal (the tests' headless driver has no parser).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual import events
from textual._xterm_parser import XTermParser
from textual.message import Message

START = "\x1b[200~"
END = "\x1b[201~"


def _held_prefix(data: str, marker: str, *, shortest: int) -> int:
    """How many characters at the end of ``data`` could begin ``marker`` (at least
    ``shortest`` of them, else 0): they wait for the next read."""
    for size in range(min(len(marker) - 1, len(data)), shortest - 1, -1):
        if marker.startswith(data[-size:]):
            return size
    return 0


class PasteSafeParser(XTermParser):
    """Textual's parser, with bracketed pastes cut out whole before it reads them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pasted: list[str] | None = None
        self._held = ""

    def feed(self, data: str) -> Iterable[Message]:
        if not data:  # the end: a paste never closed is still a paste
            if self._pasted is not None or self._held:
                text = "".join(self._pasted or []) + self._held
                self._pasted, self._held = None, ""
                if text:
                    yield events.Paste(text.replace("\x00", ""))
            yield from super().feed(data)
            return
        data, self._held = self._held + data, ""
        while data:
            if self._pasted is None:
                start = data.find(START)
                if start < 0:
                    # "ESC[20" at the end of a read may be a paste beginning: wait for the
                    # rest. A lone ESC is not held (it is the escape key).
                    held = _held_prefix(data, START, shortest=2)
                    if held:
                        data, self._held = data[:-held], data[-held:]
                    if data:
                        yield from super().feed(data)
                    return
                if start:
                    yield from super().feed(data[:start])
                self._pasted = []
                data = data[start + len(START) :]
                continue
            end = data.find(END)
            if end < 0:
                held = _held_prefix(data, END, shortest=1)
                self._pasted.append(data[: len(data) - held])
                self._held = data[len(data) - held :] if held else ""
                return
            text = "".join(self._pasted) + data[:end]
            self._pasted = None
            data = data[end + len(END) :]
            yield events.Paste(text.replace("\x00", ""))


def install() -> None:
    """Make Textual's Linux driver read input with ``PasteSafeParser``."""
    try:
        from textual.drivers import linux_driver
    except ImportError:  # not on a POSIX system: Textual's own parser stays
        return
    if getattr(linux_driver, "XTermParser", None) is XTermParser:
        linux_driver.XTermParser = PasteSafeParser  # type: ignore[misc]
