"""Files that are broken or not CSV at all, through ``tinycrm`` run as a process
(forked from the fork server: tests/cli/forkserver.py).

An unclosed quote never merges the rest of the file into one cell; a workbook, a PDF,
an image, NUL bytes or prose is refused with one line that echoes none of its bytes,
and the database is as it was (compared by a dump before and after).
"""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path

import pytest

UNCLOSED = 'Name,Email\nAda,ada@x.io\n"Bob,bob@x.io\nCy,cy@x.io\nDee,dee@x.io\n'


def _dump(forked) -> dict:
    result = forked("export", "all", "--format", "json")
    assert result.exit_code == 0, result.stderr
    dump = json.loads(result.stdout)
    dump.pop("exported_at")
    return dump


@pytest.fixture
def seeded(forked) -> None:
    assert forked("contact", "add", "Zoe Zed", "--email", "zoe@x.io").exit_code == 0


def test_strict_stops_at_the_line_where_the_quote_opened(forked, seeded, tmp_path: Path) -> None:
    file = tmp_path / "people.csv"
    file.write_text(UNCLOSED, encoding="utf-8")
    before = _dump(forked)
    result = forked("import", "contacts", str(file), "--strict")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: line 3: a quote opened here is never closed (--strict: nothing was imported)\n"
    )
    assert _dump(forked) == before
    assert not (tmp_path / "people.errors.csv").exists()


def test_without_strict_the_row_is_rejected_and_the_next_lines_imported(
    forked, seeded, tmp_path: Path
) -> None:
    file = tmp_path / "people.csv"
    file.write_text(UNCLOSED, encoding="utf-8")
    result = forked("import", "contacts", str(file), "--json")
    assert result.exit_code == 0, result.stderr
    summary = result.json()
    assert (summary["created"], summary["rejected"]) == (3, 1)
    emails = {c["email"] for c in forked("contact", "list", "--json").json()}
    assert emails == {"zoe@x.io", "ada@x.io", "cy@x.io", "dee@x.io"}
    report = (tmp_path / "people.errors.csv").read_text(encoding="utf-8-sig")
    assert "3,a quote opened here is never closed" in report


def test_a_quote_closed_mid_value_lines_later_is_rejected_not_merged(
    forked, tmp_path: Path
) -> None:
    file = tmp_path / "notes.csv"
    file.write_text(
        'Name,Email,Notes\n"Ann,ann@x.io,x\nBob,bob@x.io,"said hi"\nCy,cy@x.io,\n', encoding="utf-8"
    )
    result = forked("import", "contacts", str(file), "--json")
    assert result.exit_code == 0, result.stderr
    assert (result.json()["created"], result.json()["rejected"]) == (2, 1)
    notes = {c["email"]: c["notes"] for c in forked("contact", "list", "--json").json()}
    assert notes == {"bob@x.io": "said hi", "cy@x.io": None}


def _xlsx(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")


def _ods(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as book:  # ODF's mimetype first, stored as it is
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("content.xml", "<office:document-content/>", zipfile.ZIP_DEFLATED)


NOT_CSV = {
    "book.xlsx": (
        _xlsx,
        "this looks like an Excel workbook (.xlsx); save it as CSV (in Excel: File > Save As, "
        "CSV UTF-8)",
    ),
    "sheet.ods": (
        _ods,
        "this looks like an OpenDocument spreadsheet (.ods); save it as CSV (in LibreOffice: "
        "File > Save a Copy, Text CSV)",
    ),
    "report.pdf": (
        lambda p: p.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nstream\n\x00\x1b[2J"),
        "this looks like a PDF document, not a CSV file",
    ),
    "logo.png": (
        lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))),
        "this looks like an image, not a CSV file",
    ),
    # TextEdit's and WordPad's rich text saved under a .csv name: it opens with '{', and
    # was read as JSON ('rtf.csv is not valid JSON (line 1, column 2: …)')
    "typed.csv": (
        lambda p: p.write_bytes(b"{\\rtf1\\ansi\\ansicpg1252 Name,Email\\par Ada,ada@x.io}\n"),
        "this looks like a rich text document (RTF), not a CSV file; save it as plain text",
    ),
    # a report's title above its header row: refused, the header row named
    "titled.csv": (
        lambda p: p.write_text(
            "Contacts export 2026-12-01\n\nName,Email,Title,Amount\nAda,a@x.io,CEO,1\n"
        ),
        "(its first line: 'Contacts export 2026-12-01'); line 3 looks like the header row "
        "('Name', 'Email', 'Title', 'Amount'): remove the lines above it",
    ),
    "noise.csv": (
        lambda p: p.write_bytes(random.Random(7).randbytes(20_000)),
        "it is not a text file",
    ),
    "nul.csv": (
        lambda p: p.write_bytes(b"Name,Email\nAda\x00\x1b]0;pwned\x07,ada@x.io\n"),
        "holds NUL bytes: it is not a text file",
    ),
    "late-nul.csv": (
        lambda p: p.write_bytes(b"Name,Email\n" + b"Ada,ada@x.io\n" * 9000 + b"B\x00b,b@x.io\n"),
        "line 9002 holds NUL bytes: it is not a text file",
    ),
    "escapes.csv": (
        lambda p: p.write_bytes(b"\x1b[2J\x1b]0;pwned\x07" * 40 + b"\n\x1b[31mred\n"),
        "holds control characters: it is not a text file",
    ),
    "letter.txt": (
        lambda p: p.write_text(
            "Dear Ada\nThank you for your letter of May 3\nI enjoyed it very much\n"
        ),
        "letter.txt is a field of contacts (its first line: 'Dear Ada')",
    ),
}


@pytest.mark.parametrize("name", sorted(NOT_CSV))
def test_files_that_are_not_csv_are_refused_with_one_clean_line(
    forked, seeded, tmp_path: Path, name: str
) -> None:
    make, message = NOT_CSV[name]
    file = tmp_path / name
    make(file)
    before = _dump(forked)
    kind = "deals" if len(name) % 2 else "contacts"  # one kind each: a subprocess costs
    result = forked("import", kind, str(file))
    assert result.exit_code == 1, (kind, result.stdout, result.stderr)
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert message.replace("contacts", kind) in result.stderr
    assert all(c.isprintable() for c in result.stderr.rstrip("\n")), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert _dump(forked) == before
    assert not list(tmp_path.glob("*.errors.csv"))


def test_a_one_column_file_is_fine_when_its_header_is_a_field(forked, tmp_path: Path) -> None:
    file = tmp_path / "emails.txt"
    file.write_text("Email\nada@x.io\nbob@x.io\n", encoding="utf-8")
    result = forked("import", "contacts", str(file), "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["created"] == 2
    # and prose becomes importable when the user says which field its one column is
    prose = tmp_path / "names.txt"
    prose.write_text("Dear Ada\nGrace Hopper\n", encoding="utf-8")
    mapped = forked("import", "contacts", str(prose), "--map", "Dear Ada=name", "--json")
    assert mapped.exit_code == 0, mapped.stderr
    assert mapped.json()["created"] == 1


def test_a_hostile_file_name_is_not_echoed_raw(forked, tmp_path: Path) -> None:
    file = tmp_path / "evil\x1b[2J.xlsx"
    _xlsx(file)
    result = forked("import", "contacts", str(file))
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\\x1b[2J.xlsx" in result.stderr


def test_a_column_of_dates_both_ways_is_refused_in_one_line(forked, seeded, tmp_path: Path) -> None:
    # 13/01 is day first, 01/13 month first: 03/04 could be either day, so nothing is read
    file = tmp_path / "deals.csv"
    file.write_text(
        "Deal Name,Close Date\nAlpha,03/04/2026\nBeta,13/01/2026\nGamma,01/13/2026\n",
        encoding="utf-8",
    )
    before = _dump(forked)
    result = forked("import", "deals", str(file))
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: the close date column has dates only day first reads ('13/01/2026', line 3) "
        "and dates only month first reads ('01/13/2026', line 4): say which way the file's "
        "dates read with --day-first or --month-first (rows that cannot be read that way "
        "are then rejected)\n"
    )
    assert _dump(forked) == before
    assert not (tmp_path / "deals.errors.csv").exists()
    told = forked("import", "deals", str(file), "--month-first", "--json")
    assert told.exit_code == 0, told.stderr
    assert (told.json()["created"], told.json()["rejected"]) == (2, 1)
    closes = {d["title"]: d["close_date"] for d in forked("deal", "list", "--json").json()}
    assert closes == {"Alpha": "2026-03-04", "Gamma": "2026-01-13"}


def test_a_json_file_reads_dates_as_day_first_says(forked, seeded, tmp_path: Path) -> None:
    file = tmp_path / "deals.json"
    file.write_text('[{"title": "Alpha", "close_date": "03/04/2026"}]', encoding="utf-8")
    result = forked("import", "deals", str(file), "--day-first")
    assert result.exit_code == 0, result.stderr
    assert [d["close_date"] for d in forked("deal", "list", "--json").json()] == ["2026-04-03"]


@pytest.mark.parametrize(
    ("name", "text", "args"),
    [
        ("keys.json", '{"a": 1}', ()),
        ("strict.csv", "name,email\nAda,ada@x.io\nBob,not an email\n", ("--strict",)),
        ("cards.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nEMAIL:bad\r\n", ("--strict",)),
    ],
)
def test_an_import_refused_into_a_new_database_path_makes_none(
    cli, tmp_path: Path, name: str, text: str, args: tuple[str, ...]
) -> None:
    """An import refused (keys that are no fields, --strict and a bad row) into a database
    path where there was none left an empty database file behind, made for it; now the
    file is taken away again: a refused import writes nothing."""
    source = tmp_path / name
    source.write_text(text)
    fresh = tmp_path / "new.db"
    result = cli("--db", str(fresh), "import", "contacts", str(source), *args)
    assert result.exit_code == 1, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_file_that_changes_while_it_is_read_imports_nothing(
    cli, tmp_path: Path, monkeypatch
) -> None:
    """A CSV file another program was still writing (a spreadsheet saving it, an export
    still running) was imported as far as it had got, or as far as its rewrite left it
    (a file cut to a third while read: a third of the rows, and no word). A file not the
    size or age it was when opened is refused once read, and nothing is imported."""
    import tinycrm.formats.csvfile as csvfile

    people = tmp_path / "people.csv"
    people.write_text("name,email\n" + "".join(f"P{i},p{i}@x.io\n" for i in range(5)))
    opened = csvfile.open_csv

    def opening(*args, **kwargs):
        table = opened(*args, **kwargs)
        records = table.records

        def cut_while_read():
            for n, record in enumerate(records()):
                if n == 1:
                    with people.open("r+b") as handle:  # another program cuts it short
                        handle.truncate(40)
                yield record

        table.records = cut_while_read
        return table

    monkeypatch.setattr(csvfile, "open_csv", opening)
    db = str(tmp_path / "crm.db")
    result = cli("--db", db, "import", "contacts", str(people))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"Error: {people} changed while it was read (")
    assert "nothing was imported" in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "people.errors.csv").exists()
    monkeypatch.undo()
    assert cli("--db", db, "contact", "list", "--json").json() == []


def test_errors_into_a_read_only_folder_is_refused_before_importing(
    cli, tmp_path: Path, monkeypatch
) -> None:
    """--errors into a read-only folder (a mounted share, another user's) was found out
    only once the rows were in: the import went ahead and the rejected rows were lost
    but for the first few on stderr. It is refused first, as a missing folder is, and
    nothing is imported. (The default report, beside the input, is not checked: a file
    on a read-only disk imports, its rejected rows then listed.)"""
    import tempfile

    people = tmp_path / "people.csv"
    people.write_text("name,email\nAda,ada@x.io\nBo,not an email\n")
    shut = tmp_path / "shut"
    shut.mkdir()
    made = tempfile.TemporaryFile  # (tests run as root, whom a folder's mode does not stop)

    def refused(*args, **kwargs):
        if Path(kwargs.get("dir") or ".") == shut:
            raise PermissionError(13, "Permission denied")
        return made(*args, **kwargs)

    monkeypatch.setattr(tempfile, "TemporaryFile", refused)
    db = str(tmp_path / "crm.db")
    result = cli("--db", db, "import", "contacts", str(people), "--errors", str(shut / "e.csv"))
    assert result.exit_code == 1 and result.stdout == ""
    assert f"the folder {shut} cannot be written in" in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1
    monkeypatch.undo()
    assert cli("--db", db, "contact", "list", "--json").json() == []
