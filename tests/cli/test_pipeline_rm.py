"""``tinycrm pipeline rm`` as a user types it: in a script, and asked first on a terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

from .conftest import tinycrm_executable


def _seed(cli) -> None:
    r = cli("pipeline", "add", "Hiring", "--stage", "Applied:10", "--stage", "Proposal:50")
    assert r.exit_code == 0
    assert cli("deal", "add", "A", "--pipeline", "Hiring").exit_code == 0
    assert cli("deal", "add", "B", "--pipeline", "Hiring", "--stage", "proposal").exit_code == 0
    assert cli("segment", "save", "Hires", "pipeline=Hiring").exit_code == 0


def test_pipeline_rm_moves_the_deals_and_says_so(cli) -> None:
    """There was no `pipeline rm` ('No such command'): a pipeline added by mistake stayed."""
    _seed(cli)
    r = cli("pipeline", "rm", "Hiring")
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr == (
        "Error: pipeline Hiring still holds 2 deals (2 open); give --move-to PIPELINE to move "
        "them (each into its stage of the same name there, else the first)\n"
    )
    r = cli("pipeline", "rm", "hiring", "--move-to", "Sales")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == (
        "Removed pipeline #2 Hiring; moved 2 deals to Sales (1 to Lead-in, 1 to Proposal)\n"
    )
    assert r.stderr == (
        "Note: still testing pipeline Hiring or its stages: segment Hires "
        "(change them with 'segment save')\n"
    )
    deals = cli("deal", "list", "--json").json()
    assert [(d["title"], d["pipeline"], d["stage"]) for d in deals] == [
        ("A", "Sales", "Lead-in"),
        ("B", "Sales", "Proposal"),
    ]
    r = cli("pipeline", "rm", "Sales")
    assert (r.exit_code, r.stdout) == (1, "")
    assert "Error: pipeline Sales is the only pipeline: a deal needs one" in r.stderr


def test_pipeline_rm_json_and_a_new_default(cli) -> None:
    _seed(cli)
    r = cli("pipeline", "rm", "Sales", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json() == {
        "id": 1,
        "pipeline": "Sales",
        "stages": ["Lead-in", "Qualified", "Proposal", "Negotiation"],
        "moved": 0,
        "moved_to": "",
        "moved_into": {},
        "still_named_by": [],
        "default": "Hiring",
        "default_changed": True,
        "dry_run": False,
    }
    assert cli("deal", "add", "C").stdout == "Added deal #3 C in Applied\n"
    assert cli("pipeline", "add", "Sales").exit_code == 0
    r = cli("pipeline", "rm", "Hiring", "--move-to", "Sales")
    assert r.stdout == (
        "Removed pipeline #2 Hiring; moved 3 deals to Sales (2 to Lead-in, 1 to Proposal); "
        "Sales is the default pipeline now\n"
    )


def _answer(args: list[str], answer: bytes) -> tuple[int, str]:
    """Run tinycrm on a terminal, answer its question, and read what it wrote."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [*tinycrm_executable(), *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**os.environ, "TERM": "dumb", "COLUMNS": "200"},
    )
    os.close(slave)
    seen, deadline = b"", time.monotonic() + 60
    try:
        while b"[y/N]" not in seen and proc.poll() is None and time.monotonic() < deadline:
            if select.select([master], [], [], 0.1)[0]:
                seen += os.read(master, 1 << 16)
        os.write(master, answer)
        proc.wait(timeout=60)
        while select.select([master], [], [], 0.1)[0]:
            try:
                seen += os.read(master, 1 << 16)
            except OSError:
                break
    finally:
        os.close(master)
    return proc.returncode, seen.decode().replace("\r\n", "\n")


def test_pipeline_rm_asks_first_on_a_terminal(cli, tmp_path: Path) -> None:
    db = str(tmp_path / "crm.db")
    assert cli("--db", db, "pipeline", "add", "Hiring", "--stage", "Applied:10").exit_code == 0
    assert cli("--db", db, "deal", "add", "A", "--pipeline", "Hiring").exit_code == 0
    code, seen = _answer(["--db", db, "pipeline", "rm", "Hiring", "--move-to", "Sales"], b"n\n")
    assert "Remove pipeline Hiring (stages Applied) and move 1 deal to Sales (1 to Lead-in)?" in (
        seen
    )
    assert code == 1
    assert [p["name"] for p in cli("--db", db, "pipeline", "list", "--json").json()] == [
        "Sales",
        "Hiring",
    ]
    code, seen = _answer(["--db", db, "pipeline", "rm", "Hiring", "--move-to", "Sales"], b"y\n")
    assert code == 0, seen
    assert "Removed pipeline #2 Hiring; moved 1 deal to Sales (1 to Lead-in)" in seen
