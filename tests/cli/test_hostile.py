"""Hostile input through the installed ``tinycrm``, as real processes.

Every case of ``hostile_cases.cases()`` (every command, each of its parameters given
hostile values: integers past 64 bits, control and escape sequences, bidi overrides,
huge and empty strings, undecodable bytes, impossible dates, directories, devices,
missing, binary and NUL-filled files, the database itself; plus `--` tricks, unknown
options, repeated options and NUL or binary bytes through stdin) runs against a copy
of a small seeded SQLite database and, when it got as far as a database there, against
the same records in a PostgreSQL schema (with ``TINYCRM_TEST_PG_URL``; every other case
in the default run, the rest with ``-m slow``). Each must:

- end with exit 0, 1, 2 or 130;
- print at most one non-empty line on stderr when it failed (a success may warn over
  several lines: an import lists the rows it rejected);
- show no traceback and no SQL or driver text;
- leave the database as it was (every row, by ``iterdump`` or a hash of each table)
  when it failed.

A case that breaks in another engineer's area is marked xfail(strict=True) with its
owner in ``KNOWN``, and the mark goes when their fix lands (strict: a fixed case fails
until its mark is removed).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli.conftest import tinycrm_executable
from tests.cli.forkserver import ForkServer
from tests.cli.hostile_cases import INTS, TEXTS, WHENS, Case, _argv, cases, command_tree
from tests.cli.hostile_targets import (
    PostgresTarget,
    SqliteTarget,
    snapshot_schema,
    tables_of,
)
from tests.conftest import PG_URL, new_pg_schema

EXIT_CODES = {0, 1, 2, 130}
# remind's own documented codes: 3 with --fail-if-due when something is due, 4 when a
# delivery (mail, webhook, notification) failed.
EXIT_CODES_OF = {"remind": {3, 4}}
# Text that only a leaked exception shows: SQLAlchemy's "[SQL: …]", driver and
# exception class names. (User values echoed in a message may contain SQL words.)
LEAKS = re.compile(
    r"Traceback|\[SQL: |\(Background on this error|sqlalchemy\.|sqlite3\.|psycopg\.|"
    r"OverflowError|NumericValueOutOfRange|IntegrityError|OperationalError|"
    r"UnicodeEncodeError|UnicodeDecodeError|ValueError|TypeError|KeyError|AttributeError"
)

# Cases that fail today in another engineer's area, by case id: "owner: NAME: why".
KNOWN: dict[str, str] = {}

SEED_CSV = "name,email,company\nDora Import,dora@initech.com,Initech\nEd Import,ed@x.com,\n"


def _seed(folder: Path, database: str) -> str:
    """A small database with one of each kind of record at ``database`` (a file or a
    URL), and beside it in ``folder`` the files cases read; the id of its open task."""
    from typer.testing import CliRunner

    from tinycrm.cli import app

    env = {
        "TINYCRM_DB": database,
        "TINYCRM_USER": "tester",
        "HOME": str(folder),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_DATA_HOME": str(folder / "data"),
    }
    (folder / "seed.csv").write_text(SEED_CSV)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, (args, result.stderr)
        return result.stdout

    run("company", "add", "Acme", "--domain", "acme.com", "--size", "50", "--tag", "vip")
    run("company", "add", "Globex", "--domain", "globex.com")
    run("contact", "add", "Ada Lovelace", "--email", "ada@acme.com", "--company", "Acme")
    run("contact", "add", "Bob Stone", "--email", "bob@globex.com", "--company", "Globex")
    run("deal", "add", "Acme renewal", "--contact", "ada@acme.com", "--amount", "12000")
    run("deal", "add", "Globex pilot", "--company", "Globex", "--stage", "Proposal")
    run("deal", "add", "Globex support", "--contact", "bob@globex.com", "--amount", "5000")
    run("deal", "won", "Globex support")
    run("deal", "add", "Acme support", "--contact", "ada@acme.com", "--amount", "900")
    run("deal", "won", "Acme support")
    run("contract", "add", "--deal", "Acme support", "--notice", "30d", "--auto-renew")
    run("case", "add", "Cannot log in", "--contact", "ada@acme.com", "--priority", "high")
    run("case", "reply", "1", "Looking into it")
    run("case", "add", "Invoice question", "--contact", "bob@globex.com", "--body", "Hi")
    run("case", "resolve", "2", "--csat", "4")
    run("log", "call", "Ada Lovelace", "Talked pricing")
    task = json.loads(run("task", "add", "Send contract", "--due", "tomorrow", "--json"))
    run("segment", "save", "vips", "tag:vip")
    run("campaign", "add", "Spring", "--channel", "email", "--budget", "1000")
    run("campaign", "add-members", "Spring", "ada@acme.com")
    run("sequence", "add", "Onboard", "--step", "0:Say hello", "--step", "3:Follow up")
    run("score", "rule", "add", "Enterprise", "--points", "10", "--when", "size>10")
    run("import", "contacts", str(folder / "seed.csv"))
    run("product", "add", "Support plan", "--price", "99", "--tax", "19", "--recurring", "month")
    run("product", "add", "Setup", "--price", "1200", "--sku", "SET-1", "--tax", "7.5")
    run("deal", "item", "add", "Globex pilot", "Support plan", "--qty", "2")  # item 1
    run("quote", "create", "Globex pilot")  # quote 1
    if "://" not in database:  # the backup and dump cases read (PostgreSQL uses these too)
        run("db", "backup", str(folder / "backup.db"))
        run("export", "all", "--format", "json", "--out", str(folder / "dump.json"))
        con = sqlite3.connect(database)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
    return str(task["id"])


# A stand-in for crontab(1), first on every case's PATH: `remind uninstall` and the like
# really edit the crontab, and a test must never touch the machine's. Its table is the
# case's own $HOME/crontab.txt.
CRONTAB = """#!/bin/sh
case "$1" in
  -l) if [ -f "$HOME/crontab.txt" ]; then exec cat "$HOME/crontab.txt"; fi
      echo "no crontab for tester" >&2; exit 1;;
  -) exec cat > "$HOME/crontab.txt";;
  *) echo "crontab stand-in: $*: not supported" >&2; exit 2;;
esac
"""


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The seeded SQLite database and the files beside it (every target's cases read them),
    and ``bin``: a folder for the front of PATH holding the crontab stand-in."""
    folder = tmp_path_factory.mktemp("hostile-seed")
    db = folder / "seed.db"
    stand_ins = folder / "bin"
    stand_ins.mkdir()
    (stand_ins / "crontab").write_text(CRONTAB)
    (stand_ins / "crontab").chmod(0o755)
    task = _seed(folder, str(db))
    return {"folder": str(folder), "db": str(db), "task": task, "bin": str(stand_ins)}


Target = SqliteTarget | PostgresTarget


@contextmanager
def _postgres_target(seeded: dict[str, str], folder: Path) -> Iterator[PostgresTarget]:
    """A PostgreSQL schema of this process's own, seeded as the SQLite file is."""
    from sqlalchemy import create_engine

    with new_pg_schema("tinycrm_hostile") as url:
        task = _seed(folder, url)
        engine = create_engine(url)
        try:
            with snapshot_schema(engine, tables_of(engine)) as snapshot:
                pg = PostgresTarget(url, engine, snapshot, Path(seeded["db"]))
                pg.task = task
                yield pg
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def targets(
    seeded: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str], Target]]:
    """``targets(backend)``: the database cases run against on "sqlite" or "postgresql",
    made on first use and kept for the test process (xdist worker): seeded once, however
    often the worker moves between this module and others."""
    made: dict[str, Target] = {}
    with ExitStack() as stack:

        def get(backend: str) -> Target:
            if backend not in made:
                if backend == "sqlite":
                    made[backend] = SqliteTarget(Path(seeded["db"]))
                    made[backend].task = seeded["task"]
                else:
                    folder = tmp_path_factory.mktemp("hostile-pg-seed")
                    made[backend] = stack.enter_context(_postgres_target(seeded, folder))
            return made[backend]

        yield get


def _files(folder: Path, seed: dict[str, str]) -> dict[str, str]:
    """The files a case's placeholders name, made fresh in ``folder``."""
    seedfolder = Path(seed["folder"])
    (folder / "a-directory").mkdir()
    (folder / "binary.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (folder / "nul.csv").write_bytes(b"name,email\nA\x00da,a@x.com\n\x00\x00\x00\n")
    (folder / "empty.csv").write_bytes(b"")
    (folder / "utf16.csv").write_bytes("name,email\nZoë,z@x.com\n".encode("utf-16"))
    shutil.copy(seedfolder / "seed.csv", folder / "ok.csv")
    (folder / "csat.csv").write_bytes(b"case,csat,comment\n2,4,better now\n")  # case 2: 4/5
    return {
        "@DIR@": str(folder / "a-directory"),
        "@MISSING@": str(folder / "missing.csv"),
        "@BINARY@": str(folder / "binary.csv"),
        "@NULFILE@": str(folder / "nul.csv"),
        "@EMPTY@": str(folder / "empty.csv"),
        "@UTF16@": str(folder / "utf16.csv"),
        "@NOPARENT@": str(folder / "no" / "such" / "folder"),
        "@CSV@": str(folder / "ok.csv"),
        "@CSAT@": str(folder / "csat.csv"),
        "@BACKUP@": str(seedfolder / "backup.db"),
        "@DUMP@": str(seedfolder / "dump.json"),
        "@NEW@": str(folder / "new-backup.db"),
    }


def run_case(
    case: Case,
    seed: dict[str, str],
    target: Target,
    folder: Path,
    server: ForkServer | None = None,
) -> bool:
    """Run ``case`` against the seeded database of ``target`` (fresh for it), with its
    files in ``folder``, and check it: in a child of the fork server, or (without one)
    as the installed script. Whether it got as far as a database: it succeeded, or (as
    the fork server saw) it opened one."""
    folder.mkdir(exist_ok=True)
    database = target.fresh(folder)
    places = {
        **_files(folder, seed),
        "@TASK@": target.task,
        "@DB@": target.the_database_file(folder),
    }

    def fill(arg: str | bytes) -> str | bytes:
        if isinstance(arg, bytes):
            return arg
        for key, value in places.items():
            arg = arg.replace(key, value)
        return arg

    home = folder / "home"
    env = {
        **os.environ,
        "TINYCRM_DB": database,
        "TINYCRM_USER": "tester",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "COLUMNS": "120",
        "PATH": f"{seed['bin']}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    argv = [fill(a) for a in case.argv]
    target.last_case = case.id
    opened = True
    if server is not None:
        returncode, out, err, opened = server.run(argv, case.stdin, env, folder)
    else:
        proc = subprocess.run(
            [*tinycrm_executable(), *argv],
            input=case.stdin,
            capture_output=True,
            cwd=folder,
            env=env,
            timeout=90,
        )
        returncode, out, err = proc.returncode, proc.stdout, proc.stderr
    stderr = err.decode("utf-8", "replace")
    stdout = out.decode("utf-8", "replace")
    where = (
        f"{target.backend}: {case.id}\nexit {returncode}\nstderr: {stderr[:300]} … {stderr[-1500:]}"
    )
    command = next((a for a in case.argv if isinstance(a, str) and not a.startswith("-")), "")
    assert returncode in EXIT_CODES | EXIT_CODES_OF.get(command, set()), where
    assert not LEAKS.search(stderr), where
    assert "Traceback" not in stdout, where
    if returncode != 0:
        # A refusal is one line. (A command that succeeded may warn over several: an
        # import lists the rows it rejected.)
        lines = [line for line in stderr.splitlines() if line.strip()]
        assert len(lines) <= 1, where
        wrong = target.unchanged(folder)
        assert wrong is None, f"{where}\n{wrong}"
    return returncode == 0 or opened


# PostgreSQL whenever the suite has one (TINYCRM_TEST_PG_URL): one schema per test process,
# reset from a snapshot after a case that changed it (tests/cli/hostile_targets.py).
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]
# Every case runs through the fork server; every ``SCRIPT_STEP[backend]``-th case again as
# the installed script (a fresh interpreter, ~0.5 s each).
SCRIPT_STEP = {"sqlite": 50, "postgresql": 100}


def _xfail(key: str) -> list[Any]:
    reason = KNOWN.get(key)
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


def _params() -> list[object]:
    out = []
    for backend in BACKENDS:
        for case in cases()[:: SCRIPT_STEP[backend]]:
            marks = _xfail(f"{backend}: {case.id}") or _xfail(case.id)
            out.append(pytest.param(backend, case, id=f"{backend}-{case.id}", marks=marks))
    return out


# A case that reaches a database runs on PostgreSQL too: every other case in the default
# run (so each parameter meets half of the hostile values there, and each value half of
# the parameters; a case costs three times as much on PostgreSQL as on SQLite), the rest
# with the slow tests (``pytest -m slow``).
ON_POSTGRESQL_BY_DEFAULT = frozenset(case.id for case in cases()[::2])


@pytest.mark.parametrize(
    "case", [pytest.param(case, id=case.id, marks=_xfail(case.id)) for case in cases()]
)
def test_hostile_command_line(
    case: Case,
    targets: Callable[[str], Target],
    seeded: dict[str, str],
    forkserver: ForkServer,
    tmp_path: Path,
) -> None:
    """The case on SQLite; then, for every other case, on PostgreSQL when it got as far
    as a database on SQLite (it opened one, or it succeeded). A case refused before any
    database was opened (a usage error, a bad value) ran the same code that it would run
    on PostgreSQL."""
    on_postgresql = "postgresql" in BACKENDS and case.id in ON_POSTGRESQL_BY_DEFAULT
    _sqlite_then_postgresql(case, targets, seeded, forkserver, tmp_path, on_postgresql)


@pytest.mark.slow
@pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs TINYCRM_TEST_PG_URL")
@pytest.mark.parametrize(
    "case",
    [
        pytest.param(case, id=case.id, marks=_xfail(f"postgresql: {case.id}"))
        for case in cases()
        if case.id not in ON_POSTGRESQL_BY_DEFAULT
    ],
)
def test_hostile_command_line_on_postgresql_too(
    case: Case,
    targets: Callable[[str], Target],
    seeded: dict[str, str],
    forkserver: ForkServer,
    tmp_path: Path,
) -> None:
    """The other half of the cases on PostgreSQL (with ``-m slow``), when they got as far
    as a database on SQLite."""
    _sqlite_then_postgresql(case, targets, seeded, forkserver, tmp_path, True)


def _sqlite_then_postgresql(
    case: Case,
    targets: Callable[[str], Target],
    seeded: dict[str, str],
    forkserver: ForkServer,
    tmp_path: Path,
    on_postgresql: bool,
) -> None:
    """The case on SQLite; then, ``on_postgresql``, on PostgreSQL when it got as far as a
    database on SQLite."""
    reached = run_case(case, seeded, targets("sqlite"), tmp_path / "sqlite", forkserver)
    if reached and on_postgresql:
        run_case(case, seeded, targets("postgresql"), tmp_path / "postgresql", forkserver)


@pytest.mark.parametrize(("backend", "case"), _params())
def test_hostile_command_line_as_the_installed_script(
    backend: str,
    case: Case,
    targets: Callable[[str], Target],
    seeded: dict[str, str],
    tmp_path: Path,
) -> None:
    """A sample of the cases again through the venv's ``tinycrm`` script itself (a fresh
    interpreter per case), so the fork server cannot hide a difference."""
    run_case(case, seeded, targets(backend), tmp_path)


# hypothesis: a command, one of its parameters and a value drawn from integers past
# 64 bits and text with every kind of character (derandomised: CI sees the same runs).
_TREE = [(path, cmd) for path, cmd in command_tree() if path not in {"demo", "board"}]
_HOSTILE_TEXT = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=60
)
_VALUES = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    _HOSTILE_TEXT,
    st.sampled_from([v for _, v in INTS + TEXTS + WHENS]),
)


@settings(
    derandomize=True,
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
@pytest.mark.parametrize("backend", BACKENDS)
def test_hostile_values_from_hypothesis(
    data: st.DataObject,
    backend: str,
    targets: Callable[[str], Target],
    seeded: dict[str, str],
    forkserver: ForkServer,
) -> None:
    path, command = data.draw(st.sampled_from(_TREE), label="command")
    params = [
        p
        for p in command.params
        if p.name != "help" and "completion" not in p.name and not getattr(p, "is_flag", False)
    ]
    params = [p for p in params if (path, p.opts[0]) not in {("remind", "--mail")}]
    params = [p for p in params if (path, p.opts[0]) not in {("remind", "--webhook")}]
    if not params:
        return
    param = data.draw(st.sampled_from(params), label="parameter")
    value = data.draw(_VALUES, label="value")
    argv = _argv(path, command, {param.name: [value]})
    case = Case(" ".join(map(repr, argv)), tuple(argv))
    with tempfile.TemporaryDirectory() as folder:
        run_case(case, seeded, targets(backend), Path(folder), forkserver)


TYPE_NAMES = re.compile(r"<(bool|str|int|float|list\[[^\]]*\]|int range|path|file)>")
BRACES = re.compile(r"\{[A-Za-z_]+\}")


def test_help_shows_plain_metavars() -> None:
    """Every command's --help names values as a user would (WHEN, N, REF, a flag with
    nothing after it), never Typer's Python types (<bool>, <str>, <list[str]>) or
    braces round arguments ({title})."""
    from typer.testing import CliRunner

    from tinycrm.cli import app

    runner = CliRunner()
    paths = [path for path, _ in command_tree()]
    groups = sorted({" ".join(p.split()[:i]) for p in paths for i in range(1, len(p.split()))})
    for path in ["", *groups, *paths]:
        result = runner.invoke(app, [*path.split(), "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, (path, result.output)
        usage = next(line for line in result.output.splitlines() if "Usage:" in line)
        found = TYPE_NAMES.findall(result.output) + BRACES.findall(usage)
        assert not found, f"tinycrm {path} --help shows {found}:\n{result.output}"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["remind", "--closing-days", "-1"],
            "Invalid value for '--closing-days': -1 is too small (at least 0) "
            "(see tinycrm remind --help)",
        ),
        (
            ["report", "churn", "--by", "week"],
            "Invalid value for '--by': 'week' is not one of 'month', 'quarter'. "
            "(see tinycrm report churn --help)",
        ),
        (
            ["export", "contacts", "--format", "xml"],
            "Invalid value for '--format': 'xml' is not one of 'csv', 'json', 'jsonl', "
            "'vcard' (see tinycrm export contacts --help)",
        ),
        # a typo of a choice: the nearest offered
        (
            ["report", "forecast", "--by", "quater"],
            "Invalid value for '--by': 'quater' is not one of 'month', 'quarter'; "
            "did you mean 'quarter'? (see tinycrm report forecast --help)",
        ),
        (
            ["export", "contacts", "--format", "jsn"],
            "Invalid value for '--format': 'jsn' is not one of 'csv', 'json', 'jsonl', "
            "'vcard'; did you mean 'json'? (see tinycrm export contacts --help)",
        ),
        (
            ["export", "contacts", "--format", "vcf"],
            "Invalid value for '--format': 'vcf' is not one of 'csv', 'json', 'jsonl', "
            "'vcard'; did you mean 'vcard'? (see tinycrm export contacts --help)",
        ),
        (["contact", "add"], "Missing argument 'NAME'. (see tinycrm contact add --help)"),
        (
            ["contact", "list", "--frobnicate"],
            "No such option: --frobnicate (see tinycrm contact list --help)",
        ),
        (["--frobnicate"], "No such option: --frobnicate (see tinycrm --help)"),
        # tinycrm's own options given after a command: where they go
        (
            ["contact", "list", "--db", "x.db"],
            "--db is tinycrm's own option and goes before the command: "
            "tinycrm --db PATH|URL contact list … (see tinycrm --help)",
        ),
        (
            ["deal", "list", "--no-pager"],
            "--no-pager is tinycrm's own option and goes before the command: "
            "tinycrm --no-pager deal list … (see tinycrm --help)",
        ),
        (
            ["contact", "--version"],
            "--version is tinycrm's own option: tinycrm --version (see tinycrm --help)",
        ),
        # an option a user expects on deal edit, which another command has: that command
        (
            ["deal", "edit", "1", "--stage", "Proposal"],
            "No such option: --stage: a deal changes stage with tinycrm deal move REF STAGE "
            "(see tinycrm deal edit --help)",
        ),
        (
            ["deal", "edit", "1", "--pipeline", "Sales"],
            "No such option: --pipeline: a deal changes pipeline with tinycrm deal move REF "
            "STAGE --pipeline NAME (see tinycrm deal edit --help)",
        ),
        (
            ["deal", "edit", "1", "--status", "won"],
            "No such option: --status: a deal is closed with tinycrm deal won REF or deal "
            "lost REF --reason TEXT, and opened again with deal reopen REF "
            "(see tinycrm deal edit --help)",
        ),
        # an option given last without its value: click raises that one without a context
        (
            ["contact", "list", "--limit"],
            "Option '--limit' requires an argument. (see tinycrm contact list --help)",
        ),
        (["--db"], "Option '--db' requires an argument. (see tinycrm --help)"),
        (
            ["deal", "item", "add", "X", "--qty"],
            "Option '--qty' requires an argument. (see tinycrm deal item add --help)",
        ),
        (["frobnicate"], "No such command 'frobnicate'. (see tinycrm --help)"),
        (
            ["contact", "list", "--limit", str(2**63)],
            f"Invalid value for '--limit': {2**63} is too large (at most {2**63 - 1}) "
            "(see tinycrm contact list --help)",
        ),
        (
            ["task", "done", "--", "-1"],
            "Invalid value for 'ID': -1 is too small (at least 1) (see tinycrm task done --help)",
        ),
        (
            ["company", "add", "X", "--size", str(2**64)],
            f"Invalid value for '--size': {2**64} is too large (at most {2**63 - 1}) "
            "(see tinycrm company add --help)",
        ),
        (
            ["pipeline", "stage-edit", "Proposal", "--rotting-days", "0"],
            "Invalid value for '--rotting-days': 0 is too small (at least 1) "
            "(see tinycrm pipeline stage-edit --help)",
        ),
    ],
)
def test_usage_errors_are_one_line_naming_the_help(forked, args: list[str], line: str) -> None:
    """Click's usage errors: one line and exit 2, not the usage, a hint and a boxed panel."""
    result = forked(*args)
    assert (result.exit_code, result.stderr) == (2, f"Error: {line}\n")
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["contact", "show", str(2**64)], f"no contact matches '{2**64}'"),
        (["contact", "show", f"#{2**63}"], f"no contact matches '#{2**63}'"),
        (["company", "show", "²"], "no company matches '²'"),
        (["deal", "show", str(2**63 - 1)], f"no deal matches '{2**63 - 1}'"),
        (["task", "done", str(2**63 - 1)], f"no task with id {2**63 - 1}"),
        (["import", "undo", str(2**63 - 1)], f"no import #{2**63 - 1}"),
        (["company", "add", "X", "--size", str(2**40)], "company size is too large"),
        (["pipeline", "stage-edit", "Proposal", "--rotting-days", str(2**40)], "rotting days"),
        (["contact", "add", b"caf\xe9"], "text holds bytes that are not UTF-8"),
    ],
)
def test_numbers_past_the_database_are_refused_in_one_line(
    args: list[str | bytes], line: str, tmp_path: Path, forkserver: ForkServer
) -> None:
    """A REF or id past 64 bits, or a count past a column, is a refusal (exit 1) that
    names it: never OverflowError or a traceback from the driver."""
    env = {**os.environ, "TINYCRM_DB": str(tmp_path / "t.db")}
    returncode, _out, err, _opened = forkserver.run(args, b"", env, tmp_path)
    stderr = err.decode("utf-8", "replace")
    assert returncode == 1, stderr
    assert stderr.startswith("Error: ") and line in stderr, stderr
    assert len(stderr.splitlines()) == 1, stderr


@pytest.mark.parametrize("number", [2**31, 2**40, 2**63 - 1])
def test_ids_past_a_columns_range_name_nothing_on_every_database(store, number: int) -> None:
    """PostgreSQL's ids are 32-bit, SQLite's 64-bit: a number past either is no row,
    found without binding it (NumericValueOutOfRange, OverflowError)."""
    from tinycrm.store.activities import complete_task
    from tinycrm.store.companies import add_company
    from tinycrm.store.contacts import get_contact
    from tinycrm.store.errors import Invalid, NotFound
    from tinycrm.store.imports import undo_import

    with pytest.raises(NotFound, match="no contact matches"):
        get_contact(store, str(number))
    with pytest.raises(NotFound, match="no task with id"):
        complete_task(store, number)
    with pytest.raises(NotFound, match="no import"):
        undo_import(store, number)
    with pytest.raises(Invalid, match="company size"):
        add_company(store, name="Big", size=number)
