"""What an import's summary says it left out: companies no row was linked to."""

from __future__ import annotations

from pathlib import Path


def test_a_company_no_row_was_linked_to_is_named_not_created(cli, tmp_path: Path) -> None:
    added = cli("contact", "add", "Ada Lovelace", "--email", "ada@x.io", "--company", "Old Co")
    assert added.exit_code == 0, added.stderr
    source = tmp_path / "people.csv"
    source.write_text("Name,Email,Company\nAda Lovelace,ada@x.io,Acme Inc\n", encoding="utf-8")
    result = cli("import", "contacts", str(source))
    assert result.exit_code == 0, result.stderr
    assert (
        "Did not create 1 company no row was linked to (duplicates skipped or rejected, "
        "contacts an update keeps at their own company; --overwrite replaces theirs): "
        "Acme Inc\n"
    ) in result.stdout
    assert "named in the rows created" not in result.stdout
    assert [c["name"] for c in cli("company", "list", "--json").json()] == ["Old Co"]
    summary = cli("import", "contacts", str(source), "--on-duplicate", "skip", "--json").json()
    assert (summary["companies_not_created"], summary["linked_created"]) == (["Acme Inc"], {})
