"""What reaches a terminal, and what reaches a pipe.

On a terminal, stored text is shown escaped (it could hold ESC, OSC, BEL or a bidi
override that the terminal would obey) and binary data is refused; to a pipe or a file
the exact bytes go out, so that ``tinycrm export … > file`` and ``$(tinycrm db path)`` are
the data. Each command runs as a real process with its standard output on a
pseudo-terminal (or a pipe).
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tinycrm.store.contacts import list_contacts
from tinycrm.store.errors import Invalid
from tinycrm.store.search_index import register_sqlite_fold

from .conftest import tinycrm_executable

HOSTILE = "Eve \x1b]8;;http://evil.example\x07click\x1b]8;;\x07 \x1b[2J\u202egnp.exe"
RAW = ("\x1b", "\x07", "\u202e")


def on_a_terminal(*args: str, env: dict[str, str]) -> tuple[int, bytes, str]:
    """Run tinycrm with stdout on a pseudo-terminal: (exit code, what the terminal got,
    stderr).

    The test keeps its own copy of the terminal's far side open until the process has
    exited and everything it wrote is read: when the last copy closes, Linux hangs the
    terminal up, and a loaded machine could then answer EIO before the last lines were
    read (a CI run saw only the header of an export)."""
    main, sub = pty.openpty()
    got = b""
    try:
        proc = subprocess.Popen(
            [*tinycrm_executable(), *args],
            stdin=subprocess.DEVNULL,
            stdout=sub,
            stderr=subprocess.PIPE,
            env={**os.environ, **env},
        )
        stderr_lines: list[bytes] = []
        reader = threading.Thread(
            target=lambda: stderr_lines.append(proc.stderr.read() if proc.stderr else b"")
        )
        reader.start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            exited = proc.poll() is not None
            # once it has exited, what it wrote may still be on its way through the terminal
            ready, _, _ = select.select([main], [], [], 0.25 if exited else 0.05)
            if ready:
                got += os.read(main, 65536)
            elif exited:
                break  # exited, and nothing left to read
        proc.wait(timeout=5)
        reader.join(timeout=5)
    finally:
        os.close(sub)
        os.close(main)
    return proc.returncode, got, b"".join(stderr_lines).decode()


def to_a_pipe(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*tinycrm_executable(), *args],
        capture_output=True,
        env={**os.environ, **env},
        timeout=120,
    )


@pytest.fixture
def hostile_db(tmp_path: Path) -> dict[str, str]:
    """A database holding a contact whose stored name is full of escape sequences (as a
    database from elsewhere could: validation refuses them on input)."""
    import sqlite3

    db = tmp_path / "t.db"
    env = {"TINYCRM_DB": str(db)}
    assert to_a_pipe("contact", "add", "Eve", "--email", "eve@x.com", env=env).returncode == 0
    conn = sqlite3.connect(db)
    register_sqlite_fold(conn)  # (the search index's triggers fold what is written)
    conn.execute("UPDATE contact SET name = ?, notes = ?", (HOSTILE, HOSTILE))
    conn.commit()
    conn.close()
    return env


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "vcard"])
def test_an_export_to_a_terminal_shows_stored_escapes_escaped(hostile_db, fmt: str) -> None:
    code, shown, _ = on_a_terminal("export", "contacts", "--format", fmt, env=hostile_db)
    text = shown.decode()
    assert code == 0
    assert "eve@x.com" in text
    assert not any(raw in text for raw in RAW), text


def test_an_export_to_a_pipe_keeps_the_exact_bytes(hostile_db) -> None:
    result = to_a_pipe("export", "contacts", "--format", "csv", env=hostile_db)
    assert result.returncode == 0
    assert "\x1b]8;;http://evil.example\x07" in result.stdout.decode()


def test_db_backup_to_a_terminal_is_refused_in_one_line(hostile_db) -> None:
    code, shown, stderr = on_a_terminal("db", "backup", "-", env=hostile_db)
    assert code == 1
    assert shown == b""
    assert stderr == (
        "Error: a backup is a binary SQLite file: not written to a terminal "
        "(give a FILE, or redirect: tinycrm db backup - > tinycrm-backup.db)\n"
    )
    piped = to_a_pipe("db", "backup", "-", env=hostile_db)
    assert piped.returncode == 0 and piped.stdout.startswith(b"SQLite format 3\x00")


def test_db_path_is_escaped_on_a_terminal_and_exact_to_a_pipe(tmp_path: Path) -> None:
    folder = tmp_path / "a\x1b[31mred"
    folder.mkdir()
    env = {"TINYCRM_DB": str(folder / "t.db")}
    code, shown, _ = on_a_terminal("db", "path", env=env)
    assert code == 0
    assert shown.decode().strip() == str(tmp_path / "a\\x1b[31mred" / "t.db")
    piped = to_a_pipe("db", "path", env=env)
    assert piped.stdout.decode() == str(folder / "t.db") + "\n"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["deal", "add", "X", "--probability", "abc"],
            "Invalid value for '--probability': 'abc' is not a whole number "
            "(see tinycrm deal add --help)",
        ),
        (
            ["pipeline", "stage-edit", "Proposal", "--probability", "12.5"],
            "Invalid value for '--probability': '12.5' is not a whole number "
            "(see tinycrm pipeline stage-edit --help)",
        ),
        (
            ["contact", "list", "--limit", "ten"],
            "Invalid value for '--limit': 'ten' is not a whole number "
            "(see tinycrm contact list --help)",
        ),
    ],
)
def test_a_value_that_is_not_a_number_is_told_in_our_words(sh, args, line) -> None:
    result = sh(*args)
    assert (result.exit_code, result.stderr) == (2, f"Error: {line}\n")


def test_nul_in_a_filter_is_refused_on_every_database(store) -> None:
    """PostgreSQL cannot take NUL; SQLite would quietly match nothing. Both refuse it."""
    for where in ({"owner": "te\x00ster"}, {"company": "Ac\x00me"}):
        with pytest.raises(Invalid, match=r"NUL characters are not allowed \(\\x00 at position"):
            list_contacts(store, **where)


def test_a_show_view_into_a_pipe_its_reader_left_exits_0_without_a_word(tmp_path: Path) -> None:
    """`tinycrm contact show 1 | head -1`: the show view is printed through rich, whose
    console answered the closed pipe with exit 1 (as a failure), where a list exits 0.
    Now a show view ends as a list does: exit 0, nothing on stderr."""
    import sqlite3

    db = tmp_path / "t.db"
    env = {"TINYCRM_DB": str(db)}
    assert to_a_pipe("contact", "add", "Eve", "--email", "eve@x.com", env=env).returncode == 0
    conn = sqlite3.connect(db)
    register_sqlite_fold(conn)
    conn.execute("UPDATE contact SET notes = ?", ("word " * 100_000,))  # past a pipe's buffer
    conn.commit()
    conn.close()
    proc = subprocess.Popen(
        [*tinycrm_executable(), "contact", "show", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().startswith(b"Eve")
    proc.stdout.close()  # the reader leaves, as head does after its line
    stderr = proc.stderr.read()
    assert proc.wait(timeout=60) == 0
    assert stderr == b""


@pytest.mark.parametrize("out", ["-", "/dev/stdout"])
def test_a_dump_to_standard_output_on_a_terminal_shows_stored_escapes_escaped(
    hostile_db, out: str
) -> None:
    """``export all --out -`` names standard output, as no ``--out`` does: on a terminal
    the dump's stored escapes are shown escaped (JSON writes ESC as ``\\u001b`` itself,
    but C1 controls, DEL and bidi overrides it left as they are)."""
    import sqlite3

    conn = sqlite3.connect(hostile_db["TINYCRM_DB"])
    register_sqlite_fold(conn)
    conn.execute("UPDATE contact SET title = ?", ("\x9b2J\x7f\u202egnp.exe",))
    conn.commit()
    conn.close()
    code, shown, _ = on_a_terminal("export", "all", "--out", out, env=hostile_db)
    text = shown.decode()
    assert code == 0
    assert "eve@x.com" in text
    assert not any(raw in text for raw in (*RAW, "\x9b", "\x7f")), text
    assert "\\u202egnp.exe" in text


def test_a_csv_header_on_a_terminal_shows_a_stored_field_name_escaped(hostile_db) -> None:
    """A custom field's name is a column of ``--csv`` (``field.NAME``): printed on a
    terminal, the header is shown escaped as the cells are."""
    import sqlite3

    conn = sqlite3.connect(hostile_db["TINYCRM_DB"])
    register_sqlite_fold(conn)
    conn.execute(
        "INSERT INTO field_value (entity, entity_id, key, value) VALUES ('contact', 1, ?, 'x')",
        ("plan\x1b]0;pwned\x07",),
    )
    conn.commit()
    conn.close()
    code, shown, _ = on_a_terminal("contact", "list", "--csv", env=hostile_db)
    header = shown.decode().splitlines()[0]
    assert code == 0
    assert "field.plan\\x1b]0;pwned\\x07" in header
    assert not any(raw in shown.decode() for raw in RAW)


JOINED = "Jo\u200dna \U0001f468\u200d\U0001f469\u200d\U0001f467"
"""Letters 'joined' by U+200D and a family emoji: a cell each to every terminal, one to
Rich (table_layout.steady)."""


@pytest.mark.parametrize(
    "args",
    [
        ("contact", "show", "1"),
        ("contact", "list", "--csv"),
        ("contact", "show", "1", "--csv"),
        ("score", "explain", "1"),
    ],
)
def test_a_show_title_and_csv_on_a_terminal_show_joined_emoji_apart(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    """A show view's title and ``--csv`` printed on a terminal are steadied as a table's
    cells are: no U+200D reaches the terminal, the family shows as man, woman, girl."""
    env = {"TINYCRM_DB": str(tmp_path / "t.db"), "COLUMNS": "100"}
    added = to_a_pipe("contact", "add", JOINED, "--email", "jo@x.com", env=env)
    assert added.returncode == 0, added.stderr
    code, shown, _ = on_a_terminal("--no-pager", *args, env=env)
    text = shown.decode()
    assert code == 0
    assert "Jona \U0001f468\U0001f469\U0001f467" in text
    assert "\u200d" not in text
    if "--csv" in args:  # CSV into a pipe is the data, as stored
        assert JOINED in to_a_pipe(*args, env=env).stdout.decode()


def test_a_calendar_to_standard_output_on_a_terminal_shows_stored_escapes_escaped(
    hostile_db,
) -> None:
    """``export tasks --format ics --out -`` on a terminal is shown as without ``--out``."""
    env = hostile_db
    added = to_a_pipe("task", "add", "Call", "--due", "tomorrow 9:00", "--contact", "1", env=env)
    assert added.returncode == 0, added.stderr
    import sqlite3

    conn = sqlite3.connect(env["TINYCRM_DB"])
    register_sqlite_fold(conn)
    conn.execute("UPDATE activity SET subject = ?", (HOSTILE,))
    conn.commit()
    conn.close()
    code, shown, _ = on_a_terminal("export", "tasks", "--format", "ics", "--out", "-", env=env)
    text = shown.decode()
    assert code == 0
    assert "BEGIN:VCALENDAR" in text
    assert not any(raw in text for raw in RAW), text
