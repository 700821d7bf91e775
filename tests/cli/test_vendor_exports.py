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
    assert before["ada@analytical.example"][1]["email.2"] == "ada.l@home.example"
    out = tmp_path / f"out.{'vcf' if form == 'vcard' else 'csv'}"
    assert cli("export", "contacts", "--format", form, "--out", str(out)).exit_code == 0
    monkeypatch.setenv("TINYCRM_DB", str(tmp_path / "another.db"))
    assert cli("contact", "list", "--json").json() == []
    result = cli("import", "contacts", str(out))
    assert result.exit_code == 0, result.stderr
    assert _contacts(cli) == before
