"""The JSON file of a full dump, read back a table at a time: a broken file is one
``FormatError``, and memory holds a row at a time whatever the file's size."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tinycrm.formats import FormatError, dump_reader
from tinycrm.formats.dump_reader import DumpFile, seekable


def _read(data: bytes, name: str = "in.json") -> tuple[dict | None, dict[str, list] | None]:
    """What ``DumpFile`` makes of ``data``: the head, each table's rows (None: not a list)."""
    dump = DumpFile(io.BytesIO(data), name)
    names = dump.table_names()
    if names is None:
        return dump.head, None
    return dump.head, {n: None if (r := dump.rows(n)) is None else list(r) for n in names}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"in.json is empty"),
        (b"  \n ", r"in.json is empty"),
        (b"\xff\xfe{}", r"not a UTF-8 JSON file"),
        (b'{"tables": {"contact": [{"name": "J\xfcrgen"}]}}', r"not a UTF-8 JSON file"),
        (b'{"format": "tinycrm-dump", ', r"not valid JSON \(line 1, column 28"),
        (b'{"tables": {"contact": [' + b"[" * 100_000, r"nested too deeply"),
        # past Python's 4,300-digit limit for int(): json raised ValueError, a traceback
        (b'{"version": ' + b"9" * 5000 + b"}", r"in.json holds a number too long to read"),
        (b'{"tables": {"contact": [{"id": 1}, {"id": 2}]}} {}', r"line 1, column 49: Extra"),
        (b'{"tables": {"contact": [{"id": 1} {"id": 2}]}}', r"column 35: Expecting ','"),
        (b'{"tables": {"contact": [{"id": 1},\n]}}', r"line 2, column 1: Expecting value"),
        (b'{"tables": {"contact": [{"id": 1}]}', r"line 1, column 36: Expecting ','"),
        (b'{tables: {}}', r"line 1, column 2: Expecting property name"),
    ],
    ids=[
        "empty", "blank", "utf16", "latin1 row", "unclosed", "deep", "long number", "extra",
        "no comma", "trailing comma", "cut at the end", "bare key",
    ],
)  # fmt: skip
def test_a_broken_dump_is_one_format_error(data: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        _read(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'{"format": "tinycrm-dump", "tables": {"contact": [\n'
            b'{"id": 7, "email": "ada@x.io", "name": "Ada", "email": "eve@x.io"}]}}',
            r"^in.json: the key \"email\" twice in one object \(id 7\): which value is meant "
            r"cannot be known; keep one$",
        ),
        (
            b'{"format": "tinycrm-dump", "format": "other", "tables": {}}',
            r"^in.json: the key \"format\" twice in one object: which value",
        ),
        (
            b'{"format": "tinycrm-dump", "tables": {"tag": [], "tag": [{"id": 1}]}}',
            r"^in.json: the key \"tag\" twice in one object: which value",
        ),
    ],
    ids=["row", "head", "table"],
)
def test_a_key_given_twice_in_a_dump_is_refused_naming_it(data: bytes, message: str) -> None:
    """A hand-edited dump with a key twice in one row: json kept the last value and the
    first was dropped without a word (a row restored with another email than the one
    first written). It is refused, naming the key and the row's id."""
    with pytest.raises(FormatError, match=message):
        _read(data)


def _dump_text() -> str:
    rows = [
        {"id": i, "name": f"Jürgen 😀 {i}\n\"quoted\" \\ \u2028", "big": 2**70 + i, "x": 1.5e-7,
         "nested": {"a": [True, False, None]}, "e": ""}
        for i in range(40)
    ]  # fmt: skip
    data = {"format": "tinycrm-dump", "tables": {"contact": rows, "tag": [], "company": rows[:3]}}
    return json.dumps(data, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 64, 1 << 20])
def test_a_dump_read_a_few_bytes_at_a_time_gives_back_every_value(monkeypatch, piece) -> None:
    """Read a piece at a time, every row comes back as json.loads reads it, whichever
    character (a four-byte emoji, an escape, a long number) a piece ends in."""
    monkeypatch.setattr(dump_reader, "PIECE", piece)
    text = _dump_text()
    expected = json.loads(text)
    head, tables = _read(b"\xef\xbb\xbf" + text.encode())
    assert head == {"format": "tinycrm-dump"}
    assert tables == expected["tables"]


@pytest.mark.parametrize("piece", [3, 1 << 20])
def test_where_a_broken_dump_is_broken_is_said_as_json_says_it(monkeypatch, piece) -> None:
    monkeypatch.setattr(dump_reader, "PIECE", piece)
    text = _dump_text()
    broken = text[: text.rindex('"e"')] + '"e": tru}]}}'
    with pytest.raises(json.JSONDecodeError) as said:
        json.loads(broken)
    where = f"line {said.value.lineno}, column {said.value.colno}: {said.value.msg}"
    with pytest.raises(FormatError, match=f"^in.json is not valid JSON \\({where}\\)$"):
        _read(broken.encode())


def test_tables_and_head_come_in_any_order() -> None:
    """A hand-edited dump with its tables out of the database's order, and its head last:
    each table's rows are read from where they are."""
    data = b'{"tables": {"tag": [{"id": 2}], "company": [{"id": 1}], "x": 5}, "version": 1}'
    head, tables = _read(data)
    assert head == {"version": 1}
    assert tables == {"tag": [{"id": 2}], "company": [{"id": 1}], "x": None}
    assert _read(b'{"format": "tinycrm-dump", "tables": []}') == (
        {"format": "tinycrm-dump", "tables": []},
        None,
    )
    assert _read(b"[1, 2]") == (None, None)


def test_a_dump_changed_after_it_was_checked_is_refused_when_read(tmp_path: Path) -> None:
    path = tmp_path / "all.json"
    path.write_bytes(b'{"tables": {"contact": [{"id": 1}, {"id": 2}]}}')
    with path.open("rb") as handle:
        dump = DumpFile(handle, "all.json")
        path.write_bytes(b'{"tables": {"contact": [{"id": 1}')  # cut short
        with pytest.raises(FormatError, match=r"^all.json is not valid JSON"):
            list(dump.rows("contact") or [])


def test_a_dump_from_a_pipe_is_read_from_a_copy() -> None:
    class Pipe(io.BytesIO):
        def seekable(self) -> bool:
            return False

    with seekable(Pipe(b'{"tables": {"tag": [{"id": 1}]}}')) as stream:
        assert stream.seekable()
        dump = DumpFile(stream, "-")
        assert list(dump.rows("tag") or []) == [{"id": 1}]


def test_a_dump_cut_short_inside_a_string_says_so() -> None:
    """A dump cut short inside a string (a copy stopped half way) was 'not valid JSON
    (line 1, column 51: Unterminated string starting at)': json's words with their end
    cut off. It says where the string starts and that the file may be cut short."""
    data = b'{"format": "tinycrm-dump", "tables": {"contact": [{"name": "Ad'
    message = (
        r"^in.json is not valid JSON \(line 1, column 60: a string starts here and is never "
        r"closed: is the file cut short\?\)$"
    )
    with pytest.raises(FormatError, match=message):
        _read(data)
