"""task edit, reopen and rm; activity show, edit and rm: thin commands on the API (the
store's tests check the rest, on both databases)."""

from __future__ import annotations


def _setup(cli) -> None:
    assert cli("contact", "add", "Ada Lovelace", "--email", "ada@x.com").exit_code == 0
    assert cli("log", "call", "ada@x.com", "Pricng call", "--at", "yesterday 15:00",
               "--body", "10 seats\nsecond line").exit_code == 0  # fmt: skip
    assert cli("task", "add", "Send contrat", "--due", "tomorrow 9:00").exit_code == 0


def test_task_edit_reopen_and_rm(cli) -> None:
    _setup(cli)
    r = cli("task", "edit", "2", "--subject", "Send contract", "--contact", "ada@x.com")
    assert (r.exit_code, r.stdout) == (0, "Updated task #2 Send contract\n"), r.stderr
    r = cli("task", "edit", "2", "--subject", "Send contract")
    assert r.stdout == "Nothing changed: task #2 Send contract\n"
    (task,) = cli("task", "list", "--json").json()
    assert (task["subject"], task["contact"]) == ("Send contract", "Ada Lovelace")
    assert cli("task", "edit", "2", "--contact", "", "--json").json()["contact"] is None
    assert cli("task", "done", "2").exit_code == 0
    r = cli("task", "reopen", "2")
    assert (r.exit_code, r.stdout) == (0, "Reopened task #2 Send contract\n")
    r = cli("task", "rm", "2", "--yes")
    assert (r.exit_code, r.stdout) == (0, "Deleted task #2 Send contract\n")
    assert cli("task", "list", "--all", "--json").json() == []
    assert "deleted task #2: Send contract (due " in cli("feed", "--limit", "1").stdout


def test_task_reopen_says_it_took_back_the_next_occurrence(cli) -> None:
    """Reopening a done repeating task removed its next occurrence without a word."""
    assert (
        cli("task", "add", "Weekly report", "--due", "tomorrow 9:00", "--every", "1w").exit_code
        == 0
    )
    assert cli("task", "done", "1").exit_code == 0
    r = cli("task", "reopen", "1")
    assert (r.exit_code, r.stdout) == (
        0, "Reopened task #1 Weekly report; removed its next occurrence #2, made when it was done\n"
    ), r.stderr  # fmt: skip
    assert cli("task", "done", "1").exit_code == 0
    assert cli("task", "edit", "3", "--subject", "Weekly report, with numbers").exit_code == 0
    reopened = cli("task", "reopen", "1", "--json").json()
    assert (reopened["next_removed"], reopened["next_kept"]) == (None, 3)
    assert [t["id"] for t in cli("task", "list", "--json").json()] == [1, 3]


def test_refusals_say_one_line_and_write_nothing(cli) -> None:
    _setup(cli)
    before = cli("feed", "--json").json()
    for args, code, said in (
        (("task", "edit", "1", "--subject", "x"), 1, "#1 is a logged call, not a task"),
        (("task", "rm", "1", "--yes"), 1, "#1 is a logged call, not a task"),
        (("task", "reopen", "2"), 1, "task #2 Send contrat is not done"),
        (("task", "edit", "2", "--due", "blorp"), 1, "cannot understand date 'blorp'"),
        (("task", "edit", "2"), 2, "nothing to change"),
        (("task", "edit", "9", "--subject", "x"), 1, "no task with id 9"),
        (("activity", "edit", "2", "--subject", "x"), 1, "#2 is a task, not a logged activity"),
        (("activity", "rm", "2", "--yes"), 1, "#2 is a task, not a logged activity"),
        (("activity", "edit", "1", "--kind", "task"), 1, "activity kind"),
        (("activity", "edit", "1", "--at", "+2d"), 1, "a planned call is a task"),
        (("activity", "show", "0"), 2, "0"),
    ):
        r = cli(*args)
        assert r.exit_code == code and said in r.stderr, (args, r.stderr)
        assert r.stdout == "" and len(r.stderr.strip().splitlines()) <= 2, (args, r.stderr)
    assert cli("feed", "--json").json() == before


def test_activity_show_edit_and_rm(cli, monkeypatch) -> None:
    from tinycrm.cli import removals

    _setup(cli)
    shown = cli("activity", "show", "1").stdout
    assert shown.startswith("#1 Pricng call\n") and "10 seats\n" in shown
    assert "         second line" in shown  # the body whole, on its lines
    r = cli("activity", "edit", "1", "--text", "Pricing call", "--kind", "meeting")
    assert (r.exit_code, r.stdout) == (0, "Updated meeting #1 Pricing call\n"), r.stderr
    assert cli("activity", "edit", "1", "--body", "", "--json").json()["body"] is None
    monkeypatch.setattr(removals, "asks", lambda: True)
    r = cli("activity", "rm", "1", input="n\n")
    assert r.exit_code == 1
    assert "Delete meeting #1 with Ada Lovelace: Pricing call (" in r.stdout
    assert cli("activity", "show", "1", "--json").json()["subject"] == "Pricing call"
    r = cli("activity", "rm", "1", input="y\n")
    assert r.exit_code == 0
    assert r.stdout.endswith("Deleted meeting #1 with Ada Lovelace: Pricing call\n")
    assert "no activity with id 1" in cli("activity", "show", "1").stderr
