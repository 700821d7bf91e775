"""Reading CSV files the way real tools write them, one record at a time.

* Encodings: UTF-8 with or without a BOM, UTF-16 or UTF-32 with a BOM (Excel's
  "Unicode text"), UTF-16 without one when the NUL bytes give it away, and
  Windows-1252 (Excel's and Outlook's "ANSI") otherwise. A UTF-8 file with a stray
  Windows-1252 byte further down than the part sniffed is still read: that byte
  is taken as Windows-1252 rather than failing half way.
* Delimiters: comma, semicolon, tab or pipe, chosen by which one splits the first
  rows into the most consistent columns; Excel's ``sep=;`` first line is honoured
  (``sep=,`` and ``sep=`` followed by a tab too).
* Quoted fields may hold delimiters, quotes and newlines; each record knows the
  line it starts on, for error reports.
* A quote that is never closed does not swallow the rest of the file into one
  cell (what the csv module does): the record is handed out as a
  :class:`BrokenRecord` naming the line where the quote opened, and reading goes
  on from the next line.
* Files that are not text (a workbook, a PDF, an image, NUL bytes) are refused
  before anything is read, with a message that never echoes their bytes.
* Rows are streamed: memory does not grow with the file.

Modelled on sqlite-utils' ``--csv --sniff --encoding`` handling, with the
encoding guessed rather than asked for.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from tinycrm.formats import FormatError, printable
from tinycrm.formats.values import clean_cell

SAMPLE_BYTES = 64 * 1024
FIELD_LIMIT = 16 * 1024 * 1024  # one cell; beyond this the file is not a CSV we can use
LINE_LIMIT = 4 * FIELD_LIMIT  # one line, read at most this much at a time (not a 2 GB line)
CELL_LIMIT = 100_000  # delimiters in one line: more is no CSV (60 MiB of commas: 1.1 GB split)
DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class _Fallbacks(threading.local):
    """How many bytes this thread has read as Windows-1252 (``_cp1252_fallback``), so
    that a file can say how it was read: the count before and after reading it."""

    count = 0


FALLBACKS = _Fallbacks()
_HIGH = bytes(range(128, 256))
_UTF8 = ("utf-8", "utf-8-sig")


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Decode bytes that are not UTF-8 as Windows-1252 (its five holes as Latin-1).

    Called by the UTF-8 decoder at its first bad byte, this decodes on, in one piece, as
    far as the bytes can be told without the ones after (up to the last byte within
    ``_WINDOW`` that no sequence before it can run into): valid UTF-8 as UTF-8, each
    other byte as Windows-1252, which is what a call for each bad byte gives, without a
    call for each (a Windows-1252 file read as UTF-8 past its first 64 KiB made one a
    letter: 3 s a MB)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    data, start = exc.object, exc.start
    if exc.encoding != "utf-8":  # the cp1252 codec's five holes
        bad = data[start : exc.end]
        FALLBACKS.count += len(bad)
        return bad.decode("latin-1").translate(_CP1252), exc.end
    window = data[start : start + _WINDOW]
    # the last byte that is not a continuation byte: a sequence before it ends before it
    # (or is bad there); continuation bytes after the bad ones are each bad on their own
    last = len(window.rstrip(_CONTINUATION)) - 1
    stop = start + (last if last >= exc.end - start else len(window))
    piece = data[start:stop]
    text = piece.decode("utf-8", "surrogateescape")  # each bad byte b as U+DC00 + b
    FALLBACKS.count += len(text) - len(piece.decode("utf-8", "ignore"))
    return text.translate(_UNESCAPED), stop


def _cp1252_char(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


_WINDOW = 64 * 1024
_CONTINUATION = bytes(range(0x80, 0xC0))
_CP1252 = {byte: _cp1252_char(byte) for byte in range(0x80, 0x100)}  # Latin-1 -> cp1252
_UNESCAPED = {0xDC00 + byte: char for byte, char in _CP1252.items()}
codecs.register_error("tinycrm-cp1252", _cp1252_fallback)


def _unencodable(exc: UnicodeError) -> tuple[bytes, int]:
    """Encode what an encoding has no byte for: Windows-1252's five holes (read as
    U+0081 and the like) as the bytes they were read from, anything else as ``?``."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    back = exc.encoding == "charmap"  # (cp1252 names itself so)
    text = exc.object[exc.start : exc.end]
    out = bytes(ord(c) if back and "\x80" <= c <= "\x9f" else 63 for c in text)
    return out, exc.end


UNENCODABLE = "tinycrm-unencodable"
codecs.register_error(UNENCODABLE, _unencodable)


def encoding_name(encoding: str) -> str:
    """How an encoding is called in messages."""
    return {
        "utf-8": "UTF-8",
        "utf-8-sig": "UTF-8 with BOM",
        "utf-16": "UTF-16 with BOM",
        "utf-16-le": "UTF-16 LE",
        "utf-16-be": "UTF-16 BE",
        "utf-32": "UTF-32 with BOM",
        "cp1252": "Windows-1252",
    }.get(encoding, encoding)


def bom_encoding(sample: bytes) -> str | None:
    """The encoding a byte order mark at the start of ``sample`` names, else None."""
    return next((name for bom, name in _BOMS if sample.startswith(bom)), None)


def detect_encoding(sample: bytes) -> str:
    """The encoding of a file from its first bytes (BOM, NUL pattern, UTF-8 validity)."""
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    head = sample[:4096]
    if len(head) >= 4 and head.count(0) >= len(head) // 4:
        even_nuls = head[0::2].count(0)
        odd_nuls = head[1::2].count(0)
        return "utf-16-le" if odd_nuls > even_nuls else "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


class _Prefixed(io.RawIOBase):
    """A binary stream that replays a sniffed sample before the rest, counting bytes."""

    def __init__(self, sample: bytes, rest: IO[bytes]) -> None:
        self._sample = memoryview(sample)
        self._rest = rest
        self.consumed = 0
        # bytes that are not ASCII (a BOM's not counted), to tell a file read as UTF-8
        # whose every other byte was Windows-1252 from one that mixes the two
        text = sample.removeprefix(codecs.BOM_UTF8)
        self.high = 0 if text.isascii() else len(text) - len(text.translate(None, _HIGH))

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._sample:
            n = min(len(buffer), len(self._sample))
            buffer[:n] = self._sample[:n]
            self._sample = self._sample[n:]
        else:
            data = self._rest.read(len(buffer))
            n = len(data)
            buffer[:n] = data
            if not data.isascii():
                self.high += n - len(data.translate(None, _HIGH))
        self.consumed += n
        return n


UNCLOSED_QUOTE = "a quote opened here is never closed"
HEADER_AGAIN = "the header row again (files joined one after another?)"
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")
_EXCEL = "save it as CSV (in Excel: File > Save As, CSV UTF-8)"
_CALC = "save it as CSV (in LibreOffice: File > Save a Copy, Text CSV)"
_NUMBERS = "export it as CSV (in Numbers: File > Export To > CSV)"
# what a ZIP file is, by the names of its first entries (ODF's mimetype comes first)
_ZIPPED = (
    (b"opendocument.spreadsheet", f"this looks like an OpenDocument spreadsheet (.ods); {_CALC}"),
    (b"opendocument.text", "this looks like an OpenDocument text (.odt), not a CSV file"),
    (b"word/", "this looks like a Word document (.docx), not a CSV file"),
    (b"ppt/", "this looks like a PowerPoint presentation (.pptx), not a CSV file"),
    (b"Index/", f"this looks like an Apple Numbers spreadsheet (.numbers); {_NUMBERS}"),
)
RTF = b"{\\rtf"  # TextEdit's and WordPad's rich text: no JSON, for all its '{'
_SIGNATURES = (
    (b"PK\x03\x04", f"this looks like an Excel workbook (.xlsx); {_EXCEL}"),
    (b"PK\x05\x06", f"this looks like an Excel workbook (.xlsx); {_EXCEL}"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     f"this looks like an old Excel workbook (.xls); {_EXCEL}"),
    (b"%PDF-", "this looks like a PDF document, not a CSV file"),
    (RTF, "this looks like a rich text document (RTF), not a CSV file; save it as plain text"),
    (b"\x89PNG", "this looks like an image, not a CSV file"),
    (b"\xff\xd8\xff", "this looks like an image, not a CSV file"),
    (b"GIF8", "this looks like an image, not a CSV file"),
    (b"\x1f\x8b", "this looks like a compressed file (gzip), not a CSV file"),
    (b"BZh", "this looks like a compressed file (bzip2), not a CSV file"),
    (b"\xfd7zXZ\x00", "this looks like a compressed file (xz), not a CSV file"),
    (b"SQLite format 3\x00", "this looks like a SQLite database, not a CSV file"),
    (b"\x7fELF", "this looks like a program, not a CSV file"),
)  # fmt: skip


class BrokenRecord(list[str]):
    """A record the file got wrong, handed out in place of its cells (which it holds, as far
    as they can be told, for the error report); ``reason`` says what is wrong."""

    def __init__(self, cells: list[str], reason: str) -> None:
        super().__init__(cells)
        self.reason = reason


def refuse_binary(sample: bytes, name: str, form: str = "CSV") -> None:
    """Refuse a file whose first bytes say it is a known binary format (``form``: what
    the file was read as, ``not a JSON file``)."""
    for signature, what in _SIGNATURES:
        if sample.startswith(signature):
            if signature.startswith(b"PK") and b"xl/" not in sample[:4096]:
                what = next((w for part, w in _ZIPPED if part in sample[:4096]), what)
            raise FormatError(f"{name}: {what.replace('not a CSV file', f'not a {form} file')}")


def refuse_non_text(text: str, name: str, where: str = "", form: str = "CSV") -> None:
    """Refuse decoded text holding NUL or more than a few other control characters
    (``form``: what the file was read as; a CSV file is told how to be saved as one)."""
    said = "it is not a text file (save it as CSV)" if form == "CSV" else f"it is not a {form} file"
    if "\x00" in text:
        raise FormatError(f"{name}{where} holds NUL bytes: {said}")
    controls = sum(1 for c in text if c < " " and c not in _TEXT_CONTROLS)
    if controls > max(8, len(text) // 200):
        raise FormatError(f"{name}{where} holds control characters: {said}")


@dataclass
class CsvFile:
    """An open CSV file: its header, dialect and a stream of records."""

    name: str
    header: list[str]
    encoding: str
    delimiter: str
    size: int | None
    _text: IO[str] = field(repr=False)
    _raw: _Prefixed = field(repr=False)
    _reader: Any = field(repr=False)
    _lines: _Lines = field(repr=False)
    _fallbacks: int = field(default=0, repr=False)  # FALLBACKS.count before reading it

    @property
    def bytes_read(self) -> int:
        """How far into the file reading has got (for progress bars)."""
        return self._raw.consumed

    @property
    def delimiter_name(self) -> str:
        return _DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))

    def describe(self) -> str:
        """``UTF-8 with BOM, semicolon-separated``: how the file was read, so far. A file
        taken for UTF-8 by its first 64 KiB whose later bytes were not (read as
        Windows-1252) is ``Windows-1252`` when no byte that is not ASCII was UTF-8, else
        ``UTF-8 (3 bytes read as Windows-1252)``."""
        read = encoding_name(self.encoding)
        fallbacks = FALLBACKS.count - self._fallbacks if self.encoding in _UTF8 else 0
        if fallbacks and fallbacks >= self._raw.high:
            read = encoding_name("cp1252")
        elif fallbacks:
            what = "byte" if fallbacks == 1 else "bytes"
            read += f" ({fallbacks:,} {what} read as {encoding_name('cp1252')})"
        return f"{read}, {self.delimiter_name}-separated"

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """Each non-blank record after the header with the line it starts on.

        Rows are as long as they are in the file (ragged rows are the caller's
        business). A quote never closed, or closed in the middle of a value, gives a
        :class:`BrokenRecord` at the line it opened on, and the records from the next
        line on. Fails with ``FormatError`` naming the line when the file cannot be
        decoded, holds NUL bytes or a field is impossibly large.
        """
        lines = self._lines
        while True:
            lines.kept.clear()
            start = lines.count + 1
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if "field limit" in str(exc):
                    said = _csv_error(exc, lines.kept)
                    raise FormatError(f"{self.name}, line {start}: {said}") from None
                opened, reason = bad_quote(lines.kept, self.delimiter, start)
                told = _as_far_as_told(lines.kept[: opened - start + 1])
                yield opened, BrokenRecord(told, reason)
                again = lines.restart(opened)
                self._reader = csv.reader(again, delimiter=self.delimiter, strict=True)
                continue
            except UnicodeError as exc:  # punycode's is no UnicodeDecodeError
                raise FormatError(
                    f"{self.name}, line {start}: not valid "
                    f"{encoding_name(self.encoding)} ({_why(exc)}); give --encoding"
                ) from None
            text = "".join(cells).strip()  # blank (one string op, not one a cell)
            if not text or (text[0] == "\x1a" and not text.strip("\x1a")):  # or DOS's end
                continue
            if cells[0][:1] == "\ufeff":  # a file joined on after this one: its BOM
                cells[0] = cells[0].lstrip("\ufeff")
            if cells[0].strip() == self.header[0] and _header_of(cells) == self.header:
                yield start, BrokenRecord(cells, HEADER_AGAIN)
                continue
            yield start, cells


def bad_quote(lines: list[str], delimiter: str, first: int) -> tuple[int, str]:
    """Where a quote went wrong in the lines of one record (``first`` is the number of the
    first), read as the csv module reads them (a quote opens a quoted value only at the
    start of a value; ``""`` inside is a quote): (the line where the quote opened, what
    is wrong with it)."""
    opened = 0
    state = 0  # 0 start of a value, 1 in a plain value, 2 quoted, 3 quote in a quoted value
    for index, line in enumerate(lines):
        for char in line:
            if state == 2:
                if char == '"':
                    state = 3
            elif state == 3:
                if char == '"':
                    state = 2
                elif char == delimiter or char in "\r\n":
                    state = 0
                elif index == opened:
                    return first + opened, (
                        'text after the closing quote of a value (write "" for a quote inside one)'
                    )
                else:
                    return first + opened, (
                        f"a quote opened here is only closed on line {first + index}, "
                        "in the middle of a value"
                    )
            elif char == delimiter or char in "\r\n":
                state = 0
            elif state == 0 and char == '"':
                state, opened = 2, index
            else:
                state = 1
    return first + opened, UNCLOSED_QUOTE


def _as_far_as_told(lines: list[str]) -> list[str]:
    """The cells of a broken record's lines as far as they can be told (for the report)."""
    text = "".join(lines).rstrip("\r\n")
    try:
        return next(csv.reader([text]), [])
    except csv.Error:
        return [text]


class _Lines:
    """The physical lines of the text as the csv reader takes them: counted, checked for
    NUL, and those of the record being read kept (to read again after a broken quote)."""

    def __init__(
        self, source: Iterator[str], name: str, count: int = 0, delimiter: str = ","
    ) -> None:
        self.name = name
        self.delimiter = delimiter
        self.count = count
        self.kept: list[str] = []
        self.raw = source
        self.source = self._lines(source)

    def __iter__(self) -> Iterator[str]:
        return self.source

    def _lines(self, source: Iterator[str]) -> Iterator[str]:
        kept = self.kept
        for line in source:
            self.count += 1
            if "\x00" in line:
                raise FormatError(
                    f"{self.name}, line {self.count} holds NUL bytes: it is not a text file"
                )
            if len(line) > CELL_LIMIT:  # (a shorter line cannot hold too many cells)
                if len(line) >= LINE_LIMIT and line[-1] not in "\r\n":
                    raise FormatError(
                        f"{self.name}, line {self.count} is longer than {LINE_LIMIT >> 20} MiB: "
                        "is this a CSV file?"
                    )
                if line.count(self.delimiter) >= CELL_LIMIT:  # before the csv module splits it
                    raise FormatError(
                        f"{self.name}, line {self.count} has more than {CELL_LIMIT:,} cells: "
                        "is this a CSV file?"
                    )
            kept.append(line)
            yield line

    def restart(self, after: int) -> Iterator[str]:
        """Read again from the line after line ``after`` (of the lines kept), then on."""
        first = after - (self.count - len(self.kept))
        again = self.kept[first:]
        self.count = after
        self.kept = []
        self.source = self._lines(itertools.chain(again, self.raw))
        return self.source


def _without_dos_end(source: Iterator[str]) -> Iterator[str]:
    """The lines of ``source`` with the Ctrl-Z (DOS's end of file) that ends the last one
    dropped: stuck to a last value with no newline after it, it was kept in that value.
    Only at the end of the file; one anywhere else is the value's business."""
    line = ""
    for after in source:
        if line:
            yield line
        line = after
    if line.endswith("\x1a"):
        line = line.rstrip("\x1a")
    if line:
        yield line


def _csv_error(exc: csv.Error, lines: list[str]) -> str:
    """What the csv module's ``exc`` means, for the record of ``lines``: a field over the
    limit is a quote never closed only where the record holds a quote."""
    message = str(exc)
    if "field larger than field limit" in message:
        why = (
            " (an unclosed quote?)"
            if any('"' in line for line in lines)
            else ": is this a CSV file?"
        )
        return f"a field is larger than {FIELD_LIMIT // (1024 * 1024)} MiB{why}"
    return message


def _score(text: str, delimiter: str) -> tuple[float, int]:
    """How well ``delimiter`` splits the sample: consistency of row widths, then width."""
    lines = text.splitlines(keepends=True)
    if len(lines) > 1:
        lines = lines[:-1]  # the last line of a sample may be cut short
    try:
        rows = [r for r in csv.reader(lines[:200], delimiter=delimiter) if any(r)]
    except csv.Error:
        return 0.0, 0
    if not rows or len(rows[0]) < 2:
        return 0.0, len(rows[0]) if rows else 0
    width = len(rows[0])
    body = rows[1:50]
    if not body:
        return 1.0, width
    return sum(1 for r in body if len(r) == width) / len(body), width


def _sep_hint(line: str) -> str | None:
    """The delimiter Excel's first line ``sep=;`` names (``sep=,``, ``sep=`` and a tab, also
    quoted as Excel may write it), else None. Only the line's end is trimmed: the tab of
    ``sep=<TAB>`` is the delimiter, not space to strip."""
    text = line.rstrip("\r\n").lstrip(" ")
    if text[:1] == '"' and text[-1:] == '"' and len(text) == 7:
        text = text[1:-1]  # "sep=;" as Excel quotes it in some locales
    if len(text) < 5 or text[:4].lower() != "sep=" or text[5:].strip(" \t"):
        return None
    return text[4] if text[4] not in ' \r\n"' else None


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits ``text`` into the most consistent, widest rows (else comma)."""
    best, best_score = ",", (0.0, 1)
    for delimiter in DELIMITERS:
        score = _score(text, delimiter)
        if score[1] >= 2 and score > best_score:
            best, best_score = delimiter, score
    return best


def _why(exc: UnicodeError) -> str:
    """What a decoder said is wrong: a UnicodeDecodeError's reason, another's message."""
    return exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)


def open_csv(
    stream: IO[bytes],
    *,
    name: str,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> CsvFile:
    """Open a CSV from a binary stream (a file or stdin) and read its header row.

    ``encoding`` and ``delimiter`` override what is guessed. Raises
    ``FormatError`` for an empty file, an unknown encoding or a missing header.
    """
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
    name = printable(name)
    sample = stream.read(SAMPLE_BYTES)
    start = FALLBACKS.count
    if not isinstance(sample, bytes):
        raise FormatError(f"{name}: expected a binary stream")
    refuse_binary(sample, name)
    if encoding:
        try:
            codec = codecs.lookup(encoding)
        except (LookupError, UnicodeError):  # UnicodeError: a name no codec can spell
            raise FormatError(f"unknown encoding {encoding!r} (try utf-8 or cp1252)") from None
        if not getattr(codec, "_is_text_encoding", True):  # rot13, base64, zlib: what
            # TextIOWrapper refuses with a LookupError
            raise FormatError(f"{encoding!r} is not a character encoding (try utf-8 or cp1252)")
        encoding = codec.name
        if encoding == "utf-8" and sample.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        errors = "strict"
    else:
        encoding = detect_encoding(sample)
        errors = "tinycrm-cp1252" if encoding in ("utf-8", "utf-8-sig") else "strict"
        if encoding == "cp1252":
            errors = "tinycrm-cp1252"  # its five undefined bytes read as Latin-1
    size = _size(stream)
    raw = _Prefixed(sample, stream)
    text = io.TextIOWrapper(
        io.BufferedReader(raw, buffer_size=SAMPLE_BYTES),
        encoding=encoding,
        errors=errors,
        newline="",
    )
    try:
        head = codecs.getincrementaldecoder(encoding)(errors=errors).decode(sample, final=False)
    except UnicodeError as exc:  # punycode's is no UnicodeDecodeError
        raise FormatError(
            f"{name} is not valid {encoding_name(encoding)} ({_why(exc)}); give --encoding"
        ) from None
    head = head.lstrip("\ufeff")
    refuse_non_text(head, name)
    if not head.strip():
        raise FormatError(f"{name} is empty: expected a header row and then one row per record")
    line_offset = 0
    first_line = head.splitlines()[0] if head.splitlines() else ""
    hint = _sep_hint(first_line)
    if hint is not None:
        delimiter = delimiter or hint
        text.readline()  # Excel's "sep=;" hint is not the header
        line_offset = 1
        head = head[len(first_line) :].lstrip("\r\n")
    if delimiter is None:
        delimiter = sniff_delimiter(head)
    elif delimiter in ("\\t", "tab"):
        delimiter = "\t"
    if len(delimiter) != 1 or delimiter in '\r\n"':
        raise FormatError(f"cannot use {delimiter!r} as the delimiter (one character, not a quote)")
    read = _without_dos_end(iter(lambda: text.readline(LINE_LIMIT), ""))
    lines = _Lines(read, name, line_offset, delimiter)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    header: list[str] | None = None
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                header = cells
                break
            lines.kept.clear()
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise FormatError(f"{name}, line 1: {_csv_error(exc, lines.kept)}") from None
        opened, reason = bad_quote(lines.kept, delimiter, lines.count - len(lines.kept) + 1)
        raise FormatError(f"{name}, line {opened}: {reason}") from None
    except UnicodeError as exc:  # punycode's is no UnicodeDecodeError
        raise FormatError(
            f"{name} is not valid {encoding_name(encoding)} ({_why(exc)}); give --encoding"
        ) from None
    if header is None:
        raise FormatError(f"{name} is empty: expected a header row and then one row per record")
    clean = _header_of(header)
    if len(clean) > 1000:
        raise FormatError(f"{name}: {len(clean)} columns in the header row; is this a CSV file?")
    return CsvFile(
        name=name,
        header=clean,
        encoding=encoding,
        delimiter=delimiter,
        size=size,
        _text=text,
        _raw=raw,
        _reader=reader,
        _lines=lines,
        _fallbacks=start,
    )


def _header_of(cells: list[str]) -> list[str]:
    """A header row's column names: space collapsed, without a BOM and the ' an export
    (ours, a rejected rows' report) puts before a formula's start, without the empty
    cells of trailing delimiters; an empty one inside is ``column N``."""
    clean = [" ".join(clean_cell(h.replace("\ufeff", "")).split()) for h in cells]
    while clean and not clean[-1]:
        clean.pop()  # trailing delimiters after the last header
    return [h or f"column {i + 1}" for i, h in enumerate(clean)]


def _size(stream: IO[bytes]) -> int | None:
    try:
        info = os.fstat(stream.fileno())
    except (AttributeError, OSError, io.UnsupportedOperation, ValueError):
        return None
    import stat

    return info.st_size if stat.S_ISREG(info.st_mode) else None
