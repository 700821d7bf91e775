"""What an input's first characters are, past a byte order mark and white space.

An import tells JSON from CSV and vCard by the first character that is not white space
(``[`` or ``{``; ``BEGIN:VCARD``). That character may come after any amount of white
space (a file padded by a tool, an array pretty-printed after blank lines), so a fixed
prefix of the file cannot be trusted to hold it. :func:`opening` reads as far as it
takes, in the encoding a byte order mark names (a UTF-16 space is two bytes), and hands
back a stream that reads the input from its start again: the same one sought back when
it can seek, else one that replays what was read (the white space kept compressed, so a
pipe of gigabytes of blank lines costs megabytes, not gigabytes).
"""

from __future__ import annotations

import codecs
import io
import re
import zlib
from typing import IO, Any

HEAD = 512
_CHUNK = 64 * 1024
_BOMS = (  # UTF-32 LE first: its mark starts with UTF-16 LE's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_WHITE = " \t\r\n"


def _white_space(encoding: str) -> re.Pattern[bytes]:
    """White space in ``encoding``, a whole code unit at a time."""
    units = sorted({c.encode(encoding) for c in _WHITE})
    return re.compile(b"(?:" + b"|".join(re.escape(u) for u in units) + b")*")


def opening(stream: IO[bytes]) -> tuple[bytes, IO[bytes]]:
    """``(head, stream)``: the input's byte order mark, if any, followed by up to
    ``HEAD`` bytes from its first character that is not white space (just the mark, or
    nothing, for an input of white space alone), and a stream that reads the whole input
    from where ``stream`` was."""
    try:
        start = stream.tell() if stream.seekable() else None
    except (OSError, ValueError):
        start = None
    read = b""
    while len(read) < 4 and (chunk := stream.read(_CHUNK)):
        read += chunk
    bom, encoding = next(((b, e) for b, e in _BOMS if read.startswith(b)), (b"", "utf-8"))
    white, unit = _white_space(encoding), len(" ".encode(encoding))
    skipped = zlib.compressobj(1) if start is None else None
    kept: list[bytes] = []  # what was skipped, compressed (for a stream that cannot seek)
    rest, position = read, len(bom)
    while True:
        found = white.match(rest, position)  # always: the pattern matches nothing too
        end = found.end() if found else position
        if skipped is not None:
            kept.append(skipped.compress(rest[:end]))
        rest, position = rest[end:], 0
        if len(rest) >= unit:  # a character that is not white space
            break
        if not (chunk := stream.read(_CHUNK)):
            break  # white space alone
        rest += chunk
    while len(rest) < HEAD and (chunk := stream.read(_CHUNK)):
        rest += chunk
    head = bom + rest[:HEAD]
    if start is not None:
        stream.seek(start)
        return head, stream
    assert skipped is not None
    kept.append(skipped.flush())
    return head, io.BufferedReader(_Replay(b"".join(kept), rest, stream), buffer_size=_CHUNK)


class _Replay(io.RawIOBase):
    """What :func:`opening` read (its white space compressed, then the rest as read),
    then the rest of the input."""

    def __init__(self, compressed: bytes, read: bytes, rest: IO[bytes]) -> None:
        self._inflate: Any = zlib.decompressobj()
        self._pending = compressed
        self._read = memoryview(read)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = len(buffer)
        while self._inflate is not None:
            data = self._inflate.decompress(self._pending, size)
            self._pending = self._inflate.unconsumed_tail
            if data:
                buffer[: len(data)] = data
                return len(data)
            if not self._pending:
                last = self._inflate.flush()
                self._inflate = None
                self._read = memoryview(last + bytes(self._read))
        if self._read:
            n = min(size, len(self._read))
            buffer[:n] = self._read[:n]
            self._read = self._read[n:]
            return n
        data = self._rest.read(size)
        buffer[: len(data)] = data
        return len(data)
