"""Round trips at their edges: what tinycrm writes, tinycrm reads back as it was.

An export of nothing, the report of the rows an import rejected, and values at the
limits of what tinycrm stores, each written by tinycrm and imported again.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SUFFIX = {"csv": "csv", "json": "json", "jsonl": "jsonl", "vcard": "vcf"}


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "vcard"])
def test_an_export_of_no_contacts_imports_as_nothing(cli, tmp_path: Path, fmt: str) -> None:
    """An empty JSON lines or vCard export (a file of no bytes) was refused on import as
    'empty', where an empty CSV export (a header) or JSON one ([]) imports nothing."""
    old, new = str(tmp_path / "old.db"), str(tmp_path / "new.db")
    file = tmp_path / f"none.{SUFFIX[fmt]}"
    exported = cli("--db", old, "export", "contacts", "--format", fmt, "--out", str(file))
    assert exported.exit_code == 0, exported.stderr
    result = cli("--db", new, "import", "contacts", str(file), "--json")
    assert result.exit_code == 0, result.stderr
    summary = result.json()
    assert (summary["created"], summary["rejected"], summary["errors_file"]) == (0, 0, None)
    assert cli("--db", new, "contact", "list", "--json").json() == []


def test_an_empty_input_that_names_no_format_of_no_records_is_still_refused(
    cli, tmp_path: Path
) -> None:
    """A file of no bytes is a JSON lines or vCard file of no records; an empty CSV or
    JSON file (tinycrm writes a header, or []) and empty standard input are refused."""
    for name in ("empty.csv", "empty.json", "empty.txt"):
        (tmp_path / name).write_bytes(b"")
        result = cli("import", "contacts", str(tmp_path / name))
        assert result.exit_code == 1 and "is empty" in result.stderr, name
    assert cli("import", "contacts", "-", input="").exit_code == 1
    (tmp_path / "blank.vcf").write_text("\n \n")
    assert cli("import", "contacts", str(tmp_path / "blank.vcf")).exit_code == 0
    (tmp_path / "text.vcf").write_text("Name,Email\n")
    refused = cli("import", "contacts", str(tmp_path / "text.vcf"))
    assert refused.exit_code == 1 and "no vCard" in refused.stderr


KINDS = ("companies", "deals", "activities", "tasks", "contracts", "cases", "products",
         "items", "quotes")  # fmt: skip
IMPORTED_AS = {"companies": "companies", "deals": "deals", "activities": "activities",
               "tasks": "activities"}  # fmt: skip


def _header(file: Path) -> list[str]:
    return file.read_text(encoding="utf-8-sig").splitlines()[0].split(",")


def test_a_csv_export_of_no_records_has_its_header_and_imports_as_nothing(
    cli, tmp_path: Path, demo_database: Path
) -> None:
    """A CSV export of no companies, deals, activities, tasks, … was one empty line, not
    a header, so importing it again was refused as 'empty'. Its header is the one an
    export of records has, without custom fields (no record has one)."""
    import shutil

    full, empty = str(tmp_path / "full.db"), str(tmp_path / "empty.db")
    shutil.copy(demo_database, full)  # built once for the test process (tests/conftest.py)
    Path(full).chmod(0o600)
    for kind in KINDS:
        with_rows, without = tmp_path / f"{kind}.csv", tmp_path / f"no-{kind}.csv"
        for db, file in ((full, with_rows), (empty, without)):
            result = cli("--db", db, "export", kind, "--out", str(file))
            assert result.exit_code == 0, (kind, result.stderr)
        assert without.read_text(encoding="utf-8-sig").count("\n") == 1, kind
        expected = [c for c in _header(with_rows) if not c.startswith("field.")]
        assert _header(without) == expected, kind
        if kind in IMPORTED_AS:
            result = cli("--db", empty, "import", IMPORTED_AS[kind], str(without), "--json")
            assert result.exit_code == 0, (kind, result.stderr)
            assert result.json()["created"] == 0
    folder = tmp_path / "all"
    assert cli("--db", empty, "export", "all", "--format", "csv", "--out", str(folder),
               "--mkdir").exit_code == 0  # fmt: skip
    for kind in ("companies", "contacts", "deals", "activities", "tasks"):
        assert _header(folder / f"{kind}.csv")[:2] in (["id", "name"], ["id", "title"],
                                                      ["id", "kind"]), kind  # fmt: skip
        result = cli("--db", empty, "import", IMPORTED_AS.get(kind, kind),
                     str(folder / f"{kind}.csv"))  # fmt: skip
        assert result.exit_code == 0, (kind, result.stderr)
    shutil.rmtree(folder)


def _rows_of(cli, db: str) -> list[tuple[str, str | None]]:
    found = cli("--db", db, "contact", "list", "--json").json()
    return sorted((c["name"], c["email"]) for c in found)


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_records_rejected_from_json_come_back_as_json_that_imports_once_fixed(
    cli, tmp_path: Path, fmt: str
) -> None:
    """The report of records a JSON import rejected was a CSV file with each record as
    JSON text in one cell: fixing it and importing it again imported nothing. It is
    JSON now (an array for an array, JSON lines for JSON lines), each record with its
    line and reason first, and importing it once fixed imports the records."""
    import json
    import stat

    db = str(tmp_path / "crm.db")
    records = [
        '{"name": "Ada", "email": "ada@x.io"}',
        '{"name": "Bob", "email": "bob@", "tags": ["vip", "=1+1"], "fields": {"plan": "pro"},'
        ' "cadence_days": 14}',
        '{"name": "Cy", "name": "Cyrus", "email": "cy@x.io"}',
        "42",
    ]
    if fmt == "json":
        text = "[\n" + ",\n".join(records) + "\n]\n"
    else:
        text = "\n".join([*records, '{"name": "Di", "email": '])
    source = tmp_path / f"people.{fmt}"
    source.write_text(text)
    summary = cli("--db", db, "import", "contacts", str(source), "--json").json()
    assert (summary["created"], summary["rejected"]) == (1, 4 if fmt == "jsonl" else 3)
    report = tmp_path / f"people.errors.{fmt}"
    assert summary["errors_file"] == str(report)
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    written = report.read_text()
    lines = [ln.strip().rstrip(",") for ln in written.splitlines() if ln.strip() not in "[]"]
    assert len(lines) == summary["rejected"]
    first = json.loads(lines[0])
    assert first == {
        "line": 2 if fmt == "jsonl" else 3, "reason": first["reason"], "name": "Bob",
        "email": "bob@", "tags": ["vip", "=1+1"], "fields": {"plan": "pro"}, "cadence_days": 14,
    }  # fmt: skip
    assert "email" in first["reason"]
    assert '"name": "Cy", "name": "Cyrus"' in lines[1]  # as the file wrote it, to be fixed
    assert json.loads(lines[2])["record"] == 42
    if fmt == "jsonl":
        assert json.loads(lines[3])["record"] == '{"name": "Di", "email":'
    if fmt == "json":
        json.loads(written)  # the whole report is one array
    fixed = written.replace('"bob@"', '"bob@x.io"').replace('"name": "Cy", ', "")
    report.write_text(fixed)
    again = cli("--db", db, "import", "contacts", str(report), "--json").json()
    assert (again["created"], again["rejected"]) == (2, summary["rejected"] - 2)
    assert _rows_of(cli, db) == [("Ada", "ada@x.io"), ("Bob", "bob@x.io"), ("Cyrus", "cy@x.io")]
    bob = cli("--db", db, "contact", "show", "bob@x.io", "--json").json()
    assert (bob["tags"], bob["fields"]) == (["=1+1", "vip"], {"plan": "pro"})
    assert bob["cadence_days"] == 14
    # The report of the report: this time's line and reason, not the first one's as well
    rerun = tmp_path / f"people.errors.errors.{fmt}"
    again_lines = [ln.strip().rstrip(",") for ln in rerun.read_text().splitlines()
                   if ln.strip() not in "[]"]  # fmt: skip
    assert all(ln.count('"line"') == 1 for ln in again_lines)


def test_cards_rejected_from_a_vcard_file_come_back_as_vcards_that_import_once_fixed(
    cli, tmp_path: Path
) -> None:
    """The report of the cards a vCard import rejected was a CSV file with each card in
    one cell. It is a vCard file now, each card with an X-TINYCRM-REJECTED line (its line
    and reason) that import passes over, and importing it once fixed imports the cards."""
    import stat

    db = str(tmp_path / "crm.db")
    source = tmp_path / "people.vcf"
    source.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nEMAIL:ada@x.io\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob\r\nEMAIL:bob@\r\nNOTE:two\\nlines\\, one card\r\n"
        "CATEGORIES:vip\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cy\r\nTHIS IS NOT A PROPERTY\r\nEMAIL:cy@x.io\r\n"
        "END:VCARD\r\n"
    )
    summary = cli("--db", db, "import", "contacts", str(source), "--json").json()
    assert (summary["created"], summary["rejected"]) == (1, 2)
    report = tmp_path / "people.errors.vcf"
    assert summary["errors_file"] == str(report)
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    written = report.read_bytes().decode()
    assert written.count("BEGIN:VCARD") == 2 and written.count("X-TINYCRM-REJECTED;LINE=") == 2
    assert "X-TINYCRM-REJECTED;LINE=6:" in written and "X-TINYCRM-REJECTED;LINE=13:" in written
    fixed = written.replace("EMAIL:bob@\r\n", "EMAIL:bob@x.io\r\n")
    report.write_bytes(fixed.replace("THIS IS NOT A PROPERTY\r\n", "").encode())
    again = cli("--db", db, "import", "contacts", str(report), "--json")
    assert again.exit_code == 0, again.stderr
    assert (again.json()["created"], again.json()["rejected"]) == (2, 0)
    assert "X-TINYCRM-REJECTED" not in again.stdout  # not a property it names as unread
    assert _rows_of(cli, db) == [("Ada", "ada@x.io"), ("Bob", "bob@x.io"), ("Cy", "cy@x.io")]
    bob = cli("--db", db, "contact", "show", "bob@x.io", "--json").json()
    assert (bob["notes"], bob["tags"]) == ("two\nlines, one card", ["vip"])


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_fixed_report_imported_with_keep_extra_keeps_no_line_or_reason(
    cli, tmp_path: Path, fmt: str
) -> None:
    """The report's own line and reason columns are not the records': imported again
    with the same --keep-extra as the first time, every fixed contact got custom fields
    'line' and 'reason' (the reason it was rejected), and the summary named them as
    columns not imported; the report of a report had them twice."""
    db = str(tmp_path / "crm.db")
    source = tmp_path / f"people.{fmt}"
    if fmt == "csv":
        source.write_text("Name,Email,Plan\nAda,ada@x.io,pro\nBob,bob@,basic\nCy,cy@,\n")
    else:
        source.write_text('[{"name": "Bob", "email": "bob@", "plan": "basic"},\n'
                          ' {"name": "Cy", "email": "cy@"}]\n')  # fmt: skip
    first = cli("--db", db, "import", "contacts", str(source), "--keep-extra", "--json").json()
    assert first["rejected"] == 2
    report = Path(first["errors_file"])
    report.write_bytes(report.read_bytes().replace(b"bob@", b"bob@x.io"))
    dry = cli("--db", db, "import", "contacts", str(report), "--dry-run")
    notes = [n.rsplit("): ", 1)[1] for n in dry.stdout.splitlines() if "not imported" in n]
    assert dry.exit_code == 0 and notes and "plan" in notes[0].lower()
    assert not any(re.search(r"\b(line|reason)\b", n) for n in notes), notes
    again = cli("--db", db, "import", "contacts", str(report), "--keep-extra")
    assert again.exit_code == 0, again.stderr
    bob = cli("--db", db, "contact", "show", "bob@x.io", "--json").json()
    assert bob["fields"] == {"plan": "basic"}
    rerun = report.with_name(f"people.errors.errors.{fmt}").read_text(encoding="utf-8-sig")
    assert rerun.count("line") == 1 and rerun.count("reason") == 1, rerun


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_long_bodies_tinycrm_stores_import_again(cli, tmp_path: Path, fmt: str) -> None:
    """A mail's body is kept up to 100,000 characters (and its From/To lines), and log and
    task add took any length, but import refused a body over 10,000: a round trip of
    mail activities rejected them. Import takes what tinycrm stores: up to 1,000,000."""
    from datetime import UTC, datetime, timedelta

    from tinycrm.store.activities import add_task, log_activity
    from tinycrm.store.contacts import add_contact
    from tinycrm.store.engine import open_store
    from tinycrm.store.mail_log import BODY_MAX
    from tinycrm.store.validate import MAX_BODY

    old, new = str(tmp_path / "old.db"), str(tmp_path / "new.db")
    mail = "From: ada@x.io\nTo: me@x.io\n\n" + "Dear Sam,\n" + "x" * BODY_MAX + "\n[…]"
    store = open_store(old, user="tester")
    add_contact(store, name="Ada", email="ada@x.io")
    log_activity(store, kind="email", text="Re: offer", contact="ada@x.io", body=mail)
    log_activity(store, kind="note", text="Longest", contact="ada@x.io", body="n" * MAX_BODY)
    due = datetime.now(UTC) + timedelta(days=1)
    add_task(store, text="Read it", due=due, contact="ada@x.io", body="t\n" * 20_000)
    store.close()
    assert cli("--db", new, "contact", "add", "Ada", "--email", "ada@x.io").exit_code == 0
    for kind in ("activities", "tasks"):
        file = tmp_path / f"{kind}.{fmt}"
        assert cli("--db", old, "export", kind, "--format", fmt, "--out", str(file)).exit_code == 0
        result = cli("--db", new, "import", "activities", str(file), "--json")
        assert result.exit_code == 0, result.stderr
        assert result.json()["rejected"] == 0, Path(result.json()["errors_file"]).read_text()[:300]
    for kind in ("activities", "tasks"):
        before = cli("--db", old, "export", kind, "--format", "json").json()
        after = cli("--db", new, "export", kind, "--format", "json").json()
        assert sorted(a["body"] for a in after) == sorted(b["body"] for b in before)


def test_a_body_longer_than_import_takes_or_with_controls_is_refused_by_log_too(
    cli, tmp_path: Path
) -> None:
    """log and task add stored any body (an ESC sequence, a \\r\\n, 2,000,000 characters)
    that import then refused; they refuse what import refuses, as the README says."""
    from tinycrm.store.activities import log_activity
    from tinycrm.store.engine import open_store
    from tinycrm.store.errors import Invalid
    from tinycrm.store.validate import MAX_BODY

    db = str(tmp_path / "crm.db")
    assert cli("--db", db, "contact", "add", "Ada", "--email", "ada@x.io").exit_code == 0
    escaped = cli("--db", db, "log", "note", "ada@x.io", "Hi", "--body", "red \x1b[31m x")
    assert escaped.exit_code == 1
    assert escaped.stderr == (
        "Error: body: control characters are not allowed (\\x1b at position 5)\n"
    )
    store = open_store(db, user="tester")
    with pytest.raises(Invalid, match="body is too long"):
        log_activity(store, kind="note", text="Hi", contact="ada@x.io", body="b" * (MAX_BODY + 1))
    kept = log_activity(store, kind="note", text="Hi", contact="ada@x.io", body="one\r\ntwo")
    store.close()
    assert kept.body == "one\ntwo"


def _mail(mid: str | None, subject: str, sender: str = "ada@x.io", to: str = "me@mine.example"):
    from tinycrm.mail.message import parse_message

    head = f"From: {sender}\nTo: {to}\nSubject: {subject}\n"
    head += "Date: Tue, 01 Dec 2026 10:00:00 +0000\n"
    if mid:
        head += f"Message-ID: {mid}\n"
    return parse_message((head + "\nHello\n").encode())


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_mail_logged_before_an_export_is_not_logged_again_after_its_import(
    cli, tmp_path: Path, fmt: str
) -> None:
    """The activities export left out each mail's key (its Message-ID), so 'mail sync
    --from-start' into a database the export was imported into logged every mail a second
    time. The key and the direction travel, and import finds a mail by its key."""
    from tinycrm.store.contacts import add_contact
    from tinycrm.store.engine import open_store
    from tinycrm.store.mail_log import log_messages

    mails = [_mail("<m1@x.io>", "Offer"), _mail(None, "No id"),
             _mail("<m2@x.io>", "Reply", "me@mine.example", "ada@x.io")]  # fmt: skip
    own = {"own_addresses": ["me@mine.example"]}
    old, new = str(tmp_path / "old.db"), str(tmp_path / "new.db")
    store = open_store(old, user="tester")
    add_contact(store, name="Ada", email="ada@x.io")
    assert log_messages(store, mails[:2], **own).logged == 2
    store.close()
    store = open_store(old, user="tester")
    log_messages(store, [mails[2]], **own)
    store.close()
    file = tmp_path / f"activities.{fmt}"
    assert (
        cli("--db", old, "export", "activities", "--format", fmt, "--out", str(file)).exit_code == 0
    )
    first = cli("--db", new, "import", "activities", str(file), "--json")
    assert first.exit_code == 0 and first.json()["created"] == 3, first.stderr
    store = open_store(new, user="tester")
    again = log_messages(store, mails, **own)
    store.close()
    assert again.logged == 0
    exported = cli("--db", new, "export", "activities", "--format", "json").json()
    assert sorted((a["subject"], a["mail_key"], a["direction"]) for a in exported) == sorted(
        (a["subject"], a["mail_key"], a["direction"])
        for a in cli("--db", old, "export", "activities", "--format", "json").json()
    )
    assert {a["direction"] for a in exported} == {"in", "out"}
    # The same mail with another subject (edited since) is the same activity
    file.write_text(file.read_text().replace("Offer", "Offer (edited)"))
    twice = cli("--db", new, "import", "activities", str(file), "--on-duplicate", "skip", "--json")
    assert (twice.json()["created"], twice.json()["skipped"]) == (0, 3)


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "vcard"])
def test_custom_field_values_keep_their_spaces_and_tabs(cli, tmp_path: Path, fmt: str) -> None:
    """A custom field's value is stored as given, spaces and a leading tab too, and a vCard
    round trip kept them, but CSV and JSON imports trimmed them ('  padded  ' came back
    'padded', ' ' not at all): tinycrm's own field columns are read as written."""
    fields = {"sp": "  padded  ", "tab": "\tafter a tab", "ws": " ", "nl": "one\n two "}
    old, new = str(tmp_path / "old.db"), str(tmp_path / "new.db")
    args = [f"{k}={v}" for k, v in fields.items()]
    added = cli("--db", old, "contact", "add", "Ada", "--email", "ada@x.io",
                *(a for arg in args for a in ("--field", arg)))  # fmt: skip
    assert added.exit_code == 0, added.stderr
    kinds = ["contacts"] if fmt == "vcard" else ["contacts", "companies"]
    if fmt != "vcard":
        company = cli("--db", old, "company", "add", "Acme",
                      *(a for arg in args for a in ("--field", arg)))  # fmt: skip
        assert company.exit_code == 0, company.stderr
    for kind in kinds:
        file = tmp_path / f"{kind}.{SUFFIX[fmt]}"
        assert cli("--db", old, "export", kind, "--format", fmt, "--out", str(file)).exit_code == 0
        result = cli("--db", new, "import", kind, str(file))
        assert result.exit_code == 0, result.stderr
    assert cli("--db", new, "contact", "show", "ada@x.io", "--json").json()["fields"] == fields
    if fmt != "vcard":
        assert cli("--db", new, "company", "show", "Acme", "--json").json()["fields"] == fields


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "vcard"])
def test_two_contacts_of_one_name_without_email_come_back_as_two(
    cli, tmp_path: Path, fmt: str
) -> None:
    """Two contacts named alike, without an email, at the same company (or none): an
    export of them imported into a new database made one, the second row taken for a
    duplicate of the first. Two cards (rows) of one file with different UIDs are two
    people; a contact there before the import is still found by name."""
    old, new = str(tmp_path / "old.db"), str(tmp_path / "new.db")
    for _ in range(2):
        assert cli("--db", old, "contact", "add", "Sam Smith", "--company", "Acme").exit_code == 0
    file = tmp_path / f"contacts.{SUFFIX[fmt]}"
    assert (
        cli("--db", old, "export", "contacts", "--format", fmt, "--out", str(file)).exit_code == 0
    )
    result = cli("--db", new, "import", "contacts", str(file), "--json")
    assert (result.json()["created"], result.json()["skipped"]) == (2, 0), result.stdout
    again = cli("--db", new, "import", "contacts", str(file), "--json")
    assert (again.json()["created"], again.json()["skipped"]) == (0, 2)  # by their UIDs
    other = tmp_path / f"other.{SUFFIX[fmt]}"
    assert cli("--db", new, "contact", "add", "Cy Young").exit_code == 0
    third = cli("--db", new, "contact", "add", "Cy Young", "--company", "Acme")
    assert third.exit_code == 0
    # A card from elsewhere (its own UID) still meets the contact there was by name
    text = file.read_text().replace("Sam Smith", "Cy Young")
    text = re.sub(r"\b[0-9a-f]{8}-", "ffffffff-", text)  # UIDs of another address book
    other.write_text(text)
    found = cli("--db", new, "import", "contacts", str(other), "--json")
    assert found.json()["created"] == 0, found.stdout


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_two_deals_of_one_title_at_one_company_come_back_as_two(
    cli, tmp_path: Path, fmt: str
) -> None:
    """Two deals titled alike at one company came back as one from their export (the
    second row taken for the first), and imported again into their own database with
    --overwrite the second row overwrote the first deal. Rows of a file created at
    different times are different deals; a deal's creation time finds it first."""
    old, new = str(tmp_path / "old.db"), str(tmp_path / "new.db")
    assert cli("--db", old, "company", "add", "Acme").exit_code == 0
    for amount in ("10", "20"):
        added = cli("--db", old, "deal", "add", "Renewal", "--company", "Acme", "--amount", amount)
        assert added.exit_code == 0
    file = tmp_path / f"deals.{SUFFIX[fmt]}"
    assert cli("--db", old, "export", "deals", "--format", fmt, "--out", str(file)).exit_code == 0
    result = cli("--db", new, "import", "deals", str(file), "--json")
    assert (result.json()["created"], result.json()["skipped"]) == (2, 0), result.stdout
    amounts = sorted(d["amount"] for d in cli("--db", new, "deal", "list", "--json").json())
    assert amounts == [10, 20]
    again = cli("--db", old, "import", "deals", str(file), "--overwrite", "--json")
    assert again.json()["created"] == 0
    amounts = sorted(d["amount"] for d in cli("--db", old, "deal", "list", "--json").json())
    assert amounts == [10, 20]


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_two_alike_activities_come_back_as_two(cli, tmp_path: Path, fmt: str) -> None:
    """Two calls logged alike (same contact, subject and time) came back as one from
    their export. Rows created at different times are two activities, as for deals."""
    old, new = str(tmp_path / "old.db"), str(tmp_path / "new.db")
    assert cli("--db", old, "contact", "add", "Ada", "--email", "ada@x.io").exit_code == 0
    for _ in range(2):
        logged = cli("--db", old, "log", "call", "ada@x.io", "Called", "--at", "2026-12-01 10:00")
        assert logged.exit_code == 0
    file = tmp_path / f"activities.{SUFFIX[fmt]}"
    assert (
        cli("--db", old, "export", "activities", "--format", fmt, "--out", str(file)).exit_code == 0
    )
    result = cli("--db", new, "import", "activities", str(file), "--json")
    assert (result.json()["created"], result.json()["skipped"]) == (2, 0), result.stdout
    again = cli("--db", new, "import", "activities", str(file), "--json")
    assert again.json()["created"] == 0
    assert len(cli("--db", new, "export", "activities", "--format", "json").json()) == 2


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_empty_custom_field_value_clears_the_field_and_round_trips(
    cli, tmp_path: Path, fmt: str
) -> None:
    """``--field seats=`` stored "", which an export's empty cell cannot bring back (an
    empty cell is no value): an empty value now clears the field, as ``--email ""``
    clears the email (on add: not set; on edit: unset). A space is still a value."""
    old, new = str(tmp_path / "old.db"), str(tmp_path / "new.db")
    added = cli("--db", old, "contact", "add", "Ada", "--email", "ada@x.io", "--field",
                "plan=pro", "--field", "seats=", "--field", "ws= ", "--json")  # fmt: skip
    assert added.exit_code == 0, added.stderr
    assert added.json()["fields"] == {"plan": "pro", "ws": " "}
    edited = cli("--db", old, "contact", "edit", "ada@x.io", "--field", "plan=",
                 "--field", "tier=gold", "--json")  # fmt: skip
    assert edited.exit_code == 0, edited.stderr
    assert edited.json()["fields"] == {"tier": "gold", "ws": " "}
    company = cli("--db", old, "company", "add", "Acme", "--field", "a=", "--field", "b=1")
    assert company.exit_code == 0, company.stderr
    cli("--db", old, "company", "edit", "Acme", "--field", "b=")
    assert cli("--db", old, "company", "show", "Acme", "--json").json()["fields"] == {}
    cli("--db", old, "deal", "add", "Big", "--field", "x=", "--field", "y=2")
    cli("--db", old, "deal", "edit", "Big", "--field", "y=", "--field", "z=3")
    assert cli("--db", old, "deal", "show", "Big", "--json").json()["fields"] == {"z": "3"}
    for kind in ("contacts", "companies", "deals"):
        file = tmp_path / f"{kind}.{SUFFIX[fmt]}"
        assert cli("--db", old, "export", kind, "--format", fmt, "--out", str(file)).exit_code == 0
        result = cli("--db", new, "import", kind, str(file))
        assert result.exit_code == 0, result.stderr
    for noun, ref in (("contact", "ada@x.io"), ("company", "Acme"), ("deal", "Big")):
        before = cli("--db", old, noun, "show", ref, "--json").json()["fields"]
        assert cli("--db", new, noun, "show", ref, "--json").json()["fields"] == before, noun
