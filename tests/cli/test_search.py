"""tinycrm search on the command line (in-process: the store tests cover the search; one
run in a process of its own, which has loaded only what a search loads)."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

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
    for nothing in ("", "   ", '""', "*", "... ?"):
        empty = cli("search", nothing)
        assert empty.exit_code == 2
        assert empty.stderr.startswith("Error: nothing to search for in ")
        assert empty.stdout == ""
    refused = cli("search", "x", "--in", "contacts,widgets")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "Error: cannot search 'widgets' (choose from contacts, companies, deals, activities, cases)"
    )


def test_search_in_a_process_of_its_own_finds_a_support_case(cli) -> None:
    """A new process loads only the tables its command uses: the search must load the
    support case table itself (it was a KeyError traceback)."""
    assert cli("contact", "add", "Ada Lovelace").exit_code == 0
    assert cli("case", "add", "Calendar sync stopped", "--contact", "Ada Lovelace").exit_code == 0
    run = subprocess.run(
        [sys.executable, "-m", "tinycrm", "search", "calendar"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "case #1  Calendar sync stopped" in run.stdout


def test_search_on_a_narrow_terminal_cuts_between_words_and_never_a_name(
    cli, demo_database, monkeypatch
) -> None:
    """At 40 columns a hit's line was cut anywhere: 'Send revised proposal t…', an email
    'daniel.mil…', a snippet's 'Agniesz…'. A hit's kind and id are always whole, and
    the rest is cut between words: a name, an email or a date whole or not at all."""
    import re

    from tinycrm.cli import output
    from tinycrm.cli.table import cell_len

    db = ["--db", str(demo_database)]
    for columns in (40, 60):
        for text in ("proposal", "Harborview", "müller"):
            hits = cli(*db, "search", text, "--limit", "8", "--json").json()
            monkeypatch.setenv("COLUMNS", str(columns))
            monkeypatch.setattr(output, "_console", None)
            shown = cli(*db, "search", text, "--limit", "8").stdout
            monkeypatch.setenv("COLUMNS", "200")
            assert all(cell_len(line) <= columns for line in shown.splitlines()), shown
            flat = " ".join(shown.split())
            said = {w for h in hits for f in ("name", "detail", "snippet", "field")
                    for w in re.split(r"[\s:]+", h[f] or "")}  # fmt: skip
            for hit in hits:
                assert f"{hit['kind']} #{hit['id']} {hit['name'].split()[0]}" in flat, shown
            cut = [w[:-1] for w in shown.split() if w.endswith("…") and len(w) > 1]
            assert all(w.rstrip(",;:·–") in said for w in cut), (cut, shown)


def test_an_empty_in_is_refused_not_read_as_every_kind(cli) -> None:
    """`search x --in "$KINDS"` with KINDS unset searched every kind, as a filter given
    empty must not (README: a filter given empty is refused)."""
    cli("contact", "add", "Xavier")
    for given in ("", " ", ",", " , "):
        result = cli("search", "xav", "--in", given)
        assert result.exit_code == 1, (given, result.stdout)
        assert result.stderr == (
            "Error: the kinds to search must not be empty: leave --in out to search them all\n"
        )
    assert "Xavier" in cli("search", "xav").stdout
    assert "Xavier" in cli("search", "xav", "--in", "contacts,").stdout


def test_a_hit_whose_first_word_is_wider_than_the_terminal_is_cut_not_wrapped_whole(
    cli, monkeypatch
) -> None:
    """A hit's line whose name's first word did not fit beside its kind and id was
    printed whole and wrapped, its detail too: a company of 10,000 characters stored by
    an older version made one hit 500 lines at 20 columns (100 at 100). Now such a word
    is cut with '…' at the terminal's width, as a table cuts a first word wider than its
    column; the kind and id stay whole."""
    from tinycrm.cli import output
    from tinycrm.cli.table import cell_len

    name = "Tab-" + "x" * 60
    assert cli("company", "add", "Acme " + "L" * 250).exit_code == 0
    assert cli("contact", "add", name, "--company", "Acme " + "L" * 250).exit_code == 0
    monkeypatch.setenv("COLUMNS", "20")
    monkeypatch.setattr(output, "_console", None)
    shown = cli("search", "tab").stdout
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(output, "_console", None)
    lines = shown.splitlines()
    assert all(cell_len(line) <= 20 for line in lines), shown
    assert lines[0] == "contact #1  Tab-xxx…" and len(lines) == 2, shown


def test_letters_joined_by_zwj_do_not_push_a_hit_past_the_terminal(cli, monkeypatch) -> None:
    """A name of letters joined by U+200D took one cell to Rich and one each to the
    terminal: the hit's line was not cut and wrapped over three lines at 40 columns. A
    search shows what a joiner joined apart, as a table does, and cuts the line."""
    from tinycrm.cli import output

    joined = "\u200dq" * 50
    assert cli("contact", "add", f"Zed{joined} Zed", "--notes", f"Zed {joined} end").exit_code == 0
    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.setattr(output, "_console", None)
    shown = cli("search", "zed").stdout
    monkeypatch.setattr(output, "_console", None)
    lines = shown.splitlines()
    assert len(lines) == 2, shown
    assert all(len(line.replace("\u200d", "")) <= 40 for line in lines), shown
    assert all(line.endswith("…") for line in lines), shown


def test_a_text_starting_with_a_dash_says_how_to_search_for_it(cli) -> None:
    """`tinycrm search -minus` (or "-5%") said "No such option: -m": the text was read as
    options. The line now says to put -- before it, and that finds it."""
    cli("contact", "add", "Dash", "--notes", "the -minus sign")
    for text in ("-minus", "-5%", "--nothing-like-an-option"):
        result = cli("search", text)
        assert result.exit_code == 2, (text, result.stdout)
        assert result.stderr.count("\n") == 1, result.stderr
        assert "put -- before it: tinycrm search -- " in result.stderr, result.stderr
    assert "Dash" in cli("search", "--", "-minus").stdout
    # an option of search's own that is misspelt is still named as such
    assert "No such option: --limt" in cli("search", "x", "--limt", "3").stderr


def test_the_words_may_come_unquoted(cli) -> None:
    """`tinycrm search anna müller` said "Got unexpected extra argument(s) (müller)": the
    words are one text, quoted or not; a phrase may span them."""
    cli("contact", "add", "Anna Müller")
    cli("contact", "add", "Müller Anna-Lena")
    both = cli("search", "anna", "müller")
    assert both.exit_code == 0 and both.stdout == cli("search", "anna müller").stdout
    assert "Anna Müller" in both.stdout and "Müller Anna-Lena" in both.stdout
    phrase = cli("search", '"anna', 'müller"').stdout
    assert "Anna Müller" in phrase and "Anna-Lena" not in phrase, phrase
    assert cli("search", "anna", "müller", "--json").json()[0]["name"] == "Anna Müller"
    missing = cli("search")
    assert missing.exit_code == 2 and "Missing argument 'TEXT...'" in missing.stderr


def test_a_search_of_one_word_too_long_says_it_is_too_long(cli) -> None:
    """A single word of 10,000 letters (too long for the index, so no word to look for)
    was told "nothing to search for", where 20,000 characters of words were told the
    text is too long. It is told what is wrong now."""
    long = cli("search", "a" * 10_000)
    assert long.exit_code == 1
    assert long.stderr.strip() == (
        "Error: search text is too long: 10,000 characters (at most 1,000)"
    )
