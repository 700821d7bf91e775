"""Escape sequences in stored text never reach the terminal raw, and never get in.

Every list, show, feed, remind, next and report command of ``tinycrm`` runs (each a
process of its own, forked from the fork server: tests/cli/forkserver.py) over a
database whose every text column holds ESC, OSC, CSI, BEL, C1, DEL and bidi overrides
(written with plain SQL, as an old database would hold them); neither stdout nor stderr
may carry one of them. Then the way in: names, titles and the rest refuse them, NUL
included, with one line and nothing written, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.hostile import HOSTILE, MARKUP, raw_controls, seed_hostile

REPORTS = (
    "pipeline",
    "forecast",
    "winrate",
    "cycle",
    "funnel",
    "sources",
    "churn",
    "clv",
    "activity",
)


def _commands(ids: dict[str, int]) -> list[tuple[str, ...]]:
    contact, lost, won = str(ids["contact"]), str(ids["lost"]), str(ids["won"])
    return [
        ("company", "list"),
        ("company", "show", "1"),
        ("contact", "list"),
        ("contact", "list", "--json"),
        ("contact", "show", contact),
        ("contact", "show", contact, "--json"),
        ("contact", "dupes"),
        ("deal", "list"),
        ("deal", "list", "--status", "all"),
        ("deal", "show", str(ids["open"])),
        ("deal", "show", lost),
        ("lead", "list"),
        ("task", "list"),
        ("pipeline", "list"),
        ("tag", "list"),
        ("field", "list"),
        ("segment", "list"),
        ("campaign", "list"),
        ("campaign", "show", "1"),
        ("campaign", "report", "1"),
        ("sequence", "list"),
        ("sequence", "show", "1"),
        ("score", "rule", "list"),
        ("score",),  # warns about the rule whose condition no longer compiles
        ("score", "explain", contact),
        ("feed",),
        ("feed", "--json"),
        ("remind",),
        ("next",),
        *(("report", name) for name in REPORTS),
        ("import", "history"),
        # Errors that quote stored names: "deal … is already won", a ref that matches none.
        ("deal", "won", won),
        ("deal", "show", HOSTILE),
        ("contact", "show", "Ada\x1b[2J"),
        # A write whose confirmation line names the record.
        ("deal", "move", str(ids["open"]), "Proposal"),
    ]


@pytest.fixture
def hostile(store: Any) -> tuple[Any, dict[str, int]]:
    return store, seed_hostile(store)


def test_no_raw_control_reaches_the_terminal(hostile: Any, forked: Any) -> None:
    store, ids = hostile
    env = {"TINYCRM_DB": store.url, "COLUMNS": "160"}
    leaks, tracebacks, shown = [], [], 0
    for command in _commands(ids):
        run = forked(*command, env=env)
        for stream, text in (("stdout", run.stdout), ("stderr", run.stderr)):
            found = raw_controls(text)
            if found:
                leaks.append(f"{' '.join(command)!r} {stream}: {', '.join(found)}")
        if "Traceback" in run.stderr or run.exit_code not in (0, 1, 3):
            tracebacks.append(f"{' '.join(command)!r} exit {run.exit_code}: {run.stderr[-300:]}")
        shown += "\\x1b]0;pwned\\x07" in run.stdout + run.stderr
    assert not leaks, "\n".join(leaks)
    assert not tracebacks, "\n".join(tracebacks)
    assert shown >= 20  # the hostile text is there, visibly escaped, not dropped


def test_markup_in_names_shows_as_typed(hostile: Any, forked: Any) -> None:
    store, ids = hostile
    env = {"TINYCRM_DB": store.url, "COLUMNS": "400"}
    for command in (("contact", "list"), ("contact", "show", str(ids["contact"])), ("feed",)):
        assert MARKUP in forked(*command, env=env).stdout, command


def test_json_keeps_the_data_exact(hostile: Any, sh: Any) -> None:
    store, ids = hostile
    run = sh("contact", "show", str(ids["contact"]), "--json", env={"TINYCRM_DB": store.url})
    assert run.exit_code == 0
    assert not raw_controls(run.stdout)
    assert json.loads(run.stdout)["name"] == "Ada" + HOSTILE


def test_csv_into_a_pipe_keeps_the_data(hostile: Any, sh: Any) -> None:
    """CSV is data: into a file or a pipe it is exact (only a terminal gets it escaped)."""
    store, _ = hostile
    run = sh("contact", "list", "--csv", env={"TINYCRM_DB": store.url})
    assert run.exit_code == 0
    assert "Ada" + HOSTILE in run.stdout


# ------------------------------------------------------------------------------ the way in

ONE_LINE = [
    ("contact", "add", "Bad\x1b]0;x\x07"),
    ("contact", "add", "Bidi \u202egpj.exe"),
    ("contact", "add", "C1 \x9b31m"),
    ("contact", "add", "Ok", "--title", "CEO\x1b[31m"),
    ("contact", "add", "Ok", "--email", "a\x1b@acme.de"),
    ("contact", "add", "Ok", "--tag", "vip\x07"),
    ("contact", "add", "Ok", "--field", "plan=pro\x1b[0m"),
    ("contact", "add", "Ok", "--notes", "line\x1b[2J"),
    ("company", "add", "Acme\x7f"),
    ("company", "add", "Acme", "--city", "Berlin\u2066"),
    ("deal", "add", "Deal\x1b"),
    ("task", "add", "Call\x9b", "--due", "tomorrow"),
    ("log", "note", "1", "Said\x1b[5m hi"),
    ("pipeline", "add", "Pipe\x1b"),
    ("pipeline", "add", "Pipe", "--stage", "Lead\x1b[1m:10"),
    ("segment", "save", "Seg\x1b", "tag:vip"),
    ("campaign", "add", "Camp\x07", "--channel", "email"),
    ("sequence", "add", "Seq\x1b", "--step", "0:Call {name}"),
    ("sequence", "add", "Seq", "--step", "0:Call\u202e {name}"),
    ("score", "rule", "add", "Rule\x1b", "--points", "10", "--when", "tag:vip"),
    ("score", "rule", "add", "Rule", "--points", "10", "--when", "name~'\x1b[2J'"),
]


def _dump(store: Any) -> list[Any]:
    from sqlalchemy import text

    with store.engine.connect() as conn:
        return [
            conn.execute(text(f"SELECT * FROM {t} ORDER BY 1")).all()
            for t in ("company", "contact", "deal", "activity", "event", "tag", "field_value")
        ]


@pytest.mark.parametrize("command", ONE_LINE, ids=lambda c: repr(" ".join(c))[:40])
def test_controls_are_refused_on_input(store: Any, forked: Any, command: tuple[str, ...]) -> None:
    from tinycrm.store.contacts import add_contact

    add_contact(store, name="Someone")
    before = _dump(store)
    run = forked(*command, env={"TINYCRM_DB": store.url})
    assert run.exit_code == 1, run
    assert run.stderr.count("\n") == 1 and "not allowed" in run.stderr, run.stderr
    assert not raw_controls(run.stderr) and not raw_controls(run.stdout)
    assert _dump(store) == before


def test_newlines_and_tabs_stay_in_notes(store: Any, sh: Any) -> None:
    from tinycrm.store.contacts import get_contact

    run = sh(
        "contact", "add", "Ada", "--notes", "one\n\ttwo\r\nthree", env={"TINYCRM_DB": store.url}
    )
    assert run.exit_code == 0, run.stderr
    assert get_contact(store, "Ada").notes == "one\n\ttwo\nthree"


NUL_CASES = [
    ("name", {"name": "Ada\x00Lovelace"}),
    ("notes", {"name": "Ada", "notes": "one\x00two"}),
    ("custom field plan", {"name": "Ada", "fields": {"plan": "p\x00ro"}}),
    ("tag", {"name": "Ada", "tags": ["v\x00ip"]}),
]


@pytest.mark.parametrize(("field", "values"), NUL_CASES, ids=[c[0] for c in NUL_CASES])
def test_nul_is_refused_with_the_same_message_on_both_databases(
    store: Any, field: str, values: dict[str, Any]
) -> None:
    """argv cannot carry NUL, but a file, a form or a script can: the store refuses it
    before PostgreSQL would ("A string literal cannot contain NUL")."""
    from tinycrm.store.contacts import add_contact, list_contacts
    from tinycrm.store.errors import Invalid

    with pytest.raises(Invalid) as refused:
        add_contact(store, **values)
    assert str(refused.value).startswith(f"{field}: NUL characters are not allowed (\\x00 at")
    assert list_contacts(store) == []


def test_a_search_for_nul_is_refused_the_same_way_on_both_databases(store: Any) -> None:
    """SQLite's full-text search said "database error: unterminated string", PostgreSQL
    its own error: both now refuse it before the query, with the same line."""
    from tinycrm.store.companies import list_companies
    from tinycrm.store.contacts import list_contacts
    from tinycrm.store.errors import Invalid

    for search in (
        lambda q: list_contacts(store, search=q),
        lambda q: list_companies(store, search=q),
    ):
        for query in ("a\x00b", "long\x00er query"):
            with pytest.raises(Invalid) as refused:
                search(query)
            position = query.index("\x00") + 1
            assert str(refused.value) == (
                f"search: NUL characters are not allowed (\\x00 at position {position})"
            )


@pytest.mark.parametrize("user", ["bob\x1b]0;x\x07", "bob\u202e"])
def test_a_hostile_actor_name_is_refused(forked: Any, user: str) -> None:
    run = forked("contact", "add", "Ada", env={"TINYCRM_USER": user})
    assert run.exit_code == 1
    assert run.stderr.startswith("Error: TINYCRM_USER: ")
    assert run.stderr.count("\n") == 1 and not raw_controls(run.stderr)


def test_an_import_rejects_rows_with_controls_and_keeps_the_rest(
    store: Any, sh: Any, tmp_path: Any
) -> None:
    from tinycrm.store.contacts import list_contacts

    path = tmp_path / "people.csv"
    path.write_text(
        'name,email,notes\nGood,g@acme.de,"two\nlines"\n"Bad\x1b]0;x\x07",b@acme.de,\n'
        'Bidi,d@acme.de,"a\u202eb"\n',
        encoding="utf-8",
    )
    run = sh("import", "contacts", str(path), env={"TINYCRM_DB": store.url})
    assert run.exit_code == 0, run.stderr
    assert "1 created, 0 updated, 0 skipped, 2 rejected" in run.stdout
    assert "line 4: name: control characters are not allowed (\\x1b at position 4)" in run.stdout
    assert "notes: bidirectional controls are not allowed (\\u202e at position 2)" in run.stdout
    assert not raw_controls(run.stdout + run.stderr)
    assert [(c.name, c.notes) for c in list_contacts(store)] == [("Good", "two\nlines")]


def test_a_tab_in_a_one_line_field_shows_escaped_in_a_show_view(cli: Any) -> None:
    """A tab stored in a title, an industry, a city or an owner (an older version, SQL:
    input folds it into a space) was expanded to spaces in a show view, and the value
    wrapped under its label ('city      Tab     here' / '          value'), where the
    table and the heading show it as '\\x09'. Now a one-line field shows it escaped, as
    a table does; notes and descriptions, which may hold tabs and lines, keep them."""
    import os
    import sqlite3

    from tinycrm.store.search_index import register_sqlite_fold

    assert cli("company", "add", "Acme", "--city", "Oslo").exit_code == 0
    assert cli("contact", "add", "Ada", "--company", "Acme", "--notes", "x").exit_code == 0
    conn = sqlite3.connect(os.environ["TINYCRM_DB"])
    register_sqlite_fold(conn)
    conn.execute("UPDATE company SET city = ?, owner = ?", ("Tab\there", "al\tex"))
    conn.execute("UPDATE contact SET title = ?, notes = ?", ("C\tO", "one\n\ttwo"))
    conn.commit()
    conn.close()
    company = cli("company", "show", "Acme").stdout
    assert "city     Tab\\x09here" in company and "owner    al\\x09ex" in company, company
    assert "\t" not in company
    contact = cli("contact", "show", "Ada").stdout
    assert "C\\x09O" in contact and "\t" not in contact.split("notes")[0], contact
    assert "one\n" in contact and "\\x09two" not in contact, contact


def test_text_hidden_in_tag_characters_is_shown_and_kept_exact(cli: Any) -> None:
    """A name followed by an instruction spelt in Unicode tag characters (invisible;
    "ASCII smuggling") showed as the name alone in a table and a show view, while an
    assistant reading the output read the instruction. Tables and show views now show
    each as its code (\\U000e0072); --json writes the same value (escaped); England's
    flag stays whole."""
    england = "\U0001f3f4" + "".join(chr(0xE0000 + ord(c)) for c in "gbeng") + "\U000e007f"
    hidden = "".join(chr(0xE0000 + ord(c)) for c in "rm")
    name = f"Ada{hidden} {england}"
    assert cli("contact", "add", name, "--email", "ada@example.com").exit_code == 0
    for args in (("contact", "list"), ("contact", "show", "ada@example.com")):
        shown = cli(*args).stdout
        assert "Ada\\U000e0072\\U000e006d" in shown and england in shown, shown
        assert hidden[0] not in shown
    data = cli("contact", "show", "ada@example.com", "--json").stdout
    assert hidden[0] not in data and json.loads(data)["name"] == name
