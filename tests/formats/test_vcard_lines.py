"""A vCard file into cards (formats/vcard_lines.py): folds, line ends, limits. Each card
the file begins is read or rejected with a reason, never lost."""

from __future__ import annotations

import codecs
import io
import re
from typing import Any, cast

import pytest

from tinycrm.formats.mapping import ROW_ERROR
from tinycrm.formats.vcard import read_vcards, rejected_card


def read(text: str, **options: Any) -> list[tuple[int, dict[str, str], str]]:
    return list(read_vcards(io.BytesIO(text.encode()), name="x.vcf", **options))


def test_a_fold_right_after_begin_rejects_that_card_by_name_and_reads_the_rest() -> None:
    """RFC 6350: a line starting with a space or tab continues the line before it, so
    'BEGIN:VCARD' then ' VERSION:3.0' is 'BEGIN:VCARDVERSION:3.0', which begins no card.
    It was rejected as vobject's 'VCARDVERSION:3.0 component wasn't closed'; now the
    reason says which line and why, and the cards after it are read."""
    text = (
        "BEGIN:VCARD\r\n VERSION:3.0\r\nFN:Ada\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bo\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\n\tFN:Cy\nEND:VCARD\n"
        "BEGIN:VCARD\nFN:Di\nEND:VCARD\n"
    )
    found = read(text)
    assert [(line, values.get("name")) for line, values, _ in found] == [
        (1, None),
        (5, "Bo"),
        (9, None),
        (12, "Di"),
    ]
    for _, values, _ in (found[0], found[2]):
        reason = values[ROW_ERROR]
        assert "starts with a space or tab" in reason and "continues BEGIN:VCARD" in reason
    assert "line 2 " in found[0][1][ROW_ERROR]
    assert "'BEGIN:VCARDVERSION:3.0'" in found[0][1][ROW_ERROR]
    assert "line 10 " in found[2][1][ROW_ERROR]


def test_a_folded_begin_or_end_line_is_unfolded_first() -> None:
    """Folding may split any line, BEGIN:VCARD and END:VCARD too: 'BEGIN:VCA' then ' RD'
    is BEGIN:VCARD. Such a card vanished: no line was BEGIN:VCARD, so its lines were
    passed over, and the import said nothing of it; a folded END took the next card in."""
    text = (
        "BEGIN:VCARD\r\nFN:Ada\r\nEND:VCARD\r\n"
        "BEGIN:VCA\r\n RD\r\nVERSION:3.0\r\nFN:Bo\r\nEND:VC\r\n ARD\r\n"
        "BEGIN:VCARD\r\nFN:Cy\r\nEND:VCARD\r\n"
    )
    found = read(text)
    assert [(line, values) for line, values, _ in found] == [
        (1, {"name": "Ada"}),
        (4, {"name": "Bo"}),
        (10, {"name": "Cy"}),
    ]


def test_the_report_of_such_a_card_keeps_every_line_and_its_reason() -> None:
    """The rows' report put X-TINYCRM-REJECTED right after BEGIN, so the fold that broke
    the card continued the report's line instead: importing the report read the card
    without it, and a second report dropped the line with the old reason."""
    text = "BEGIN:VCARD\r\n FN:Ada\r\nEMAIL:ada@x.example\r\nEND:VCARD\r\n"
    [(line, values, card)] = read(text)
    report = rejected_card(line, values[ROW_ERROR], card)
    assert " FN:Ada\r\n" in report
    [(_, again, card_again)] = read(report)
    assert again[ROW_ERROR] == values[ROW_ERROR]
    second = rejected_card(1, again[ROW_ERROR], card_again)
    assert " FN:Ada\r\n" in second and second.count("X-TINYCRM-REJECTED") == 1


class _Stream(io.RawIOBase):
    """A file of ``head``, ``size`` bytes of ``fill``, then ``tail``, made as it is read
    (a test of a 20 MB property holds no 20 MB of its own)."""

    def __init__(self, head: bytes, size: int, tail: bytes, fill: bytes = b"x") -> None:
        self.parts = [head, None, tail]
        self.left = size
        self.fill = fill

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self.parts:
            part = self.parts[0]
            if part is None:
                if self.left <= 0:
                    self.parts.pop(0)
                    continue
                n = min(len(buffer), self.left)
                n -= n % len(self.fill)
                if not n:  # less than one fill left: the end of it
                    self.left = 0
                    continue
                buffer[:n] = self.fill * (n // len(self.fill))
                self.left -= n
                return n
            if not part:
                self.parts.pop(0)
                continue
            n = min(len(buffer), len(part))
            buffer[:n] = part[:n]
            self.parts[0] = part[n:]
            return n
        return 0


def stream(head: str, size: int, tail: str, fill: bytes = b"x") -> io.BufferedReader:
    return io.BufferedReader(_Stream(head.encode(), size, tail.encode(), fill))


NEXT = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:After\r\nEND:VCARD\r\n"


def test_a_note_of_20_mb_is_refused_as_it_is_read() -> None:
    """A 20 MB NOTE took ~420 MB of memory (the line, the card, vobject's copies) before
    the store refused it as too long. Now a property over the limit is refused while the
    file is read, the card rejected with the reason, its text (in the rows' report)
    without it, and the next card read; the peak of memory stays near the limit."""
    import tracemalloc

    from tinycrm.formats.vcard_lines import PROPERTY_LIMIT

    head = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Big\r\nNOTE:"
    for fold in (b"x", b"x" * 73 + b"\r\n "):  # one line, and folded at 75
        tracemalloc.start()
        try:
            found = list(read_vcards(stream(head, 20 << 20, "\r\nEND:VCARD\r\n" + NEXT, fold),
                                     name="big.vcf"))  # fmt: skip
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        [(line, big, text), (_, after, _)] = found
        assert after == {"name": "After"}
        assert line == 1
        assert big[ROW_ERROR].endswith(
            "NOTE on line 4 is longer than 256 KiB (the rows' report holds the card without it)"
        )
        assert len(text) < 200 and "FN:Big" in text
        assert peak < 16 * PROPERTY_LIMIT  # characters of up to 4 bytes each, and copies


def test_a_property_no_field_takes_over_the_limit_is_left_out_as_a_photo_is() -> None:
    """Outlook's X-MS-CARDPICTURE (a photo in base64 under another name) of megabytes:
    left out and named among the properties not imported, the card read."""
    unread: dict[str, int] = {}
    head = "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Pic\r\nX-MS-CARDPICTURE;ENCODING=BASE64:"
    found = read_vcards(stream(head, 3 << 20, "\r\nEND:VCARD\r\n" + NEXT), name="p.vcf",
                        unread=unread)  # fmt: skip
    assert [values for _, values, _ in found] == [{"name": "Pic"}, {"name": "After"}]
    assert unread == {"X-MS-CARDPICTURE": 1}


def test_a_card_over_the_limit_of_many_short_lines_is_refused() -> None:
    from tinycrm.formats.vcard_lines import CARD_LIMIT

    lines = "".join(f"EMAIL;TYPE=home:a{n}@x.example\r\n" for n in range(CARD_LIMIT // 30))
    text = f"BEGIN:VCARD\r\nFN:Many\r\n{lines}END:VCARD\r\n{NEXT}"
    [(_, many, report), (_, after, _)] = read(text)
    assert after == {"name": "After"}
    assert many[ROW_ERROR].endswith(  # the report's card, imported as it is, would be a part
        "the card is longer than 1 MiB, photos left out (the rows' report holds its first 1 MiB)"
    )
    assert len(report) <= CARD_LIMIT + 100


def test_lines_outside_any_card_are_counted_not_passed_over_in_silence() -> None:
    """A card inside a card without AGENT ends the one it is in (as a card missing its
    END does), so the outer card's lines after the inner END:VCARD were outside any
    card: Ada's email and note were dropped and the import said nothing. Now such lines
    are counted, with the first one's number, for the import's summary; a DOS end of
    file (Ctrl-Z) is no line."""
    text = (
        "BEGIN:VCARD\r\nFN:Ada\r\nBEGIN:VCARD\r\nFN:Bo\r\nEND:VCARD\r\n"
        "EMAIL:ada@x.io\r\nNOTE:lost\r\nEND:VCARD\r\n\r\nBEGIN:VCARD\r\nFN:Cy\r\nEND:VCARD\r\n\x1a"
    )
    outside: dict[str, int] = {}
    found = list(read_vcards(io.BytesIO(text.encode()), name="x.vcf", outside=outside))
    assert [values["name"] for _, values, _ in found] == ["Ada", "Bo", "Cy"]
    assert outside == {"lines": 3, "first": 6}
    clean: dict[str, int] = {}
    list(read_vcards(io.BytesIO(b"BEGIN:VCARD\r\nFN:Di\r\nEND:VCARD\r\n"), name="y", outside=clean))
    assert clean == {}


def test_a_quoted_printable_soft_break_at_the_end_of_a_value_ends_there() -> None:
    """vCard 2.1: a quoted-printable value goes on after '=' at a line's end, and ends at
    a line end without one. A writer's '=' before a blank line or END:VCARD took the next
    line into the value: the email became the end of the note, and a card ending so was
    rejected as 'Component VCARD was never closed'. A soft-broken line reading PHOTO: is
    the value's, not a photo."""
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ada\r\nNOTE;ENCODING=QUOTED-PRINTABLE:abc=\r\n\r\n"
        "EMAIL:ada@x.io\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Bo\r\nNOTE;ENCODING=QUOTED-PRINTABLE:d=C3=A9f=\r\n"
        "END:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Cy\r\nNOTE;ENCODING=QUOTED-PRINTABLE:see =\r\n"
        "PHOTO:attached=\r\n too\r\nEND:VCARD\r\n"
    )
    unread: dict[str, int] = {}
    found = [values for _, values, _ in read(text, unread=unread)]
    assert found == [
        {"name": "Ada", "email": "ada@x.io", "notes": "abc"},
        {"name": "Bo", "notes": "déf"},
        {"name": "Cy", "notes": "see PHOTO:attached too"},
    ]
    assert unread == {}


def test_a_file_of_utf_8_cards_and_a_windows_1252_one_reads_each_right() -> None:
    """Address books exported apart and joined (cat a.vcf b.vcf): one card in Windows-1252
    (Outlook's) made the whole file read as Windows-1252, so every UTF-8 card came in as
    'ZoÃ« Ångström' → 'ZoÃ«'. Now the bytes that are UTF-8 are read so, the others as
    Windows-1252, as a file that starts in UTF-8 is read."""
    data = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë Ångström\r\nEND:VCARD\r\n".encode()
        + "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Jürgen Müller\r\nNOTE:café – 5 €\r\nEND:VCARD\r\n"
        .encode("cp1252")
    )  # fmt: skip
    found = [values for _, values, _ in read_vcards(io.BytesIO(data), name="x.vcf")]
    assert found == [
        {"name": "Zoë Ångström"},
        {"name": "Jürgen Müller", "notes": "café – 5 €"},
    ]


def test_a_value_of_8_bit_bytes_is_read_in_the_charset_its_line_names() -> None:
    """vCard 2.1 writes a value's bytes as they are, in the CHARSET its line names
    (Japanese phones' Shift_JIS, Russian KOI8-R, folded too): they were read as
    Windows-1252, '日本' as '“ú–{'. Bytes that are UTF-8 stay UTF-8 whatever the line
    says (writers that name ISO-8859-1 and write UTF-8)."""
    data = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=SHIFT_JIS:日本 太郎\r\n".encode("shift_jis")
        + "NOTE;CHARSET=Shift_JIS:東京都\r\n 港区\r\nEND:VCARD\r\n".encode("shift_jis")
        + "BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=KOI8-R:Иван Петров\r\nEND:VCARD\r\n"
        .encode("koi8-r")
        + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN;CHARSET=ISO-8859-1:Zoë\r\nEND:VCARD\r\n".encode()
        + "BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=NO-SUCH:Jürgen\r\nEND:VCARD\r\n"
        .encode("cp1252")
    )  # fmt: skip
    found = [values for _, values, _ in read_vcards(io.BytesIO(data), name="x.vcf")]
    assert found == [
        {"name": "日本 太郎", "notes": "東京都港区"},
        {"name": "Иван Петров"},
        {"name": "Zoë"},
        {"name": "Jürgen"},
    ]


def _peak_of(source: io.BufferedReader) -> tuple[str, int]:
    """What reading ``source`` as vCard raised, and the peak of memory it took."""
    import tracemalloc

    from tinycrm.formats import FormatError

    tracemalloc.start()
    try:
        try:
            list(read_vcards(source, name="big.vcf"))
            said = ""
        except FormatError as exc:
            said = str(exc)
        return said, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_file_that_is_not_vcard_is_refused_from_its_start_in_bounded_memory() -> None:
    """A 2 GB sparse file (NUL bytes) read as vCard took 54 s and 3.4 GB before it
    'held no vCard', and 200 MB of binary junk 400 MB: the whole file was read, its
    junk decoded line by line. Now what comes before the first BEGIN:VCARD is looked at
    as it is read: NUL bytes (binary data), or 64 KiB that are not blank without a
    BEGIN:VCARD, refuse the file there, its first MiB read at most; memory stays bounded
    whatever the file holds."""
    from tinycrm.formats.vcard_lines import PROPERTY_LIMIT

    size = 50 << 20
    cases = {  # (head, fill): the file of NULs, one line without an end, binary junk, text
        "NUL bytes": ("", b"\x00"),
        "no line end": ("", b"x"),
        "junk": ("", bytes(range(256))),
        "text": ("", b"NOTE:nothing to see here\r\n"),
        "utf-16": ("\ufeff", "x".encode("utf-16-le")),
    }
    for what, (head, fill) in cases.items():
        source = stream(head, size, "\r\n" + NEXT, fill)
        if head:  # a UTF-16 file: its mark, then its text
            source = io.BufferedReader(_Stream(codecs.BOM_UTF16_LE, size, b"", fill))
        said, peak = _peak_of(source)
        assert cast("_Stream", source.raw).left > size - (1 << 20), what  # not read through
        assert said.startswith("big.vcf: not a vCard file ("), (what, said)
        expected = "NUL bytes" if what in ("NUL bytes", "junk") else "no BEGIN:VCARD"
        assert expected in said, (what, said)
        assert peak < 16 * PROPERTY_LIMIT, (what, peak)


def test_a_line_over_the_limit_is_cut_as_it_passes_it_not_when_it_ends() -> None:
    """A property longer than the limit was held to its line end (a 2 GB line without
    one read to the file's end before it was cut); now it is cut as it passes the limit,
    the rest of it passed over as it is read, and the cards after it are read."""
    from tinycrm.formats.vcard_decode import PROPERTY_LIMIT, _lines

    read_so_far = 0

    def chunks() -> Any:
        nonlocal read_so_far
        while True:
            read_so_far += 64 * 1024
            yield b"x" * (64 * 1024)

    line, cut = next(_lines(chunks(), b"\r"))
    assert cut and len(line) == PROPERTY_LIMIT + 1
    assert read_so_far <= PROPERTY_LIMIT + 64 * 1024
    head = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Big\r\nNOTE;X=\r\n :"
    found = read(head + "y" * (PROPERTY_LIMIT * 3) + "\r\nEND:VCARD\r\n" + NEXT)
    assert [values.get("name") for _, values, _ in found] == [None, "After"]


def test_text_before_the_first_card_within_64_kib_is_still_counted_not_refused() -> None:
    """A note before the cards (a mail's lines saved with them) is not a reason to refuse
    the file: it is counted as outside any card, as before."""
    outside: dict[str, int] = {}
    preamble = "".join(f"line {n} of a mail\r\n" for n in range(2000))  # ~36 KiB
    found = read("\r\n" * 50_000 + preamble + NEXT, outside=outside)
    assert [values for _, values, _ in found] == [{"name": "After"}]
    assert outside == {"lines": 2000, "first": 50_001}


def test_lines_are_the_same_wherever_the_file_is_cut_into_chunks() -> None:
    """The file is read in chunks: a line, a CRLF, a line over the limit split across
    chunks, or whole inside one, is the same line (cut the same) as in the whole text."""
    from tinycrm.formats.vcard_decode import PROPERTY_LIMIT, _lines

    text = (
        b"a\r\nbb\rccc\n\r\n\r\r\nd"
        + b"x" * (PROPERTY_LIMIT + 5)
        + b"\r\ne\n"
        + b"y" * (PROPERTY_LIMIT + 1)
        + b"\r"
        + b"z" * PROPERTY_LIMIT
        + b"\n\xc3\xa9\r\nlast"
    )
    expected = [(line[: PROPERTY_LIMIT + 1], len(line) > PROPERTY_LIMIT)
                for line in re.split(rb"\r\n|\r|\n", text)]  # fmt: skip
    for size in (3, 7, 4096, 64 * 1024, len(text)):
        chunks = [text[at : at + size] for at in range(0, len(text), size)]
        assert list(_lines(chunks, b"\r")) == expected, size
        ended = [*chunks[:-1], chunks[-1] + b"\r\n"]  # a line end closes the file
        assert list(_lines(ended, b"\r")) == expected, size


def test_a_fold_of_8_bit_bytes_is_read_in_the_charset_its_property_line_names() -> None:
    """A fold's bytes are read in the CHARSET of the line it continues, also when that
    line itself is plain ASCII."""
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Zo\r\nNOTE;CHARSET=ISO-8859-1:plain\r\n"
        b" caf\xe9\r\n \xe9t\xe9\r\nEND:VCARD\r\n"
    )
    found = [values for _, values, _ in read_vcards(io.BytesIO(data), name="x.vcf")]
    assert found == [{"name": "Zo", "notes": "plaincaféété"}]


def test_a_photos_folds_are_left_out_up_to_a_line_that_ends_the_card() -> None:
    """A photo's folds, long or short, tab or space, in a card indented or not, are
    left out and counted; a fold that reads END:VCARD alone still ends the card."""
    base64 = "\r\n ".join(["PHOTO;ENCODING=b;TYPE=JPEG:" + "A" * 48, *["B" * 74] * 3, "C="])
    text = (
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\n{base64}\r\n\tDDDD\r\nEMAIL:a@x.io\r\nEND:VCARD\r\n"
        f"  BEGIN:VCARD\r\n  FN:Bo\r\n  {base64.replace(chr(10), chr(10) + '  ')}\r\n"
        "  NOTE:hi\r\n  END:VCARD\r\n"
        f"BEGIN:VCARD\r\nFN:Cy\r\n{base64}\r\n END:VCARD\r\nNOTE:outside\r\n" + NEXT
    )
    unread: dict[str, int] = {}
    outside: dict[str, int] = {}
    found = read(text, unread=unread, outside=outside)
    assert [values for _, values, _ in found] == [
        {"name": "Ada", "email": "a@x.io"},
        {"name": "Bo", "notes": "hi"},
        {"name": "Cy"},
        {"name": "After"},
    ]
    assert unread == {"PHOTO": 3}
    assert outside == {"lines": 1, "first": 29}


def test_a_character_a_fold_cuts_in_two_is_read_whole_in_its_lines_charset() -> None:
    """vCard 2.1 phones fold at 75 bytes blindly, so a fold may cut a Shift_JIS (or EUC,
    GB18030, Big5) character in two: each line was read alone, the cut one as
    Windows-1252, '東京都港区' as '“Œ‹ž“s港区'. Now the bytes of a cut character go on
    into the fold, and the value reads as written wherever the folds fall."""
    tokyo = "東京都港区六本木 3-2-1、ヒルズ森タワー 42階 (受付: 田中)"
    taipei = "台北市信義區市府路 1 號 (櫃檯: 陳先生) 😀"
    for charset, text in (("SHIFT_JIS", tokyo), ("EUC-JP", tokyo), ("GB18030", taipei),
                          ("BIG5", taipei[:-2]), ("KOI8-R", "Москва, ул. Тверская")):  # fmt: skip
        value = text.encode(charset.lower())
        for width in (2, 3, 5, 7, 75):  # (a fold of a space alone is a blank line)
            folded = b"\r\n ".join(value[at : at + width] for at in range(0, len(value), width))
            data = (
                f"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ada\r\nNOTE;CHARSET={charset}:".encode()
                + folded
                + b"\r\nEMAIL:ada@x.example\r\nEND:VCARD\r\n"
            )
            [(_, values, _)] = read_vcards(io.BytesIO(data), name="x.vcf")
            assert values == {"name": "Ada", "email": "ada@x.example", "notes": text}, (
                charset,
                width,
            )


def test_a_property_name_a_fold_cuts_is_that_property_and_its_limits_hold() -> None:
    """Folding may cut a property's name ('PHO' then ' TO;ENCODING=b:…'): the name was
    taken from the first line alone, so a 3 MB photo was kept as a property 'PHO' and its
    card refused as longer than 1 MiB, and a 700 KB NOTE cut as 'NO' / ' TE:' was left
    out in silence as a property no field takes, where a NOTE over the limit rejects
    its card. Now the name is read unfolded: the photo is left out (and named PHOTO),
    the note's card rejected, the next card read."""
    photo = "\r\n ".join(["QUFB" * 18] * 40_000)  # ~3 MB of base64
    note = "\r\n ".join(["x" * 74] * 10_000)  # ~750 KB
    text = (
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nPH\r\n O\r\n\tTO;ENCODING=b:{photo}\r\n"
        "EMAIL:ada@x.example\r\nEND:VCARD\r\n"
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bo\r\nNO\r\n TE:{note}\r\nEND:VCARD\r\n" + NEXT
    )
    unread: dict[str, int] = {}
    [(_, ada, _), (_, bo, report), (_, after, _)] = read(text, unread=unread)
    assert ada == {"name": "Ada", "email": "ada@x.example"}
    assert unread == {"PHOTO": 1}
    assert bo[ROW_ERROR].endswith(
        "NOTE on line 40011 is longer than 256 KiB (the rows' report holds the card without it)"
    )
    assert "FN:Bo" in report and len(report) < 200
    assert after == {"name": "After"}


def _split(data: bytes) -> tuple[Any, dict[str, int], dict[str, int]]:
    from tinycrm.formats import FormatError
    from tinycrm.formats.vcard_lines import split_cards

    dropped: dict[str, int] = {}
    outside: dict[str, int] = {}
    cards = split_cards(io.BytesIO(data), name="x.vcf", dropped=dropped, outside=outside,
                        read=frozenset({"FN", "NOTE", "EMAIL"}))  # fmt: skip
    try:
        return list(cards), dropped, outside
    except FormatError as exc:
        return str(exc), dropped, outside


def test_a_file_of_short_lines_is_read_in_few_pieces_the_same_as_line_by_line(
    monkeypatch: Any,
) -> None:
    """A file of one- or two-character lines (folds, lines of no property, blank lines,
    short properties) was read a line at a time through five steps, ~0.5 s/MB of CPU.
    Now the lines a 64 KiB chunk holds whole are read as units: a line with its folds,
    a run of blank lines, a run of plain content lines, each given as one; the cards,
    their lines, line numbers, reasons and counts are those read line by line."""
    import random

    import tinycrm.formats.vcard_decode as lines

    head = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nNOTE:x\r\n"
    shapes = {
        "folds": head + b" x\r\n" * 100_000 + b"END:VCARD\r\n",
        "no property": head + b"x\n" * 100_000 + b"END:VCARD\n",
        "blank": head + b"\r\n" * 100_000 + b"END:VCARD\r\n",
        "short properties": head + b"N:\r" * 100_000 + b"END:VCARD\r",
    }
    for what, data in shapes.items():
        assert sum(1 for _ in lines._decode(io.BytesIO(data), "x.vcf")) < 100, what
    pieces = [b"BEGIN:VCARD", b"END:VCARD", b"begin:vcard", b"  BEGIN:VCARD", b" END:VCARD",
              b" end:vcard", b"BEG\xc4\xb1N:VCARD", b"BEGIN:VCA", b" RD", b"VERSION:2.1",
              b"FN:Ada", b"EMAIL:a@x.io", b"NOTE;ENCODING=QUOTED-PRINTABLE:ab=", b"cd=", b"ef",
              b"PHOTO;ENCODING=b:QUFB", b"QUFBQUFB", b"AGENT:", b"AGENT", b"KEY", b"PHO",
              b" TO:x", b" x", b"\tx", b"x", b"xy", b" ", b"", b"\x1a", b"\xef\xbb\xbf",
              b"caf\xc3\xa9", b"caf\xe9", b"NOTE;CHARSET=SHIFT_JIS:\x93", b" \x8c\x9e", b":",
              b"item1.EMAIL:b@x.io", b"=", b"a=b", b";", b"\xc2\xa0", b"x.logo", b"\xc5\xbfound",
              b"NOTE:" + b"y" * 300, b"  FN:Bo", b"   cont", b"\x0c", b" \x0c"]  # fmt: skip
    ends = [b"\r\n", b"\n", b"\r"]
    files = [data for data in shapes.values()]
    for seed in range(60):
        rng = random.Random(seed)
        count = rng.choice([10, 100, 3000])
        files.append(b"".join(rng.choice(pieces) + rng.choice(ends) for _ in range(count)))
    by_units = [_split(data) for data in files]
    monkeypatch.setattr(lines, "_units", lambda text: iter(text.split("\n")))
    assert [_split(data) for data in files] == by_units


@pytest.mark.parametrize(
    ("head", "said"),
    [
        (b"\x7fELF\x02\x01\x01\x00" + bytes(range(1, 256)) * 8, "a program"),
        (b"PK\x03\x04\x14\x00\x06\x00xl/workbook.xml" + bytes(200), "an Excel workbook"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "an image"),
        (b"SQLite format 3\x00" + bytes(range(256)) * 4, "a SQLite database"),
    ],
)
def test_a_binary_file_named_as_vcard_is_refused_saying_what_it_is(head: bytes, said: str) -> None:
    """A program, a workbook or an image given as a vCard file was read as UTF-16 (its
    bytes guessed so) and refused as "not valid utf-16-le (illegal encoding)": nothing a
    person can act on. Now it is refused as the CSV import refuses it: what it looks like."""
    from tinycrm.formats import FormatError
    from tinycrm.formats.vcard_lines import split_cards

    with pytest.raises(FormatError) as refused:
        list(split_cards(io.BytesIO(head), name="people.vcf"))
    assert str(refused.value).startswith(f"people.vcf: this looks like {said}"), refused.value
    assert "not a vCard file" in str(refused.value) or "Excel" in str(refused.value)
