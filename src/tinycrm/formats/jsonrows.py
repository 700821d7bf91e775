"""JSON and JSON lines files of records, read as rows of fields.

``tinycrm export KIND --format json`` writes an array of objects, ``--format jsonl``
one object per line; other tools write the same shapes. Each object's keys are the
columns of the CSV export, with ``tags`` a list and ``fields`` an object of custom
fields: flattened (``fields.plan`` becomes the column ``field.plan``), an object maps
to fields as a CSV header does (``formats.mapping``), so the same import reads all three.

Numbers are read as the text the file writes them in (``1.10`` stays ``1.10``, ``1e400``
is not infinity, a number of 5,000 digits is no error; ``1.5e3`` is written out as
``1500``): a cell holds what the file says, and the field's own parser judges it as it
judges a CSV cell.

An object the file gets wrong (not an object; a key given twice, where json would keep
the last value; a JSON lines line that is not JSON) is one rejected row with its line
number (and its number in the array when another record starts on that line too); an
array that is not valid JSON is refused whole, with the line and column where it breaks.

The file is read a piece at a time as the records are taken (``formats.jsontext``): an
array or JSON lines of any size are read in little more memory than their longest record.
A file of one object over many lines (not JSON lines) is that one record, read whole.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any

from tinycrm.formats import FormatError, printable
from tinycrm.formats.csvfile import RTF, bom_encoding
from tinycrm.formats.jsontext import CHUNK, JsonText
from tinycrm.formats.mapping import (
    REPORT_COLUMNS,
    ROW_ERROR,
    Column,
    Mapping,
    build_mapping,
    normalize,
)

SUFFIXES = (".json", ".jsonl", ".ndjson")
# The mappings of a file's sets of keys kept for the records that follow; a record of
# other keys after that many is mapped on its own, its counts kept in one digest
MAPPINGS_KEPT = 64
_SPACE = " \t\r\n"
_NOT_SPACE = re.compile(r"[^ \t\r\n]")
# what ends a line of JSON lines: not U+2028, U+2029 or U+0085, which a JSON string holds
_LINE_END = re.compile(r"\r\n|\r|\n")
_EXPONENT_WRITTEN_OUT = 40  # 1e40 becomes 41 digits; 1e400 stays as it is


def looks_like_json(file: str, head: bytes) -> bool:
    """A ``.json``/``.jsonl`` file, or one whose first character opens an array or object."""
    if file.lower().endswith(SUFFIXES):
        return True
    encoding = bom_encoding(head)
    if encoding not in (None, "utf-8-sig"):  # UTF-16 or 32: its first character, decoded
        text = head.decode(encoding or "", errors="ignore").lstrip("\ufeff \t\r\n")
        return text[:1] in ("[", "{")
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return start[:1] in (b"[", b"{") and not start.startswith(RTF)


class Number(str):
    """A JSON number as the file writes it (Python's int() refuses more than 4,300
    digits, and float() bends 1.10, 1e400 and every digit past the 17th)."""


def _number(text: str) -> Number:
    """A number's text; one in exponent form written out (``1.5e3`` is ``1500``, as the
    amount and whole-number parsers read numbers) unless that would be too long."""
    if "e" in text or "E" in text:
        value = Decimal(text)
        if abs(value.adjusted()) <= _EXPONENT_WRITTEN_OUT:
            return Number(format(value, "f"))
    return Number(text)


class _Refused(FormatError):
    """A record that is not read, with its text as the file gives it."""

    def __init__(self, reason: str, source: str) -> None:
        super().__init__(reason)
        self.source = source


class _Decoder(json.JSONDecoder):
    """Numbers as their text; a key given twice in an object noted in ``twice`` (json
    keeps the last value and drops the others without a word)."""

    def __init__(self) -> None:
        super().__init__(
            parse_float=_number,
            parse_int=Number,
            parse_constant=Number,
            object_pairs_hook=self._object,
        )
        self.twice: list[str] = []

    def raw_decode(self, s: str, idx: int = 0) -> tuple[Any, int]:
        self.twice = []  # (a value read again, once more of the file is in)
        return super().raw_decode(s, idx)

    def _object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        made = dict(pairs)
        if len(made) < len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    self.twice.append(key)
                    break
                seen.add(key)
        return made

    def record(self, value: Any, source: str) -> Any:
        """``value``, or the ``FormatError`` that rejects it when a key came twice (with
        the record's ``source`` text, for the rejected rows' report)."""
        if not self.twice:
            return value
        key, self.twice = self.twice[0], []
        reason = f"the key {printable(repr(key))} is given twice in one record"
        return _Refused(reason, source.strip(_SPACE))


def _loads(text: str) -> Any:
    decoder = _Decoder()
    return decoder.record(decoder.decode(text), text)


def _source(value: Any) -> str:
    """A parsed value as JSON again, its numbers as the file wrote them."""
    if isinstance(value, Number):
        return str(value)
    if isinstance(value, dict):
        items = (f"{json.dumps(k, ensure_ascii=False)}: {_source(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_source(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):  # a Number too: its text
        return str(value)
    return _source(value)


def flatten(record: dict[str, Any]) -> dict[str, str]:
    """One object as columns: ``fields`` become ``field.KEY``, ``tags`` one cell."""
    out: dict[str, str] = {}
    for key, value in record.items():
        if key == "fields" and isinstance(value, dict):
            for name, text in value.items():
                out[f"field.{name}"] = _text(text)
        elif key == "fields" and value is None:
            continue  # no custom fields
        elif key == "tags" and isinstance(value, list):
            out[key] = ", ".join(_text(tag) for tag in value)
        else:
            out[str(key)] = _text(value)
    return out


class JsonRecords:
    """(line, the parsed value) for each record of a JSON file, as it is iterated: the
    items of an array, else each line. A line of JSON lines that is not JSON gives a
    ``FormatError`` as its value. The start of the file is read when this is made (a file
    that is not JSON text, or empty, is refused then; ``array`` says whether it is an
    array), the rest a piece at a time as the records are taken (``formats.jsontext``)."""

    def __init__(self, stream: IO[bytes], *, name: str) -> None:
        self.name = name = printable(name)
        self._source = source = JsonText(stream, name)
        self._breaks = 0  # line ends in white space read past and dropped (a file of spaces)
        while (found := _NOT_SPACE.search(source.text)) is None and not source.eof:
            keep = len(source.text) - source.text.endswith("\r")  # (a \r\n cut in two)
            if keep > CHUNK:
                self._breaks += len(_LINE_END.findall(source.text, 0, keep))
                source.drop(keep)
            source.more()
        if found is None and not name.lower().endswith(SUFFIXES[1:]):
            # an export of no records as JSON lines has no bytes; one as JSON is []
            raise FormatError(f"{name} is empty: expected a JSON array of records, or one per line")
        self._start = None if found is None else found.start()  # None: no records
        self.array = found is not None and source.text[found.start()] == "["

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        if self._start is None:
            return iter(())
        if self.array:
            return _array(self._source, self.name, self._start)
        return _lines(self._source, self.name, self._breaks)


def _array(source: JsonText, name: str, start: int) -> Iterator[tuple[int, Any]]:
    """The items of the array at ``start``, each with the line it starts on (and its
    number when another starts on that line too: ``RecordLine``)."""
    decoder = _Decoder()
    line = source.where(start)[0]
    position, first = start + 1, True
    held: tuple[int, int, Any] | None = None  # a record, its number and line, until the next
    shared = False  # the held record's line is another's
    while True:
        position, newlines = source.skip(position)
        line += newlines
        if position >= len(source.text):
            raise FormatError(f"{name}, line {line}: the JSON array is not closed with ']'")
        if source.text[position] == "]":
            if not source.space_to_the_end(position + 1):
                raise FormatError(f"{name}, line {line}: text after the end of the JSON array")
            if held is not None:
                yield _place(held[1], held[0], shared), held[2]
            return
        if not first:
            if source.text[position] != ",":
                raise FormatError(f"{name}, line {line}: expected ',' or ']' in the JSON array")
            position, newlines = source.skip(position + 1)
            line += newlines
        if position > CHUNK:  # what was taken: dropped, so that the text held stays small
            source.drop(position)
            position = 0
        deep = f"{name}, line {line}: nested too deeply"
        value, end = source.value(decoder, position, deep=deep)
        number = held[0] + 1 if held is not None else 1
        beside = held is not None and held[1] == line  # two records start on this line
        if held is not None:
            yield _place(held[1], held[0], shared or beside), held[2]
        held, shared = (number, line, decoder.record(value, source.text[position:end])), beside
        line += source.text.count("\n", position, end)
        position, first = end, False


class RecordLine(int):
    """The line a record of a JSON array starts on when another record starts on it too
    (an array on one line, ``[{…}, {…}]``), with the record's number in the array: as
    text ``1, record 3`` ("line 1" alone names none of them), as a number the line.
    Ordered by line, then record, so that rejected records are reported in file order."""

    record: int

    def __new__(cls, line: int, record: int) -> RecordLine:
        made = super().__new__(cls, line)
        made.record = record
        return made

    def __str__(self) -> str:
        return f"{int(self)}, record {self.record}"

    def __format__(self, spec: str) -> str:
        return str(self) if not spec else int(self).__format__(spec)

    def __lt__(self, other: int) -> bool:
        return (int(self), self.record) < (int(other), getattr(other, "record", 0))

    def __gt__(self, other: int) -> bool:
        return (int(self), self.record) > (int(other), getattr(other, "record", 0))


def _place(line: int, number: int, shared: bool) -> int:
    """Where a record of an array is: its line, and its number when it shares the line."""
    return RecordLine(line, number) if shared else line


def _lines(source: JsonText, name: str, breaks: int) -> Iterator[tuple[int, Any]]:
    """JSON lines: one record per line; a line that is not JSON is one bad record. A file
    whose first line is not JSON is one object over many lines (a dump, a single record).
    ``breaks``: the lines before the text held."""
    first = True
    position, number = 0, breaks + 1
    while True:
        found = _LINE_END.search(source.text, position)
        while found is None or (found.end() == len(source.text) and found[0] == "\r"):
            if position:  # what was taken: dropped, so that the text held stays small
                source.drop(position)
                position = 0
            if not source.more(len(source.text)):
                break
            found = _LINE_END.search(source.text, position)
        end = len(source.text) if found is None else found.start()
        line = source.text[position:end]
        if line[:1] == "\ufeff":  # a file joined on after another (cat): its BOM
            line = line.lstrip("\ufeff")
        if line.strip():
            try:
                value = _loads(line)
            except (json.JSONDecodeError, RecursionError) as exc:
                if first:
                    yield number, _whole(source, position, name)
                    return
                reason = "nested too deeply"
                if isinstance(exc, json.JSONDecodeError):  # ('… at': json's message, cut)
                    at = "" if exc.msg.endswith(" at") else " at"
                    reason = f"{exc.msg}{at} column {exc.colno}"
                value = _Refused(f"not valid JSON ({reason})", line.strip(_SPACE))
            first = False
            yield number, value
        if found is None:
            return
        position, number = found.end(), number + 1


def _whole(source: JsonText, position: int, name: str) -> Any:
    """The one JSON value of a file that is not JSON lines, from ``position`` (the first
    line that is not white space): read whole, as one record."""
    decoder = _Decoder()
    start, _ = source.skip(position)
    after = "; expected an array of records or one record per line"
    deep = f"{name} is nested too deeply to hold records"
    value, end = source.value(decoder, start, deep=deep, after=after)
    record = decoder.record(value, source.text[start:end])
    extra, _ = source.skip(end)
    if extra < len(source.text):
        line, column = source.where(extra)
        raise FormatError(
            f"{name} is not valid JSON (line {line}, column {column}: Extra data){after}"
        )
    if isinstance(record, dict) and record.get("format") == "tinycrm-dump":
        raise FormatError(
            f"{name} is a full dump (tinycrm export all): restore it into an empty "
            f"database with 'tinycrm import all {name}'"
        )
    return record


def json_rows(
    records: Iterable[tuple[int, Any]],
    kind: str,
    *,
    name: str,
    overrides: Sequence[tuple[str, str]] = (),
    keep_extra: bool = False,
    mappings: list[Mapping] | None = None,
) -> Iterator[tuple[int, dict[str, str], list[str]]]:
    """(line, values by field, [the record as JSON]) for each record, each object mapped by
    its keys as a CSV header is (one mapping per set of keys, kept in ``mappings``; past
    ``MAPPINGS_KEPT`` sets, a record of another set is mapped on its own and what its
    mapping counted is added to one digest in ``mappings``: a file whose every record has
    a key of its own holds a few mappings, not one a record)."""
    from tinycrm.formats.mapping_notes import refuse_unmapped

    cache: dict[tuple[str, ...], Mapping] = {}
    digest: _Digest | None = None
    checked = False
    for line, record in records:
        if isinstance(record, FormatError):
            yield line, {ROW_ERROR: str(record)}, [getattr(record, "source", "")]
            continue
        raw = [_source(record)]
        if not isinstance(record, dict):
            yield line, {ROW_ERROR: f"a record must be a JSON object, not {_kind(record)}"}, raw
            continue
        fields = record.get("fields")
        if fields is not None and not isinstance(fields, dict):
            reason = 'fields must be an object of custom fields ({"plan": "pro"}), not '
            yield line, {ROW_ERROR: reason + _kind(fields)}, raw
            continue
        flat = flatten(record)
        twice = _field_twice(record)
        if twice is not None:
            reason = f"the custom field {printable(repr(twice))} is given twice in one record"
            yield line, {ROW_ERROR: f"{reason} (in fields and as field.{printable(twice)})"}, raw
            continue
        keys = tuple(flat)
        mapping = cache.get(keys)
        kept = True
        if mapping is None:
            kept = len(cache) < MAPPINGS_KEPT
            wanted = overrides
            if checked:  # --map names a key the first record has; later ones may lack it
                present = {normalize(k) for k in keys} | {k.casefold() for k in keys}
                wanted = [
                    (h, t)
                    for h, t in overrides
                    if normalize(h) in present or h.casefold() in present
                ]
            mapping = build_mapping(kind, list(keys), overrides=wanted, keep_extra=keep_extra)
            mapping.escaped = False  # JSON holds values as they are
            if not checked:
                refuse_unmapped(mapping, name, keys=True)
                checked = True
            if kept:
                cache[keys] = mapping
                if mappings is not None:
                    mappings.append(mapping)
        values = mapping.apply(list(flat.values()))
        if not kept and mappings is not None:
            if digest is None:
                digest = _Digest(kind, [], escaped=False)
                mappings.append(digest)
            digest.absorb(mapping)
        yield line, values, raw


class _Digest(Mapping):
    """What the mappings of records past ``MAPPINGS_KEPT`` sets of keys counted, for the
    summary: their keys not imported (once each by name), those tinycrm sets, and those
    another key gives the field of first, with the rows each held. Never applied."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self._at: dict[tuple[str, str, str | None, str | None], int] = {}

    def absorb(self, mapping: Mapping) -> None:
        """Add ``mapping``'s counts (one record's) to the digest's."""
        self.own_export = self.own_export or mapping.own_export
        for column in mapping.columns:
            if column.how not in ("unmapped", "ignored", "lost"):
                continue
            winner = None
            if column.how == "lost" and column.winner is not None:
                first = mapping.columns[column.winner]
                winner = self._column(first, "winner", None, None)
            index = self._column(column, column.how, column.meant, winner)
            for mine, theirs in (
                (self.filled, mapping.filled),
                (self.taken, mapping.taken),
                (self.differed, mapping.differed),
            ):
                if theirs.get(column.index):
                    mine[index] = mine.get(index, 0) + theirs[column.index]

    def _column(self, column: Column, how: str, meant: str | None, winner: int | None) -> int:
        """The digest's column like ``column`` (its name, how, field and winner's)."""
        key = (column.header, how, meant, None if winner is None else str(winner))
        index = self._at.get(key)
        if index is None:
            index = self._at[key] = len(self.columns)
            target = column.target if how == "winner" else None
            copy = Column(index, column.header, target, "synonym" if how == "winner" else how)
            copy.meant, copy.winner, copy.secondary = meant, winner, column.secondary
            self.columns.append(copy)
        return index


def _field_twice(record: dict[str, Any]) -> str | None:
    """A custom field the record gives under ``fields`` and as a ``field.KEY`` key too
    (flattened, one would replace the other), else None."""
    fields = record.get("fields")
    if not isinstance(fields, dict):
        return None
    return next((str(k) for k in fields if f"field.{k}" in record), None)


def _kind(value: Any) -> str:
    if isinstance(value, Number):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    return "a number"


class _Pairs(list[tuple[str, Any]]):
    """An object's keys and values as the file gives them (a key given twice kept twice)."""


def rejected_record(line: int, reason: str, source: str) -> str:
    """A rejected record as one line of JSON for the rows' report: ``line`` and ``reason``
    first, then the record's own keys and values as the file wrote them (numbers, a key
    given twice; those of an earlier report's ``line`` and ``reason`` left out), so that
    the report, once fixed, imports again. What is not an object (a number, an array, a
    line that is not JSON) comes whole under ``record``, as JSON or as its text."""
    decoder = json.JSONDecoder(
        parse_float=Number, parse_int=Number, parse_constant=Number, object_pairs_hook=_Pairs
    )
    head = list(zip(REPORT_COLUMNS, (line, reason), strict=True))
    try:
        value: Any = decoder.decode(source.strip(_SPACE))
    except (json.JSONDecodeError, RecursionError):
        return _pairs_source(_Pairs([*head, ("record", source)]))
    if isinstance(value, _Pairs):
        return _pairs_source(_Pairs([*head, *((k, v) for k, v in value if k not in dict(head))]))
    return _pairs_source(_Pairs([*head, ("record", value)]))


def _pairs_source(value: Any) -> str:
    """``_source`` of what ``rejected_record`` parsed (objects as ``_Pairs``)."""
    if isinstance(value, _Pairs):
        items = (f"{json.dumps(k, ensure_ascii=False)}: {_pairs_source(v)}" for k, v in value)
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_pairs_source(v) for v in value) + "]"
    return _source(value)
