"""Bad input: one line on stderr, exit 1 (refused) or 2 (usage), nothing written."""

from __future__ import annotations

import subprocess

import pytest

from tests.cli.conftest import tinycrm_executable


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
        # past 64 bits: "too large (at most 9223372036854775807)", as if any count would do
        (["deal", "add", "D", "--probability", "1" + "0" * 20], f"100, not 1{'0' * 20}"),
        (["pipeline", "stage-add", "Z", "--probability", "-1" + "0" * 20], "between 0 and 100"),
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


LONG = "x" * 100_000


@pytest.mark.parametrize(
    "args",
    [
        ["contact", "show", LONG],
        ["deal", "show", LONG],
        ["log", "call", LONG, "hi"],
        ["contact", "add", "Ada", "--tag", LONG],
        ["contact", "add", "Ada", "--field", f"{LONG}=1"],
        ["contact", "add", "Ada", "--field", LONG],
        ["contact", "add", "Ada", "--email", f"{LONG}@example.com"],
        ["contact", "add", "Ada", "--role", LONG],
        ["company", "add", "Acme", "--domain", LONG],
    ],
    ids=["contact", "deal", "log", "tag", "field-name", "field", "email", "role", "domain"],
)
def test_a_very_long_value_is_quoted_cut_short_in_the_error(cli, args) -> None:
    """The value was quoted whole: 'no contact matches' and a tag 'too long (at most 64
    characters)' printed all 100,000 characters of it on one line."""
    result = cli(*args)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1
    assert "xxxxxxxxxx" in result.stderr and len(result.stderr) < 400, len(result.stderr)
    assert cli("feed", "--json").json() == []


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


def _closed(
    shell: str, tmp_path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``shell`` run by sh, with tinycrm as the sh fixture runs it (``>&-`` closes a stream)."""
    return subprocess.run(
        ["sh", "-c", shell, "sh", *tinycrm_executable()],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env=env,
    )


def test_a_closed_standard_stream_is_no_traceback_and_no_wrong_exit(sh, tmp_path) -> None:
    """Python starts with sys.stdin/stdout/stderr None for a stream the shell closed:
    with stderr closed, a contact was added and the exit was 1 (the last flush of None);
    with stdout closed, a traceback and exit 1 after the work; '-' with stdin closed too."""
    added = _closed('"$@" contact add Ada 2>&-', tmp_path)
    assert (added.returncode, added.stdout) == (0, "Added contact #1 Ada\n")
    refused = _closed('"$@" contact add Bob >&-', tmp_path)
    assert refused.returncode == 1
    assert refused.stderr == (
        "Error: standard output is closed (>&-): nothing was done; "
        ">/dev/null discards what tinycrm prints\n"
    )
    empty = _closed('"$@" import contacts - <&-', tmp_path)
    assert (empty.returncode, empty.stdout) == (1, "")
    assert empty.stderr.startswith("Error: - is empty")
    failed = _closed('"$@" contact show nobody 2>&-', tmp_path)
    assert (failed.returncode, failed.stdout) == (1, "")
    usage = _closed('"$@" contact add 2>&-', tmp_path)
    assert usage.returncode == 2
    assert [c["name"] for c in sh("contact", "list", "--json").json()] == ["Ada"]


@pytest.mark.parametrize(
    ("args", "choices"),
    [
        (["deal", "list", "--status", "opne"], "open, won, lost, all"),
        (["export", "deals", "--status", "opne"], "open, won, lost, all"),
        (
            ["case", "list", "--status", "opne"],
            "new, open, pending, resolved, closed, unresolved, all",
        ),
    ],
)
def test_a_wrong_status_lists_every_status_the_option_takes(cli, args, choices) -> None:
    """`deal list --status opne` said '(choose from open, won, lost)', leaving out the
    `all` its help and the README offer (and `case list`, `unresolved` and `all`)."""
    result = cli(*args)
    assert result.exit_code == 1
    assert f"(choose from {choices})" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_typo_in_a_command_name_suggests_the_command(cli) -> None:
    """`tinycrm contcat list` said only "No such command 'contcat'", while a typo one
    level down (`contact lst`) got "Did you mean 'list'?": the root's commands load
    lazily, and the suggestion looked only at the loaded ones."""
    result = cli("contcat", "list")
    assert result.exit_code == 2
    assert "Did you mean 'contact', 'contract'?" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "meant"),
    [
        (["contact", "delete", "1"], "Did you mean 'rm'?"),
        (["company", "remove", "1"], "Did you mean 'rm'?"),
        (["deal", "del", "1"], "Did you mean 'rm'?"),
        (["contact", "new", "Ada"], "Did you mean 'add'?"),
        (["deal", "create", "D"], "Did you mean 'add'?"),
        (["contact", "view", "1"], "Did you mean 'show'?"),
        (["company", "update", "1"], "Did you mean 'edit'?"),
        (["task", "complete", "1"], "Did you mean 'done'?"),
        (["db", "migrate"], "Did you mean 'upgrade'?"),
        (["deal", "close", "1"], "Did you mean 'won' or 'lost'?"),
        (["CONTACT", "list"], "Did you mean 'contact'?"),
        (["contact", "LIST"], "Did you mean 'list'?"),
        (["help"], "Did you mean 'tinycrm --help'?"),
        (["contact", "rename", "1"], "Did you mean 'edit'?"),
        (["pipeline", "stage-rename", "Lead-in"], "Did you mean 'stage-edit'?"),
        (["pipeline", "stage-delete", "Lead-in"], "Did you mean 'stage-rm'?"),
        (["pipeline", "stage-update", "Lead-in"], "Did you mean 'stage-edit'?"),
        (["pipeline", "stage-reorder", "Lead-in", "2"], "Did you mean 'stage-move'?"),
        (["pipeline", "stage-create", "X"], "Did you mean 'stage-add'?"),
        (["contact", "help"], "Did you mean 'tinycrm contact --help'?"),
    ],
)
def test_another_word_for_a_command_names_the_command(cli, args, meant) -> None:
    """`contact delete 1`, `deal create D`, `task complete 1`, `db migrate`, `CONTACT
    list` and `help` said only "No such command": the word another tool uses, or the
    same in capitals, is too far from the name for a spelling guess. `pipeline
    stage-rename` offered 'stage-rm' first (a removal for a rename): now 'stage-edit'."""
    result = cli(*args)
    assert result.exit_code == 2
    assert meant in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_word_that_names_nothing_offers_nothing(cli) -> None:
    result = cli("contact", "frobnicate")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "Error: No such command 'frobnicate'. (see tinycrm contact --help)"
    )


def test_moving_a_deal_to_won_or_lost_points_to_deal_won_and_deal_lost(cli) -> None:
    """`deal move 'Acme renewal' Won` got only 'unknown stage' with the list of stages: a
    new user, who sees Won and Lost on the board, is told where those are."""
    cli("deal", "add", "Acme renewal")
    for stage in ("Won", "lost", "Closed Won"):
        result = cli("deal", "move", "Acme renewal", stage)
        assert result.exit_code == 1
        assert result.stderr.strip().splitlines() == [
            f"Error: unknown stage {stage!r} in pipeline Sales (stages: Lead-in, Qualified, "
            "Proposal, Negotiation; won and lost are outcomes: tinycrm deal won REF, "
            "tinycrm deal lost REF --reason TEXT)"
        ]
    assert "outcomes" not in cli("deal", "move", "Acme renewal", "Propsal").stderr


def test_a_typo_in_a_stage_name_suggests_the_stage(cli) -> None:
    """`deal move X Propsal` listed the stages but, unlike a typo in a status, a
    lifecycle or an activity kind, did not say which one was meant."""
    cli("deal", "add", "Acme renewal")
    for args in (["deal", "move", "Acme renewal", "Propsal"],
                 ["deal", "add", "D", "--stage", "qualifed"],
                 ["deal", "list", "--stage", "Negotation"]):  # fmt: skip
        result = cli(*args)
        assert result.exit_code == 1
        [line] = result.stderr.strip().splitlines()
        assert ", did you mean '" in line and "(stages: Lead-in, Qualified" in line, line
    said = cli("deal", "move", "Acme renewal", "Propsal").stderr
    assert said.startswith(
        "Error: unknown stage 'Propsal' in pipeline Sales, did you mean 'Proposal'? (stages: "
    )
    assert "did you mean" not in cli("deal", "move", "Acme renewal", "Banana").stderr


def test_standard_output_on_a_full_disk_is_one_line_not_a_traceback(sh, tmp_path) -> None:
    """`tinycrm … > file` on a full disk (here /dev/full) was a traceback ending in
    'OSError: [Errno 28] No space left on device', also after contact add had saved;
    now one line that says whether the command's changes were saved, exit 1."""
    import os
    import stat

    if not stat.S_ISCHR(os.stat("/dev/full").st_mode):
        pytest.skip("/dev/full is not the full device here (something replaced it)")
    sh("contact", "add", "Ada", "--email", "ada@x.io")
    for buffered in (True, False):  # as a user's Python writes, and with PYTHONUNBUFFERED
        name = "Bob" if buffered else "Cem"
        env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
        if not buffered:
            env["PYTHONUNBUFFERED"] = "1"
        runs = {
            "read": _closed('"$@" contact show ada@x.io --json >/dev/full', tmp_path, env),
            "list": _closed('"$@" contact list >/dev/full', tmp_path, env),
            "export": _closed('"$@" export contacts --format csv >/dev/full', tmp_path, env),
            # a name of its own each time (a second Bob is told it shares a name)
            "saved": _closed(f'"$@" contact add {name} >/dev/full', tmp_path, env),
        }
        for what, run in runs.items():
            assert run.returncode == 1, (buffered, what, run.stderr)
            said = "Error: cannot write the output: No space left on device"
            if what == "saved":
                said += " (the command's changes were saved)"
            assert run.stderr == said + "\n", (buffered, what)
    names = [c["name"] for c in sh("contact", "list", "--json").json()]
    assert names == ["Ada", "Bob", "Cem"]


HUGE = " x" * 500_000


@pytest.mark.parametrize(
    "args",
    [
        ["contact", "list", "--sort", HUGE],
        ["export", "contacts", "--format", HUGE],
        ["export", "companies", "--format", HUGE],
        ["pipeline", "add", "P", "--stage", HUGE],
        ["sequence", "add", "S", "--step", HUGE],
        ["lead", "qualify", "1", "--note", HUGE],
        ["quote", "render", "1", "--out", "-", "--format", HUGE],
        ["company", "add", "X", "--size", HUGE],
        ["contact", "list", "--limit", HUGE],
    ],
)
def test_a_huge_refused_value_is_named_in_a_short_line(cli, args: list[str]) -> None:
    """A refused value of a megabyte is quoted up to its first 60 characters and an
    ellipsis, as every other refusal quotes it: it was printed whole on stderr."""
    result = cli(*args)
    assert result.exit_code in (1, 2)
    assert result.stdout == ""
    assert len(result.stderr) < 400, result.stderr[:400]
    assert "…" in result.stderr


def test_a_search_of_a_megabyte_is_told_its_length_in_a_short_line(cli) -> None:
    """A search of a million characters (spaces, here) is refused by its length before
    it is read, in one short line naming the length, never echoing the text."""
    result = cli("search", " " * 1_000_000)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (
        "Error: search text is too long: 1,000,000 characters (at most 1,000)\n"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["task", "add", "Call", "--due", "tomorrow", "--contact", ""],
        ["task", "add", "Call", "--due", "tomorrow", "--company", " "],
        ["task", "add", "Call", "--due", "tomorrow", "--deal", ""],
        ["task", "list", "--contact", ""],
        ["log", "call", "", "Called"],
        ["log", "call", "  ", "Called"],
    ],
)
def test_an_empty_ref_is_a_usage_error(cli, args: list[str]) -> None:
    """`task add Call --contact ""` added a task about nobody, `task list --contact ""`
    listed everyone's: an empty REF given is refused in one line, exit 2, nothing written."""
    assert cli("contact", "add", "Ada").exit_code == 0
    result = cli(*args)
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "must not be empty" in result.stderr
    assert cli("task", "list", "--all", "--json").json() == []


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["task", "done", "-1"], "Error: No such option: -1: an id is 1 or more "
         "(see tinycrm task done --help)"),
        (["activity", "show", "-3"], "Error: No such option: -3: an id is 1 or more "
         "(see tinycrm activity show --help)"),
        (["contact", "show", "-1"], "Error: No such option: -1 (a value starting with - "
         "goes after --: tinycrm contact show -- -1) (see tinycrm contact show --help)"),
    ],
)  # fmt: skip
def test_a_negative_id_says_what_an_id_is(cli, args, said) -> None:
    """`task done -1` said "No such option: -1", as if -1 were a misspelt option: a
    negative number given for an id is told that ids start at 1; one given for a REF
    (a name could start with -) how to give it."""
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr.strip() == said
