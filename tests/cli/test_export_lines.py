"""``export contacts --format csv`` on SQLite has the database build each line: the
lines are byte for byte what writing the rows cell by cell gives, on tricky data."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import tinycrm
from tinycrm.cli import output as out
from tinycrm.store.search_index import register_sqlite_fold

TRICKY = [
    "=1+1", "+49 30 1234567", "+4930", "-", "-5", "-1.5", "+1e5", "-inf", "+ 1", "+1 ",
    "-x", "@x", "'quoted", "'=1", "''+1", "\tTab", "\rCR", "a,b", 'say "hi"', "two\nlines",
    "cr\rinside", "Müller ÄÖÜ ß 東京 🙂", "", " lead", "tail ", "0123", "<b>", "=", "+",
    "a\u2028b", "+1\u3000", "+1\u30002", ":colon", ";semi", "Zed", "~tilde", "|pipe",
    "\x01ctl", "back\\slash", "\x7fdel", "\x1b[31mred", "tab\there", "\\", "\u202eevil",
    # what the lines are built with (separators, marks) inside and at the start of text
    "a\x1fb", "\x1fstart", "\x1cmark", "in\x1cside", "x\x1ey", "\x1e", "\x1dgs", "\x1c",
    "(555) 123-4567", "+1 (555) 123", "+١٢٣", "-١", "1,5", '"', "'", "@", "\xa0nbsp", "-0",
    "+12345678901234567890123", "--", "-+1", "+.5", "-1e-3", "+Infinity", "-nan", "+1_000",
    "\u2066isolate\u2069", "Ä,Ö", "end,", ",start", "\n", "\r\n", "' ", "=", "@@",
    # full-width formula starts, a line feed's, and the letters either side of them
    "＝1+1", "＋1", "－1", "＠x", "'＝1", "\n=1", "Ｚ", "＜", "ａ", "\uff0c", "\uffff",
]  # fmt: skip
COLUMNS = ["name", "email", "phone", "title", "role", "source", "owner", "notes", "uid",
           "lead_status", "last_touch"]  # fmt: skip


@pytest.fixture
def tricky(tmp_path: Path) -> Path:
    path = tmp_path / "crm.db"
    with tinycrm.open(path) as crm:
        for i in range(len(TRICKY)):
            crm.contacts.add(
                f"Person {i}",
                tags=["a", f"t{i % 3}"],
                fields={"colour": "c", "size": str(i)} if i % 2 else {"size": "s"},
            )
        crm.contacts.add("Plain Person", tags=["=sum", "b"])
        crm.contacts.add("No Tags")
    with sqlite3.connect(path) as db:
        register_sqlite_fold(db)  # (the search index's triggers fold what is written)
        ids = [r[0] for r in db.execute("SELECT id FROM contact ORDER BY id")]
        for n, column in enumerate(COLUMNS):  # each text in each text column, bypassing checks
            for i, cid in enumerate(ids):
                value: Any = TRICKY[(i + n) % len(TRICKY)]
                if column in ("email", "uid"):  # unique
                    value += str(i)
                elif (i + n) % 7 == 0 and column not in ("name", "owner"):
                    value = None
                db.execute(f"UPDATE contact SET {column} = ? WHERE id = ?", (value, cid))
        for table, column in (("tag", "name"), ("field_value", "value")):
            rows = [r[0] for r in db.execute(f"SELECT id FROM {table} ORDER BY id")]
            for i, rid in enumerate(rows):
                if i % 3:
                    value = TRICKY[i % len(TRICKY)] + ("" if table == "field_value" else str(i))
                    db.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (value, rid))
        odd = [  # values of other types than the column's, as only raw SQL writes them
            ("score", 2**62), ("score", -7), ("cadence_days", 1.5), ("company_id", None),
            ("unsubscribed", 1), ("do_not_contact", 2), ("unsubscribed", "yes"),
            ("created_at", "2026-01-02 03:04:05.000000"), ("updated_at", "2026-01-02 03:04:05"),
            ("notes", b"bytes"), ("title", 12), ("role", 1.25),
            ("created_at", "2026-01-02 03:04 05.000000"),
            ("updated_at", "2026-01-02  3:04:05.000001"),
            ("created_at", "2026-01-02 03:04:05.000000 "),
            ("updated_at", "2026-13-45 99:99:99.999999"),
            ("phone", b"+1 2"), ("email", "\x1f@x"), ("score", 1e20),
            ("company_id", 10**18), ("cadence_days", "7"), ("do_not_contact", 0.5),
            ("updated_at", "2026-01-02 03:04:05\x1e000000"), ("created_at", ""),
        ]  # fmt: skip
        for cid, (column, value) in zip(ids, odd, strict=False):
            db.execute(f"UPDATE contact SET {column} = ? WHERE id = ?", (value, cid))
    return path


def _written(path: Path, fast: bool, **filters: Any) -> str:
    stream = io.StringIO()
    with tinycrm.open(path) as crm:
        if fast:
            batches = crm.exports.contact_lines(
                cell=out.csv_cell, quoted=out.csv_quoted(), prefixes=out.FORMULA_PREFIXES, **filters
            )
            assert batches is not None
        else:
            batches = crm.exports.contacts(times="iso", **filters)
        columns, field_keys = next(batches)
        writer = out.RowWriter("csv", stream, columns=columns, field_keys=field_keys)
        for rows in batches:
            writer.write_lines(rows) if fast else writer.write_values(rows)
        writer.close()
    return stream.getvalue()


@pytest.mark.parametrize("filters", [{}, {"tags": "t1"}, {"limit": 5}], ids=["all", "tag", "limit"])
def test_lines_built_by_sqlite_are_the_rows_written_cell_by_cell(
    tricky: Path, filters: dict[str, Any]
) -> None:
    general = _written(tricky, False, **filters)
    assert _written(tricky, True, **filters) == general
    assert "'=1+1" in general and "'+49 30 1234567" in general  # the cases are there
    assert general.count("\n") > 10 if not filters.get("limit") else True


@pytest.mark.parametrize("filters", [{}, {"limit": 10_000}], ids=["everyone", "limited"])
@pytest.mark.parametrize("chunk", [1, 7, 5000])
def test_lines_in_chunks_and_orders(tricky: Path, filters: dict[str, Any], chunk: int) -> None:
    """Every contact is read in the table's order and sorted by SQLite; a filtered or
    limited export walks the name index: both give the lines in name order (ties by id),
    and chunks of any size give the same lines."""
    from tinycrm.store import csv_lines

    with tinycrm.open(tricky) as crm:  # names that sort together, added out of order
        for name in ("Zoë Same", "Anna Same", "zoe same", "Anna Same", "Ángel"):
            crm.contacts.add(name)
    general = _written(tricky, False, **filters)
    stream = io.StringIO()
    with tinycrm.open(tricky) as crm:
        batches = csv_lines.stream_contact_lines(
            crm._store,
            cell=out.csv_cell,
            quoted=out.csv_quoted(),
            prefixes=out.FORMULA_PREFIXES,
            chunk=chunk,
            **filters,
        )
        assert batches is not None
        columns, field_keys = next(batches)
        writer = out.RowWriter("csv", stream, columns=columns, field_keys=field_keys)
        for rows in batches:
            assert 0 < len(rows) <= chunk
            writer.write_lines(rows)
        writer.close()
    assert stream.getvalue() == general
    added = {"Zoë Same", "Anna Same", "zoe same", "Ángel"}
    rows = csv.reader(io.StringIO(general, newline=""))
    names = [row[1] for row in rows if len(row) > 1 and row[1] in added]
    assert names == ["Ángel", "Anna Same", "Anna Same", "Zoë Same", "zoe same"]


def test_cells_looked_up_by_id_dense_sparse_or_out_of_range() -> None:
    from tinycrm.store.csv_lines import _by_id

    dense = _by_id({1: "a", 3: "c"}, "-")
    assert dense((3, 1, 2)) == ["c", "a", "-"]
    assert dense((4, 1, 10**18, -1)) == ["-", "a", "-", "-"]  # past the list, negative
    sparse = _by_id({5: "e", 10**12: "t"}, "")
    assert sparse((10**12, 5, 6)) == ["t", "e", ""]
    assert _by_id({}, "x")((1, 2)) == ["x", "x"]
    assert _by_id({-3: "n", 2: "b"}, "")((-3, 2, 0)) == ["n", "b", ""]


def test_clean_tags_are_joined_at_once(tmp_path: Path) -> None:
    """Tags with nothing to escape (the quick join) and a tag that needs it (cell by cell)."""
    path = tmp_path / "crm.db"
    with tinycrm.open(path) as crm:
        crm.contacts.add("One", tags=["a"])
        crm.contacts.add("Two", tags=["a", "b", "c"])
        crm.contacts.add("None")
    plain = _written(path, True)
    assert plain == _written(path, False) and '"a, b, c"' in plain
    with sqlite3.connect(path) as db:
        db.execute("UPDATE tag SET name = '-b' WHERE name = 'b'")
    assert _written(path, True) == _written(path, False)


def test_single_tags_and_a_tag_that_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    with tinycrm.open(path) as crm:
        for n in range(5):
            crm.contacts.add(f"Person {n}", tags=[f"t{n % 2}"])
    single = _written(path, True)
    assert single == _written(path, False) and ",t1\n" in single
    with sqlite3.connect(path) as db:
        db.execute("UPDATE tag SET name = X'6869' WHERE id = 1")  # bytes, as raw SQL stores them
    assert _written(path, True) == _written(path, False)
    assert "b'hi'" in _written(path, True)


def test_a_line_of_many_custom_fields(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    with tinycrm.open(path) as crm:
        crm.contacts.add("Many Fields", fields={f"f{i:03}": f"v,{i}" for i in range(130)})
        crm.contacts.add("Few Fields", fields={"f007": "=x"})
    assert _written(path, True) == _written(path, False)
    assert _written(path, True).count('"v,') == 130


def test_on_postgresql_there_are_no_lines() -> None:
    from tinycrm.store.csv_lines import stream_contact_lines

    class NotSqlite:
        is_sqlite = False

    assert stream_contact_lines(NotSqlite(), cell=str, quoted=",", prefixes=("=",)) is None  # type: ignore[arg-type]


def test_whitespace_is_what_python_strips() -> None:
    import sys

    from tinycrm.store.csv_lines import WHITESPACE

    python = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    assert python == WHITESPACE


def test_dump_lines_built_by_sqlite_are_the_dump_written_row_by_row(tricky: Path) -> None:
    from tinycrm.formats.jsondump import write_dump, write_dump_lines
    from tinycrm.store.csv_lines import TIME_GLOB

    with sqlite3.connect(tricky) as db:  # what the general path cannot write either
        register_sqlite_fold(db)
        db.execute("UPDATE contact SET notes = NULL WHERE typeof(notes) = 'blob'")
        db.execute("UPDATE contact SET unsubscribed = 1 WHERE unsubscribed = 'yes'")
        db.execute("UPDATE contact SET phone = NULL WHERE typeof(phone) = 'blob'")
        for column in ("created_at", "updated_at"):  # times the general path cannot read
            db.execute(
                f"UPDATE contact SET {column} = '2026-01-02 03:04:05.000000'"
                f" WHERE {column} NOT GLOB '{TIME_GLOB}' AND {column} <> '2026-01-02 03:04:05'"
                f" OR {column} GLOB '2026-13-*'"
            )
    with tinycrm.open(tricky) as crm:
        deal = crm.deals.add("Big one", amount="12,345.67", close="2026-12-31")
        crm.deals.add("Small one", amount="5")
        general, fast = io.StringIO(), io.StringIO()
        write_dump(crm.exports.dump(), general)
        lines = crm.exports.dump_lines()
        assert lines is not None
        counts = write_dump_lines(next(lines), lines, fast)
    assert counts["deal"] == 2 and counts["contact"] == len(TRICKY) + 2
    stamp = re.compile(r'"exported_at": "[^"]*"')
    assert stamp.sub("", fast.getvalue()) == stamp.sub("", general.getvalue())
    assert "\\u0001ctl" in general.getvalue() and '"2026-12-31"' in general.getvalue()
    assert deal.id


# The bytes ``export contacts`` wrote for ``_pinned_rows`` before the export was made
# faster (session 17): any later speed-up must write them again, byte for byte. (Since
# then the one change: a cell with a lone carriage return is quoted, "cr\rinside".)
PINNED = (
    b"id,name,email,phone,title,role,company_id,lifecycle,source,last_touch,owner,notes,"
    b"cadence_days,lead_status,score,unsubscribed,do_not_contact,uid,created_at,updated_at,"
    b"company,tags,field.colour,field.size\n"
    b"2,Ada,ada@x.io,-1.5e3,+12345678901234567890123,back\\slash,2,lead,,,\x1b[31mred,"
    b'"cr\rinside",,new,-7,false,false,uid-2,2026-01-02T03:04:05+00:00,'
    b"2026-01-02T03:04:05.246914+00:00,'@corp,\"'=sum, b\",,\n"
    b"1,J\xc3\xbcrgen M\xc3\xbcller,jm@acme.de,'+49 30 1234567,CEO,'\tTab,1,lead,''=1,,sam,"
    b'"Met at the fair.\nFollow up, ""soon"".",1000000000000000,new,4611686018427387904,'
    b"false,false,uid-1,2026-01-02T03:04:05+00:00,2026-01-02T03:04:05.123457+00:00,"
    b'"Acme, Inc.","newsletter, vip","blue, green",\'=1+1\n'
    b"4,Plain,,+1 ,'=,,,lead,,,sam,\x1fsep\x1emark\x1c,,new,0,false,false,uid-4,"
    b"2026-01-02T03:04:05+00:00,2026-01-02T03:04:05.493828+00:00,,solo,,\n"
    b"3,\xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x99\x82 Zo\xc3\xab,,(555) 123-4567,'@x,,,lead,,"
    b'"a,b",sam,\xe2\x80\xaeevil \xe2\x81\xa6isolate\xe2\x81\xa9,,new,0,true,true,uid-3,'
    b"2026-01-02T03:04:05+00:00,2026-01-02T03:04:05.370371+00:00,,,,-5\n"
)


def _pinned_rows(path: Path) -> None:
    """Four contacts: accents, CJK and emoji, formulas, signs and numbers that are not
    formulas, a number past 2**62, quotes, commas and line ends, controls, bidi marks
    and the characters the database's lines are built with, as only raw SQL stores some."""
    with tinycrm.open(path) as crm:
        crm.contacts.add(
            "Jürgen Müller", email="jm@acme.de", phone="+49 30 1234567", title="CEO",
            company="Acme, Inc.", notes='Met at the fair.\nFollow up, "soon".',
            tags=["vip", "newsletter"], fields={"colour": "blue, green", "size": "=1+1"},
        )  # fmt: skip
        crm.contacts.add("Ada", email="ada@x.io", company="@corp", tags=["=sum", "b"])
        crm.contacts.add("東京 🙂 Zoë", fields={"size": "-5"})
        crm.contacts.add("Plain", tags=["solo"])
    raw: dict[int, dict[str, Any]] = {
        1: {"role": "\tTab", "source": "'=1", "cadence_days": 10**15, "score": 2**62},
        2: {"title": "+12345678901234567890123", "phone": "-1.5e3", "notes": "cr\rinside",
            "owner": "\x1b[31mred", "role": "back\\slash", "score": -7},
        3: {"title": "@x", "notes": "\u202eevil \u2066isolate\u2069", "phone": "(555) 123-4567",
            "last_touch": "a,b", "unsubscribed": 1, "do_not_contact": 1},
        4: {"title": "=", "notes": "\x1fsep\x1emark\x1c", "phone": "+1 "},
    }  # fmt: skip
    with sqlite3.connect(path) as db:
        register_sqlite_fold(db)
        for cid, values in raw.items():
            for column, value in values.items():
                db.execute(f"UPDATE contact SET {column} = ? WHERE id = ?", (value, cid))
        db.execute("UPDATE contact SET owner = 'sam' WHERE id <> 2")
        db.execute("UPDATE contact SET uid = 'uid-' || id")
        db.execute(
            "UPDATE contact SET created_at = '2026-01-02 03:04:05.000000',"
            " updated_at = '2026-01-02 03:04:05.' || printf('%06d', id * 123457 % 1000000)"
        )


def test_export_contacts_writes_the_pinned_bytes(cli: Any, tmp_path: Path) -> None:
    """To a file and to a pipe, built by the database or cell by cell: the same bytes."""
    path = tmp_path / "crm.db"
    _pinned_rows(path)
    target = tmp_path / "contacts.csv"
    assert cli("--db", str(path), "export", "contacts", "--out", str(target)).exit_code == 0
    assert target.read_bytes() == PINNED
    assert cli("--db", str(path), "export", "contacts").stdout == PINNED.decode()
    assert _written(path, False).encode() == PINNED
