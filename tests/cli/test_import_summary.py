"""What an import's summary says it left out or kept elsewhere: companies no row was linked
to, a second column of the same name."""

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


def test_a_second_email_column_of_the_same_name_is_kept_as_vcard_keeps_a_second_email(
    cli, tmp_path: Path
) -> None:
    """Two columns both named Email (two exports pasted side by side): the second's
    address was kept as the custom field email.email, a key no other door writes, and the
    summary said nothing. Now it is email.other (email.other.2 for a third), as a vCard's
    second EMAIL of no type is kept, it is the email where the first is empty, and the
    summary says how many rows' addresses were kept so."""
    file = tmp_path / "two.csv"
    file.write_text(
        "Name,Email,Email,EMAIL\nAda,ada@x.io,ada@home.io,ada@old.io\nBo,,bo@x.io,\n"
        "Cy,cy@x.io,cy@x.io,\n",
        encoding="utf-8",
    )
    shown = cli("import", "contacts", str(file), "--show-mapping").stdout
    assert "email.email" not in shown and "custom field email.other when" in shown
    said = cli("import", "contacts", str(file)).stdout
    assert (
        "Email (column 3) kept as custom field email.other where Email (column 2) gives the "
        "email: 1 row; taken in 1 row where Email was empty" in said
    )
    assert (
        "EMAIL (column 4) kept as custom field email.other.2 where Email (column 2) gives "
        "the email: 1 row" in said
    )
    contacts = {c["name"]: c for c in cli("contact", "list", "--json").json()}
    assert contacts["Ada"]["email"] == "ada@x.io"
    assert contacts["Ada"]["fields"] == {
        "email.other": "ada@home.io",
        "email.other.2": "ada@old.io",
    }
    assert (contacts["Bo"]["email"], contacts["Bo"]["fields"]) == ("bo@x.io", {})
    assert (contacts["Cy"]["email"], contacts["Cy"]["fields"]) == ("cy@x.io", {})


def test_a_second_phone_column_of_the_same_name_is_kept_as_phone_other(cli, tmp_path: Path) -> None:
    file = tmp_path / "phones.csv"
    file.write_text("Name,Phone,Phone\nAda,+44 20 7946 0000,+44 20 7946 0001\n", encoding="utf-8")
    said = cli("import", "contacts", str(file)).stdout
    assert "Phone (column 3) kept as custom field phone.other where Phone (column 2)" in said
    (ada,) = cli("contact", "list", "--json").json()
    assert ada["fields"] == {"phone.other": "+44 20 7946 0001"}
