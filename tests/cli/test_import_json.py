"""Importing JSON arrays and JSON lines from the command line: where a rejected record
is, and files too big to read whole."""

from __future__ import annotations

import json
from pathlib import Path


def test_rejected_records_of_a_one_line_array_are_named_by_number(cli, tmp_path: Path) -> None:
    """Every rejected record of a one-line array was 'line 1'; now 'line 1, record N', in
    the summary and in --strict's refusal, while the report keeps the line as a number."""
    file = tmp_path / "people.json"
    file.write_text(
        '[{"name": "Ada", "email": "ada@x.io"}, {"name": "Bo", "email": "bad"}, 5,'
        ' {"name": "Cy", "lifecycle": "zzz"}]',
        encoding="utf-8",
    )
    strict = cli("import", "contacts", str(file), "--strict")
    assert strict.exit_code == 1
    assert strict.stderr.startswith("Error: line 1, record 2: invalid email address 'bad'")
    said = cli("import", "contacts", str(file)).stdout
    assert "  line 1, record 2: invalid email address 'bad'\n" in said
    assert "  line 1, record 3: a record must be a JSON object, not a number\n" in said
    assert "  line 1, record 4: invalid lifecycle 'zzz'" in said
    report = json.loads((tmp_path / "people.errors.json").read_text(encoding="utf-8"))
    assert [(r["line"], r.get("name")) for r in report] == [(1, "Bo"), (1, None), (1, "Cy")]


def test_the_report_of_an_array_is_an_array_in_any_encoding(cli, tmp_path: Path) -> None:
    """The report's form was chosen from the file's first bytes as UTF-8: an array in
    UTF-16 (Windows PowerShell's ConvertTo-Json > file) or after 512 bytes of white space
    got a JSON lines report, people.errors.jsonl, for an array. Now people.errors.json."""
    array = '[\r\n  {"name": "Ada", "email": "bad"},\r\n  {"name": "Bo"}\r\n]\r\n'
    utf16 = tmp_path / "people.json"
    utf16.write_bytes(("\ufeff" + array).encode("utf-16-le"))
    spaced = tmp_path / "spaced.json"
    spaced.write_text(" " * 600 + array, encoding="utf-8")
    for file in (utf16, spaced):
        said = cli("import", "contacts", str(file)).stdout
        report = file.with_name(file.stem + ".errors.json")
        assert f"reasons: {report}" in said
        assert json.loads(report.read_text(encoding="utf-8"))[0]["reason"] == (
            "invalid email address 'bad'"
        )
    assert not list(tmp_path.glob("*.jsonl"))


def test_the_summary_says_how_many_rejected_rows_it_does_not_list(cli, tmp_path: Path) -> None:
    """The summary lists the first three rejected rows of the report: '5 rejected' came
    with three lines and no word of the two others; now '… and 2 more in the report'."""
    file = tmp_path / "people.json"
    file.write_text(
        "[" + ", ".join(f'{{"name": "P{n}", "email": "bad{n}"}}' for n in range(5)) + "]",
        encoding="utf-8",
    )
    said = cli("import", "contacts", str(file)).stdout
    assert "0 created, 0 updated, 0 skipped, 5 rejected" in said
    assert (
        "  line 1, record 3: invalid email address 'bad2'\n  … and 2 more in the report\n" in said
    )
    one = tmp_path / "one.json"
    one.write_text('[{"name": "P", "email": "bad"}]', encoding="utf-8")
    assert "more in the report" not in cli("import", "contacts", str(one)).stdout


def test_white_space_before_the_array_does_not_make_it_csv(cli, tmp_path: Path) -> None:
    """A .txt file (or stdin) was read as JSON only when its first 512 bytes showed the
    '[': after 600 bytes of spaces and line ends it was read as CSV, and refused as a
    file none of whose columns is a field. Now the white space is skipped, whatever its
    length, in UTF-8 with or without BOM and UTF-16 with BOM alike."""
    array = '[{"name": "Ada", "email": "ada@x.io"}]\n'
    cases = {
        "plain.txt": (" \r\n\t" * 300 + array).encode("utf-8"),
        "bom.txt": ("\ufeff" + "\n" * 70_000 + array).encode("utf-8"),
        "wide.txt": ("\ufeff" + " " * 600 + array).encode("utf-16-le"),
    }
    for name, data in cases.items():
        file = tmp_path / name
        file.write_bytes(data)
        said = cli("--db", str(tmp_path / f"{name}.db"), "import", "contacts", str(file))
        assert said.exit_code == 0, (name, said.stderr)
        assert "1 created" in said.stdout, (name, said.stdout)
    piped = cli(
        "--db", str(tmp_path / "stdin.db"), "import", "contacts", "-",
        input=" " * 600 + array,
    )  # fmt: skip
    assert piped.exit_code == 0, piped.stderr
    assert "1 created" in piped.stdout


def test_keys_not_imported_are_counted_as_csv_columns_are(cli, tmp_path: Path) -> None:
    """A JSON file's keys that map to no field were listed bare ('Keys not imported (…):
    fax, pager'), where a CSV file's columns say how many rows held a value. Now JSON's
    say it too, summed over records of different keys, empty ones counted apart."""
    file = tmp_path / "people.json"
    file.write_text(
        '[{"name": "Ada", "email": "ada@x.io", "fax": "1", "pager": ""},'
        ' {"name": "Bo", "email": "bo@x.io", "fax": "2"},'
        ' {"name": "Cy", "email": "cy@x.io", "fax": null, "beeper": null}]',
        encoding="utf-8",
    )
    said = cli("import", "contacts", str(file), "--dry-run").stdout
    assert "Keys not imported (no matching field;" in said
    assert "fax (2 rows); 2 more keys empty" in said
    empty = tmp_path / "empty.json"
    empty.write_text('[{"name": "Di", "pager": ""}]', encoding="utf-8")
    said = cli("import", "contacts", str(empty), "--dry-run").stdout
    assert "1 key, empty: pager" in said


def test_a_key_losing_its_field_to_another_is_named_with_its_winner(cli, tmp_path: Path) -> None:
    """A JSON file with First Name and Given Name keys, in another order in one record:
    Given Name is counted over both, named with First Name, not 'no matching field'."""
    file = tmp_path / "names.json"
    file.write_text(
        '[{"First Name": "Bob", "Given Name": "Robert", "Email": "b@x.io"},'
        ' {"Given Name": "Carl", "First Name": "", "Email": "c@x.io"}]',
        encoding="utf-8",
    )
    said = cli("import", "contacts", str(file)).stdout
    assert "no matching field" not in said
    assert (
        "Given Name not imported where First Name gives the first_name: 1 row, another "
        "value" in said
    )
    assert "taken in 1 row where First Name was empty" in said
    names = sorted(c["name"] for c in cli("contact", "list", "--json").json())
    assert names == ["Bob", "Carl"]


def test_keys_tinycrm_sets_are_named_once_across_records_of_other_keys(cli, tmp_path: Path) -> None:
    """tinycrm's own JSON export, its contacts with different custom fields, imported
    again: each set of keys was reported on its own, so the note said 'id (1 row: …),
    score (1 row), id (1 row: …), score (1 row)'. Now each key once, its rows added up."""
    cli("contact", "add", "Ada", "--email", "ada@x.io", "--field", "shoe=38")
    cli("contact", "add", "Bo", "--email", "bo@x.io", "--field", "hat=7")
    cli("contact", "add", "Cy", "--email", "cy@x.io", "--field", "hat=8")
    out = tmp_path / "contacts.json"
    assert cli("export", "contacts", "--format", "json", "--out", str(out)).exit_code == 0
    said = cli("--db", str(tmp_path / "fresh.db"), "import", "contacts", str(out)).stdout
    note = next(line for line in said.splitlines() if "sets them itself" in line)
    assert note.count("id (") == 1 and note.count("score (") == 1, note
    assert "id (3 rows: the contacts' ids in the database" in note
    assert "score (3 rows)" in note and "updated_at (3 rows)" in note


def test_each_import_says_it_reads_json_too() -> None:
    """``import companies --help`` (and the import group's list) said 'Import companies
    from a CSV file', though FILE, the README and the import itself take JSON and JSON
    lines too; a user with a JSON export looked elsewhere."""
    import typer.main

    from tinycrm.cli.imports import app

    group = typer.main.get_command(app)
    for kind in ("contacts", "companies", "deals", "activities"):
        summary = (group.commands[kind].help or "").split(".")[0]  # type: ignore[attr-defined]
        assert "a CSV, JSON or JSON lines file" in summary, kind


def test_a_probability_that_is_not_whole_rejects_its_row(cli, tmp_path: Path) -> None:
    """An imported probability of 50.5 became 50 silently (CSV and JSON alike), while
    `deal add --probability 50.5` refuses it; now the row is rejected, saying why, and
    the others are imported."""
    csv_file = tmp_path / "deals.csv"
    csv_file.write_text("title,probability\nHalf,50.5\nWhole,50\n", encoding="utf-8")
    json_file = tmp_path / "deals.json"
    json_file.write_text(
        '[{"title": "Half J", "probability": 50.5}, {"title": "Whole J", "probability": 60}]',
        encoding="utf-8",
    )
    said = cli("import", "deals", str(csv_file)).stdout
    assert "1 created, 0 updated, 0 skipped, 1 rejected" in said
    assert "  line 2: probability '50.5' is not a whole number\n" in said
    said = cli("import", "deals", str(json_file)).stdout
    assert "1 created, 0 updated, 0 skipped, 1 rejected" in said
    assert "  line 1, record 1: probability '50.5' is not a whole number\n" in said
    deals = json.loads(cli("deal", "list", "--json").stdout)
    assert sorted((d["title"], d["probability"]) for d in deals) == [
        ("Whole", 50),
        ("Whole J", 60),
    ]
    assert "not a whole number" in (tmp_path / "deals.errors.csv").read_text(encoding="utf-8")
