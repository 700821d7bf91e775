"""Round trips at their edges: what tinycrm writes, tinycrm reads back as it was.

An export of nothing, the report of the rows an import rejected, and values at the
limits of what tinycrm stores, each written by tinycrm and imported again.
"""

from __future__ import annotations

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
    cli, tmp_path: Path, demo_dump
) -> None:
    """A CSV export of no companies, deals, activities, tasks, … was one empty line, not
    a header, so importing it again was refused as 'empty'. Its header is the one an
    export of records has, without custom fields (no record has one)."""
    import copy
    import shutil

    from tinycrm.store.dump import restore_database
    from tinycrm.store.engine import open_store

    full, empty = str(tmp_path / "full.db"), str(tmp_path / "empty.db")
    store = open_store(full, user="tester")
    restore_database(store, copy.deepcopy(demo_dump))
    store.close()
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
