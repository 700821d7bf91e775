"""Output to a stream whose encoding cannot spell every character.

A Latin-1 locale, ``LC_ALL=C`` with Python's UTF-8 mode off, or ``PYTHONIOENCODING=ascii``
ended `contact list` with a UnicodeEncodeError traceback at the first € (exit 1, half a
table or a header alone). Now: a terminal shows escapes, a pipe gets UTF-8, an encoding the
user named is kept, and JSON stays JSON with every character whole.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
from pathlib import Path

from tests.cli.conftest import tinycrm_executable

NAMES = ["Emo 😀", "Zoë €uro 山田"]
NARROW_LOCALE = {"LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}


def _db(cli, tmp_path: Path) -> Path:
    db = tmp_path / "crm.db"
    for name in NAMES:
        assert cli("--db", str(db), "contact", "add", name).exit_code == 0
    return db


def _run(db: Path, *args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    drop = ("PYTHONIOENCODING", "LC_ALL", "LANG", "PYTHONUTF8", "PYTHONCOERCECLOCALE")
    environ = {k: v for k, v in os.environ.items() if k not in drop} | env
    return subprocess.run(
        [*tinycrm_executable(), "--db", str(db), *args],
        capture_output=True,
        env=environ,
        timeout=60,
        check=False,
    )


def test_a_pipe_in_a_narrow_locale_gets_utf_8(cli, tmp_path: Path) -> None:
    db = _db(cli, tmp_path)
    proc = _run(db, "contact", "list", "--csv", **NARROW_LOCALE)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout.decode("utf-8"))))
    assert [r["name"] for r in rows] == NAMES
    table = _run(db, "--no-pager", "contact", "list", **NARROW_LOCALE)
    assert table.returncode == 0 and "Zoë €uro 山田".encode() in table.stdout


def test_an_encoding_the_user_named_is_kept_and_json_stays_whole(cli, tmp_path: Path) -> None:
    db = _db(cli, tmp_path)
    for encoding in ("ascii", "latin-1"):
        table = _run(db, "contact", "list", PYTHONIOENCODING=encoding)
        assert table.returncode == 0 and table.stderr == b"", table.stderr
        assert b"\\u20acuro" in table.stdout  # shown as an escape, not a traceback
        for flag in ("--json", "--jsonl"):
            proc = _run(db, "contact", "list", flag, PYTHONIOENCODING=encoding)
            assert proc.returncode == 0 and proc.stdout.isascii(), proc.stderr
            text = proc.stdout.decode("ascii")
            records = json.loads(text) if flag == "--json" else map(json.loads, text.splitlines())
            assert [r["name"] for r in records] == NAMES
    own = _run(db, "contact", "list", "--csv", PYTHONIOENCODING="ascii:replace")
    assert own.returncode == 0 and b"Zo? ?uro ??" in own.stdout  # the user's own handler


def test_a_terminal_in_a_narrow_locale_shows_escapes(cli, tmp_path: Path) -> None:
    db = _db(cli, tmp_path)
    leader, follower = pty.openpty()
    drop = ("PYTHONIOENCODING", "LC_ALL", "LANG", "PYTHONUTF8", "PYTHONCOERCECLOCALE")
    environ = {k: v for k, v in os.environ.items() if k not in drop} | NARROW_LOCALE
    environ |= {"TINYCRM_PAGER": "", "COLUMNS": "200"}
    with subprocess.Popen(
        [*tinycrm_executable(), "--db", str(db), "contact", "list"],
        stdout=follower,
        stderr=subprocess.PIPE,
        env=environ,
    ) as proc:
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other end closed
                break
            if not chunk:
                break
            shown += chunk
        _, err = proc.communicate(timeout=60)
    os.close(leader)
    assert proc.returncode == 0 and b"Traceback" not in err, err
    assert b"Zo\\xeb \\u20acuro \\u5c71\\u7530" in shown
