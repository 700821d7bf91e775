"""A dump file read as it goes: its head, then each table's rows one at a time.

``import all`` used to hold a dump's text and every row parsed from it at once (an 84 MB
dump of 100,000 contacts peaked at 507 MiB, and a dump of more than a sixth of the
memory available was refused). Here the file is read a MiB at a time: a first pass
checks it is JSON from end to end (and no key given twice in one object), keeps the head
(everything but ``tables``) and notes where each table's rows start; the restore then
reads each table's rows from there, in the order the database needs them, whatever
order the file holds them in. A file that cannot be read twice (a pipe) is copied to a
temporary file first.
"""

from __future__ import annotations

import codecs
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from tinycrm.formats import FormatError, json_reason, printable
from tinycrm.formats.jsondump import Twice, dump_object

PIECE = 1 << 20  # bytes read at a time
# An error this close to the end of what is read may be the end of the piece, not of the
# row: read on and try again ("tru|e", "\\u00|e9", "1.5e|3")
NEAR_END = 64
_SPACE = re.compile(r"[ \t\n\r]*")
_NEXT = re.compile(r"[ \t\n\r]*(,)[ \t\n\r]*")  # between two rows
_DECODER = json.JSONDecoder(object_pairs_hook=dump_object)


@dataclass(frozen=True)
class _Place:
    """Where in the file a table's ``[`` is: its byte, and its line and column (errors)."""

    offset: int
    line: int
    column: int


class _Text:
    """The file's text from ``at``, decoded a piece at a time as it is needed."""

    def __init__(self, stream: IO[bytes], name: str, at: _Place) -> None:
        self.stream, self.name = stream, name
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.buf, self.at, self.eof = "", 0, False
        self.read_to = at.offset  # the next byte to read (the stream is shared: seek first)
        self.base, self.line, self.column = at.offset, at.line, at.column  # of buf[0]

    def _more(self, size: int = PIECE) -> bool:
        """Read on (``size`` bytes), dropping what is done with; False at the end."""
        if self.eof:
            return False
        self.stream.seek(self.read_to)
        data = self.stream.read(size)
        self.read_to += len(data)
        try:
            text = self.decoder.decode(data, final=not data)
        except UnicodeDecodeError:
            raise FormatError(f"{self.name} is not a UTF-8 JSON file") from None
        self.eof = not data
        done = self.buf[: self.at]
        if done:
            self.base += len(done.encode())
            newlines = done.count("\n")
            if newlines:
                self.line += newlines
                self.column = len(done) - done.rindex("\n")
            else:
                self.column += len(done)
        self.buf = self.buf[self.at :] + text
        self.at = 0
        return True

    def place(self) -> _Place:
        """Where the next character is."""
        before = self.buf[: self.at]
        newlines = before.count("\n")
        column = self.at - before.rindex("\n") if newlines else self.column + self.at
        return _Place(self.base + len(before.encode()), self.line + newlines, column)

    def fail(self, message: str, pos: int | None = None) -> FormatError:
        self.at = self.at if pos is None else pos
        where = self.place()
        return FormatError(
            f"{self.name} is not valid JSON (line {where.line}, column {where.column}: {message})"
        )

    def peek(self) -> str:
        """The next character that is not white space, not taken ("" at the end)."""
        while True:
            found = _SPACE.match(self.buf, self.at)
            self.at = found.end() if found else self.at
            if self.at < len(self.buf):
                return self.buf[self.at]
            if not self._more():
                return ""

    def take(self, wanted: str, message: str) -> str:
        """The next character, one of ``wanted``."""
        found = self.peek()
        if not found or found not in wanted:
            raise self.fail(message)
        self.at += 1
        return found

    def value(self) -> Any:
        """The next JSON value, read on as far as it goes."""
        if not (self.at < len(self.buf) and self.buf[self.at] in '{["') and not self.peek():
            raise self.fail("Expecting value")
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.at)
            except json.JSONDecodeError as exc:
                cut = exc.pos >= len(self.buf) - NEAR_END or exc.msg.startswith("Unterminated")
                if cut and self._more(max(PIECE, len(self.buf))):  # (a huge row: few reads)
                    continue
                raise self.fail(json_reason(exc.msg), exc.pos) from None
            except Twice as exc:
                raise FormatError(f"{self.name}: {exc}") from None
            except ValueError:  # json's int() past 4,300 digits: no dump holds such a number
                raise FormatError(f"{self.name} holds a number too long to read") from None
            except RecursionError:
                raise FormatError(
                    f"{self.name} is nested too deeply to be a tinycrm dump"
                ) from None
            if end >= len(self.buf) and self._more():  # a number may go on: "12|34"
                continue
            self.at = end
            return value

    def key(self, seen: set[str]) -> str:
        if self.peek() != '"':
            raise self.fail("Expecting property name enclosed in double quotes")
        key = self.value()
        if key in seen:
            raise FormatError(
                f'{self.name}: the key "{printable(key[:60])}" twice in one object: which '
                "value is meant cannot be known; keep one"
            )
        seen.add(key)
        self.take(":", "Expecting ':' delimiter")
        return str(key)

    def items(self) -> Iterator[Any]:
        """The values of the array that starts here, one at a time."""
        self.take("[", "Expecting value")
        if self.peek() == "]":
            self.at += 1
            return
        while True:
            yield self.value()
            found = _NEXT.match(self.buf, self.at)  # the common case, without a call
            if found and found.end() < len(self.buf) and found[1] == ",":
                self.at = found.end()
            elif self.take(",]", "Expecting ',' delimiter") == "]":
                return


class DumpFile:
    """A dump file checked from end to end: ``head``, everything in it but ``tables``
    (None: the file holds no JSON object), and the tables it holds (``table_names``;
    None: no ``tables`` object), whose rows ``rows`` reads."""

    def __init__(self, stream: IO[bytes], name: str) -> None:
        self.stream, self.name = stream, name
        start = stream.tell()
        if stream.read(3) == codecs.BOM_UTF8:
            start += 3
        text = _Text(stream, name, _Place(start, 1, 1))
        self.head: dict[str, Any] | None = None
        self._tables: dict[str, _Place | None] | None = None
        first = text.peek()
        if not first:
            raise FormatError(f"{name} is empty")
        if first != "{":
            return  # not a dump, whatever else it is
        self.head = {}
        text.at += 1
        seen: set[str] = set()
        if text.peek() == "}":
            text.at += 1
        else:
            while True:
                key = text.key(seen)
                if key == "tables" and text.peek() == "{":
                    self._tables = self._index(text)
                else:
                    self.head[key] = text.value()
                if text.take(",}", "Expecting ',' delimiter") == "}":
                    break
        if text.peek():
            raise text.fail("Extra data")

    def _index(self, text: _Text) -> dict[str, _Place | None]:
        """Each table's place (None: not a list), each row read once to check it."""
        tables: dict[str, _Place | None] = {}
        text.take("{", "Expecting value")
        if text.peek() == "}":
            text.at += 1
            return tables
        seen: set[str] = set()
        while True:
            name = text.key(seen)
            if text.peek() == "[":
                tables[name] = text.place()
                for _ in text.items():
                    pass
            else:
                text.value()
                tables[name] = None
            if text.take(",}", "Expecting ',' delimiter") == "}":
                return tables

    def table_names(self) -> list[str] | None:
        """The tables the dump holds, in its order (None: it has no ``tables`` object)."""
        return None if self._tables is None else list(self._tables)

    def rows(self, table: str) -> Iterator[Any] | None:
        """A table's rows as the file holds them, read one at a time (None: the table
        is not a list). The file is read again: ``FormatError`` if it changed since."""
        place = (self._tables or {}).get(table)
        if place is None:
            return None
        return _Text(self.stream, self.name, place).items()


@contextmanager
def seekable(stream: IO[bytes]) -> Iterator[IO[bytes]]:
    """``stream``, or a temporary copy of it when it cannot be read twice (a pipe)."""
    try:
        can = stream.seekable()
    except (OSError, ValueError):
        can = False
    if can:
        yield stream
        return
    with tempfile.TemporaryFile(prefix="tinycrm-dump-") as copy:
        shutil.copyfileobj(stream, copy, PIECE)
        copy.seek(0)
        yield copy
