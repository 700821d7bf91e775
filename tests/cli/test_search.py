"""tinycrm search on the command line (in-process: the store tests cover the search)."""

from __future__ import annotations

import csv
import io

from tinycrm.store.contacts import add_contact
from tinycrm.store.engine import open_store


def test_search_prints_hits_as_lines_json_and_csv_and_escapes_stored_text(cli) -> None:
    store = open_store(None, user="tester")
    try:
        add_contact(store, name="Anna Müller", email="anna@example.com")
        with store.write() as session:  # stored text from before input was checked
            session.connection().exec_driver_sql(
                "UPDATE contact SET notes = 'Sent the résumé \x1b[31mred\x1b[0m today'"
            )
    finally:
        store.close()
    shown = cli("search", "RESUME")
    assert shown.exit_code == 0
    assert "contact #1  Anna Müller  anna@example.com" in shown.stdout
    assert "notes: Sent the résumé \\x1b[31mred\\x1b[0m today" in shown.stdout
    assert "\x1b" not in shown.stdout
    (hit,) = cli("search", "resume", "--json").json()
    assert (hit["kind"], hit["id"], hit["name"], hit["field"]) == (
        "contact",
        1,
        "Anna Müller",
        "notes",
    )
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end] == "résumé"
    (row,) = csv.DictReader(io.StringIO(cli("search", "anna", "--csv", "--in", "contacts").stdout))
    assert row["name"] == "Anna Müller"
    assert cli("search", "nothing-here").stdout.strip() == "nothing found"
    refused = cli("search", "x", "--in", "contacts,widgets")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "Error: cannot search 'widgets': choose from contacts, companies, deals, activities, cases"
    )
