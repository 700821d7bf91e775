"""A backup or an export into a pipe whose reader leaves before the end is a failure, said
in one line (a copy that is not whole must not pass for one: ``db backup - | ssh …``);
a list into ``| head`` is not (it is read, not kept)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .conftest import tinycrm_executable

CUT = "Error: cannot write standard output: the reader went away before the end"


def _cut_short(args: list[str], db: Path) -> tuple[int, str]:
    """Run tinycrm into a pipe read for 10 bytes, then closed: (exit status, stderr)."""
    proc = subprocess.Popen(
        [*tinycrm_executable(), "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert len(proc.stdout.read(10)) == 10
    proc.stdout.close()
    error = proc.stderr.read().decode()
    return proc.wait(timeout=60), error


@pytest.fixture
def big(tmp_path: Path, sh) -> Path:
    """A database whose copy and exports are far bigger than a pipe's buffer (64 KiB)."""
    db = tmp_path / "big.db"
    rows = "name,email,notes\n" + "".join(
        f"Person {i},p{i}@example.com,{'x' * 200}\n" for i in range(2000)
    )
    source = tmp_path / "people.csv"
    source.write_text(rows)
    assert sh("--db", str(db), "import", "contacts", str(source)).exit_code == 0
    return db


@pytest.mark.parametrize(
    "args",
    [["db", "backup", "-"], ["export", "all", "--out", "-"], ["export", "contacts"]],
    ids=["backup", "dump", "export"],
)
def test_a_copy_or_an_export_cut_short_fails_in_one_line(big: Path, args: list[str]) -> None:
    status, error = _cut_short(args, big)
    assert (status, error.splitlines()) == (1, [f"{CUT} (what it got is not whole)"]), error


def test_a_list_cut_short_is_no_failure(big: Path) -> None:
    assert _cut_short(["contact", "list", "--csv"], big) == (0, "")
