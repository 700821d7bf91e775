"""Bad input: one line on stderr, exit 1 (refused) or 2 (usage), nothing written."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["contact", "add", "Ada", "--email", "not-an-email"], "invalid email address"),
        (["contact", "add", ""], "name must not be empty"),
        (["contact", "add", "Ada", "--role", "boss"], "invalid role"),
        (["contact", "show", "nobody"], "no contact matches 'nobody'"),
        (["deal", "add", "D", "--amount", "-5"], "must not be negative"),
        (["deal", "add", "D", "--amount", "lots"], "amount"),
        (["deal", "add", "D", "--currency", "EURO"], "unknown currency"),
        (["deal", "add", "D", "--probability", "150"], "between 0 and 100"),
        (["deal", "add", "D", "--close", "someday"], "someday"),
        (["deal", "add", "D", "--stage", "Won"], "unknown stage 'Won'"),
        (["deal", "move", "nothing", "Proposal"], "no deal matches"),
        (["task", "add", "x", "--due", "nxt tuesday"], "nxt tuesday"),
        (["task", "done", "42"], "no task with id 42"),
        (["log", "call", "nobody", "hi"], "no contact, company or deal matches"),
        (["contact", "add", "Ada", "--field", "novalue"], "KEY=VALUE"),
    ],
)
def test_refused_is_exit_1_with_one_line(cli, args, message) -> None:
    result = cli(*args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("Error: ")
    assert result.stdout == ""
    assert cli("feed", "--json").json() == []  # nothing was written


def test_duplicate_email_and_ambiguous_refs(cli) -> None:
    cli("contact", "add", "Sam", "--email", "sam@x.com")
    dup = cli("contact", "add", "Sam Two", "--email", "SAM@x.com")
    assert dup.exit_code == 1 and "already belongs to #1 Sam" in dup.stderr
    cli("contact", "add", "Sam")
    amb = cli("contact", "show", "sam")
    assert amb.exit_code == 1
    assert "ambiguous" in amb.stderr and "#1" in amb.stderr and "#2" in amb.stderr
    assert len(cli("contact", "list", "--json").json()) == 2


@pytest.mark.parametrize(
    "args",
    [
        ["contact", "add"],
        ["contact", "frobnicate"],
        ["deal", "add", "D", "--probability", "high"],
        ["task", "list", "--overdue", "--today"],
        ["contact", "list", "--json", "--csv"],
        ["task", "done", "abc"],
    ],
)
def test_usage_errors_exit_2(cli, args) -> None:
    assert cli(*args).exit_code == 2


def test_real_process_never_shows_a_traceback(sh, tmp_path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_text("hello")
    cases = [
        (["contact", "add", "Ada", "--email", "bad"], 1),
        (["--db", str(garbage), "contact", "list"], 1),
        (["--db", str(tmp_path), "contact", "list"], 1),
        (["--db", "postgresql+psycopg://nobody@127.0.0.1:1/x", "contact", "list"], 1),
        (["deal", "add", "D", "--amount", "1e400"], 1),
        (["contact", "show", "x" * 5000], 1),
        (["contact", "add"], 2),
        (["nosuchcommand"], 2),
    ]
    for args, code in cases:
        result = sh(*args)
        assert result.exit_code == code, (args, result.stderr)
        assert "Traceback" not in result.stderr, args
        if code == 1:
            assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)
    assert garbage.read_text() == "hello"


def test_ok_and_help_in_a_real_process(sh) -> None:
    assert sh("contact", "add", "Ada", "--email", "ada@x.com").exit_code == 0
    listed = sh("contact", "list", "--json")
    assert listed.exit_code == 0 and '"ada@x.com"' in listed.stdout
    assert sh("--help").exit_code == 0
    assert "tinycrm" in sh("--version").stdout


def test_help_does_not_import_the_store_or_textual(sh) -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from tinycrm.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "bad = [m for m in ('sqlmodel', 'sqlalchemy', 'textual', 'alembic') if m in sys.modules]\n"
        "print('LOADED', bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert "LOADED []" in out


def test_commands_that_open_the_store_do_not_import_textual(sh) -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from tinycrm.cli import app\n"
        "try:\n    app(['contact', 'list', '--json'])\nexcept SystemExit:\n    pass\n"
        "print('TEXTUAL', 'textual' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert "TEXTUAL False" in out
