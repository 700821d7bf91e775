"""Reading CSV as real tools write it: encodings, delimiters, quoting, line numbers."""

from __future__ import annotations

import codecs
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinycrm.formats import FormatError
from tinycrm.formats.csvfile import FALLBACKS, FIELD_LIMIT, BrokenRecord, open_csv

TEXT = "Name,Email,Notes\nJürgen Müller,jm@acme.de,Grüße\nZoë,zoe@x.fr,\n"


def read(data: bytes, **kwargs: object) -> tuple[object, list[tuple[int, list[str]]]]:
    table = open_csv(io.BytesIO(data), name="test.csv", **kwargs)  # type: ignore[arg-type]
    return table, list(table.records())


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),  # no BOM: the NUL bytes give it away
        (TEXT.encode("cp1252"), "cp1252"),
    ],
)
def test_encodings_are_detected(data: bytes, encoding: str) -> None:
    table, rows = read(data)
    assert table.encoding == encoding
    assert table.header == ["Name", "Email", "Notes"]
    assert rows == [(2, ["Jürgen Müller", "jm@acme.de", "Grüße"]), (3, ["Zoë", "zoe@x.fr", ""])]


def test_a_windows_1252_byte_after_the_sniffed_part_of_a_utf8_file_is_still_read() -> None:
    head = ("Name,Email\n" + "Ada,ada@x.io\n" * 8000).encode("utf-8")  # > 64 KiB of ASCII
    data = head + "Jürgen,jm@x.de\n".encode("cp1252")
    table, rows = read(data)
    assert table.encoding == "utf-8"
    assert rows[-1] == (8002, ["Jürgen", "jm@x.de"])


def test_a_file_read_as_windows_1252_after_its_first_64_kib_is_said_to_be() -> None:
    """A Windows-1252 file that is ASCII for its first 64 KiB was read right but said
    to be UTF-8 in the import's summary ('Read x.csv as UTF-8, comma-separated')."""
    head = ("Name,Email\n" + "Ada,ada@x.io\n" * 8000).encode("utf-8")
    table, rows = read(head + "Jürgen,jm@x.de\nZoë,z@x.fr\n".encode("cp1252"))
    assert rows[-1] == (8003, ["Zoë", "z@x.fr"])
    assert table.describe() == "Windows-1252, comma-separated"
    mixed = head + "Zoë,z@x.fr\n".encode() + "Jürgen,jm@x.de\n".encode("cp1252")
    table, rows = read(mixed)
    assert rows[-2:] == [(8002, ["Zoë", "z@x.fr"]), (8003, ["Jürgen", "jm@x.de"])]
    assert table.describe() == "UTF-8 (1 byte read as Windows-1252), comma-separated"
    table, _ = read(head + "Zoë,z@x.fr\n".encode())
    assert table.describe() == "UTF-8, comma-separated"
    table, _ = read(codecs.BOM_UTF8 + head + "Jürgen,jm@x.de\n".encode("cp1252"))
    assert table.describe() == "Windows-1252, comma-separated"  # its BOM said otherwise


def _one_byte_at_a_time(exc: UnicodeError) -> tuple[str, int]:
    """The Windows-1252 fallback as it was: each bad byte by itself (the reference)."""
    assert isinstance(exc, UnicodeDecodeError)
    bad = exc.object[exc.start : exc.end]
    return "".join(_cp1252_char(b) for b in bad), exc.end


def _cp1252_char(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


codecs.register_error("test-one-byte-at-a-time", _one_byte_at_a_time)
# bytes a hostile file mixes: ASCII, UTF-8 leads and continuations, the overlong and
# surrogate ones UTF-8 forbids, Windows-1252's holes
_PIECES = (
    b"a \n , \xe9 \xc3 \xa9 \xe2\x82\xac \xe2\x82 \xed\xa0\x80 \xf0\x9f\x98\x80 \xf0\x9f "
    b"\xf4\x90\x80\x80 \xc0\xaf \x81 \x9d \xff \x80\x80\x80"
).split(b" ")
_HOSTILE = st.binary(max_size=300) | st.lists(st.sampled_from(_PIECES), max_size=120).map(b"".join)


def _decoded(data: bytes, errors: str, cuts: list[int], encoding: str = "utf-8") -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    pieces, at = [], 0
    for cut in sorted(cuts):
        pieces.append(decoder.decode(data[at:cut]))
        at = max(at, cut)
    return "".join(pieces) + decoder.decode(data[at:], final=True)


@settings(max_examples=400, deadline=None)
@given(_HOSTILE, st.lists(st.integers(0, 300), max_size=4))
def test_the_windows_1252_fallback_reads_every_byte_as_it_did_one_at_a_time(
    data: bytes, cuts: list[int]
) -> None:
    """Bad bytes are decoded in large pieces, not one call each (a Windows-1252 file read
    as UTF-8 took 3 s a MB): the text, and the count of bytes read as Windows-1252, are
    what they were, also when the decoder is fed in chunks cut anywhere."""
    for encoding in ("utf-8", "cp1252"):
        before = FALLBACKS.count
        text = _decoded(data, "tinycrm-cp1252", cuts, encoding)
        assert text == _decoded(data, "test-one-byte-at-a-time", cuts, encoding)
        if encoding == "utf-8":
            expected = len(data) - len(data.decode("utf-8", "ignore").encode())
            assert FALLBACKS.count - before == expected


def test_a_utf8_file_with_one_stray_byte_reads_as_it_did() -> None:
    body = "".join(f"Zoë {n},z{n}@x.fr,café €\n" for n in range(20000)).encode()
    stray = body[:300001] + b"\xe9" + body[300001:]  # one byte, far past the sniffed part
    data = b"Name,Email,Note\n" + stray + "ok,Jürgen\n".encode("cp1252")
    table, rows = read(data)
    text = data.decode("utf-8", "test-one-byte-at-a-time")
    assert [cells for _, cells in rows] == [line.split(",") for line in text.splitlines()[1:]]
    assert table.describe() == "UTF-8 (2 bytes read as Windows-1252), comma-separated"


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1;2,5;3\n", ";"),
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ("a|b|c\n1|2|3\n", "|"),
        ('name;amount\n"Müller, GmbH";"1.234,50"\n', ";"),
        ("single column\nvalue\n", ","),
    ],
)
def test_delimiters_are_sniffed(text: str, delimiter: str) -> None:
    table, _ = read(text.encode())
    assert table.delimiter == delimiter


def test_excels_sep_line_sets_the_delimiter_and_is_not_the_header() -> None:
    table, rows = read(b"sep=;\nName;Amount\nA;1,5\n")
    assert table.delimiter == ";"
    assert table.header == ["Name", "Amount"]
    assert rows == [(3, ["A", "1,5"])]


@pytest.mark.parametrize(
    ("first", "delimiter"),
    [
        ("sep=\t", "\t"),
        ("sep=;", ";"),
        ("sep=,", ","),
        ("SEP=|", "|"),
        ('"sep=;"', ";"),
        ("sep=\t  ", "\t"),
    ],
)
def test_every_sep_line_excel_writes_names_the_delimiter(first: str, delimiter: str) -> None:
    d = delimiter
    body = f'Name{d}Email{d}Notes\nAda{d}ada@x.io{d}"a, b; c|d\te"\n'
    table, rows = read(f"{first}\r\n{body}".encode())
    assert table.delimiter == delimiter
    assert table.header == ["Name", "Email", "Notes"]
    assert rows == [(3, ["Ada", "ada@x.io", "a, b; c|d\te"])]


def test_a_sep_tab_line_in_excels_unicode_text_is_honoured() -> None:
    text = "sep=\t\r\nName\tEmail\r\nZoë\tzoe@x.fr\r\n"
    table, rows = read(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert (table.delimiter, table.header) == ("\t", ["Name", "Email"])
    assert rows == [(3, ["Zoë", "zoe@x.fr"])]


def test_quoted_newlines_and_line_numbers_of_the_record_start() -> None:
    text = 'Name,Notes\n"Ada","line one\nline two"\n\n"Grace","x"\r\n"Linus","a ""quoted"" word"\n'
    _, rows = read(text.encode())
    assert rows == [
        (2, ["Ada", "line one\nline two"]),
        (5, ["Grace", "x"]),
        (6, ["Linus", 'a "quoted" word']),
    ]


def test_headers_are_cleaned() -> None:
    table, _ = read(b"\xef\xbb\xbf  First   Name ,,Email,,\nA,,b,,\n")
    assert table.header == ["First Name", "column 2", "Email"]


@pytest.mark.parametrize("data", [b"", b"   \n\n", codecs.BOM_UTF8])
def test_empty_files_are_refused(data: bytes) -> None:
    with pytest.raises(FormatError, match="empty"):
        read(data)


def test_unknown_encoding_and_bad_delimiter_are_refused() -> None:
    with pytest.raises(FormatError, match="unknown encoding"):
        read(b"a,b\n", encoding="klingon")
    with pytest.raises(FormatError, match="delimiter"):
        read(b"a,b\n", delimiter="ab")


@pytest.mark.parametrize(
    ("encoding", "message"),
    [
        ("rot13", r"'rot13' is not a character encoding \(try utf-8 or cp1252\)"),
        ("base64", r"'base64' is not a character encoding"),
        ("zlib", r"'zlib' is not a character encoding"),
        ("punycode", r"test\.csv is not valid punycode \(.*\); give --encoding"),
    ],
)
def test_an_encoding_that_is_no_charset_is_one_clear_error(encoding: str, message: str) -> None:
    """codecs.lookup knows rot13, base64 and zlib too, and TextIOWrapper refused them with
    a LookupError; punycode fails with a UnicodeError that is no UnicodeDecodeError:
    each was a traceback."""
    with pytest.raises(FormatError, match=message):
        read(b"Name,Email\nAda,a=b@x.io\n", encoding=encoding)


def test_a_field_beyond_the_limit_is_a_clear_error_with_the_line() -> None:
    data = b'Name,Notes\nAda,ok\nGrace,"' + b"x" * (FIELD_LIMIT + 10) + b'"\n'
    table = open_csv(io.BytesIO(data), name="big.csv")
    with pytest.raises(FormatError, match=r"big.csv, line 3: a field is larger than 16 MiB"):
        list(table.records())


def test_a_field_beyond_the_limit_with_no_quote_is_not_said_to_have_one() -> None:
    """A 20 MiB value with no quote anywhere was 'a field is larger than 16 MiB (an
    unclosed quote?)', sending the user to look for a quote the file does not hold."""
    data = b"Name,Notes\nAda," + b"x" * (FIELD_LIMIT + 10) + b"\n"
    table = open_csv(io.BytesIO(data), name="big.csv")
    with pytest.raises(FormatError) as said:
        list(table.records())
    assert str(said.value) == "big.csv, line 2: a field is larger than 16 MiB: is this a CSV file?"
    quoted = b'Name,Notes\nAda,"' + b"x" * (FIELD_LIMIT + 10) + b"\n"
    with pytest.raises(FormatError, match=r"larger than 16 MiB \(an unclosed quote\?\)$"):
        list(open_csv(io.BytesIO(quoted), name="big.csv").records())


def test_a_line_beyond_the_limit_is_refused_before_it_is_read_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A file of one line without end (a 2 GB dump, a minified export given as CSV) was
    read whole into memory before the field limit could say anything: a 1 GB line took
    over 1 GB and ended in a MemoryError's traceback where memory was short. Lines are
    read at most LINE_LIMIT at a time (64 MiB; 1 MiB here), the header's too; a quoted
    value over many shorter lines is no line over the limit."""
    import tracemalloc

    from tinycrm.formats import csvfile

    monkeypatch.setattr(csvfile, "LINE_LIMIT", 1 << 20)
    endless = b"Name,Notes\nAda," + b"x" * (24 << 20)
    table = open_csv(io.BytesIO(endless), name="big.csv")
    tracemalloc.start()
    try:
        with pytest.raises(
            FormatError, match=r"^big\.csv, line 2 is longer than 1 MiB: is this a CSV file\?$"
        ):
            list(table.records())
        assert tracemalloc.get_traced_memory()[1] < 12 << 20
    finally:
        tracemalloc.stop()
    with pytest.raises(FormatError, match=r"^big\.csv, line 1 is longer than 1 MiB"):
        open_csv(io.BytesIO(b"x" * (3 << 20)), name="big.csv")
    lines = b'Name,Notes\nAda,"' + b"many short lines\n" * 200_000 + b'"\n'
    [(line, cells)] = list(open_csv(io.BytesIO(lines), name="ok.csv").records())
    assert line == 2 and len(cells[1]) == 17 * 200_000


def test_a_line_of_more_cells_than_any_file_has_is_refused_before_it_is_split() -> None:
    """A line of 60 MiB of commas is under the line limit, but split it was 60 million
    cells: 1.1 GB and 24 s, for a row that imports as nothing. A long line with more than
    CELL_LIMIT delimiters refuses the file before the csv module splits it; a long value
    with few delimiters, and the cells of a quoted value's commas, are no such line."""
    import tracemalloc

    from tinycrm.formats import csvfile

    commas = b"Name,Email\nAda,a@x.io" + b"," * (4 << 20) + b"\n"
    table = open_csv(io.BytesIO(commas), name="wide.csv")
    tracemalloc.start()
    try:
        with pytest.raises(
            FormatError,
            match=r"^wide\.csv, line 2 has more than 100,000 cells: is this a CSV file\?$",
        ):
            list(table.records())
        assert tracemalloc.get_traced_memory()[1] < 40 << 20
    finally:
        tracemalloc.stop()
    assert csvfile.CELL_LIMIT == 100_000
    fine = b"Name,Notes\nAda," + b"x" * (1 << 20) + b"\nBo," + b'"' + b"a," * 50_000 + b'"\n'
    assert [len(c) for _, c in open_csv(io.BytesIO(fine), name="ok.csv").records()] == [2, 2]


def test_broken_utf16_is_a_clear_error() -> None:
    data = codecs.BOM_UTF16_LE + "Name,Email\nAda,a@b.c\n".encode("utf-16-le") + b"\x00\xd8A\x00"
    with pytest.raises(FormatError, match=r"test\.csv is not valid UTF-16"):
        read(data)
    late = codecs.BOM_UTF16_LE + "Name\n".encode("utf-16-le") + "Ada\n".encode("utf-16-le") * 9000
    table = open_csv(io.BytesIO(late + b"\x00\xd8A\x00"), name="late.csv")
    with pytest.raises(FormatError, match=r"late.csv, line \d+: not valid UTF-16"):
        list(table.records())


def test_forced_encoding() -> None:
    table, rows = read("Name\nJosé\n".encode("latin-1"), encoding="latin-1")
    assert rows == [(2, ["José"])]
    assert table.describe() == "iso8859-1, comma-separated"


# --------------------------------------------------------------------------- unclosed quotes


def _broken(rows: list[tuple[int, list[str]]]) -> list[tuple[int, str]]:
    return [(line, cells.reason) for line, cells in rows if isinstance(cells, BrokenRecord)]


def test_the_header_again_in_files_joined_with_cat_is_a_broken_record_not_a_row() -> None:
    """'cat jan.csv feb.csv > all.csv': the second file's header row (and its BOM) was
    read as a record: a contact named '\ufeffName' (an invisible character first) with
    the title 'Title'. It is a broken record, rejected with its reason; the rows after
    it are read as the first header says, and a BOM in a later row is taken off."""
    bom = b"\xef\xbb\xbf"
    data = bom + b"Name,Title\nAda,Eng\n" + bom + b"Name , Title,\nBob,Ops\n" + bom + b"Cy,Dev\n"
    _, rows = read(data)
    assert _broken(rows) == [(3, "the header row again (files joined one after another?)")]
    assert [(line, list(cells)) for line, cells in rows if not isinstance(cells, BrokenRecord)] == [
        (2, ["Ada", "Eng"]),
        (4, ["Bob", "Ops"]),
        (5, ["Cy", "Dev"]),
    ]


def test_an_unclosed_quote_is_one_broken_record_and_reading_resumes_after_its_line() -> None:
    text = 'Name,Email\nAda,ada@x.io\n"Bob,bob@x.io\nCy,cy@x.io\nDee,dee@x.io\n'
    _, rows = read(text.encode())
    assert _broken(rows) == [(3, "a quote opened here is never closed")]
    assert [(line, list(cells)) for line, cells in rows if not isinstance(cells, BrokenRecord)] == [
        (2, ["Ada", "ada@x.io"]),
        (4, ["Cy", "cy@x.io"]),
        (5, ["Dee", "dee@x.io"]),
    ]
    assert rows[1][1] == ["Bob,bob@x.io"]  # the line as far as it can be told, for the report


def test_text_after_a_closing_quote_is_a_broken_record() -> None:
    _, rows = read(b'Name,Notes\nAda,"a 5" screen"\nBob,x\n')
    assert _broken(rows) == [
        (2, 'text after the closing quote of a value (write "" for a quote inside one)')
    ]
    assert rows[-1] == (3, ["Bob", "x"])


def test_the_line_reported_is_where_the_quote_opened_after_good_multiline_cells() -> None:
    text = (
        'Name,Notes,Email\nAda,"one\ntwo",ada@x.io\nBob,"three\nfour",bob@x.io,"oops\n'
        "Cy,x,cy@x.io\n"
    )
    _, rows = read(text.encode())
    # the record holding the quote starts on line 4; its unclosed cell opens on line 5
    assert _broken(rows) == [(5, "a quote opened here is never closed")]
    assert rows[-1] == (6, ["Cy", "x", "cy@x.io"])
    text = 'Name,Notes,Email\nBob,"three\nfour","oops\nCy,x,cy@x.io\n'
    _, rows = read(text.encode())
    assert _broken(rows) == [(3, "a quote opened here is never closed")]
    assert rows[-1] == (4, ["Cy", "x", "cy@x.io"])


def test_a_quote_closed_lines_later_mid_value_does_not_merge_rows_either() -> None:
    # Line 4's stray quote closes line 2's: the csv module would make one record of
    # lines 2 to 4. Line 2 is reported, and lines 3 on are read again.
    text = 'Name,Email\r\n"Ann,a@x.io\r\nBob,b@x.io\r\n"Cy,c@x.io\r\nDee,d@x.io\r\n'
    _, rows = read(text.encode())
    assert _broken(rows) == [
        (2, "a quote opened here is only closed on line 4, in the middle of a value"),
        (4, "a quote opened here is never closed"),
    ]
    assert [line for line, cells in rows if not isinstance(cells, BrokenRecord)] == [3, 5]


def test_a_closed_multiline_last_record_without_newline_is_not_broken() -> None:
    _, rows = read(b'Name,Notes\nAda,"a\nb"')
    assert rows == [(2, ["Ada", "a\nb"])]
    _, rows = read(b'Name,Notes\nAda,"a\nb"\n')
    assert rows == [(2, ["Ada", "a\nb"])]


def test_an_unclosed_quote_in_the_last_line_and_in_the_header() -> None:
    _, rows = read(b'Name,Notes\nAda,"no end')
    assert _broken(rows) == [(2, "a quote opened here is never closed")]
    with pytest.raises(FormatError, match=r"t\.csv, line 1: a quote opened here is never closed"):
        open_csv(io.BytesIO(b'Name,"Notes\nAda,x\n'), name="t.csv")


# --------------------------------------------------------------------------- not CSV at all


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4,
         r"this looks like an Excel workbook \(\.xlsx\); save it as CSV"),
        (b"PK\x03\x04\x14\x00\x00\x00\x00\x00" + bytes(16) + b"\x08\x00\x00\x00mimetype"
         b"application/vnd.oasis.opendocument.spreadsheetPK\x03\x04" + bytes(300),
         r"this looks like an OpenDocument spreadsheet \(\.ods\); save it as CSV \(in LibreOffice: "
         r"File > Save a Copy, Text CSV\)"),
        (b"PK\x03\x04\x14\x00\x08\x00" + bytes(18) + b"Index/Document.iwa" + bytes(300),
         r"this looks like an Apple Numbers spreadsheet \(\.numbers\); export it as CSV"),
        (b"PK\x03\x04\x14\x00\x08\x00" + bytes(18) + b"[Content_Types].xmlPK\x03\x04"
         + bytes(26) + b"word/document.xml" + bytes(300),
         r"this looks like a Word document \(\.docx\), not a CSV file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
         r"this looks like an old Excel workbook \(\.xls\); save it as CSV"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
         r"this looks like a PDF document, not a CSV file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", r"this looks like an image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", r"this looks like an image"),
        (b"\x1f\x8b\x08\x00" + bytes(40), r"this looks like a compressed file"),
        (b"Name,Email\nAda,a\x00b@x.io\n", r"holds NUL bytes: it is not a text file"),
        (bytes(range(1, 32)) * 20 + b"\n", r"holds control characters: it is not a text file"),
    ],
    ids=["xlsx", "ods", "numbers", "docx", "xls", "pdf", "png", "jpeg", "gzip", "nul", "controls"],
)  # fmt: skip
def test_binary_files_are_refused_without_echoing_their_bytes(data: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message) as caught:
        open_csv(io.BytesIO(data), name="in.csv")
    text = str(caught.value)
    assert text.startswith("in.csv")
    assert text.isprintable() and "\n" not in text


def test_random_bytes_are_refused() -> None:
    import random

    noise = random.Random(13).randbytes(5000)
    with pytest.raises(FormatError, match=r"not a text file|looks like") as caught:
        open_csv(io.BytesIO(noise), name="noise.bin")
    assert str(caught.value).isprintable()


@pytest.mark.parametrize("end", [b"\r\n\x1a", b"\r\n\x1a\r\n", b"\r\n\x1a\x1a"])
def test_a_dos_end_of_file_mark_after_the_rows_is_no_row(end: bytes) -> None:
    """Old DOS and Windows programs end a text file with Ctrl-Z (0x1A). It was read as
    a row of its own and rejected ('name: control characters are not allowed (\\x1a at
    position 1)'). A line of nothing but the mark is no row, as a blank line is not."""
    data = b'Name,Email\r\n"Q ""quoted""",q@x.io' + end
    _, records = read(data)
    assert records == [(2, ['Q "quoted"', "q@x.io"])]
    assert read(b"Name,Email\r\nA\x1a,a@x.io\r\n")[1] == [(2, ["A\x1a", "a@x.io"])]  # kept


@pytest.mark.parametrize(
    ("data", "last"),
    [
        (b"Name,Email\r\nA,a@x.io\x1a", ["A", "a@x.io"]),
        (b"Name,Email\r\nA,a@x.io\x1a\x1a", ["A", "a@x.io"]),
        (b'Name,Email\r\nA,"a@x.io"\x1a', ["A", "a@x.io"]),
        (b"Name,Email\r\nA,a@x.io,\x1a", ["A", "a@x.io", ""]),
        ("Name\tEmail\r\nA\ta@x.io\x1a".encode("utf-16"), ["A", "a@x.io"]),
    ],
)
def test_a_dos_end_of_file_mark_stuck_to_the_last_value_is_dropped(
    data: bytes, last: list[str]
) -> None:
    """A file with no final newline ending in Ctrl-Z kept the mark in its last value
    ('a@x.io\\x1a', rejected as an email with a control character; a quoted one was a
    broken record, 'text after the closing quote'). At the end of the file, and only
    there, the mark is dropped."""
    assert read(data)[1] == [(2, last)]
    assert read(b"Name,Email\x1a")[0].header == ["Name", "Email"]  # type: ignore[attr-defined]
    assert read(b"Name,Email\r\nA\x1a,a@x.io\x1a\r\nB,b\x1a")[1] == [
        (2, ["A\x1a", "a@x.io\x1a"]),
        (3, ["B", "b"]),
    ]  # inside the file it is kept
