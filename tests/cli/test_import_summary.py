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


def test_a_contact_no_deal_was_linked_to_is_named_not_created(cli, tmp_path: Path) -> None:
    first = tmp_path / "deals.csv"
    first.write_text("Deal ID,Deal Name\nX-1,Renewal\n", encoding="utf-8")
    assert cli("import", "deals", str(first)).exit_code == 0
    again = tmp_path / "again.csv"
    again.write_text("Deal ID,Deal Name,Contact\nX-1,Renewal,ada@x.io\n", encoding="utf-8")
    result = cli("import", "deals", str(again), "--on-duplicate", "skip")
    assert result.exit_code == 0, result.stderr
    assert (
        "Did not create 1 contact no row was linked to (duplicates skipped or rejected, "
        "deals an update keeps with their own contact; --overwrite replaces theirs): "
        "ada@x.io\n"
    ) in result.stdout
    assert "named in the rows created" not in result.stdout
    assert cli("contact", "list", "--json").json() == []
    summary = cli("import", "deals", str(again), "--on-duplicate", "error", "--json").json()
    assert (summary["contacts_not_created"], summary["linked_created"]) == (["ada@x.io"], {})
