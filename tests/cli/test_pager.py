"""Long lists through the pager, as git pages: only on a terminal, only when they do not
fit on the screen, ``--no-pager`` > ``$TINYCRM_PAGER`` > ``$PAGER`` > ``less``; the rows
are the same with and without it, and a pager quit early (or Ctrl-C while it runs) is
not an error. Each case runs tinycrm as a real process with stdout on a
pseudo-terminal and a recording pager (a shell command that saves what it is given).
"""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path

import pytest

from tinycrm.store.bulk import bulk_add_contacts
from tinycrm.store.engine import open_store

from .conftest import tinycrm_executable

ROWS = 60  # more than the pseudo-terminal's 24 lines


def terminal(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """Run tinycrm with stdout on a pseudo-terminal of 24 lines, in its own session
    (so a pager may signal its whole process group): (exit code, what the terminal
    showed with CR LF as LF, stderr). Pager settings come from ``env`` alone."""
    inherited = {k: v for k, v in os.environ.items() if k not in ("TINYCRM_PAGER", "PAGER", "LESS")}
    main, sub = pty.openpty()
    try:
        proc = subprocess.Popen(
            [*tinycrm_executable(), *args],
            stdin=subprocess.DEVNULL,
            stdout=sub,
            stderr=subprocess.PIPE,
            env={**inherited, "LINES": "24", **env},
            start_new_session=True,
        )
        os.close(sub)
        got = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: the other side is closed
                break
            if not chunk:
                break
            got += chunk
        stderr = proc.stderr.read().decode() if proc.stderr else ""
        proc.wait(timeout=120)
    finally:
        os.close(main)
    return proc.returncode, got.decode().replace("\r\n", "\n"), stderr


@pytest.fixture
def many(tmp_path: Path) -> Path:
    db = tmp_path / "many.db"
    store = open_store(str(db))
    rows = [{"name": f"Person {i:04}", "email": f"p{i}@example.com"} for i in range(ROWS)]
    bulk_add_contacts(store, rows)
    store.close()
    return db


def env_for(db: Path, **extra: str) -> dict[str, str]:
    return {"TINYCRM_DB": str(db), "NO_COLOR": "1", **extra}


def recorder(path: Path) -> str:
    return f"cat > '{path}'"


def test_a_long_list_goes_through_the_pager_with_the_same_rows(many, tmp_path) -> None:
    record = tmp_path / "paged.txt"
    code, shown, stderr = terminal(
        "contact", "list", env=env_for(many, TINYCRM_PAGER=recorder(record))
    )
    assert (code, stderr) == (0, "")
    assert shown == ""  # all of it went to the pager
    paged = record.read_text()
    code, direct, _ = terminal("--no-pager", "contact", "list", env=env_for(many))
    assert code == 0
    assert paged == direct
    assert paged.count("\n") == ROWS + 1
    assert "Person 0000" in paged and "Person 0059" in paged


def test_the_pager_is_given_less_options_unless_less_has_its_own(many, tmp_path) -> None:
    record = tmp_path / "less.txt"
    pager = f"echo \"$LESS\" > '{record}'; cat > /dev/null"
    terminal("contact", "list", env=env_for(many, TINYCRM_PAGER=pager))
    assert record.read_text() == "FRX\n"
    terminal("contact", "list", env=env_for(many, TINYCRM_PAGER=pager, LESS="-S"))
    assert record.read_text() == "-S\n"


def test_no_pager_to_a_pipe(many, tmp_path) -> None:
    record = tmp_path / "paged.txt"
    result = subprocess.run(
        [*tinycrm_executable(), "contact", "list"],
        capture_output=True,
        env={**os.environ, **env_for(many, TINYCRM_PAGER=recorder(record))},
        timeout=120,
    )
    assert result.returncode == 0
    assert not record.exists()
    assert result.stdout.decode().count("\n") == ROWS + 1


def test_no_pager_for_a_list_that_fits_on_the_screen(many, tmp_path) -> None:
    record = tmp_path / "paged.txt"
    code, shown, _ = terminal(
        "contact", "list", "--limit", "5", env=env_for(many, TINYCRM_PAGER=recorder(record))
    )
    assert code == 0
    assert not record.exists()
    assert shown.count("\n") == 6


@pytest.mark.parametrize(
    ("args", "env", "used"),
    [
        ([], {"TINYCRM_PAGER": "tinycrm", "PAGER": "pager"}, "tinycrm"),
        ([], {"PAGER": "pager"}, "pager"),
        ([], {"TINYCRM_PAGER": "", "PAGER": "pager"}, None),
        ([], {"TINYCRM_PAGER": "cat", "PAGER": "pager"}, None),
        (["--no-pager"], {"TINYCRM_PAGER": "tinycrm", "PAGER": "pager"}, None),
    ],
)
def test_which_pager(many, tmp_path, args, env, used) -> None:
    """--no-pager, then $TINYCRM_PAGER, then $PAGER; empty or ``cat`` is none."""
    pagers = {name: recorder(tmp_path / f"{name}.txt") for name in ("tinycrm", "pager")}
    chosen = {key: pagers.get(value, value) for key, value in env.items()}
    code, shown, _ = terminal(*args, "contact", "list", env=env_for(many, **chosen))
    assert code == 0
    for name in pagers:
        assert (tmp_path / f"{name}.txt").exists() == (name == used)
    assert ("Person 0059" in shown) == (used is None)


def test_a_pager_quit_early_is_not_an_error(tmp_path) -> None:
    db = tmp_path / "big.db"
    store = open_store(str(db))
    bulk_add_contacts(store, ({"name": f"Person {i:05}"} for i in range(5000)))
    store.close()
    record = tmp_path / "first.txt"
    pager = f"head -n 3 > '{record}'"
    code, _, stderr = terminal("contact", "list", env=env_for(db, TINYCRM_PAGER=pager))
    assert (code, stderr) == (0, "")
    first = record.read_text().splitlines()
    assert len(first) == 3 and "Person 00000" in first[1]


def test_ctrl_c_while_paging_belongs_to_the_pager(many, tmp_path) -> None:
    """Ctrl-C reaches every process in the terminal's foreground group: the pager
    (like less) keeps going, tinycrm ignores it while the pager runs, and the pager
    still gets every row."""
    record = tmp_path / "paged.txt"
    pager = (
        f"trap '' INT; IFS= read -r first; kill -INT 0; {{ echo \"$first\"; cat; }} > '{record}'"
    )
    code, _, stderr = terminal("contact", "list", env=env_for(many, TINYCRM_PAGER=pager))
    assert (code, stderr) == (0, "")
    assert record.read_text().count("\n") == ROWS + 1


def test_a_show_view_longer_than_the_screen_goes_through_the_pager(tmp_path) -> None:
    """contact show of a contact whose notes run to 60 lines (or with many deals and
    activities) scrolled past the screen: only lists were paged. A show view longer than
    the terminal now goes through the pager as a list does, the same lines as without
    it; one that fits is printed as it was."""
    from tinycrm.store.contacts import add_contact

    db = tmp_path / "show.db"
    store = open_store(str(db))
    notes = "\n".join(f"note line {i:02}" for i in range(ROWS))
    add_contact(store, name="Ada Lovelace", email="ada@example.com", notes=notes)
    add_contact(store, name="Bob", email="bob@example.com")
    store.close()
    record = tmp_path / "paged.txt"
    code, shown, stderr = terminal(
        "contact", "show", "ada@example.com", env=env_for(db, TINYCRM_PAGER=recorder(record))
    )
    assert (code, stderr, shown) == (0, "", "")  # all of it went to the pager
    code, direct, _ = terminal("--no-pager", "contact", "show", "ada@example.com", env=env_for(db))
    assert code == 0
    assert record.read_text() == direct
    assert "Ada Lovelace" in direct.split("\n")[0] and "note line 59" in direct
    record.unlink()
    code, short, _ = terminal(
        "contact", "show", "bob@example.com", env=env_for(db, TINYCRM_PAGER=recorder(record))
    )
    assert code == 0 and "Bob" in short.split("\n")[0] and not record.exists()


def test_a_report_longer_than_the_screen_goes_through_the_pager(tmp_path) -> None:
    """report activity --by week over two years printed its 105 weeks straight to a
    terminal of 24 lines: only lists and show views were paged. A report longer than the
    screen goes through the pager now, the same lines as without it; one that fits is
    printed as it was."""
    db = tmp_path / "report.db"
    open_store(str(db)).close()
    record = tmp_path / "paged.txt"
    long = ("report", "activity", "--by", "week", "--from", "-2y")
    code, shown, stderr = terminal(*long, env=env_for(db, TINYCRM_PAGER=recorder(record)))
    assert (code, stderr, shown) == (0, "", "")  # all of it went to the pager
    code, direct, _ = terminal("--no-pager", *long, env=env_for(db))
    assert code == 0 and direct.count("\n") > 100
    assert record.read_text() == direct
    record.unlink()
    code, short, _ = terminal("report", "winrate", env=env_for(db, TINYCRM_PAGER=recorder(record)))
    assert code == 0 and "Win rate" in short.split("\n")[0] and not record.exists()
