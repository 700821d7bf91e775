"""Data in through the command line: vendor files, mappings, reports of rejected rows, undo."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import tinycrm_executable

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
IMPORTS = FIXTURES / "import"


@pytest.fixture(autouse=True)
def fixture_copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Import copies of the fixture files: error reports are written beside the input."""
    import shutil

    copies = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, copies)
    monkeypatch.setattr(sys.modules[__name__], "FIXTURES", copies)
    monkeypatch.setattr(sys.modules[__name__], "IMPORTS", copies / "import")


@pytest.mark.parametrize(
    ("kind", "name", "args", "counts"),
    [
        ("contacts", "hubspot-contacts.csv", [], "3 created, 0 updated, 1 skipped, 1 rejected"),
        ("contacts", "pipedrive-people.csv", [], "3 created, 0 updated, 0 skipped, 0 rejected"),
        ("contacts", "salesforce-contacts.csv", [], "3 created, 0 updated, 0 skipped, 0 rejected"),
        ("contacts", "google-contacts.csv", [], "4 created, 0 updated, 0 skipped, 0 rejected"),
        ("contacts", "google-contacts-legacy.csv", [], "3 created, 0 updated"),
        ("contacts", "outlook-contacts.csv", [], "2 created, 0 updated, 0 skipped, 0 rejected"),
        ("contacts", "excel-unicode-text.txt", [], "2 created"),
        ("companies", "hubspot-companies.csv", [], "3 created, 0 updated, 0 skipped, 1 rejected"),
        ("companies", "pipedrive-organizations.csv", [], "2 created"),
        ("companies", "salesforce-accounts.csv", [], "2 created"),
        ("deals", "hubspot-deals.csv", ["--create-stages"], "4 created, 0 updated"),
        ("deals", "pipedrive-deals.csv", ["--create-stages"], "3 created"),
        ("deals", "salesforce-opportunities.csv", ["--create-stages"], "3 created"),
        ("deals", "excel-german-deals.csv", [], "3 created, 0 updated, 0 skipped, 0 rejected"),
    ],
)
def test_vendor_exports_import_as_they_are(cli, kind, name, args, counts) -> None:
    result = cli("import", kind, str(IMPORTS / name), *args)
    assert result.exit_code == 0, result.stderr
    assert f"Imported {kind} from {IMPORTS / name} (import #1): {counts}" in result.stdout
    assert "Undo with: tinycrm import undo 1" in result.stdout


def test_an_import_that_changed_nothing_offers_no_undo(cli, tmp_path) -> None:
    source = tmp_path / "people.csv"
    source.write_text("name,email\nAda Lovelace,ada@example.com\n", encoding="utf-8")
    assert "Undo with: tinycrm import undo 1" in cli("import", "contacts", str(source)).stdout
    again = cli("import", "contacts", str(source))  # the one row already there
    assert again.exit_code == 0 and "0 created, 0 updated, 1 skipped" in again.stdout
    assert "Undo with" not in again.stdout
    source.write_text("name,email\n", encoding="utf-8")  # a header alone
    empty = cli("import", "contacts", str(source))
    assert empty.exit_code == 0 and "Undo with" not in empty.stdout


def test_what_the_vendor_files_hold_arrives(cli) -> None:
    cli("import", "contacts", str(IMPORTS / "outlook-contacts.csv"))
    cli("import", "contacts", str(IMPORTS / "salesforce-contacts.csv"))
    cli("import", "deals", str(IMPORTS / "excel-german-deals.csv"))
    cli("import", "deals", str(IMPORTS / "salesforce-opportunities.csv"), "--create-stages")
    cli("import", "activities", str(IMPORTS / "salesforce-tasks.csv"))
    francois = cli("contact", "show", "f.lefevre@capouest-transports.fr", "--json").json()
    assert (francois["name"], francois["title"], francois["phone"]) == (
        "François Lefèvre", "Directeur logistique", "+33 2 40 00 00 00"
    )  # fmt: skip
    assert francois["tags"] == ["logistics", "vip"]
    assert francois["fields"] == {
        "email.2": "francois@example.fr",
        "phone.mobile": "+33 6 00 00 00 01",
        "street": "25 boulevard de la Prairie-au-Duc",
        "city": "Nantes",
        "postcode": "44200",
        "country": "France",
    }
    assert francois["notes"] == "Prefers calls before 10:00.\nAsk about the Q2 tender."
    jose = cli("contact", "show", "José Martínez", "--json").json()
    assert (jose["company"], jose["source"], jose["owner"]) == (
        "Soluciones Ibéricas SL",
        "Web",  # as the file has it
        "Sam Smith",
    )
    deal = cli("deal", "show", "Müller Wartungsvertrag", "--json").json()
    assert (deal["amount"], deal["currency"], deal["close_date"]) == (1234.5, "EUR", "2026-12-31")
    platform = cli("deal", "show", "Ibéricas platform", "--json").json()
    assert (platform["amount"], platform["stage"], platform["external_id"]) == (
        48000, "Proposal/Price Quote", "0065g00000AbCdE"
    )  # fmt: skip
    tasks = cli("task", "list", "--json").json()
    assert [(t["subject"], t["contact"]) for t in tasks] == [
        ("Email Björn the contract", "Björn Larsen")
    ]


def test_unmapped_columns_are_reported_and_kept_on_request(cli) -> None:
    result = cli("import", "contacts", str(IMPORTS / "hubspot-contacts.csv"))
    assert "Columns not imported" in result.stdout and "Record ID (5 rows)" in result.stdout
    jm = cli("contact", "show", "jm@acme.de", "--json").json()
    assert (jm["fields"]["city"], jm["fields"]["country"]) == ("Berlin", "Germany")  # always
    assert "record_id" not in jm["fields"]
    cli("import", "undo")
    cli("import", "contacts", str(IMPORTS / "hubspot-contacts.csv"), "--keep-extra")
    jm = cli("contact", "show", "jm@acme.de", "--json").json()
    assert jm["fields"]["city"] == "Berlin" and jm["fields"]["country"] == "Germany"
    assert jm["fields"]["record_id"] == "51"


@pytest.mark.parametrize("form", ["csv", "json", "vcf"])
def test_a_json_summary_names_what_was_not_imported(cli, tmp_path: Path, form: str) -> None:
    """With --json (--jsonl, --csv) the summary was the record alone: the columns that
    map to no field ('Columns not imported …' in the text summary) were dropped without
    a word. Now the record names them, with the rows that held a value and why."""
    source = tmp_path / f"people.{form}"
    if form == "csv":
        source.write_text("Name,Email,Fax,score,Pager\nAda,ada@x.io,123,7,\n", encoding="utf-8")
    elif form == "json":
        source.write_text('[{"name": "Ada", "email": "ada@x.io", "fax": "123", "score": 7}]')
    else:
        source.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nX-FAX:123\r\nEND:VCARD\r\n")
    result = cli("import", "contacts", str(source), "--json")
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["created"] == 1
    expected = {
        "csv": [("Fax", 1, "no matching field"), ("score", 1, "set by tinycrm"),
                ("Pager", 0, "no matching field")],
        "json": [("fax", 1, "no matching field"), ("score", 1, "set by tinycrm")],
        "vcf": [("X-FAX", 1, "no matching field")],
    }[form]  # fmt: skip
    assert [(n["column"], n["rows"], n["reason"]) for n in record["not_imported"]] == expected
    table = cli("import", "contacts", str(source), "--csv", "--dry-run").stdout
    [row] = csv.DictReader(io.StringIO(table))
    assert row["not_imported"].startswith(f"{expected[0][0]} (1 row: no matching field)")
    kept = cli("import", "contacts", str(source), "--json", "--keep-extra", "--dry-run")
    assert [n["reason"] for n in kept.json()["not_imported"]] == ["set by tinycrm"] * (
        form != "vcf"
    )


def test_columns_tinycrm_sets_itself_are_named_when_they_held_values(cli, tmp_path: Path) -> None:
    """A vendor's `score` column is not imported (the scoring rules set the score): the
    summary says so, with the rows that had a value, so nothing vanishes unsaid. Not for
    tinycrm's own export, where those columns are its bookkeeping, nor for an empty one."""
    vendor = tmp_path / "vendor.csv"
    vendor.write_text(
        "Name,Email,score,company_id\nAda,ada@x.io,87,\nBob,bob@x.io,12,\nCy,cy@x.io,,\n",
        encoding="utf-8",
    )
    said = cli("import", "contacts", str(vendor)).stdout
    assert "as tinycrm sets them itself" in said and "score (2 rows)" in said
    assert "company_id" not in said  # no value in it: nothing to lose
    shown = cli("import", "contacts", str(vendor), "--show-mapping", "--json").json()
    assert shown[2] == {"column": "score", "field": "(not imported)", "why": "set by tinycrm"}
    cli("import", "undo")
    kept = cli("import", "contacts", str(vendor), "--map", "score=field.vendor_score").stdout
    assert "sets them itself" not in kept
    assert cli("contact", "show", "Ada", "--json").json()["fields"] == {"vendor_score": "87"}
    records = tmp_path / "vendor.json"
    records.write_text('[{"name": "Di", "email": "di@x.io", "score": 3}]', encoding="utf-8")
    assert "score (1 row)" in cli("import", "contacts", str(records)).stdout
    own = tmp_path / "own.csv"
    cli("export", "contacts", "--out", str(own))
    fresh = cli("--db", str(tmp_path / "fresh.db"), "import", "contacts", str(own)).stdout
    assert "4 created" in fresh
    assert (
        "sets them itself" in fresh and "id (4 rows: the contacts' ids in the database" in fresh
    )  # named: ours too


@pytest.mark.parametrize("kind", ["contacts", "companies", "deals", "activities", "tasks"])
def test_our_own_export_is_taken_for_ours_and_its_bookkeeping_named(
    cli, tmp_path: Path, kind: str
) -> None:
    """tinycrm's export, as it writes it today, is known as its own (its id column is
    bookkeeping); a file was taken for it when its header merely had created_at and
    updated_at (or kind), and the columns tinycrm sets itself were then dropped unsaid.
    Now they are named, with their rows, in the summary and in --json's not_imported."""
    from tinycrm.formats.csvfile import open_csv
    from tinycrm.formats.mapping import is_own_export

    cli("company", "add", "Acme")
    cli("contact", "add", "Ada", "--email", "ada@x.io", "--company", "Acme")
    cli("deal", "add", "Big", "--company", "Acme")
    cli("task", "add", "Call", "--due", "2030-01-02")
    cli("log", "note", "ada@x.io", "Met at the fair")
    out = tmp_path / f"{kind}.csv"
    assert cli("export", kind, "--out", str(out)).exit_code == 0
    with out.open("rb") as handle:
        header = open_csv(handle, name=str(out)).header
    assert is_own_export("activities" if kind == "tasks" else kind, header), header
    into = "activities" if kind == "tasks" else kind
    fresh = ["--db", str(tmp_path / "fresh.db")]
    said = cli(*fresh, "import", into, str(out), "--json", "--dry-run").json()
    lost = {n["column"]: n["reason"] for n in said["not_imported"]}
    assert lost["id"] == (
        f"set by tinycrm: the {into}' ids in the database the file was exported from, as its "
        f"header is the one tinycrm export {into} writes"
        + ("; --map 'id=external_id' keeps them as the deals' external ids" * (kind == "deals"))
    )
    text = cli(*fresh, "import", into, str(out), "--dry-run").stdout
    assert "as tinycrm sets them itself" in text and "id (1 row: the " in text


def test_a_vendor_deals_file_keeps_its_record_id(cli, tmp_path: Path) -> None:
    """A vendor's deals headed ID, Deal Name, Amount, created_at, updated_at were taken for
    tinycrm's own export: the ID (the vendor's record id, the key a re-import dedupes on)
    was dropped without a word. Now it is the deal's external id."""
    file = tmp_path / "vendor.csv"
    file.write_text(
        "ID,Deal Name,Amount,created_at,updated_at\n"
        "D-77,Big,100,2026-01-02T00:00:00Z,2026-01-03T00:00:00Z\n",
        encoding="utf-8",
    )
    result = cli("import", "deals", str(file), "--json")
    assert result.exit_code == 0, result.stderr
    lost = result.json()["not_imported"]
    assert lost == [{"column": "updated_at", "rows": 1, "reason": "set by tinycrm"}]
    assert cli("deal", "show", "Big", "--json").json()["external_id"] == "D-77"


def test_a_long_column_name_is_cut_in_the_summary(cli, tmp_path: Path) -> None:
    """A header of 200,000 characters was printed whole in the import's summary."""
    file = tmp_path / "long.csv"
    long = "Remarks " + "x" * 200_000
    file.write_text(f"Name,Email,{long}\nAda,ada@x.io,hi\n", encoding="utf-8")
    said = cli("import", "contacts", str(file)).stdout
    assert "Remarks xxx" in said and "… (1 row)" in said and len(said) < 1_000
    records = tmp_path / "long.json"
    records.write_text(f'[{{"name": "Bo", "email": "bo@x.io", "{long}": 1}}]', encoding="utf-8")
    said = cli("import", "contacts", str(records)).stdout
    assert "Keys not imported" in said and len(said) < 1_000


def test_show_mapping_and_map(cli, tmp_path: Path) -> None:
    file = tmp_path / "odd.csv"
    file.write_text("Full,Mail,Plan,Email\nAda Lovelace,ada@x.io,pro,old@x.io\n", encoding="utf-8")
    shown = cli("import", "contacts", str(file), "--show-mapping", "--map", "Full=name")
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert any(line.split()[:2] == ["Full", "name"] for line in lines)
    assert any(line.startswith("Plan") and "(not imported)" in line for line in lines)
    assert cli("contact", "list", "--json").json() == []  # nothing was imported
    as_json = cli("import", "contacts", str(file), "--show-mapping", "--json").json()
    assert as_json[3] == {"column": "Email", "field": "email", "why": "header"}
    result = cli(
        "import", "contacts", str(file),
        "--map", "Full=name", "--map", "Mail=email", "--map", "Plan=field.plan", "--map", "Email=-",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    ada = cli("contact", "show", "ada@x.io", "--json").json()
    assert (ada["name"], ada["fields"]) == ("Ada Lovelace", {"plan": "pro"})
    bad = cli("import", "contacts", str(file), "--map", "Nope=email")
    assert bad.exit_code == 1 and bad.stderr.startswith("Error: --map: no column 'Nope'")


def test_rejected_rows_go_to_a_report_beside_the_input(cli, tmp_path: Path) -> None:
    file = tmp_path / "people.csv"
    file.write_text(
        'Name,Email,Title\nAda,ada@x.io,=HYPERLINK("x")\n,nobody@x.io,\nBad,bad@,"two\nlines"\n',
        encoding="utf-8",
    )
    result = cli("import", "contacts", str(file))
    assert result.exit_code == 0
    report = tmp_path / "people.errors.csv"
    assert f"Rejected rows, with line numbers and reasons: {report}" in result.stdout
    rows = list(csv.reader(io.StringIO(report.read_text(encoding="utf-8-sig"))))
    assert rows == [
        ["line", "reason", "Name", "Email", "Title"],
        ["4", "invalid email address 'bad@'", "Bad", "bad@", "two\nlines"],
    ]
    # nobody@x.io had no name: the email is the name
    assert cli("contact", "show", "nobody@x.io", "--json").json()["name"] == "nobody@x.io"
    ada = cli("contact", "show", "ada@x.io", "--json").json()
    assert ada["title"] == '=HYPERLINK("x")'  # stored as given, escaped only on the way out
    exported = cli("export", "contacts", "--search", "ada").stdout
    assert "'=HYPERLINK" in exported
    other = tmp_path / "elsewhere" / "bad.csv"
    refused = cli("import", "contacts", str(file), "--errors", str(other))
    assert refused.exit_code == 1
    assert "elsewhere does not exist (--mkdir creates it)" in refused.stderr
    assert not other.parent.exists()
    cli("import", "contacts", str(file), "--errors", str(other), "--mkdir")
    assert other.exists()


def test_the_rejected_rows_header_is_guarded_against_formulas(cli, tmp_path: Path) -> None:
    """The report's header row is the input's, escaped as every other CSV cell is: a
    header cell '=HYPERLINK(…)' or '@SUM(1)' went out live, for a spreadsheet to run.
    The report, fixed and imported again, maps its columns as the input did."""
    file = tmp_path / "people.csv"
    file.write_text(
        'Name,Email,"=HYPERLINK(""http://evil.example"")",@SUM(1),-x,+1\n'
        "Ada,ada@x.io,a,b,c,d\nBad,bad@,e,f,g,h\n",
        encoding="utf-8",
    )
    assert cli("import", "contacts", str(file), "--keep-extra").exit_code == 0
    report = tmp_path / "people.errors.csv"
    rows = list(csv.reader(io.StringIO(report.read_text(encoding="utf-8-sig"))))
    assert rows[0] == [
        *("line", "reason", "Name", "Email"),
        *('\'=HYPERLINK("http://evil.example")', "'@SUM(1)", "'-x", "+1"),
    ]
    unmapped = '=HYPERLINK("http://evil.example") (1 row), @SUM(1) (1 row), -x (1 row), +1 (1 row)'
    assert unmapped in cli("import", "contacts", str(report), "--dry-run").stdout
    report.write_text(
        report.read_text(encoding="utf-8-sig").replace("bad@,", "bad@x.io,"), encoding="utf-8"
    )
    again = cli("import", "contacts", str(report), "--keep-extra", "--json")
    assert again.exit_code == 0, again.stderr
    ada = cli("contact", "show", "ada@x.io", "--json").json()["fields"]
    bad = cli("contact", "show", "bad@x.io", "--json").json()["fields"]
    pairs = dict(zip(ada.values(), bad.values(), strict=True))
    assert pairs == {"a": "e", "b": "f", "c": "g", "d": "h"}
    assert list(ada) == list(bad)  # the same custom fields, from the same columns


@pytest.mark.parametrize("where", ["-", "/dev/stdout"])
def test_the_rejected_rows_report_cannot_go_to_standard_output(cli, tmp_path: Path, where) -> None:
    """--errors - wrote the report into standard output, among the summary's lines (with
    --json: CSV before the JSON, which no reader could parse), unescaped on a terminal.
    Refused before anything is imported."""
    file = tmp_path / "people.csv"
    file.write_text("Name,Email\nAda,ada@x.io\nBad,bad@\n", encoding="utf-8")
    result = cli("import", "contacts", str(file), "--errors", where, "--json")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: --errors {where}: standard output has the import's summary; give the "
        "rejected rows a file of their own\n"
    )
    assert result.stdout == ""
    assert cli("contact", "list", "--json").json() == []
    leader, follower = os.openpty()  # a terminal: its rows would be shown, not kept
    try:
        tty = os.ttyname(follower)
        result = cli("import", "contacts", str(file), "--errors", tty)
    finally:
        os.close(leader)
        os.close(follower)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: --errors {tty} is a terminal: the rejected rows would be shown, not kept; "
        "give them a file of their own\n"
    )
    assert cli("contact", "list", "--json").json() == []


@pytest.mark.parametrize("name", ["/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"])
def test_input_read_through_dev_or_proc_reports_into_the_current_folder(
    tmp_path: Path, name: str
) -> None:
    """As for '-': the report of rows read from /dev/stdin (or a /dev/fd/N of a shell's
    <(…)) is written in the current folder; it went into /dev (as root: a file left in
    /dev for good; else 'cannot write', and no report)."""
    stray = Path(f"{Path(name).parent}/{Path(name).stem}.errors.csv")
    proc = subprocess.run(
        [*tinycrm_executable(), "import", "contacts", name],
        input="Name,Email\nAda,ada@x.io\nBad,bad@\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    try:
        assert proc.returncode == 0, proc.stderr
        report = tmp_path / f"{Path(name).stem}.errors.csv"
        assert f"Rejected rows, with line numbers and reasons: {report.name}\n" in proc.stdout
        assert "invalid email address 'bad@'" in report.read_text(encoding="utf-8-sig")
        assert proc.stderr == ""
        assert not stray.exists()
    finally:
        if stray.is_file() and not stray.is_symlink():
            stray.unlink()


def test_strict_and_dry_run_write_nothing(cli, tmp_path: Path) -> None:
    file = tmp_path / "people.csv"
    file.write_text("Name,Email\nAda,ada@x.io\nBad,bad@\n", encoding="utf-8")
    strict = cli("import", "contacts", str(file), "--strict")
    assert strict.exit_code == 1
    assert strict.stderr == (
        "Error: line 3: invalid email address 'bad@' (--strict: nothing was imported)\n"
    )
    dry = cli("import", "contacts", str(file), "--dry-run")
    assert dry.exit_code == 0
    assert "Dry run, nothing written: contacts from" in dry.stdout
    assert "would be 1 created, 0 updated, 0 skipped, 1 rejected" in dry.stdout
    assert "line 3: invalid email address 'bad@'" in dry.stderr
    assert not (tmp_path / "people.errors.csv").exists()
    assert cli("contact", "list", "--json").json() == []
    assert cli("import", "history", "--json").json() == []
    assert cli("feed", "--json").json() == []


def test_stdin_json_summary_history_and_undo(cli) -> None:
    text = "Email,Name,Company\nada@x.io,Ada,Acme\ngrace@x.io,Grace,Navy\n"
    result = cli("import", "contacts", "-", "--json", input=text)
    summary = result.json()
    assert (summary["batch_id"], summary["created"], summary["linked_created"]) == (
        1,
        2,
        {"company": 2},
    )
    assert summary["errors_file"] is None
    feed = cli("feed", "--json").json()
    assert [e["summary"] for e in feed if e["action"] == "imported"] == [
        "imported 2 contacts from - (import #1: 2 new, 0 updated, 2 companies created)"
    ]
    history = cli("import", "history", "--json").json()
    assert [(b["id"], b["source"], b["created"], b["undone_at"]) for b in history] == [
        (1, "-", 2, None)
    ]
    assert "contacts  -" in cli("import", "history").stdout
    preview = cli("import", "undo", "--dry-run")
    assert preview.stdout.startswith(
        "Would undo import #1 (contacts from -): would remove 2 contacts"
    )
    assert len(cli("contact", "list", "--json").json()) == 2
    undone = cli("import", "undo", "1")
    assert (
        undone.stdout
        == "Undid import #1 (contacts from -): removed 2 contacts, 2 companies, restored 0 values\n"
    )
    assert cli("contact", "list", "--json").json() == []
    again = cli("import", "undo", "1")
    assert (again.exit_code, again.stderr) == (1, "Error: import #1 was already undone\n")


def test_undo_reports_conflicts(cli) -> None:
    cli("contact", "add", "Ada", "--email", "ada@x.io")
    cli("import", "contacts", "-", input="Email,Title\nada@x.io,Analyst\n")
    cli("contact", "edit", "ada@x.io", "--title", "Countess")
    result = cli("import", "undo")
    assert "Kept 1 changed since the import:" in result.stdout
    assert "kept title of contact #1 Ada: changed after the import" in result.stdout


def test_vcard_properties_without_a_field_are_named_or_kept(cli, tmp_path: Path) -> None:
    card = tmp_path / "ada.vcf"
    card.write_text(
        "BEGIN:VCARD\nVERSION:3.0\nFN:Ada Lovelace\nEMAIL:ada@x.io\nNICKNAME:Countess\n"
        "X-SKYPE:ada.l\nEND:VCARD\n",
        encoding="utf-8",
    )
    said = cli("import", "contacts", str(card)).stdout
    assert "vCard properties not imported" in said
    assert "NICKNAME (1 card), X-SKYPE (1 card)" in said
    assert cli("contact", "show", "ada@x.io", "--json").json()["fields"] == {}
    cli("import", "undo")
    kept = cli("import", "contacts", str(card), "--keep-extra").stdout
    assert "not imported" not in kept
    fields = cli("contact", "show", "ada@x.io", "--json").json()["fields"]
    assert fields == {"nickname": "Countess", "x-skype": "ada.l"}


def test_vcard_import_and_export_round_trip(cli, tmp_path: Path) -> None:
    result = cli("import", "contacts", str(FIXTURES / "vcard" / "iphone-export.vcf"))
    assert result.exit_code == 0 and "2 created" in result.stdout
    out = tmp_path / "out.vcf"
    assert (
        cli(
            "export", "contacts", "--format", "vcard", "--vcard-version", "4.0", "--out", str(out)
        ).exit_code
        == 0
    )
    text = out.read_text(encoding="utf-8")
    assert text.count("BEGIN:VCARD") == 2 and "VERSION:4.0" in text and "PHOTO" not in text
    before = cli("contact", "show", "jm@acme.de", "--json").json()
    cli("import", "undo")
    again = cli("import", "contacts", str(out)).stdout
    assert "not imported" not in again  # tinycrm's own cards: every property is read
    after = cli("contact", "show", "jm@acme.de", "--json").json()
    for key in ("name", "email", "phone", "title", "company", "notes", "tags", "fields"):
        assert after[key] == before[key], key


def _big_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["First Name", "Last Name", "Email", "Company", "Tags"])
        for i in range(rows):
            writer.writerow(
                [f"Person{i}", "Müller", f"p{i}@example{i % 50}.com", f"Co {i % 300}", "a, b"]
            )


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_an_import_killed_half_way_leaves_the_database_as_before(
    cli, tmp_path: Path, how: signal.Signals
) -> None:
    cli("contact", "add", "Before", "--email", "before@x.io")
    big = tmp_path / "big.csv"
    _big_csv(big, 40_000)
    proc = subprocess.Popen(
        [*tinycrm_executable(), "import", "contacts", str(big), "--progress"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    seen = ""
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        seen += line
        if "rows (" in line and int(line.split("(")[1].split("%")[0]) >= 20:
            break
        assert line, f"the import ended before it could be interrupted: {seen}"
    proc.send_signal(how)
    stdout, stderr = proc.communicate(timeout=60)
    assert "Imported" not in stdout
    if how == signal.SIGINT:
        assert proc.returncode == 130
        assert "interrupted; nothing was saved" in stderr
    else:
        assert proc.returncode == -signal.SIGKILL
    listed = cli("contact", "list", "--json").json()
    assert [c["email"] for c in listed] == ["before@x.io"]
    assert cli("company", "list", "--json").json() == []
    assert cli("import", "history", "--json").json() == []
    assert [e["action"] for e in cli("feed", "--json").json()] == ["created"]
    assert cli("contact", "list", "--search", "person1", "--json").json() == []
    if how == signal.SIGKILL:  # and the database takes imports afterwards
        small = tmp_path / "small.csv"
        _big_csv(small, 10)
        assert "10 created" in cli("import", "contacts", str(small)).stdout


def test_progress_lines_only_when_asked(sh, tmp_path: Path) -> None:
    big = tmp_path / "some.csv"
    _big_csv(big, 2500)
    quiet = sh("import", "contacts", str(big))
    assert quiet.exit_code == 0 and quiet.stderr == ""
    loud = sh("--db", str(tmp_path / "other.db"), "import", "contacts", str(big), "--progress")
    assert "Importing contacts: 2,000 rows (" in loud.stderr


def test_bad_files_are_one_line_errors(cli, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    for args, message in [
        (["import", "contacts", str(tmp_path / "missing.csv")], "Error: no such file:"),
        (["import", "contacts", str(empty)], "is empty"),
        (["import", "contacts", str(tmp_path)], "is a directory"),
        (["import", "contacts", str(empty), "--encoding", "klingon"], "unknown encoding"),
        (["import", "deals", str(empty), "--on-duplicate", "merge"], "is empty"),
    ]:
        result = cli(*args)
        assert result.exit_code == 1, args
        assert message in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("option", "value"),
    [("--delimiter", ""), ("--encoding", ""), ("--encoding", " ")],
)
def test_an_empty_delimiter_or_encoding_is_refused_as_empty(cli, tmp_path, option, value) -> None:
    """`--delimiter "$SEP"` with SEP unset was taken as not given: the delimiter was
    sniffed and the file imported as if nothing were wrong. Now a usage error, exit 2,
    before anything is read."""
    source = tmp_path / "in.csv"
    source.write_text("name;email\nAda;ada@x.io\n", encoding="utf-8")
    result = cli("import", "contacts", str(source), option, value)
    assert result.exit_code == 2, result.stdout
    [line] = result.stderr.splitlines()
    assert line.startswith(f"Error: Invalid value for '{option}': must not be empty"), line
    assert cli("contact", "list", "--json").json() == []


def test_import_rejects_an_unknown_duplicate_policy(cli) -> None:
    result = cli("import", "contacts", "-", "--on-duplicate", "merge", input="Name\nAda\n")
    assert result.exit_code == 1 and "invalid --on-duplicate 'merge'" in result.stderr
    typo = cli("import", "contacts", "-", "--on-duplicate", "sikp", input="Name\nAda\n")
    assert typo.stderr == (
        "Error: invalid --on-duplicate 'sikp', did you mean 'skip'? "
        "(choose from skip, update, error)\n"
    )


if sys.platform == "win32":  # pragma: no cover
    pytest.skip("signals differ on Windows", allow_module_level=True)


def test_the_import_summary_names_every_format_it_reads(cli) -> None:
    """`tinycrm --help` and `tinycrm import --help` said 'from CSV or vCard files', but
    import reads the JSON and JSON lines that export writes too."""
    from tinycrm.cli import SUMMARIES

    assert "CSV, JSON or vCard files" in SUMMARIES["import"]
    assert "CSV, JSON or vCard files" in " ".join(cli("import", "--help").stdout.split())
    deals = " ".join(cli("import", "deals", "--help").stdout.split())
    assert "CSV, JSON or JSON lines file" in deals


def test_vcard_lines_outside_any_card_are_named_in_the_summary(cli, tmp_path: Path) -> None:
    card = tmp_path / "nested.vcf"
    card.write_text(
        "BEGIN:VCARD\nFN:Ada\nBEGIN:VCARD\nFN:Bo\nEND:VCARD\nEMAIL:ada@x.io\nEND:VCARD\n",
        encoding="utf-8",
    )
    said = cli("import", "contacts", str(card)).stdout
    assert "2 created" in said
    assert "2 lines outside any BEGIN:VCARD … END:VCARD not read (the first: line 6)" in said


def test_a_vcard_value_cut_mid_character_is_imported_with_a_warning(cli, tmp_path: Path) -> None:
    """A quoted-printable value cut short in a character ('M=C3=B') rejected the card
    into the rows' report; now the contact is imported and a warning names the value."""
    card = tmp_path / "cut.vcf"
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:"
        "J=C3=BCrgen M=C3=B\r\nEMAIL:jm@acme.de\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    result = cli("import", "contacts", str(card))
    assert result.exit_code == 0 and "1 created" in result.stdout
    assert result.stderr == (
        "Warning: 1 quoted-printable value cut short in a character, read up to it: "
        "FN (card on line 1)\n"
    )
    assert not (tmp_path / "cut.errors.vcf").exists()


def test_a_file_that_is_not_vcard_is_refused_and_nothing_written(cli, tmp_path: Path) -> None:
    """A 2 GB sparse file named .vcf was read to its end (54 s, 3.4 GB) before it 'held
    no vCard'. Now NUL bytes, or 64 KiB of text without a BEGIN:VCARD, refuse it in one
    line as it starts; nothing is imported and no rows' report written."""
    nul = tmp_path / "big.vcf"
    with nul.open("wb") as out:
        out.truncate(8 << 20)
    text = tmp_path / "notes.vcf"
    text.write_text("NOTE:not a card\n" * 10_000, encoding="utf-8")
    for file, why in ((nul, "it holds NUL bytes"), (text, "no BEGIN:VCARD in its first 64 KiB")):
        result = cli("import", "contacts", str(file))
        assert result.exit_code == 1
        assert result.stderr.startswith(f"Error: {file}: not a vCard file ({why}")
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".vcf") == [
        "big.vcf",
        "notes.vcf",
    ]
    assert json.loads(cli("export", "contacts", "--format", "json").stdout) == []


def test_a_second_column_of_the_same_name_fills_where_the_first_is_empty(
    cli, tmp_path: Path
) -> None:
    """A file with two Name columns: the second's values were dropped, even in a row whose
    first Name was empty (that contact came in named by her email), and the summary only
    counted them. Now the second column is the name where the first is empty, as a column
    losing its field to another is; the rows where it held another value are counted,
    and --keep-extra keeps those as a custom field."""
    file = tmp_path / "two.csv"
    file.write_text(
        "Name,Email,Name\nAda,ada@x.io,Ada L.\nBo,bo@x.io,\n,cy@x.io,Cy\nDi,di@x.io,Di\n",
        encoding="utf-8",
    )
    said = cli("import", "contacts", str(file), "--dry-run").stdout
    assert "no matching field" not in said and "A second column" not in said
    assert (
        "Name (column 3) not imported where Name (column 1) gives the name: 2 rows, 1 of "
        "them another value (--keep-extra keeps those as a custom field); taken in 1 row "
        "where Name was empty" in said
    )
    record = cli("import", "contacts", str(file), "--dry-run", "--json").json()
    assert record["not_imported"] == [
        {
            "column": "Name",
            "rows": 2,
            "reason": "Name (column 1) gives the name: 1 of them another value; "
            "taken in 1 more row where Name was empty",
        }
    ]
    assert cli("import", "contacts", str(file), "--keep-extra").exit_code == 0
    contacts = {c["email"]: c for c in cli("contact", "list", "--json").json()}
    assert contacts["cy@x.io"]["name"] == "Cy"
    assert contacts["ada@x.io"]["name"] == "Ada"
    assert contacts["ada@x.io"]["fields"] == {"name": "Ada L."}
    assert not contacts["di@x.io"].get("fields")


def test_a_column_losing_its_field_to_another_says_which_and_what_was_lost(
    cli, tmp_path: Path
) -> None:
    """First Name and Given Name, both the first name: Given Name was 'no matching
    field' and Carl, whose First Name was empty, came in with no first name. Now Carl is
    the first name, and the summary, --show-mapping and --json say which column won and
    how many of Given Name's values were not imported, and whether they differed."""
    file = tmp_path / "names.csv"
    file.write_text(
        "First Name,Given Name,Last Name,Email\nAda,Ada,Lovelace,ada@x.io\n"
        "Bob,Robert,Smith,bob@x.io\n,Carl,Jung,carl@x.io\n",
        encoding="utf-8",
    )
    shown = cli("import", "contacts", str(file), "--show-mapping").stdout
    assert "first_name where First Name is empty" in shown and "unmapped" not in shown
    record = cli("import", "contacts", str(file), "--dry-run", "--json").json()
    assert record["not_imported"] == [
        {
            "column": "Given Name",
            "rows": 2,
            "reason": "First Name (column 1) gives the first_name: 1 of them another value; "
            "taken in 1 more row where First Name was empty",
        }
    ]
    said = cli("import", "contacts", str(file)).stdout
    assert "no matching field" not in said
    assert (
        "Given Name (column 2) not imported where First Name (column 1) gives the "
        "first_name: 2 rows, 1 of them another value" in said
    )
    names = [c["name"] for c in cli("contact", "list", "--json").json()]
    assert sorted(names) == ["Ada Lovelace", "Bob Smith", "Carl Jung"]


def test_a_vendor_file_in_tinycrm_s_own_header_says_why_its_id_is_not_imported(
    cli, tmp_path: Path
) -> None:
    """A vendor's deals written in tinycrm's own header, spelling and order, are tinycrm's
    export as far as anything can tell: the id stays another database's, not imported.
    The summary said only 'as tinycrm sets them itself … --map COLUMN=field.KEY': now it
    says why (the header is tinycrm's export's) and how to keep them as external ids."""
    header = (
        "id,title,pipeline,pipeline_id,stage,stage_id,status,amount,currency,probability,"
        "probability_override,close_date,contact,contact_email,contact_id,company,company_id,"
        "lost_reason,closed_at,owner,external_id,tags,created_at,updated_at"
    )
    file = tmp_path / "vendor.csv"
    file.write_text(
        header + "\nHS-991,Big,,,,,open,1000,EUR,,,,,,,Acme,,,,,,,2026-01-02T00:00:00Z,\n",
        encoding="utf-8",
    )
    said = cli("import", "deals", str(file), "--dry-run").stdout
    assert (
        "id (1 row: the deals' ids in the database the file was exported from, as its header "
        "is the one tinycrm export deals writes; --map 'id=external_id' keeps them as the "
        "deals' external ids)" in said
    )
    assert cli("import", "deals", str(file), "--map", "id=external_id").exit_code == 0
    assert cli("deal", "show", "Big", "--json").json()["external_id"] == "HS-991"


def test_an_import_into_a_new_database_builds_it_aside(cli, tmp_path: Path, monkeypatch) -> None:
    """An import into a path where there is no database made it there first, then
    imported: killed midway, it left an empty or half-made database behind. Now the
    database is built beside it under a temporary name and renamed into place once the
    import is whole; a refused import leaves nothing, temporary folder included."""
    from tinycrm.api.database import NewDatabase

    folder = tmp_path / "crm"
    folder.mkdir()
    db = folder / "crm.db"
    seen: list[tuple[bool, bool]] = []
    place = NewDatabase.place

    def placing(self: NewDatabase) -> None:
        seen.append((db.exists(), Path(self.db).exists()))
        place(self)

    monkeypatch.setattr(NewDatabase, "place", placing)
    people = tmp_path / "people.csv"
    people.write_text("name,email\nAda,ada@x.io\n", encoding="utf-8")
    said = cli("--db", str(db), "import", "contacts", str(people))
    assert said.exit_code == 0 and "1 created" in said.stdout
    assert seen == [(False, True)]
    assert sorted(p.name for p in folder.iterdir()) == ["crm.db"]
    assert [c["email"] for c in cli("--db", str(db), "contact", "list", "--json").json()] == [
        "ada@x.io"
    ]
    other = folder / "other.db"
    refused = cli("--db", str(other), "import", "contacts", str(tmp_path / "missing.csv"))
    assert refused.exit_code != 0
    refused = cli("--db", str(other), "import", "contacts", str(people), "--map", "x=nothing")
    assert refused.exit_code != 0
    assert sorted(p.name for p in folder.iterdir()) == ["crm.db"]


def test_a_dry_run_into_a_new_database_leaves_none(cli, tmp_path: Path) -> None:
    """`import contacts --dry-run` into a path where there was no database said what it
    would do and left an empty database there all the same. Now it leaves nothing: the
    database it reads into is built aside and never placed."""
    folder = tmp_path / "crm"
    folder.mkdir()
    people = tmp_path / "people.csv"
    people.write_text("name,email\nAda,ada@x.io\n", encoding="utf-8")
    db = folder / "crm.db"
    said = cli("--db", str(db), "import", "contacts", str(people), "--dry-run")
    assert said.exit_code == 0, said.stderr
    assert said.stdout.startswith("Dry run, nothing written")
    assert list(folder.iterdir()) == []
    said = cli("--db", str(db), "import", "contacts", str(people))
    assert said.exit_code == 0 and "1 created" in said.stdout
    assert sorted(p.name for p in folder.iterdir()) == ["crm.db"]


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom", "read_as"),
    [
        ("utf-16", "\t", codecs.BOM_UTF16_LE, "utf-16"),  # Excel's "Unicode text"
        ("utf-16-le", "\t", codecs.BOM_UTF16_LE, "utf-16"),  # one without a BOM: given one
        ("cp1252", ";", b"", "cp1252"),  # Excel's CSV in a German Windows, Outlook's "ANSI"
        ("utf-8", ",", codecs.BOM_UTF8, "utf-8-sig"),  # (with a BOM, for Excel)
    ],
)
def test_the_rejected_rows_report_is_written_as_the_input_was(
    cli, tmp_path: Path, encoding: str, delimiter: str, bom: bytes, read_as: str
) -> None:
    """The report of a UTF-16 tab-separated file (what Excel saves as Unicode text) was
    UTF-8 with a BOM and commas, which Excel opens as one column of text; a Windows-1252
    semicolon one's too. The report is written in the input's encoding (UTF-8 with a BOM
    for UTF-8, UTF-16 with one for UTF-16) and with its delimiter: opened where the input
    was made, fixed, imported again."""
    from tinycrm.formats.csvfile import open_csv

    rows = [["Name", "Email", "Notes"], ["Zoë", "zoe@x.fr", "„Grüße“ – €5"]]
    rows += [["Jürgen", "jm@", "„Grüße“ – €5"], ["Ana", "ana@", "x"]]
    text = "".join(delimiter.join(row) + "\r\n" for row in rows)
    data = text.encode("utf-16" if encoding == "utf-16" else encoding)
    if encoding == "cp1252":  # a byte it leaves undefined (read as U+0081) goes back as it came
        data = data.replace(b"Ana", b"Ana\x81")
        rows[3][0] = "Ana\x81"
    file = tmp_path / "people.csv"
    file.write_bytes(data)
    assert cli("import", "contacts", str(file)).exit_code == 0
    report = (tmp_path / "people.errors.csv").read_bytes()
    assert report.startswith(bom)
    table = open_csv(io.BytesIO(report), name="report")
    assert (table.encoding, table.delimiter) == (read_as, delimiter)
    assert table.header == ["line", "reason", "Name", "Email", "Notes"]
    assert [cells[2:] for _, cells in table.records()] == rows[2:]
    wide = "utf-16-le" if "16" in encoding else "ascii"
    fixed = tmp_path / "fixed.csv"
    fixed.write_bytes(report.replace("jm@".encode(wide), "jm@x.io".encode(wide)))
    assert cli("import", "contacts", str(fixed)).exit_code == 0
    assert cli("contact", "show", "jm@x.io", "--json").json()["name"] == "Jürgen"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("name,email\nAda Lovelace,ada@x.io\nTotal: 1 contacts\n", 3),
        ("name,email\nAda Lovelace,ada@x.io\n\n12 rows exported,\n", 4),
        ("Name;Email;Phone\nAda Lovelace;ada@x.io;1\nTotal;;1\n", 3),
    ],
)
def test_a_count_under_the_records_is_no_contact(cli, tmp_path: Path, text: str, line: int) -> None:
    """A 'Total: 1 contacts' line under a two-column file was imported as a contact of
    that name; it is left out, and the summary says so with its line."""
    source = tmp_path / "people.csv"
    source.write_text(text, encoding="utf-8")
    result = cli("import", "contacts", str(source))
    assert result.exit_code == 0, result.stderr
    assert "1 created, 0 updated, 0 skipped, 0 rejected" in result.stdout
    assert (
        "Left out 1 footer line after the data, no record (a count, a total or a report's "
        f"footer; from line {line})" in " ".join(result.stdout.split())
    )
    assert [c["name"] for c in cli("contact", "list", "--json").json()] == ["Ada Lovelace"]
    cli("import", "undo")
    summary = cli("import", "contacts", str(source), "--json").json()
    assert (summary["created"], summary["footer_lines"]) == (1, [line])


def test_a_count_with_records_after_it_is_a_record(cli, tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text("name,email\nTotal: 1 contacts,\nAda,ada@x.io\n", encoding="utf-8")
    assert "2 created" in cli("import", "contacts", str(source)).stdout


def test_an_import_whose_new_database_another_made_meanwhile_claims_nothing(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two imports at once into a database not made yet: the one that finished second
    printed its whole summary ('27,273 created … Undo with: tinycrm import undo 1', the
    undo of the other's import) and only then 'Error: … another process made one there
    meanwhile (this command's is not kept)'. Now it says the error alone."""
    from tinycrm.api import database

    db = tmp_path / "new.db"
    place = database.NewDatabase.place

    def other_first(self: Any) -> None:
        sqlite3.connect(db).close()  # another process's database, made meanwhile
        place(self)

    monkeypatch.setattr(database.NewDatabase, "place", other_first)
    source = tmp_path / "people.csv"
    source.write_text("name,email\nAda Lovelace,ada@x.io\n", encoding="utf-8")
    for form in ([], ["--json"]):
        db.unlink(missing_ok=True)
        result = cli("--db", str(db), "import", "contacts", str(source), *form)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert "another process made one there meanwhile" in result.stderr
