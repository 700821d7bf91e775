"""``tinycrm board`` from the command line: a database that cannot be opened is refused
with one line, before Textual is even imported; without a terminal it says so."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

PROBE = """
import json, sys
from tinycrm import cli
cli.COMMANDS.setdefault("board", ("tinycrm.cli.board", "app"))
code = 0
try:
    cli.app(sys.argv[1:], prog_name="tinycrm")
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "textual": "textual" in sys.modules}))
"""


def _board(*args: str) -> tuple[dict[str, object], str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr


def test_unopenable_database_is_refused_before_textual_starts(tmp_path: Path) -> None:
    result, stderr = _board("--db", str(tmp_path), "board")
    assert result == {"code": 1, "textual": False}
    assert stderr.strip() == f"Error: cannot open database {tmp_path}: it is a directory"


def test_unreachable_postgresql_is_refused(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    result, stderr = _board("--db", url, "board")
    assert result == {"code": 1, "textual": False}
    assert stderr.startswith("Error: cannot open database")
    assert len(stderr.strip().splitlines()) == 1


def test_without_a_terminal_the_board_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from tinycrm import cli

    monkeypatch.setitem(cli.COMMANDS, "board", ("tinycrm.cli.board", "app"))
    result = CliRunner().invoke(cli.app, ["board"])
    assert result.exit_code == 1
    assert "the board needs a terminal" in result.stderr


FIRST_PAINT = """
import json, sys
import tinycrm
from tinycrm.tui.preload import Preload
crm = tinycrm.open(sys.argv[1])
preload = Preload.start(crm)  # as `tinycrm board` starts
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.board import BoardScreen
make_app(crm, preload=preload)
board = preload.take_board()
feed = preload.take_feed()
late = ("sales_models", "service_models", "automation_models", "log_models", "campaigns", "dupes",
        "imports", "reports", "scoring", "reminders", "leads", "sequences")
print(json.dumps({
    "deals": sum(column.count for column in board.columns),
    "feed": len(feed),
    "loaded": [m for m in late if f"tinycrm.store.{m}" in sys.modules],
}))
"""


def test_the_boards_first_paint_loads_only_the_modules_it_shows(tmp_path: Path) -> None:
    """What the board imports before its first paint is start-up time (issue 16): not the
    tables and modules of quotes, cases, campaigns, duplicates, imports or reports, which
    ``tinycrm.api.models`` names and which a filter on deals never reaches."""
    import tinycrm

    db = tmp_path / "crm.db"
    with tinycrm.open(db) as crm:
        crm.deals.add("Engine", amount="100")
    proc = subprocess.run(
        [sys.executable, "-c", FIRST_PAINT, str(db)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {
        "deals": 1,
        "feed": 1,
        "loaded": [],
    }
