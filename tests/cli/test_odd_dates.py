"""A date or time other SQL stored as no date or time (``UPDATE deal SET close_date =
'not a date'``: SQLite keeps it) ended ``deal list``, ``deal show`` and ``task list`` in
a traceback (``ValueError: Invalid isoformat string``). Now the record is listed and
shown, the value as ``unreadable`` (null in JSON, named in ``unreadable``), and one
``Warning:`` line names the record and the command that gives it again."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable

from tests.cli.conftest import Run

CLOSE = (
    "Warning: deal #1 Odd: its close date is stored as 'not a date', no date or time "
    "(written by other SQL?): shown as unreadable; give it again (tinycrm deal edit 1 --close)"
)
DUE = (
    "Warning: activity #1 Call back: its due time is stored as 'soon', no date or time "
    "(written by other SQL?): shown as unreadable; give it again (tinycrm task edit 1 --due)"
)


def _sql(*statements: str) -> None:
    from tinycrm.store.search_index import register_sqlite_fold

    with sqlite3.connect(os.environ["TINYCRM_DB"]) as db:
        register_sqlite_fold(db)  # the search index's triggers call it
        for statement in statements:
            db.execute(statement)


def test_a_date_other_sql_stored_as_text_shows_as_unreadable(cli: Callable[..., Run]) -> None:
    assert cli("deal", "add", "Odd", "--amount", "5", "--close", "2026-12-31").exit_code == 0
    assert cli("deal", "add", "Fine", "--amount", "7", "--close", "2026-12-31").exit_code == 0
    assert cli("task", "add", "Call back", "--due", "tomorrow 9:00", "--deal", "Odd").exit_code == 0
    _sql(
        "UPDATE deal SET close_date = 'not a date' WHERE title = 'Odd'",
        "UPDATE activity SET due_at = 'soon' WHERE subject = 'Call back'",
    )
    runs = {
        ("deal", "list"): [CLOSE],
        ("deal", "list", "--json"): [CLOSE],
        ("deal", "show", "Odd"): [CLOSE, DUE],
        ("deal", "show", "Odd", "--json"): [CLOSE, DUE],
        ("task", "list"): [DUE],
        ("task", "list", "--json"): [DUE],
        ("activity", "show", "1"): [DUE, CLOSE],  # its deal read too
        ("remind",): None,  # its SQL picks no task due "soon"
        ("report", "pipeline"): None,
        ("report", "forecast"): None,
    }
    got = {}
    for args, warned in runs.items():
        run = cli(*args)
        assert run.exit_code == 0, (args, run.stderr)
        assert "Traceback" not in run.stderr, args
        if warned is not None:
            lines = [line for line in run.stderr.splitlines() if line.startswith("Warning:")]
            assert sorted(lines) == sorted(warned), args
        got[args] = run.stdout
    listed = [line.split() for line in got[("deal", "list")].splitlines()]
    assert listed[1][:7] == ["1", "Odd", "Lead-in", "open", "€5.00", "10%", "unreadable"]
    assert "2026-12-31" in got[("deal", "list")]  # Fine's
    deals = {d["title"]: d for d in json.loads(got[("deal", "list", "--json")])}
    assert deals["Odd"]["close_date"] is None and deals["Odd"]["unreadable"] == ["close_date"]
    assert "unreadable" not in deals["Fine"]
    assert "close date   unreadable" in got[("deal", "show", "Odd")]
    assert json.loads(got[("deal", "show", "Odd", "--json")])["unreadable"] == ["close_date"]
    assert "unreadable" in got[("task", "list")]
    tasks = json.loads(got[("task", "list", "--json")])
    assert [(t["due_at"], t["unreadable"]) for t in tasks] == [(None, ["due_at"])]


def test_export_all_refuses_a_date_it_cannot_read(cli: Callable[..., Run], tmp_path) -> None:
    assert cli("deal", "add", "Odd", "--amount", "5", "--close", "2026-12-31").exit_code == 0
    _sql("UPDATE deal SET close_date = 'not a date'")
    target = tmp_path / "all.json"
    run = cli("export", "all", "-o", str(target))
    assert run.exit_code == 1, run.stderr
    assert "Traceback" not in run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "deal #1 Odd's close date is 'not a date'" in errors[0]
    assert "tinycrm deal edit 1 --close" in errors[0]
    assert not target.exists()


def test_a_currency_other_sql_stored_that_is_no_code_leaves_the_amount_unreadable(
    cli: Callable[..., Run], tmp_path
) -> None:
    """``UPDATE deal SET currency = 'XYZ'`` ended deal list, deal show and the reports in a
    traceback (``ValueError: unknown currency 'XYZ'``)."""
    assert cli("deal", "add", "Odd", "--amount", "5").exit_code == 0
    assert cli("deal", "add", "Fine", "--amount", "7").exit_code == 0
    _sql("UPDATE deal SET currency = 'XYZ' WHERE title = 'Odd'")
    warned = (
        "Warning: deal #1 Odd: its currency is stored as 'XYZ', no ISO 4217 code (written by "
        "other SQL?): its amount shown as unreadable; give it again (tinycrm deal edit 1 "
        "--currency)"
    )
    for args in [("deal", "list"), ("deal", "list", "--json"), ("deal", "show", "Odd")]:
        run = cli(*args)
        assert run.exit_code == 0, (args, run.stderr)
        assert run.stderr.splitlines() == [warned], args
    assert "amount       unreadable" in cli("deal", "show", "Odd").stdout
    deals = {d["title"]: d for d in json.loads(cli("deal", "list", "--json").stdout)}
    assert deals["Odd"]["amount"] is None and deals["Odd"]["unreadable"] == ["amount"]
    assert deals["Fine"]["amount"] == 7 and "unreadable" not in deals["Fine"]
    for args in [("report", "pipeline"), ("report", "forecast")]:
        run = cli(*args)
        assert run.exit_code == 1 and "Traceback" not in run.stderr, args
        assert "currency stored as 'XYZ'" in run.stderr and "--currency" in run.stderr
    target = tmp_path / "all.json"
    run = cli("export", "all", "-o", str(target))
    assert run.exit_code == 1 and not target.exists()
    assert "deal #1 Odd's currency is 'XYZ' (tinycrm deal edit 1 --currency)" in run.stderr


def test_a_report_that_cannot_sum_a_currency_names_the_deals(cli: Callable[..., Run]) -> None:
    """It said 'a deal's currency is stored as 'XYZ'' and sent the user to deal list to
    find which: now it names each deal by id and title, and the command that repairs it."""
    for title in ("Odd", "Fine", "Odder"):
        assert cli("deal", "add", title, "--amount", "5").exit_code == 0
    assert cli("deal", "won", "Odder").exit_code == 0
    _sql("UPDATE deal SET currency = 'XYZ' WHERE title != 'Fine'")
    both = (
        "Error: deals #1 Odd, #3 Odder: currency stored as 'XYZ', no ISO 4217 code (written "
        "by other SQL?): their amounts cannot be summed; give it again (tinycrm deal edit 1 "
        "--currency CODE, for each)"
    )
    for args in [("report", "pipeline"), ("report", "forecast"), ("report", "winrate")]:
        run = cli(*args)
        assert run.exit_code == 1, (args, run.stderr)
        assert run.stderr.splitlines() == [both], args
        assert run.stdout == "", args
    _sql("UPDATE deal SET currency = 'EUR' WHERE title = 'Odder'")
    run = cli("report", "pipeline")
    assert run.exit_code == 1 and run.stderr.splitlines() == [
        "Error: deal #1 Odd: currency stored as 'XYZ', no ISO 4217 code (written by other "
        "SQL?): its amount cannot be summed; give it again (tinycrm deal edit 1 --currency "
        "CODE)"
    ]


def test_remind_names_a_task_whose_due_time_it_cannot_compare(cli: Callable[..., Run]) -> None:
    """remind compares due times in SQL: a task whose due time other SQL stored as text
    ('soon', or '1/1/2026', which SQL took for due and Python could not read: an
    AssertionError) was never reminded and nothing was said. Now each run names it on
    stderr with its fix; the other tasks are announced once, as ever."""
    for subject, due in [("Call back", "tomorrow 9:00"), ("Slash", "tomorrow 9:00")]:
        assert cli("task", "add", subject, "--due", due).exit_code == 0
    assert cli("task", "add", "Fine", "--due", "yesterday 9:00").exit_code == 0
    assert cli("task", "add", "Rem", "--due", "+5d", "--remind", "1d").exit_code == 0
    _sql(
        "UPDATE activity SET due_at = 'soon' WHERE subject = 'Call back'",
        "UPDATE activity SET due_at = '1/1/2026' WHERE subject = 'Slash'",
        "UPDATE activity SET remind_at = 'later' WHERE subject = 'Rem'",
    )
    warned = [
        "Warning: task #1 Call back: its due time is stored as 'soon', no date or time "
        "(written by other SQL?): it is never due nor reminded; give it again (tinycrm task "
        "edit 1 --due)",
        "Warning: task #2 Slash: its due time is stored as '1/1/2026', no date or time "
        "(written by other SQL?): it is never due nor reminded; give it again (tinycrm task "
        "edit 2 --due)",
        "Warning: task #4 Rem: its reminder time is stored as 'later', no date or time "
        "(written by other SQL?): it is never reminded; give it again (UPDATE activity SET "
        "remind_at = NULL WHERE id = 4 clears it)",
    ]
    first = cli("remind")
    assert first.exit_code == 0, first.stderr
    assert first.stderr.splitlines() == warned
    assert "Fine" in first.stdout and "Call back" not in first.stdout
    again = cli("remind")  # told once: only the warnings again
    assert again.exit_code == 0 and again.stdout == "" and again.stderr.splitlines() == warned
    assert cli("task", "edit", "1", "--due", "yesterday 10:00").exit_code == 0
    _sql("UPDATE activity SET due_at = NULL, remind_at = NULL WHERE id IN (2, 4)")
    fixed = cli("remind")
    assert fixed.exit_code == 0 and fixed.stderr == ""
    assert "Call back" in fixed.stdout


def _said(run: Run) -> list[str]:
    assert run.exit_code == 0, run.stderr
    assert "Traceback" not in run.stderr
    return [line for line in run.stderr.splitlines() if line.startswith("Warning:")]


def test_a_contact_or_company_time_stored_as_text_shows_as_unreadable(
    cli: Callable[..., Run],
) -> None:
    """``UPDATE contact SET created_at = 'not a date'`` ended contact list, contact show,
    lead list (a ValidationError) and company list and show in a traceback; the streamed
    list and its CSV wrote 'not a date+00:00' as if a time."""
    assert cli("company", "add", "Acme").exit_code == 0
    assert cli("contact", "add", "Ada Lovelace", "--company", "Acme").exit_code == 0
    assert cli("contact", "add", "Bob").exit_code == 0
    _sql(
        "UPDATE contact SET created_at = 'not a date' WHERE name = 'Ada Lovelace'",
        "UPDATE company SET updated_at = 'bad'",
    )
    ada = (
        "Warning: contact #1 Ada Lovelace: its creation time is stored as 'not a date', no "
        "date or time (written by other SQL?): shown as unreadable; give it again (UPDATE "
        "contact SET created_at = CURRENT_TIMESTAMP WHERE id = 1, or the time it was)"
    )
    acme = (
        "Warning: company #1 Acme: its last change time is stored as 'bad', no date or time "
        "(written by other SQL?): shown as unreadable; give it again (UPDATE company SET "
        "updated_at = CURRENT_TIMESTAMP WHERE id = 1, or the time it was)"
    )
    for args in [
        ("contact", "list"),
        ("contact", "list", "--jsonl"),
        ("contact", "list", "--sort", "-name"),
        ("lead", "list"),
        ("export", "contacts"),
    ]:
        assert _said(cli(*args)) == [ada], args
    for args in [("company", "list"), ("company", "list", "--csv")]:
        assert _said(cli(*args)) == [acme], args
    for args in [("contact", "show", "1"), ("company", "show", "Acme")]:
        assert sorted(_said(cli(*args))) == sorted([acme, ada]), args
    shown = cli("contact", "show", "1").stdout
    assert "created      unreadable" in shown
    contacts = json.loads(cli("contact", "list", "--json").stdout)
    assert [(c["name"], c["created_at"], c.get("unreadable")) for c in contacts] == [
        ("Ada Lovelace", None, ["created_at"]),
        ("Bob", contacts[1]["created_at"], None),
    ]
    assert contacts[1]["created_at"] is not None
    streamed = [json.loads(line) for line in cli("contact", "list", "--jsonl").stdout.splitlines()]
    assert streamed[0]["unreadable"] == ["created_at"] and "unreadable" not in streamed[1]
    exported = cli("export", "contacts").stdout
    assert "not a date" not in exported and "+00:00" in exported
    company = json.loads(cli("company", "show", "Acme", "--json").stdout)
    assert company["updated_at"] is None and company["unreadable"] == ["updated_at"]
    assert "updated  unreadable" in cli("company", "show", "Acme").stdout
    assert json.loads(cli("lead", "list", "--json").stdout)[0]["unreadable"] == ["created_at"]
    assert cli("company", "edit", "Acme", "--city", "Paris").exit_code == 0  # sets it again
    assert _said(cli("company", "list")) == []


def test_remind_names_a_cadence_it_cannot_compare(cli: Callable[..., Run]) -> None:
    """A contact kept in touch with counts from its creation (or cadence) time, compared in
    SQL: one other SQL stored as text was never told, and nothing was said."""
    assert cli("contact", "add", "Ada", "--cadence", "7d").exit_code == 0
    assert cli("contact", "add", "Bob", "--cadence", "7d").exit_code == 0
    _sql(
        "UPDATE contact SET created_at = 'long ago' WHERE name = 'Ada'",
        "UPDATE contact SET created_at = '2020-01-01 00:00:00.000000' WHERE name = 'Bob'",
    )
    run = cli("remind")
    assert run.exit_code == 0, run.stderr
    assert run.stderr.splitlines() == [
        "Warning: contact #1 Ada: its creation time is stored as 'long ago', no date or time "
        "(written by other SQL?): its keep-in-touch is never told; give it again (UPDATE "
        "contact SET created_at = CURRENT_TIMESTAMP WHERE id = 1, or the time it was)"
    ]
    assert "Bob" in run.stdout and "Ada" not in run.stdout


def test_next_remind_and_won_read_a_deal_whose_currency_is_no_code(
    cli: Callable[..., Run],
) -> None:
    """next and remind --all (weighing a deal closing soon) and deal won (writing its
    event's label) ended in a traceback (ValueError: unknown currency 'XYZ')."""
    assert cli("deal", "add", "Odd", "--amount", "5", "--close", "+3d").exit_code == 0
    assert cli("deal", "add", "Fine", "--amount", "7", "--close", "+2d").exit_code == 0
    _sql("UPDATE deal SET currency = 'XYZ' WHERE title = 'Odd'")
    warned = (
        "Warning: deal #1 Odd: its currency is stored as 'XYZ', no ISO 4217 code (written by "
        "other SQL?): its amount shown as unreadable; give it again (tinycrm deal edit 1 "
        "--currency)"
    )
    for args in [("next",), ("remind", "--all"), ("deal", "won", "Odd")]:
        run = cli(*args)
        assert run.exit_code == 0, (args, run.stderr)
        assert run.stderr.splitlines() == [warned], args
        assert "Odd" in run.stdout, args
    assert "€7.00" in cli("next").stdout
