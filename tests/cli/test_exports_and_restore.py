"""Exports through the command line: filters, formats and formula escaping, the complete
dump and its way back (export all, import all), and db restore."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import datetime
from pathlib import Path

import pytest

from tinycrm.store.migrations import SCHEMA_HEAD


def test_exports_with_filters_formats_and_formula_escaping(cli, tmp_path: Path) -> None:
    cli("contact", "add", "=Evil", "--email", "evil@x.io", "--title", "@SUM(1)", "--tag", "vip")
    cli("contact", "add", "Ada", "--email", "ada@x.io", "--phone", "+44 20", "--field", "note=-5+3")
    cli("contact", "edit", "Ada", "--tag", "+plus", "--tag", "zeta")
    cli("deal", "add", "Won deal", "--amount", "100")
    cli("deal", "won", "Won deal")
    exported = cli("export", "contacts").stdout
    assert exported == cli("contact", "list", "--csv").stdout  # the same columns and cells
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [(r["name"], r["title"]) for r in rows] == [("'=Evil", "'@SUM(1)"), ("Ada", "")]
    assert rows[1]["phone"] == "'+44 20" and rows[1]["field.note"] == "'-5+3"
    assert (rows[0]["tags"], rows[1]["tags"]) == ("vip", "'+plus, zeta")
    shown = cli("contact", "show", "evil@x.io", "--json").json()["created_at"]
    assert datetime.fromisoformat(rows[0]["created_at"]) == datetime.fromisoformat(shown)
    tagged = cli("export", "contacts", "--tag", "vip", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["email"] for line in tagged] == ["evil@x.io"]
    assert [d["status"] for d in cli("export", "deals", "--format", "json").json()] == ["won"]
    assert cli("export", "deals", "--status", "open", "--format", "json").json() == []
    target = tmp_path / "sub" / "contacts.json"
    result = cli("export", "contacts", "--format", "json", "--out", str(target), "--mkdir")
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(target.read_text()) == cli("contact", "list", "--json").json()
    bad = cli("export", "companies", "--format", "vcard")
    assert bad.exit_code == 2


def test_export_all_and_import_all(cli, tmp_path: Path) -> None:
    cli("company", "add", "Acme", "--tag", "enterprise", "--field", "tier=1")
    cli("contact", "add", "Ada", "--email", "ada@x.io", "--company", "Acme")
    cli("deal", "add", "Acme renewal", "--contact", "ada@x.io", "--amount", "18500.50")
    cli("deal", "move", "Acme renewal", "Proposal")
    cli("log", "call", "ada@x.io", "Walked through the proposal")
    dump = tmp_path / "all.json"
    assert cli("export", "all", "--out", str(dump)).exit_code == 0
    data = json.loads(dump.read_text())
    assert data["format"] == "tinycrm-dump"
    assert {"company", "contact", "deal", "stage_change", "event", "tag", "field_value"} <= set(
        data["tables"]
    )
    fresh = tmp_path / "fresh.db"
    result = cli("--db", str(fresh), "import", "all", str(dump))
    assert result.exit_code == 0 and result.stdout.startswith(f"Restored {dump}: ")
    again = tmp_path / "again.json"
    cli("--db", str(fresh), "export", "all", "--out", str(again))
    restored = json.loads(again.read_text())
    assert restored["tables"] == data["tables"]
    refused = cli("--db", str(fresh), "import", "all", str(dump))
    assert refused.exit_code == 1 and "restores into an empty database" in refused.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "tinycrm-dump", ')
    result = cli("--db", str(tmp_path / "other.db"), "import", "all", str(broken))
    assert result.exit_code == 1 and "is not valid JSON (line 1" in result.stderr
    folder = tmp_path / "csv"
    assert cli("export", "all", "--format", "csv", "--out", str(folder), "--mkdir").exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        "activities.csv", "cases.csv", "companies.csv", "contacts.csv", "contracts.csv",
        "deals.csv", "items.csv", "products.csv", "quotes.csv", "tasks.csv"
    ]  # fmt: skip


def test_db_restore_keeps_a_copy_of_what_it_replaces(cli, tmp_path: Path) -> None:
    cli("contact", "add", "Ada")
    backup = tmp_path / "backup.db"
    assert cli("db", "backup", str(backup)).exit_code == 0
    cli("contact", "add", "Grace")
    refused = cli("db", "restore", str(backup))
    assert refused.exit_code == 1 and "--yes" in refused.stderr
    result = cli("db", "restore", str(backup), "--yes")
    assert result.exit_code == 0, result.stderr
    assert [c["name"] for c in cli("contact", "list", "--json").json()] == ["Ada"]
    copies = list(tmp_path.glob("tinycrm.db.pre-restore-*.bak"))
    assert len(copies) == 1 and f"kept as {copies[0]}" in result.stdout
    kept = cli("--db", str(copies[0]), "contact", "list", "--json").json()
    assert [c["name"] for c in kept] == ["Ada", "Grace"]
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    bad = cli("db", "restore", str(junk), "--yes")
    assert bad.exit_code == 1 and "not an SQLite database" in bad.stderr


@pytest.mark.skipif(not os.environ.get("TINYCRM_TEST_PG_URL"), reason="needs PostgreSQL")
def test_db_restore_on_postgresql_explains_pg_restore(cli, request: pytest.FixtureRequest) -> None:
    pg = request.getfixturevalue("pg_schema_url")  # a throwaway schema: never the db's public
    result = cli("--db", pg, "db", "restore", "x.db", "--yes")
    assert result.exit_code == 1 and "pg_restore" in result.stderr


def test_each_export_offers_the_formats_it_writes(cli) -> None:
    """Every export's --format said 'csv, json, jsonl or vcard (contacts only)': `export
    tasks --help` left out the ics it writes, and deals, cases and the rest offered a
    vcard they refuse. Each now names its own formats, and each one named works."""
    for kind, formats in (
        ("contacts", ["csv", "json", "jsonl", "vcard"]),
        ("tasks", ["csv", "json", "jsonl", "ics"]),
        ("deals", ["csv", "json", "jsonl"]),
        ("companies", ["csv", "json", "jsonl"]),
    ):
        shown = " ".join(cli("export", kind, "--help").stdout.replace("│", " ").split())
        named = ", ".join(formats[:-1]) + f" or {formats[-1]}"
        assert f"--format FORMAT {named}" in shown, (kind, shown)
        for fmt in formats:
            assert cli("export", kind, "--format", fmt).exit_code == 0, (kind, fmt)


def test_exports_keep_an_activity_of_a_kind_not_offered(cli, tmp_path: Path) -> None:
    """An activity an older version (or SQL, or a hand-edited dump) stored as 'telepathy'
    was left out of export activities and export all --format csv without a word."""
    import sqlite3

    db = str(tmp_path / "odd.db")
    cli("--db", db, "contact", "add", "Ada", "--email", "ada@x.io")
    cli("--db", db, "log", "note", "ada@x.io", "Read her mind")
    cli("--db", db, "log", "call", "ada@x.io", "Called")
    cli("--db", db, "task", "add", "Follow up", "--due", "tomorrow")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE activity SET kind = 'telepathy' WHERE subject = 'Read her mind'")
    conn.close()
    rows = list(csv.DictReader(io.StringIO(cli("--db", db, "export", "activities").stdout)))
    assert sorted((r["kind"], r["subject"]) for r in rows) == [
        ("call", "Called"), ("telepathy", "Read her mind")
    ]  # fmt: skip
    listed = cli("--db", db, "export", "activities", "--format", "json").json()
    assert sorted(a["kind"] for a in listed) == ["call", "telepathy"]
    folder = tmp_path / "csv"
    cli("--db", db, "export", "all", "--format", "csv", "--out", str(folder), "--mkdir")
    with (folder / "activities.csv").open(newline="") as f:
        assert sorted(r["kind"] for r in csv.DictReader(f)) == ["call", "telepathy"]


def test_export_activities_kind_picks_a_kind_not_offered_that_is_stored(
    cli, tmp_path: Path
) -> None:
    """Activities stored as 'telepathy' are exported when no --kind is given, but
    --kind telepathy was refused ('invalid activity kind'). --kind picks any kind stored;
    one neither offered nor stored is refused, naming the kinds stored besides tinycrm's."""
    import sqlite3

    db = str(tmp_path / "odd.db")
    cli("--db", db, "contact", "add", "Ada", "--email", "ada@x.io")
    cli("--db", db, "log", "note", "ada@x.io", "Read her mind")
    cli("--db", db, "log", "call", "ada@x.io", "Called")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE activity SET kind = 'telepathy' WHERE subject = 'Read her mind'")
    conn.close()
    picked = cli("--db", db, "export", "activities", "--kind", "Telepathy", "--format", "json")
    assert picked.exit_code == 0
    assert [(a["kind"], a["subject"]) for a in picked.json()] == [("telepathy", "Read her mind")]
    both = cli("--db", db, "export", "activities", "--kind", "telepathy", "--kind", "call")
    assert sorted(r["kind"] for r in csv.DictReader(io.StringIO(both.stdout))) == [
        "call", "telepathy"
    ]  # fmt: skip
    bad = cli("--db", db, "export", "activities", "--kind", "dowsing")
    assert bad.exit_code == 1 and bad.stdout == ""
    assert bad.stderr == (
        "Error: no activity is of kind 'dowsing' (choose from call, email, meeting, note, "
        "task; stored besides those: telepathy)\n"
    )
    typo = cli("--db", db, "export", "activities", "--kind", "telepathie")
    assert "did you mean 'telepathy'?" in typo.stderr and typo.exit_code == 1


def _edited_dump(cli, tmp_path: Path, edit) -> Path:
    """A dump of a database with a contact and a deal in two pipelines, edited by hand."""
    db = str(tmp_path / "source.db")
    cli("--db", db, "contact", "add", "Ada", "--email", "ada@x.io")
    cli("--db", db, "pipeline", "add", "Hiring", "--stage", "Applied:10", "--stage", "Hired:100")
    cli("--db", db, "deal", "add", "Big", "--contact", "ada@x.io", "--amount", "100")
    dump = tmp_path / "all.json"
    cli("--db", db, "export", "all", "--out", str(dump))
    data = json.loads(dump.read_text())
    edit(data["tables"])
    dump.write_text(json.dumps(data))
    return dump


def _hired(tables) -> int:
    return next(s["id"] for s in tables["stage"] if s["name"] == "Hired")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t["deal"][0].update(stage_id=_hired(t)),
            "deal[0] (id 1): stage_id 6 is a stage of pipeline 2, not of the deal's pipeline 1",
        ),
        (
            lambda t: t["deal"][0].update(probability=500),
            "deal[0] (id 1): probability 500 is not between 0 and 100",
        ),
        (
            lambda t: t["stage"][0].update(probability=-1),
            "stage[0] (id 1): probability -1 is not between 0 and 100",
        ),
        (
            lambda t: t["contact"][0].update(score=2**64),
            "contact[0]: score 18446744073709551616 is not valid (out of range)",
        ),
    ],
    ids=["stage of another pipeline", "deal probability", "stage probability", "past 64 bits"],
)
def test_a_dump_the_app_could_not_handle_is_refused_naming_the_row(
    cli, tmp_path: Path, edit, message: str
) -> None:
    """A hand-edited dump whose deal sat in a stage of another pipeline, or whose
    probability was 500%, was restored as is: no write makes either, and the board, deal
    move and the weighted forecast count on neither. It is refused in one line naming
    the row; nothing is written: the database the command made for it (there was none
    at the path) was left behind, empty, and is now taken away again."""
    dump = _edited_dump(cli, tmp_path, edit)
    fresh = str(tmp_path / "fresh.db")
    result = cli("--db", fresh, "import", "all", str(dump))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert not any(p.name.startswith("fresh.db") for p in tmp_path.iterdir())
    assert cli("--db", fresh, "contact", "list", "--json").json() == []
    again = cli("--db", fresh, "import", "all", str(dump))  # one there already: kept
    assert again.exit_code == 1 and Path(fresh).exists()


def test_a_dump_value_refused_is_named_as_the_file_has_it(cli, tmp_path: Path) -> None:
    """import all named a value it refused in Python's form ('probability inf', 'name
    ['x', None]', 'version True'), which is nowhere in the user's file; a dump's
    'version': true or 1.0 was taken for 1. Each is now named as JSON writes it, on one
    line, and such a version is refused."""
    dump = _edited_dump(cli, tmp_path, lambda tables: None)
    whole = json.loads(dump.read_text())
    head = f"'{SCHEMA_HEAD}'"
    cases = [
        (("stage", "probability", float("inf")), "probability Infinity is not valid"),
        (("stage", "probability", True), "probability true is not valid (not a whole number)"),
        (("contact", "name", ["x", None]), 'name ["x", null] is not valid (not text)'),
        (("contact", "name", {"a": "\x1b[31m"}), 'name {"a": "\\u001b[31m"} is not valid'),
        (("contact", "id", 1.5), "contact[0]: id 1.5 is not valid (not a whole number)"),
        ((None, "version", True), "dump format version true is not 1"),
        ((None, "version", 1.0), "dump format version 1.0 is not 1"),
        # a schema not given as text was not checked (35 > '0035' is no question)
        (
            (None, "schema", 35),
            f"dump schema 35 is not a schema revision (this tinycrm's is {head})",
        ),
        ((None, "schema", 35.0), "dump schema 35.0 is not a schema revision"),
        ((None, "schema", None), "dump schema null is not a schema revision"),
        (
            (None, "schema", [SCHEMA_HEAD]),
            f'dump schema ["{SCHEMA_HEAD}"] is not a schema revision',
        ),
        ((None, "schema", "35"), "dump schema '35' is not a schema revision"),
    ]
    for (table, key, value), message in cases:
        data = json.loads(json.dumps(whole))
        (data["tables"][table][0] if table else data)[key] = value
        dump.write_text(json.dumps(data))
        result = cli("--db", str(tmp_path / "fresh.db"), "import", "all", str(dump))
        assert result.exit_code == 1 and message in result.stderr, (value, result.stderr)
        assert result.stderr.count("\n") == 1


def test_a_dump_value_no_write_takes_is_restored_as_stored_with_a_warning(
    cli, tmp_path: Path
) -> None:
    """A deal status, lifecycle or activity kind outside tinycrm's sets, or an email no
    'contact add' accepts, was restored without a word. The app shows such values as
    stored (an older version's, SQL's), so they are restored as stored, faithfully, each
    column's named once in a warning on stderr."""

    def edit(tables) -> None:
        tables["deal"][0].update(status="zombie")
        tables["contact"][0].update(lifecycle="alien", email="not an email")

    dump = _edited_dump(cli, tmp_path, edit)
    fresh = str(tmp_path / "fresh.db")
    result = cli("--db", fresh, "import", "all", str(dump))
    assert result.exit_code == 0 and result.stdout.startswith("Restored ")
    warned = result.stderr.splitlines()
    assert warned == [
        "Warning: contact[0] (id 1): lifecycle 'alien' is not one tinycrm offers (lead, "
        "prospect, customer, churned); restored as stored",
        "Warning: contact[0] (id 1): email 'not an email' is not one 'contact add' takes; "
        "restored as stored",
        "Warning: deal[0] (id 1): status 'zombie' is not one tinycrm offers (open, won, "
        "lost); restored as stored",
    ]
    shown = cli("--db", fresh, "contact", "show", "1", "--json").json()
    assert (shown["lifecycle"], shown["email"]) == ("alien", "not an email")


def test_import_all_reads_a_dump_a_table_at_a_time_and_any_break_writes_nothing(
    cli, sh, tmp_path: Path
) -> None:
    """import all held the whole dump in memory (an 84 MB dump of 100,000 contacts peaked
    at 507 MiB) and refused one past a sixth of the memory available. It reads a table at
    a time now, from a file or a pipe; a dump broken anywhere, even in its last row,
    restores nothing, and the database takes the dump once it is mended."""
    cli("contact", "add", "Ada", "--email", "ada@x.io", "--field", "shoe=38")
    cli("company", "add", "Acme", "--domain", "acme.de")
    dump = tmp_path / "all.json"
    assert cli("export", "all", "--out", str(dump)).exit_code == 0
    text = dump.read_text()
    fresh = tmp_path / "fresh.db"
    cut = text[: text.rindex("]")]  # the last table unclosed
    broken = tmp_path / "broken.json"
    broken.write_text(cut)
    result = cli("--db", str(fresh), "import", "all", str(broken))
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"Error: {broken} is not valid JSON (line ")
    data = json.loads(text)
    data["tables"]["stage"][-1]["probability"] = 101  # a value refused after rows went in
    broken.write_text(json.dumps(data))
    result = cli("--db", str(fresh), "import", "all", str(broken))
    assert result.exit_code == 1 and "probability 101 is not between 0 and 100" in result.stderr
    assert cli("--db", str(fresh), "contact", "list", "--json").json() == []
    piped = sh("--db", str(fresh), "import", "all", "-", input=text)
    assert piped.exit_code == 0, piped.stderr
    assert piped.stdout.startswith("Restored -: company 1")
    again = cli("--db", str(fresh), "export", "all").stdout
    assert [ln for ln in again.splitlines() if "exported_at" not in ln] == [
        ln for ln in text.splitlines() if "exported_at" not in ln
    ]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('{"format": "tinycrm-dump", ', "is not valid JSON (line 1"),
        ('{"format": "something else", "tables": {}}', "not a tinycrm dump"),
        ("", "is empty"),
        ('{"format": "tinycrm-dump", "version": 1}', "the dump has no tables"),
    ],
)
def test_a_dump_refused_creates_no_database(cli, tmp_path: Path, text: str, said: str) -> None:
    """import all of a dump refused (broken JSON, another format, an empty file) into a
    database path that did not exist yet left an empty database file behind: the
    database was opened, and so made, before the dump was read. Now nothing is written."""
    dump = tmp_path / "bad.json"
    dump.write_text(text)
    fresh = tmp_path / "new.db"
    result = cli("--db", str(fresh), "import", "all", str(dump))
    assert result.exit_code == 1 and said in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]
