"""A vCard file's bytes as lines of text: decoded (UTF-8, Windows-1252, a property's
CHARSET, UTF-16 and UTF-32), split at CRLF, LF or a CR alone, a line past
``PROPERTY_LIMIT`` cut as it is read, and the lines a chunk holds whole given as units
(a line and its folds, a run of plain lines) for :mod:`tinycrm.formats.vcard_lines`
to make cards of."""

from __future__ import annotations

import codecs
import itertools
import re
from collections.abc import Iterable, Iterator
from typing import IO, AnyStr, cast

from tinycrm.formats import FormatError
from tinycrm.formats.csvfile import detect_encoding, refuse_binary

_DROPPED = ("PHOTO", "LOGO", "SOUND", "KEY")
# The longest property (its folds joined) and card (photos left out) read: a note holds
# 10,000 characters, so no field takes more, and vobject holds ~40 bytes for each
# character of a card. Longer is refused as the file is read, not after it is held whole
# (a 20 MB NOTE took 420 MB to refuse).
PROPERTY_LIMIT = 256 * 1024


class _Cut(str):
    """The first characters of a line longer than ``PROPERTY_LIMIT``, the rest not read
    into memory."""

    __slots__ = ()


# A fold that splits a character, its UTF-8 bytes before the line end and after the
# space (writers that fold at 75 bytes blindly): a byte after a fold's space that can
# only continue a character. Taken out before decoding, else the character was two
# Windows-1252 ones ('RenÃ©'), and one in the file's first 64 KiB made it all so.
_SPLIT_FOLD = re.compile(rb"([\xc2-\xf4][\x80-\xbf]{0,2})(?:\r\n|\r|\n)[ \t](?=[\x80-\xbf])")


def _chunks(first: bytes, stream: IO[bytes], mend: bool) -> Iterator[bytes]:
    """``first``, then the rest of ``stream``, in chunks; with ``mend``, a fold that
    splits a UTF-8 character taken out (a chunk's last bytes held for the next, where
    the rest of such a fold may be)."""
    carry, chunk = b"", first
    while chunk:
        data = carry + chunk if mend else chunk
        if mend and not data.isascii():  # ASCII holds no split character
            data = _SPLIT_FOLD.sub(rb"\1", data)
        carry, data = (data[-7:], data[:-7]) if mend else (b"", data)
        if data:
            yield data
        chunk = stream.read(64 * 1024)
    if carry:
        yield carry


def _decode(stream: IO[bytes], name: str) -> Iterator[str]:
    """The lines of the file as text. UTF-8 (Windows-1252 too) is split into lines as
    bytes, and each line read as UTF-8, else in the CHARSET its property names (vCard
    2.1's 8-bit values: Shift_JIS, KOI8-R; a fold in its property's), else as UTF-8
    whose other bytes are Windows-1252's (so files joined, an Outlook card after UTF-8
    ones, keep each card's letters); UTF-16 and UTF-32 are decoded, then split."""
    head = stream.read(64 * 1024)
    refuse_binary(head, name, "vCard")  # a program, a workbook: said so, not "not UTF-16"
    if detect_encoding(head) in ("utf-8", "utf-8-sig", "cp1252"):  # no UTF-16's bytes
        yield from _byte_lines(_blocks(_chunks(head, stream, True), b"\r"))
        return
    chunks = _chunks(head, stream, False)
    sample = next(chunks, b"")
    encoding = detect_encoding(sample)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    texts = (decoder.decode(chunk) for chunk in itertools.chain([sample], chunks))
    try:
        for text, cut in _blocks(itertools.chain(texts, [decoder.decode(b"", final=True)]), "\r"):
            if cut is None:
                yield from _units(text)
            else:
                yield _Cut(text) if cut else text
    except UnicodeDecodeError as exc:
        raise FormatError(f"{name} is not valid {encoding} ({exc.reason})") from None


def _lines(chunks: Iterable[AnyStr], cr: AnyStr) -> Iterator[tuple[AnyStr, bool]]:
    """The lines of ``chunks`` one by one, as ``_blocks`` gives them."""
    for item, cut in _blocks(chunks, cr):
        if cut is None:
            yield from ((line, False) for line in item.split(cr[:0] + _lf(cr)))
        else:
            yield item, cut


def _lf(cr: AnyStr) -> AnyStr:
    return cast("AnyStr", b"\n" if isinstance(cr, bytes) else "\n")


def _ends(text: AnyStr, crlf: AnyStr, cr: AnyStr, lf: AnyStr) -> AnyStr:
    """``text`` with each line end (CRLF, or a CR alone) an LF."""
    return text.replace(crlf, lf).replace(cr, lf)


def _blocks(chunks: Iterable[AnyStr], cr: AnyStr) -> Iterator[tuple[AnyStr, bool | None]]:
    """The lines of ``chunks`` (ended by CRLF, LF or a CR alone; ``cr``), each with
    whether it is longer than ``PROPERTY_LIMIT`` (then its first characters only, given
    as soon as it passes the limit, the rest of it passed over as it is read: a photo's
    line may be megabytes, a file's one line gigabytes); the lines a chunk holds whole
    (none can pass the limit) are given together, each ended by LF but the last
    (``None`` for whether it is cut), to be read as a whole, not line by line. Each
    character is looked at a few times, by C loops."""
    empty, lf = cr[:0], _lf(cr)
    crlf = cr + lf  # CRLF, LF, and a CR alone (old Mac address books) end a line
    line: list[AnyStr] = []
    size = 0  # the characters of the line so far
    over = False  # the line passed PROPERTY_LIMIT and was given: the rest is passed over
    held = empty  # a CR at the end of a chunk: its LF may start the next
    limit = PROPERTY_LIMIT
    for chunk in chunks:
        text = held + chunk
        held = cr if text.endswith(cr) else empty
        text = _ends(text[: len(text) - len(held)], crlf, cr, lf)
        first = text.find(lf)
        start = text if first < 0 else text[:first]
        if not over:  # the first part continues the line before
            line.append(start)
            size += len(start)
            if size > limit:
                yield empty.join(line)[: limit + 1], True
                line, over = [], True
        if first < 0:
            continue
        if not over:
            yield empty.join(line), False
        last = text.rfind(lf)
        if last > first:  # lines whole in the chunk, each shorter than it
            whole = text[first + 1 : last]
            if len(whole) <= limit:
                yield whole, None
            else:
                for part in whole.split(lf):
                    yield (part[: limit + 1], True) if len(part) > limit else (part, False)
        end = text[last + 1 :]
        line, size, over = [end], len(end), False  # the next chunk may go on
        if size > limit:
            yield end[: limit + 1], True
            line, over = [], True
    if held and not over:  # the file's last byte a CR: it ends the line
        yield empty.join(line), False
        line = []
    if any(line) and not over:
        yield empty.join(line), False


_CHARSET = re.compile(rb";CHARSET=\"?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def _charset(raw: bytes) -> str | None:
    """The CHARSET a property's line names, else None."""
    found = _CHARSET.search(raw.split(b":", 1)[0])
    return found[1].decode("ascii") if found else None


def _byte_lines(items: Iterable[tuple[bytes, bool | None]]) -> Iterator[str]:
    """The lines of a file of bytes (as ``_blocks`` gives them) as text, each as
    ``_line_text`` reads it, a block of whole lines read at once when that reads each
    so (UTF-8, or no CHARSET named), then given as ``_units``; a line that ends in a
    character cut short by a fold (vCard 2.1 phones fold Shift_JIS at 75 bytes
    blindly) unfolded with its folds at the byte level until the character is whole,
    then read in its property's CHARSET, each fold taken in given as a blank line (line
    numbers stay the file's). Line by line, the cut character made its line
    Windows-1252: '東京' as '“Œ‹ž'."""
    named = b""  # the line of the property a fold continues: its CHARSET's
    coded = False  # that line not UTF-8: its folds are read in its CHARSET first
    held = b""  # a line ending in a cut character, its folds so far joined to it
    joined = 0  # the folds joined to it
    for item, whole in items:
        if whole is None:  # lines ended by LF
            folded = item[:1] in (b" ", b"\t")
            text = None if held or (coded and folded) else _block_text(item, named)
            if text is not None:
                yield from _units(text)
                last = _LAST_NAMED.search(item)  # the last property line, for a fold after
                if last is not None:
                    named = last[1]
                    coded = not named.isascii() and not _is_utf8(named)
                continue
            lines: Iterable[tuple[bytes, bool]] = ((line, False) for line in item.split(b"\n"))
        else:
            lines = ((item, whole),)
        for raw, cut in lines:
            fold = raw[:1] in (b" ", b"\t")
            if held:
                taken = fold and not cut and bool(raw.strip())  # goes on with the character
                if taken:
                    held, joined = held + raw[1:], joined + 1
                    if len(held) <= PROPERTY_LIMIT and _cut_short(held, _charset(named), coded):
                        continue
                yield _line_text(held, _charset(named), coded)
                yield from [""] * joined
                held, joined = b"", 0
                if taken:
                    continue
            if not fold:
                named, coded = raw, not raw.isascii() and not _is_utf8(raw)
            if raw.isascii():
                yield _Cut(raw.decode("ascii")) if cut else raw.decode("ascii")
                continue
            charset = _charset(named) if named else None
            utf8 = not (fold and coded)
            if not cut and charset and _cut_short(raw, charset, not utf8):
                held = raw
                continue
            text = _line_text(raw, charset, not utf8)
            yield _Cut(text) if cut else text
    if held:
        yield _line_text(held, _charset(named), coded)
        yield from [""] * joined


_ANY_CHARSET = re.compile(rb";CHARSET=", re.IGNORECASE)


# The last line of a block that starts with no space or tab (a fold's does), and its
# folds: each line is looked at once, the folds of each such line but the last passed by.
_LAST_NAMED = re.compile(rb"(?:^|\n)([^ \t\n][^\n]*+|)(?:\n[ \t][^\n]*+)*+\Z")


def _block_text(data: bytes, named: bytes) -> str | None:
    """Whole lines (ended by LF) as text, when reading them at once reads each line as
    ``_line_text`` does (UTF-8, or no CHARSET named: UTF-8 whose other bytes are
    Windows-1252's); else None."""
    if data.isascii():
        return data.decode("ascii")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if (named and _charset(named)) or _ANY_CHARSET.search(data):
        return None
    return data.decode("utf-8", "tinycrm-cp1252")


# A file's whole lines (each ended by LF) as units (given as one: a file of short lines
# is not read a line at a time): a line and its folds, a run of blank lines, or a run
# of plain lines, each a content line alone and read as the others: no fold after it,
# not BEGIN:VCARD or END:VCARD, no quoted-printable soft break at its end ('='), no
# photo's, agent's or key's (``_SPECIAL``, found after). A fold is a line that starts
# with a space or tab and is not blank nor BEGIN:VCARD or END:VCARD.
_WS = r"[^\S\n]"
_BLANK = rf"\ufeff*+{_WS}*+\n"  # a byte order mark is no text
_FOLD = rf"[ \t]{_WS}*+(?!(?i:(?:BEGIN|END):VCARD){_WS}*+\n)\S[^\n]*+\n"
_PLAIN = r"(?![\s\ufeff\x1a])(?!(?i:(?:BEGIN|END):VCARD))[^\n]*+(?<!=)\n"
_UNIT = re.compile(
    rf"(?P<run>(?:{_PLAIN}(?:{_BLANK})*+)++)|(?P<blank>(?:{_BLANK})++)|[^\n]*+\n(?:{_FOLD})*+"
)
_SINGLE = re.compile(rf"(?P<blank>(?:{_BLANK})++)|[^\n]*+\n(?:{_FOLD})*+")  # no runs
_FOLD_NEXT = re.compile(rf"[ \t]{_WS}*+\S")
_LAST_START = re.compile(r"(?s:.*)\n(?=[^\s\ufeff])")  # before a run's last content line
# A line whose property (after a group, before ';' or ':') is one split_cards leaves out
# or takes a card after: a run that holds one is read line by line.
_SPECIAL = re.compile(
    rf"^(?:[^:;\n]*\.)?{_WS}*(?:PHOTO|LOGO|SOUND|KEY|AGENT){_WS}*(?:[:;]|$)",
    re.IGNORECASE | re.MULTILINE,
)


class _Run(str):
    """Lines of a run (``_UNIT``), each one a content line of its own."""

    __slots__ = ()

    @property
    def lines(self) -> int:
        """The content lines it holds (once its blank lines are taken out)."""
        return 1 + self.count("\n")


def _units(text: str) -> Iterator[str]:
    """The units of whole lines ``text`` (each ended by LF, but the last), each as the
    file's lines it holds, joined by LF (a run as a ``_Run``, blank lines as their line
    ends alone)."""
    for found in _UNIT.finditer(text + "\n"):
        kind = found.lastgroup
        if kind is None:
            yield found[0][:-1]
        elif kind == "blank":
            yield "\n" * (found[0].count("\n") - 1)  # its lines, each blank
        else:
            run, rest = found[0], ""
            if _FOLD_NEXT.match(text, found.end()):  # a fold goes on with its last line
                last = _LAST_START.match(run)
                run, rest = (run[: last.end()], run[last.end() :]) if last else ("", run)
            upper = run.upper()  # a name's letters as the property's name takes them
            if run and not (
                any(name in upper for name in (*_DROPPED, "AGENT")) and _SPECIAL.search(run)
            ):
                yield _Run(run[:-1])
            elif run:
                yield from _units_of(run)
            yield from _units_of(rest)


def _units_of(text: str) -> Iterator[str]:
    """The units of ``text`` (lines each ended by LF) as ``_units`` gives them, but no
    runs."""
    for found in _SINGLE.finditer(text):
        if found.lastgroup == "blank":
            yield "\n" * (found[0].count("\n") - 1)
        else:
            yield found[0][:-1]


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _cut_short(raw: bytes, charset: str | None, coded: bool = False) -> bool:
    """Whether ``raw`` is not UTF-8 (or ``coded``: the fold of a line that was not) and
    its value reads in ``charset`` but for a character cut short at its very end (whose
    rest a fold may hold)."""
    if not charset or (not coded and _is_utf8(raw)):  # UTF-8 whatever the line says
        return False
    value = raw if raw[:1] in (b" ", b"\t") else raw.partition(b":")[2]
    try:
        value.decode(charset)
        return False  # whole
    except LookupError:
        return False  # a charset Python does not know
    except UnicodeDecodeError as exc:
        if exc.end < len(value) - 3:
            return False  # not at its end: a byte no character has
    decoder = codecs.getincrementaldecoder(charset)()
    try:  # the bytes a character starts with, more awaited
        decoder.decode(value, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _line_text(raw: bytes, charset: str | None, coded: bool = False) -> str:
    """A line's bytes as text: UTF-8 (unless ``coded``: the fold of a line in its
    ``charset``, which may hold bytes that would read as UTF-8), else its value in
    ``charset`` (the whole line, a fold's), else UTF-8 whose other bytes are
    Windows-1252's."""
    if raw.isascii():
        return raw.decode("ascii")
    if not coded or not charset:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if charset:
        head, colon, value = (b"", b"", raw) if raw[:1] in (b" ", b"\t") else raw.partition(b":")
        try:
            return (head + colon).decode("utf-8", "tinycrm-cp1252") + value.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return raw.decode("utf-8", "tinycrm-cp1252")
