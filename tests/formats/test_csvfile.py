"""Reading CSV as real tools write it: encodings, delimiters, quoting, line numbers."""

from __future__ import annotations

import codecs
import io

import pytest

from tinycrm.formats import FormatError
from tinycrm.formats.csvfile import FIELD_LIMIT, open_csv

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


def test_a_field_beyond_the_limit_is_a_clear_error_with_the_line() -> None:
    data = b'Name,Notes\nAda,ok\nGrace,"' + b"x" * (FIELD_LIMIT + 10) + b'"\n'
    table = open_csv(io.BytesIO(data), name="big.csv")
    with pytest.raises(FormatError, match=r"big.csv, line 3: a field is larger than 16 MiB"):
        list(table.records())


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
