"""The text of a JSON file, read a piece at a time so that a big file is never held whole.

``JsonText`` decodes a stream as it is read (UTF-8, or the UTF-16 or UTF-32 a byte order
mark names), keeps only the text not yet taken, and knows the line and column of every
character it holds, as ``json``'s own errors count them, so that a refusal names the
place in the file. ``value`` parses the JSON value at a position with
``json.JSONDecoder.raw_decode``, reading on while the text held may end inside it: a
record costs at most about twice its own length, however long the file, and one past
``RECORD_LIMIT`` characters refuses the file (a 2 GB line is not held whole).
"""

from __future__ import annotations

import codecs
import json
import re
from typing import IO, Any

from tinycrm.formats import FormatError, json_reason
from tinycrm.formats.csvfile import bom_encoding, encoding_name, refuse_binary, refuse_non_text

CHUNK = 1 << 16  # bytes read at a time (a record longer than this: as much as is held)
RECORD_LIMIT = 64 << 20  # characters held for one record (as a CSV line's limit): no more
SPACE = " \t\r\n"  # JSON's white space
_NOT_SPACE = re.compile(r"[^ \t\r\n]")
_SNIFFED = 65536  # characters looked at for NUL and control characters (not a text file)
# how close to the end of the text held an error may be when it is only the text ending
# (a literal, a number, a \uXXXX escape cut short)
_NEAR_END = 16


class JsonText:
    """The decoded text of ``stream``: ``text`` holds what is read and not yet dropped,
    ``eof`` says whether that is all. Refuses a file that is not text in its encoding."""

    def __init__(self, stream: IO[bytes], name: str) -> None:
        self.name = name
        self._stream = stream
        head = stream.read(CHUNK)
        while 0 < len(head) < 4 and (more := stream.read(CHUNK)):  # a BOM, whole
            head += more
        refuse_binary(head, name, "JSON")  # a .json.gz renamed .json, a PDF
        encoding = bom_encoding(head)  # UTF-16 with one: what Windows PowerShell 5.1 writes
        self._what = encoding_name(encoding) if encoding else "UTF-8"
        self._decoder = codecs.getincrementaldecoder(encoding or "utf-8")()
        self.text = ""
        self.eof = False
        self._line, self._column = 1, 0  # where text[0] is: its line, characters before it
        self._add(head)
        while len(self.text) < _SNIFFED and self.more():
            pass
        self.text = self.text.lstrip("\ufeff")
        refuse_non_text(self.text[:_SNIFFED], name, form="JSON")

    def _add(self, data: bytes) -> None:
        try:
            self.text += self._decoder.decode(data, final=not data)
        except UnicodeDecodeError:
            raise FormatError(f"{self.name} is not a {self._what} JSON file") from None
        self.eof = not data

    def more(self, at_least: int = 0) -> bool:
        """Read on (``at_least`` bytes, else a chunk); False at the end of the file."""
        if self.eof:
            return False
        if len(self.text) > RECORD_LIMIT:  # what is taken is dropped: this is one record
            self.too_long(self._line)
        self._add(self._stream.read(max(CHUNK, min(at_least, RECORD_LIMIT))))
        return True

    def too_long(self, line: int) -> None:
        """Refuse the file: the record on ``line`` is longer than ``RECORD_LIMIT``."""
        raise FormatError(
            f"{self.name}, line {line:,}: a record longer than {RECORD_LIMIT >> 20} MiB "
            "(is this a file of records?)"
        )

    def drop(self, upto: int) -> None:
        """Forget ``text[:upto]`` (taken), keeping count of the lines it held."""
        gone = self.text[:upto]
        newlines = gone.count("\n")
        if newlines:
            self._line += newlines
            self._column = upto - gone.rfind("\n") - 1
        else:
            self._column += upto
        self.text = self.text[upto:]

    def where(self, position: int) -> tuple[int, int]:
        """The line and column (from 1) of ``text[position]`` in the file."""
        newlines = self.text.count("\n", 0, position)
        if newlines:
            return self._line + newlines, position - self.text.rfind("\n", 0, position)
        return self._line, self._column + position + 1

    def skip(self, position: int) -> tuple[int, int]:
        """(the position of the first character from ``position`` that is not white
        space, or ``len(text)`` at the end of the file; the newlines passed), reading on
        as needed. White space read past is dropped: positions before are gone."""
        newlines = 0
        while True:
            found = _NOT_SPACE.search(self.text, position)
            if found is not None:
                return found.start(), newlines + self.text.count("\n", position, found.start())
            newlines += self.text.count("\n", position)
            self.drop(len(self.text))
            position = 0
            if not self.more():
                return 0, newlines

    def space_to_the_end(self, position: int) -> bool:
        """Whether nothing but white space follows ``position`` to the end of the file."""
        found, _ = self.skip(position)
        return found >= len(self.text)

    def value(
        self, decoder: json.JSONDecoder, position: int, *, deep: str, after: str = ""
    ) -> tuple[Any, int]:
        """The JSON value at ``position`` and the position after it, reading on while the
        text held may end inside it. Not JSON: the file is refused with the line and
        column where it breaks (and ``after``); nested too deeply: with ``deep``."""
        while True:
            try:
                value, end = decoder.raw_decode(self.text, position)
            except json.JSONDecodeError as exc:
                cut = exc.pos >= len(self.text) - _NEAR_END or exc.msg.startswith(
                    "Unterminated string"
                )
                if cut and len(self.text) - position > RECORD_LIMIT and not self.eof:
                    self.too_long(self.where(position)[0])
                if cut and self.more(len(self.text)):
                    continue
                line, column = self.where(exc.pos)
                raise FormatError(
                    f"{self.name} is not valid JSON (line {line}, column {column}: "
                    f"{json_reason(exc.msg)}){after}"
                ) from None
            except RecursionError:
                raise FormatError(deep) from None
            if end < len(self.text) or not self.more(len(self.text)):  # a number may go on
                return value, end
