"""JSON arrays and JSON lines of records, read as rows for the import."""

from __future__ import annotations

import io
import itertools
import tracemalloc

import pytest

from tinycrm.formats import FormatError, jsontext
from tinycrm.formats.jsonrows import JsonRecords, json_rows, looks_like_json
from tinycrm.formats.mapping import ROW_ERROR


def rows(data: bytes, kind: str = "contacts") -> list[tuple[int, dict[str, str]]]:
    records = JsonRecords(io.BytesIO(data), name="in.json")
    return [(line, values) for line, values, _ in json_rows(records, kind, name="in.json")]


def test_an_array_as_export_writes_it_with_line_numbers_tags_and_fields() -> None:
    data = (
        b'[\n  {"name": "Ada", "email": "ada@x.io", "tags": ["vip", "b"], "unsubscribed": true,'
        b' "fields": {"plan": "pro"}, "cadence_days": 14, "notes": null},\n'
        b'  {"name": "Bob", "email": "bob@x.io"}\n]\n'
    )
    [(first, ada), (second, bob)] = rows(data)
    assert (first, second) == (2, 3)  # the lines the objects start on
    assert ada["tags"] == "vip, b" and ada["field:plan"] == "pro"
    assert (ada["unsubscribed"], ada["cadence_days"], ada["notes"]) == ("true", "14", "")
    assert bob == {"name": "Bob", "email": "bob@x.io"}


def test_json_lines_a_bad_line_or_a_non_object_is_one_rejected_row() -> None:
    data = b'{"name": "Ada"}\n\n{"name": \n[1, 2]\n{"name": "Cy"}\n'
    found = rows(data)
    assert [line for line, _ in found] == [1, 3, 4, 5]
    assert found[1][1][ROW_ERROR].startswith("not valid JSON")
    assert found[2][1][ROW_ERROR] == "a record must be a JSON object, not an array"
    assert found[3][1] == {"name": "Cy"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'[{"name": "Ada"}', r"line 1: the JSON array is not closed"),
        (b'[{"name": "Ada"} {"name": "B"}]', r"expected ',' or '\]'"),
        (b'[{"name": "Ada",}]', r"is not valid JSON \(line 1, column"),
        (b"  \n", r"is empty"),
        (b'[{"name": "A\x00"}]', r"NUL bytes"),
        (b'[{"Hello": "world"}]', r"no key of the first record of in.json is a field of"),
        (b'{\n  "format": "tinycrm-dump",\n  "tables": {}\n}\n', r"is a full dump .*import all"),
        (b'{\n  "name": "Ada",\n', r"is not valid JSON \(line 3, column 1.*one record per line"),
    ],
)
def test_broken_arrays_are_refused_whole(data: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        rows(data)


def test_what_looks_like_json() -> None:
    assert looks_like_json("x.jsonl", b"")
    assert looks_like_json("-", b"\xef\xbb\xbf  [")
    assert not looks_like_json("x.csv", b"Name,Email\n")


def test_one_object_over_several_lines_is_one_record() -> None:
    assert rows(b'{\n  "name": "Ada",\n  "email": "ada@x.io"\n}\n') == [
        (1, {"name": "Ada", "email": "ada@x.io"})
    ]


def test_numbers_keep_the_text_the_file_gives_them() -> None:
    """A number is a cell as the file writes it: 1.10 stays 1.10, 1e400 is not Infinity, a
    number past float's 17 digits keeps them, and one of 5,000 digits (past Python's
    4,300-digit limit for int(), which raised ValueError, a traceback) is a value too."""
    long = "9" * 5000
    data = (
        '[{"name": "Ada", "fields": {"version": 1.10, "huge": 1e400, "exact": '
        f'123456789012345678.91, "long": {long}, "nan": NaN, "minus": -0.0, "e": 1.5e3, '
        '"e2": 25E-1}}]'
    ).encode()
    [(_, ada)] = rows(data)
    assert ada["field:version"] == "1.10" and ada["field:huge"] == "1e400"
    assert ada["field:exact"] == "123456789012345678.91" and ada["field:long"] == long
    assert (ada["field:nan"], ada["field:minus"]) == ("NaN", "-0.0")
    assert (ada["field:e"], ada["field:e2"]) == ("1500", "2.5")  # as amounts are read
    lines = rows(f'{{"name": "Bo", "cadence_days": {long}}}\n7\n'.encode())
    assert lines[0][1]["cadence_days"] == long
    assert lines[1][1][ROW_ERROR] == "a record must be a JSON object, not a number"


def test_a_rejected_record_is_kept_with_its_numbers_as_written() -> None:
    records = JsonRecords(io.BytesIO(b'[{"name": "Ada", "cadence_days": 1.50}]'), name="x")
    [(_, _, raw)] = json_rows(records, "contacts", name="x")
    assert raw == ['{"name": "Ada", "cadence_days": 1.50}']


def test_a_key_given_twice_in_a_record_rejects_the_record() -> None:
    """json.loads keeps the last of two values for a key: the first was dropped without a
    word ({"name": "A", "name": "B"} imported B). Which one was meant, only the file's
    author knows: the record is rejected, the others are read."""
    found = rows(
        b'[{"name": "Ada", "email": "a@x.io", "name": "Bob"},\n'
        b' {"name": "Cy", "fields": {"plan": "pro", "plan": "free"}},\n'
        b' {"name": "Dee"}]'
    )
    assert [line for line, _ in found] == [1, 2, 3]
    assert found[0][1] == {ROW_ERROR: "the key 'name' is given twice in one record"}
    assert found[1][1] == {ROW_ERROR: "the key 'plan' is given twice in one record"}
    assert found[2][1] == {"name": "Dee"}
    lines = rows(b'{"name": "Ada", "name": "Bob"}\n{"name": "Cy"}\n')
    assert lines == [(1, {ROW_ERROR: "the key 'name' is given twice in one record"}),
                     (2, {"name": "Cy"})]  # fmt: skip
    [(_, whole)] = rows(b'{\n  "name": "Ada",\n  "name": "Bob"\n}\n')
    assert whole == {ROW_ERROR: "the key 'name' is given twice in one record"}
    records = JsonRecords(io.BytesIO(b'[ {"name": "A",\n "name": "B"} ]'), name="x")
    [(_, _, raw)] = json_rows(records, "contacts", name="x")
    assert raw == ['{"name": "A",\n "name": "B"}']  # as written, for the rejected rows' report


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_json_in_utf_16_or_32_with_a_bom_is_read(encoding: str) -> None:
    """Windows PowerShell 5.1 writes UTF-16 LE with a BOM ('ConvertTo-Json > people.json',
    Out-File): refused as 'in.json is not a UTF-8 JSON file', where a CSV or vCard file
    in the same encoding was read. A BOM names the encoding, for JSON lines too; a name
    in the sniffed head (stdin) is taken for JSON as with UTF-8."""
    bom = "\ufeff"  # written in the encoding: its byte order mark
    array = (bom + '[\n  {"name": "José", "email": "jose@x.io"}\n]\n').encode(encoding)
    assert rows(array) == [(2, {"name": "José", "email": "jose@x.io"})]
    lines = (bom + '{"name": "Zoë"}\n{"name": "Åsa"}\n').encode(encoding)
    assert [values["name"] for _, values in rows(lines)] == ["Zoë", "Åsa"]
    assert looks_like_json("-", array[:64])


def test_json_in_another_encoding_without_a_bom_is_still_refused() -> None:
    with pytest.raises(FormatError, match=r"^in\.json is not a UTF-8 JSON file"):
        rows('[{"name": "Müller"}]'.encode("cp1252"))


def test_a_custom_field_under_fields_and_as_a_field_key_rejects_the_record() -> None:
    """{"fields": {"plan": "pro"}, "field.plan": "free"} is one custom field given twice:
    one value replaced the other, unsaid. Rejected as a key given twice is."""
    found = rows(
        b'[{"name": "Ada", "fields": {"plan": "pro"}, "field.plan": "free"},\n'
        b' {"name": "Bob", "fields": {"plan": "pro"}, "field.tier": "gold"}]'
    )
    assert found[0][1] == {
        ROW_ERROR: "the custom field 'plan' is given twice in one record (in fields and as "
        "field.plan)"
    }
    assert found[1][1] == {"name": "Bob", "field:plan": "pro", "field:tier": "gold"}


def test_a_line_separator_inside_a_json_lines_string_is_part_of_the_value() -> None:
    """JSON strings may hold U+2028, U+2029 and U+0085 as they are (JavaScript's
    JSON.stringify writes them so): a JSON lines file was cut at them as at a newline
    (str.splitlines), and refused whole as 'not valid JSON (… Extra data)' when the first
    record held one, or the record rejected when a later one did. Only a newline (or a
    carriage return) ends a line of JSON lines."""
    found = rows(
        '{"name": "Ada", "notes": "a\u2028b"}\n{"name": "Bob", "notes": "c\x85d\u2029e"}\n'.encode()
    )
    assert found == [(1, {"name": "Ada", "notes": "a\u2028b"}),
                     (2, {"name": "Bob", "notes": "c\x85d\u2029e"})]  # fmt: skip
    crlf = rows(b'{"name": "Ada"}\r\n{"name": "Bob"}\r{"name": "Cy"}\r\n')
    assert [(line, values["name"]) for line, values in crlf] == [(1, "Ada"), (2, "Bob"), (3, "Cy")]


def test_records_sharing_a_line_are_named_by_their_number_too() -> None:
    """A JSON array on one line ([{…},{…}], as JSON.stringify and most APIs write it)
    had every rejected record reported as 'line 1'. A record whose line another record
    starts on is named 'line 1, record 3' now (its number in the array); one alone on its
    line keeps its line number, a line of JSON lines too."""
    one_line = rows(b'[{"name": "Ada"}, {"name": "Bo", "email": "bad"}, 5, {"name": "Cy"}]')
    assert [str(line) for line, _ in one_line] == [
        "1, record 1",
        "1, record 2",
        "1, record 3",
        "1, record 4",
    ]
    assert [int(line) for line, _ in one_line] == [1, 1, 1, 1]  # a line number still
    assert f"line {one_line[2][0]}: x" == "line 1, record 3: x"
    mixed = rows(b'[\n  {"name": "Ada"}, {"name": "Bo"},\n  {"name": "Cy"},\n  {"name": "Di"}]')
    assert [str(line) for line, _ in mixed] == ["2, record 1", "2, record 2", "3", "4"]
    pretty = rows(b'[\n  {"name": "Ada"},\n  {"name": "Bo"}\n]\n')
    assert [str(line) for line, _ in pretty] == ["2", "3"]
    lines = rows(b'{"name": "Ada"}\n{"name": "Bo"}\n')
    assert [str(line) for line, _ in lines] == ["1", "2"]
    assert sorted([one_line[3][0], one_line[1][0], one_line[2][0]]) == [
        one_line[1][0],
        one_line[2][0],
        one_line[3][0],
    ]  # in the order of the file, as the rejected rows are reported


class _Generated(io.RawIOBase):
    """A JSON file of ``count`` records made as it is read, never held whole: a head, the
    records with ``between`` them, a tail. ``read_at`` notes how far reading had got when
    each record was handed over (``taken``)."""

    def __init__(self, count: int, record: bytes, between: bytes, head: bytes, tail: bytes):
        self.parts = itertools.chain([head], *([record, between] for _ in range(count - 1)))
        self.parts = itertools.chain(self.parts, [record, tail])
        self.pending = b""
        self.read_so_far = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        while len(self.pending) < len(buffer):
            part = next(self.parts, None)
            if part is None:
                break
            self.pending += part
        n = min(len(buffer), len(self.pending))
        buffer[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        self.read_so_far += n
        return n


@pytest.mark.parametrize(
    ("between", "head", "tail"),
    [(b",", b"[", b"]"), (b",\n  ", b"[\n  ", b"\n]\n"), (b"\n", b"", b"\n")],
    ids=["one-line array", "pretty array", "JSON lines"],
)
def test_a_big_file_is_read_a_piece_at_a_time(between: bytes, head: bytes, tail: bytes) -> None:
    """A JSON file was read whole, then decoded whole: a 1 GB array took 2 GB and more
    before the first record. Now it is read in pieces as the records are taken: the
    reading runs at most a little ahead of the records, whatever the file's size."""
    record = b'{"name": "Ada Lovelace", "email": "ada@x.io", "notes": "' + b"n" * 2000 + b'"}'
    count = 4000  # 8 MB
    generated = _Generated(count, record, between, head, tail)
    stream = io.BufferedReader(generated)
    ahead = 0
    tracemalloc.start()
    try:
        for taken, (_line, value) in enumerate(JsonRecords(stream, name="big.json"), start=1):
            assert value["name"] == "Ada Lovelace"
            ahead = max(ahead, generated.read_so_far - taken * (len(record) + len(between)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert taken == count
    assert ahead < 600_000 and peak < 3_000_000  # the file is 8 MB


@pytest.mark.parametrize(
    "data",
    [
        b'[{"name": "Ada", "n": 12345678901234567890, "x": -1.5e3, "t": true, "z": null}, 7,'
        b' {"name": "B\\u00e9\\n", "tags": ["a", "b"]},\n{"name": "C\xc3\xa9\xe2\x82\xac"}]\n',
        b'[\n  {"name": "Ada", "name": "B"},\n  {"name": "Cy", "fields": {"k": 1.10}}\n]',
        b'{"name": "Ada"}\r\n\r\n{"name": 12}\n{"name": "Bo"\n{"name": "Cy"}\r',
        b'\n\n  {\n  "name": "Ada",\n  "email": "a@x.io"\n}\n',
        '\ufeff[{"name": "Zoë"}, {"name": "Åsa"}]'.encode("utf-16"),
        b'[{"name": "Ada"}, {"name": "Bo",}]',
        b'[{"name": "Ada"}, {"name": "Bo"}',
        b'[{"name": "Ada"}] x',
        b'[{"name": "Ada"} {"name": "B"}]',
        b"[" + b"[" * 100_000 + b"]" * 100_000 + b"]",
        b'{\n  "name": "Ada"\n}\n{"name": "Bo"}',
        b'{\n  "name": "Ada",\n',
        b"   \n  ",
        b'[{"name": "A\xff"}]',
        b'[{"name": "Ada"},\n   \n\n',
    ],
)
def test_pieces_of_any_size_read_as_the_whole_file(monkeypatch, data: bytes) -> None:
    """Whatever the size of the pieces read (a number, a string, a UTF-8 character or
    \\r\\n cut between two), the records, their lines and every refusal are those of the
    file read whole."""

    def read(chunk: int) -> list[tuple[str, object]] | str:
        monkeypatch.setattr(jsontext, "CHUNK", chunk)
        try:
            return [(str(line), value) for line, value in rows(data)]
        except FormatError as exc:
            return str(exc)

    whole = read(1 << 30)
    for chunk in (1, 2, 3, 5, 8, 64):
        assert read(chunk) == whole, chunk


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'[{"nmae": "Ada", "emial": "a@x.io"}]',
            "no key of the first record of in.json is a field of contacts (its keys: 'nmae', "
            "'emial'; did you mean 'name', 'email'?); --map 'KEY=field' says which field a "
            "key holds",
        ),
        (
            "\ufeff[{}]".encode("utf-16"),
            "no key of the first record of in.json is a field of contacts (it has none); "
            "--map 'KEY=field' says which field a key holds",
        ),
    ],
)
def test_a_first_record_with_no_field_is_refused_in_the_words_of_json(
    data: bytes, message: str
) -> None:
    """A JSON file whose first record had no key of a field was refused as a CSV file
    would be: 'no column of in.json … (its first line: 'nmae', 'emial'); is it a CSV
    file?', and '(its first line: )' for an empty object. Now in JSON's words, with the
    fields a mistyped key may mean."""
    with pytest.raises(FormatError) as refused:
        rows(data)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"\x1f\x8b\x08\x00" + bytes(range(40)),
            "in.json: this looks like a compressed file (gzip), not a JSON file",
        ),
        (
            b"%PDF-1.7\n" + bytes(range(40)),
            "in.json: this looks like a PDF document, not a JSON file",
        ),
        (
            b"PK\x03\x04xl/workbook.xml",
            "in.json: this looks like an Excel workbook (.xlsx); save it as CSV",
        ),
    ],
)
def test_a_known_binary_file_named_json_says_what_it_looks_like(data: bytes, message: str) -> None:
    """people.json.gz renamed people.json was 'in.json is not a UTF-8 JSON file' (or 'holds
    control characters'), where the same file named .csv says it is compressed."""
    with pytest.raises(FormatError) as refused:
        rows(data)
    assert str(refused.value).startswith(message)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00" * 4096, "in.json holds NUL bytes: it is not a JSON file"),
        (b'[{"name": "A\x00"}]', "in.json holds NUL bytes: it is not a JSON file"),
        (
            b"[" + b"\x01\x02\x03" * 50 + b"]",
            "in.json holds control characters: it is not a JSON file",
        ),
    ],
)
def test_a_json_file_that_is_not_text_is_not_told_to_be_saved_as_csv(
    data: bytes, message: str
) -> None:
    """A .json file of NUL bytes (a 2 GB sparse file) was told 'it is not a text file
    (save it as CSV)', the advice for a spreadsheet saved wrong, which a JSON file is not."""
    with pytest.raises(FormatError) as refused:
        rows(data)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    "data",
    [
        b'{"name": "Ada"}\n{"name": "' + b"a" * 300_000 + b'"}\n',
        b'[{"name": "Ada"},\n{"name": "' + b"a" * 300_000 + b'"}]',
    ],
    ids=["jsonl", "array"],
)
def test_a_record_past_the_limit_is_refused_not_held_whole(monkeypatch, data: bytes) -> None:
    """A CSV line past 64 MiB is refused, but a JSON record was read whole however long:
    a 200 MB line took 1.3 GB and 36 s to be rejected, a 2 GB one more memory than the
    machine has. A record past RECORD_LIMIT refuses the file, naming its line."""
    monkeypatch.setattr(jsontext, "RECORD_LIMIT", 100_000)
    with pytest.raises(FormatError, match=r"^in.json, line 2: a record longer than 0 MiB"):
        list(json_rows(JsonRecords(io.BytesIO(data), name="in.json"), "contacts", name="in.json"))


def test_a_json_lines_line_that_is_not_json_says_where_it_breaks() -> None:
    """'not valid JSON (Invalid control character at)' left the place out: the column
    where the line breaks is said, as for a broken array."""
    data = b'{"name": "Ada"}\n{"name": "A\x01B"}\n{"name": "Cy", }\n'
    found = rows(data)
    assert found[1][1][ROW_ERROR] == "not valid JSON (Invalid control character at column 12)"
    assert found[2][1][ROW_ERROR] == (
        "not valid JSON (Expecting property name enclosed in double quotes at column 16)"
    )


def test_records_of_ever_new_keys_keep_a_bounded_number_of_mappings() -> None:
    """One mapping was built and kept for each set of keys: a file whose every record had a
    key of its own (an attacker's, or a messy export's) kept 100,000 of them (570 MiB,
    71 s, against 263 MiB and 29 s for one set of keys). Now a few are kept; a record of
    other keys is mapped and counted without keeping its mapping, and the summary still
    counts every key and every column another gives first."""
    from tinycrm.formats import jsonrows
    from tinycrm.formats.mapping_notes import lost_columns, unmapped_report

    count = jsonrows.MAPPINGS_KEPT * 3
    lines = [
        f'{{"name": "P{i}", "email": "p{i}@x.io", "k{i}": "v", "Full Name": "G"}}'
        for i in range(count)
    ]
    lines.append('{"name": "Last", "score": 3, "k0": "again"}')
    records = JsonRecords(io.BytesIO("\n".join(lines).encode()), name="in.jsonl")
    mappings: list = []
    found = [values for _, values, _ in json_rows(records, "contacts", name="x", mappings=mappings)]
    assert len(mappings) <= jsonrows.MAPPINGS_KEPT + 1
    assert [v["email"] for v in found[:-1]] == [f"p{i}@x.io" for i in range(count)]
    assert found[-1]["name"] == "Last"
    report = unmapped_report(mappings, noun="key")
    assert report.startswith("k0 (2 rows), k1 (1 row), ")
    assert f"and {count - 20:,} more keys with values" in report
    (full,) = lost_columns(mappings)  # Full Name: the name, as name gives it first
    assert (full.header, full.filled, full.differed) == ("Full Name", count, count)
    assert [m.ignored_report() for m in mappings if m.ignored_report()] == ["score (1 row)"]


def test_fields_that_are_not_an_object_reject_the_record_and_null_is_none() -> None:
    """ "fields": [1, 2] (or a string) was taken for a key of no matching field: the summary
    said 'Keys not imported (no matching field …): fields', and --keep-extra kept a custom
    field named fields holding '[1, 2]'. Now the record is rejected saying what fields
    must be; "fields": null is a record with no custom fields, as "tags": null has none."""
    found = rows(
        b'{"name": "Ada", "fields": [1, 2]}\n{"name": "Bo", "fields": "plan=pro"}\n'
        b'{"name": "Cy", "fields": null}\n'
    )
    assert found[0][1] == {
        ROW_ERROR: 'fields must be an object of custom fields ({"plan": "pro"}), not an array'
    }
    assert found[1][1][ROW_ERROR].endswith("not a string")
    assert found[2][1] == {"name": "Cy"}


def test_json_lines_files_joined_with_their_byte_order_marks_read_on() -> None:
    """JSON lines files written with a BOM (PowerShell 5.1's UTF-8, Notepad's) and joined
    with cat: each line a BOM starts was rejected as 'not valid JSON (Expecting value at
    column 1)', the mark being invisible. A mark at the start of a line is no part of
    it, as the CSV reader already has it; inside a value it stays."""
    one = '\ufeff{"name": "Ada", "email": "ada@x.io"}\n'.encode()
    two = '\ufeff{"name": "Bob", "email": "bob@x.io"}\n{"name": "Cy \ufeff"}\n'.encode()
    assert rows(one + two) == [
        (1, {"name": "Ada", "email": "ada@x.io"}),
        (2, {"name": "Bob", "email": "bob@x.io"}),
        (3, {"name": "Cy \ufeff"}),
    ]


def test_an_array_cut_short_inside_a_string_says_so() -> None:
    """As a dump cut short: json's 'Unterminated string starting at' with nothing after."""
    with pytest.raises(FormatError, match=r"column 28: a string starts here and is never closed"):
        rows(b'[{"name": "Ada"}, {"name": "B')
