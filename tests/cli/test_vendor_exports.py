"""Vendors' exports through the command line: what Google's cells hold survives tinycrm's
own exports (CSV and vCard) and an import back."""

from __future__ import annotations

from pathlib import Path

import pytest

IMPORTS = Path(__file__).resolve().parent.parent / "fixtures" / "import"


def _contacts(cli) -> dict:
    return {
        c["email"]: (c["phone"], c["fields"], c["tags"])
        for c in cli("contact", "list", "--json").json()
    }


@pytest.mark.parametrize("form", ["csv", "vcard"])
def test_googles_extra_values_survive_an_export_and_an_import_back(
    cli, tmp_path, monkeypatch, form
) -> None:
    copy = tmp_path / "google.csv"  # an import's error report is written beside its file
    copy.write_bytes((IMPORTS / "google-contacts.csv").read_bytes())
    assert cli("import", "contacts", str(copy)).exit_code == 0
    before = _contacts(cli)
    assert before["ada@analytical.example"][1]["email.work"] == "ada.l@home.example"
    out = tmp_path / f"out.{'vcf' if form == 'vcard' else 'csv'}"
    assert cli("export", "contacts", "--format", form, "--out", str(out)).exit_code == 0
    monkeypatch.setenv("TINYCRM_DB", str(tmp_path / "another.db"))
    assert cli("contact", "list", "--json").json() == []
    result = cli("import", "contacts", str(out))
    assert result.exit_code == 0, result.stderr
    assert _contacts(cli) == before


def test_amounts_follow_the_currency_the_delimiter_and_decimal_comma(cli, tmp_path) -> None:
    semicolons = tmp_path / "eu.csv"  # Excel in a decimal-comma locale
    semicolons.write_text("Deal Name;Amount;Currency\nA;1,500;EUR\nB;1.500;BHD\n")
    commas = tmp_path / "us.csv"
    commas.write_text('Deal Name,Amount,Currency\nC,1.500,BHD\nD,"1,500",EUR\n')
    told = tmp_path / "told.csv"
    told.write_text('Deal Name,Amount,Currency\nE,"1,500",EUR\n')
    assert cli("import", "deals", str(semicolons)).exit_code == 0
    imported = cli("import", "deals", str(commas))
    assert imported.exit_code == 0
    # no convention, a currency with two decimals: fifteen hundred euros, or 1.5? Refused
    assert "line 3: amount '1,500' is ambiguous: write 1500 if ',' separates" in imported.stdout
    assert cli("import", "deals", str(told), "--decimal-comma").exit_code == 0
    deals = {d["title"]: (d["amount"], d["currency"]) for d in cli("deal", "list", "--json").json()}
    assert deals == {
        "A": (1.5, "EUR"),
        "B": (1500, "BHD"),  # the file's convention: a dot groups thousands
        "C": (1.5, "BHD"),  # no convention: dinars have three decimals
        "E": (1.5, "EUR"),
    }


@pytest.mark.parametrize("suffix", ["json", "jsonl"])
def test_a_json_import_reads_amounts_as_decimal_comma_or_point_says(cli, tmp_path, suffix) -> None:
    """`import deals deals.json --decimal-point` still refused "18,500" as ambiguous: the
    option was read for CSV files only. It says how a JSON file's amounts are written too."""
    records = ['{"title": "A", "amount": "18,500", "currency": "EUR"}']
    records.append('{"title": "B", "amount": "1.250", "currency": "EUR"}')
    point = tmp_path / f"point.{suffix}"
    comma = tmp_path / f"comma.{suffix}"
    for path, titles in ((point, ("A", "B")), (comma, ("C", "D"))):
        lines = [r.replace('"A"', f'"{titles[0]}"').replace('"B"', f'"{titles[1]}"')
                 for r in records]  # fmt: skip
        path.write_text(f"[{','.join(lines)}]\n" if suffix == "json" else "\n".join(lines))
    result = cli("import", "deals", str(point), "--decimal-point")
    assert result.exit_code == 0 and "0 rejected" in result.stdout, result.stdout
    result = cli("import", "deals", str(comma), "--decimal-comma")
    assert result.exit_code == 0 and "0 rejected" in result.stdout, result.stdout
    deals = {d["title"]: d["amount"] for d in cli("deal", "list", "--json").json()}
    assert deals == {"A": 18500, "B": 1.25, "C": 18.5, "D": 1250}


@pytest.mark.parametrize("suffix", ["csv", "json"])
def test_an_ambiguous_amount_row_names_the_options_that_settle_the_whole_file(
    cli, tmp_path, suffix
) -> None:
    """A row rejected for "18,500" said how to write that one amount, not that
    --decimal-point or --decimal-comma reads every amount in the file one way."""
    path = tmp_path / f"deals.{suffix}"
    if suffix == "csv":
        path.write_text('title,amount,currency\nA,"18,500",EUR\n')
    else:
        path.write_text('[{"title": "A", "amount": "18,500", "currency": "EUR"}]\n')
    hint = "--decimal-point or --decimal-comma"
    result = cli("import", "deals", str(path))
    assert result.exit_code == 0 and "1 rejected" in result.stdout, result.stdout
    assert "amount '18,500' is ambiguous: write 18500 if ',' separates" in result.stdout
    assert hint in result.stdout, result.stdout
    assert hint in (tmp_path / f"deals.errors.{suffix}").read_text()
    strict = cli("import", "deals", str(path), "--strict")
    assert strict.exit_code == 1 and hint in strict.stderr, strict.stderr
    assert len(strict.stderr.splitlines()) == 1


def test_phones_excel_shortened_to_scientific_notation_are_refused_naming_why(
    cli, tmp_path: Path
) -> None:
    """A CSV saved from Excel (UTF-16 with a BOM, semicolons, CRLF, a cell over two lines)
    whose phone column Excel showed as numbers: '1.23457E+12', the digits past the sixth
    lost. It was stored as the contact's phone without a word. Now the row is refused,
    saying why and how to get the digits back; the other rows and companies are kept."""
    text = (
        'Name;Email;Phone;Notes\r\n"Jürgen Müller";jm@acme.de;1.23457E+12;"line 1\r\nline 2"\r\n'
        "Ada;ada@x.io;+49 170 1234567;\r\nBo;bo@x.io;4,91701E+11;\r\n"
    )
    file = tmp_path / "excel.csv"
    file.write_bytes(text.encode("utf-16"))
    companies = tmp_path / "companies.csv"
    companies.write_text("Name,Phone\r\nAcme,4.9E+10\r\n", encoding="utf-8")
    said = cli("import", "contacts", str(file))
    assert said.exit_code == 0, said.stderr
    assert "1 created, 0 updated, 0 skipped, 2 rejected" in said.stdout
    why = (
        "phone '1.23457E+12' is a number Excel wrote in scientific notation, its last "
        "digits lost: format the column as text in Excel and save the file again"
    )
    assert f"  line 2: {why}" in said.stdout
    assert "  line 5: phone '4,91701E+11' is a number Excel wrote" in said.stdout
    assert [c["phone"] for c in cli("contact", "list", "--json").json()] == ["+49 170 1234567"]
    said = cli("import", "companies", str(companies))
    assert "0 created" in said.stdout and "phone '4.9E+10' is a number Excel" in said.stdout
