"""Every CSV tinycrm writes reads back as written: a cell with a lone carriage return is
quoted (a CSV reader ends a row at it otherwise), on the path the database builds lines
and on the path that writes cell by cell, in exports and in ``--csv`` output."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import tinycrm
from tinycrm.cli import output as out
from tinycrm.store.search_index import register_sqlite_fold

CR = ["cr\rinside", "\rstart", "end\r", "\r", "a\r\nb", "\r\r\n", "=\r", "x,\ry"]


def _read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _raw(path: Path, table: str, column: str, values: dict[int, Any]) -> None:
    """Values as only raw SQL stores them (tinycrm's own input turns ``\\r`` into ``\\n``)."""
    with sqlite3.connect(path) as db:
        register_sqlite_fold(db)
        for rid, value in values.items():
            db.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (value, rid))


def test_the_csv_writer_quotes_a_carriage_return() -> None:
    assert "\r" in out.csv_quoted()
    for text in CR:
        assert out.csv_cell(text).startswith('"'), repr(text)
    stream = io.StringIO()
    out.write_csv([{"a": text, "b": "x"} for text in CR], stream)
    assert _read(stream.getvalue()) == [["a", "b"], *([out.csv_safe(t), "x"] for t in CR)]
    assert stream.getvalue().count(",x\n") == len(CR)  # rows still end in \n


@pytest.mark.parametrize("where", ["file", "stdout"])
def test_export_contacts_with_carriage_returns_reads_back(
    cli: Any, tmp_path: Path, where: str
) -> None:
    """To a file and to a pipe (lines the database builds): the rows come back whole."""
    path = tmp_path / "crm.db"
    with tinycrm.open(path) as crm:
        for n in range(len(CR)):
            crm.contacts.add(f"Person {n}", tags=["a"])
    _raw(path, "contact", "notes", {n + 1: text for n, text in enumerate(CR)})
    _raw(path, "contact", "title", {n + 1: text for n, text in enumerate(reversed(CR))})
    if where == "file":
        target = tmp_path / "contacts.csv"
        assert cli("--db", str(path), "export", "contacts", "--out", str(target)).exit_code == 0
        with target.open(newline="", encoding="utf-8-sig") as handle:
            text = handle.read()
    else:
        text = cli("--db", str(path), "export", "contacts").stdout
    rows = _read(text)
    assert len(rows) == len(CR) + 1
    header = rows[0]
    notes = {r[header.index("name")]: r[header.index("notes")] for r in rows[1:]}
    titles = {r[header.index("name")]: r[header.index("title")] for r in rows[1:]}

    def cell(text: str) -> str:  # (the test runner reads \r\n printed as \n)
        return out.csv_safe(text) if where == "file" else out.csv_safe(text).replace("\r\n", "\n")

    for n, text in enumerate(CR):
        assert notes[f"Person {n}"] == cell(text)
        assert titles[f"Person {n}"] == cell(CR[-1 - n])


def test_list_and_show_csv_and_other_exports_quote_a_carriage_return(
    cli: Any, tmp_path: Path
) -> None:
    path = tmp_path / "crm.db"
    with tinycrm.open(path) as crm:
        crm.contacts.add("Ada", tags=["a"])
        crm.companies.add("Acme")
    _raw(path, "contact", "notes", {1: "cr\rinside"})
    _raw(path, "company", "address", {1: "cr\rinside"})
    db = ("--db", str(path))
    for args in (
        ("contact", "list", "--csv"),
        ("contact", "show", "Ada", "--csv"),
        ("company", "list", "--csv"),
        ("export", "companies", "--format", "csv"),
    ):
        result = cli(*db, *args)
        assert result.exit_code == 0, (args, result.stderr)
        rows = _read(result.stdout)
        assert len(rows) == 2 and "cr\rinside" in rows[1], (args, result.stdout)


# Text a spreadsheet would take for a formula, text that starts with the guard's own
# quote, and line ends (tinycrm's input keeps \r as \n: that is what is stored)
GUARDED = ["'=x", "=1+1", "+x", "-x", "@x", "''+1", "'quoted", "\r", "a\r\nb", "-5", "+1 2"]


def _stored(path: Path, kind: str) -> dict[str, tuple[Any, ...]]:
    with tinycrm.open(path) as crm:
        if kind == "contacts":
            return {c.name: (c.title, c.notes, c.tags, c.fields) for c in crm.contacts.list()}
        if kind == "companies":
            return {c.name: (c.industry, c.tags, c.fields) for c in crm.companies.list()}
        return {d.title: (d.tags, d.fields) for d in crm.deals.list()}


@pytest.mark.parametrize("kind", ["contacts", "companies", "deals"])
def test_export_then_import_gives_back_what_was_stored(cli: Any, tmp_path: Path, kind: str) -> None:
    """Tags joined in one cell follow the formula guard as any cell does (``'=x`` is
    written ``''=x``, import takes one ``'`` off), with one tag or several, on the lines
    the database builds (contacts) and cell by cell (companies, deals)."""
    source, target = tmp_path / "old.db", tmp_path / "new.db"
    with tinycrm.open(source) as crm:
        add = {"contacts": crm.contacts.add, "companies": crm.companies.add}.get(kind)
        for n, text in enumerate(GUARDED):
            tags = [text.strip() or "cr", f"{text.strip() or 'cr'}{n}", "plain"][: 1 + n % 3]
            extra: dict[str, Any] = {"tags": tags, "fields": {"colour": text}}
            if kind == "contacts" and add is not None:
                add(f"Person {n}", title=text.strip() or None, notes=text, **extra)
            elif add is not None:
                add(f"Firm {n}", industry=text.strip() or None, **extra)
            else:
                crm.deals.add(f"Deal {n}", **extra)
    file = tmp_path / f"{kind}.csv"
    assert cli("--db", str(source), "export", kind, "--out", str(file)).exit_code == 0
    result = cli("--db", str(target), "import", kind, str(file))
    assert result.exit_code == 0, result.stderr
    before = _stored(source, kind)
    assert any("'=x" in str(v) for v in before.values())  # the cases are there
    assert _stored(target, kind) == before


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_carriage_return_comes_in_as_a_line_break(cli: Any, tmp_path: Path, fmt: str) -> None:
    """The line ends a note can come with all mean a line break: Excel's \\r\\n inside a
    quoted cell, and a lone \\r (an old Mac's line end; a carriage return on its own is
    a control character tinycrm does not store, and its own input reads it as \\n). So
    a lone \\r that raw SQL stored leaves in an export as it is and comes back as \\n,
    and \\r\\n as one \\n, never two."""
    file = tmp_path / f"in.{fmt}"
    if fmt == "csv":
        file.write_bytes(
            b'name,notes\r\nAda,"one\r\ntwo"\r\nBo,"one\rtwo"\r\nCy,"one\r\r\ntwo"\r\n'
        )
    else:
        file.write_text(
            '[{"name": "Ada", "notes": "one\\r\\ntwo"}, {"name": "Bo", "notes": "one\\rtwo"},'
            ' {"name": "Cy", "notes": "one\\r\\r\\ntwo"}]'
        )
    db = tmp_path / "in.db"
    assert cli("--db", str(db), "import", "contacts", str(file)).exit_code == 0
    with tinycrm.open(db) as crm:
        notes = {c.name: c.notes for c in crm.contacts.list()}
    assert notes == {"Ada": "one\ntwo", "Bo": "one\ntwo", "Cy": "one\n\ntwo"}
    _raw(db, "contact", "notes", {2: "raw\rcr"})
    out_file = tmp_path / f"out.{fmt}"
    assert cli("--db", str(db), "export", "contacts", "--format", fmt, "--out", str(out_file))
    again = tmp_path / "again.db"
    assert cli("--db", str(again), "import", "contacts", str(out_file)).exit_code == 0
    with tinycrm.open(again) as crm:
        assert {c.name: c.notes for c in crm.contacts.list()}["Bo"] == "raw\ncr"


def test_full_width_and_line_feed_formula_starts_are_escaped_and_import_gives_them_back(
    cli: Any, tmp_path: Path
) -> None:
    """A custom field's value starting with ＝ ＋ － ＠ or a line feed went out bare (a
    spreadsheet may run it); now it has the leading ', and importing the export gives
    back the very value, on the lines the database builds and cell by cell alike."""
    values = {"a": "＝HYPERLINK(1)", "b": "＋1", "c": "－1", "d": "＠SUM(1)", "e": "\n=1+1"}
    path = tmp_path / "crm.db"
    with tinycrm.open(path) as crm:
        crm.contacts.add("Ada", email="ada@x.io", fields=values)
    for how in (["export", "contacts"], ["contact", "list", "--csv"]):  # lines; cells
        target = tmp_path / f"{how[0]}.csv"
        result = cli("--db", str(path), *how)
        assert result.exit_code == 0, result.stderr
        target.write_text(result.stdout, encoding="utf-8")
        (row,) = csv.DictReader(io.StringIO(result.stdout))
        assert {k: row[f"field.{k}"] for k in values} == {k: "'" + v for k, v in values.items()}
        fresh = tmp_path / f"{how[0]}.db"
        assert cli("--db", str(fresh), "import", "contacts", str(target)).exit_code == 0
        (ada,) = cli("--db", str(fresh), "contact", "list", "--json").json()
        assert ada["fields"] == values
