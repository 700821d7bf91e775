"""tinycrm.files: what a writer killed mid-write (kill -9, a crash) leaves is cleared by the
next write to the same folder, and only that: never a live writer's, never another's."""

from __future__ import annotations

import fcntl
import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import tinycrm
from tinycrm.files import write_text

_SRC = str(Path(tinycrm.__file__).parent.parent)

_FILE_WRITER = """
import sys
from tinycrm.files import open_output
with open_output(sys.argv[1]) as handle:
    handle.write("name,email\\nAda,ada@x.io\\n")
    handle.flush()
    print("writing", flush=True)
    sys.stdin.readline()  # until told to go on (or killed)
"""

_SET_WRITER = """
import sys
from tinycrm.files import write_folder
with write_folder(sys.argv[1], names=["contacts.csv"], mkdir=True) as made:
    with made.open("contacts.csv") as handle:
        handle.write("name\\nAda\\n")
    print("writing", flush=True)
    sys.stdin.readline()
"""


@contextmanager
def _writer(script: str, target: Path) -> Iterator[subprocess.Popen[str]]:
    """A real process writing ``target``, paused halfway until its stdin has a line."""
    env = {**os.environ, "PYTHONPATH": _SRC}
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None and process.stdout.readline() == "writing\n"
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def _killed(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL  # reaped: its process is gone


def test_a_temporary_file_a_killed_export_left_is_removed_by_the_next_write(
    tmp_path: Path,
) -> None:
    """kill -9 during an export (or an import writing its rejected rows) left
    '.contacts.csv.XXXXXXXX.tmp' (0600, names and emails) beside the target for good.
    The temporary name now carries its writer's process id; the next write to the folder
    removes it once that process is gone."""
    target = tmp_path / "contacts.csv"
    with _writer(_FILE_WRITER, target) as process:
        _killed(process)
    [left] = _hidden(tmp_path)
    assert left.startswith(f".contacts.csv.tinycrm-{process.pid}-") and left.endswith(".tmp")
    assert stat.S_IMODE((tmp_path / left).stat().st_mode) == 0o600
    write_text(tmp_path / "deals.csv", "title\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deals.csv"]


def test_a_temporary_folder_a_killed_set_export_left_is_removed_too(tmp_path: Path) -> None:
    """export all --format csv writes its set into a temporary folder: kill -9 left it."""
    with _writer(_SET_WRITER, tmp_path / "export") as process:
        _killed(process)
    [left] = _hidden(tmp_path)
    assert left.startswith(f".export.tinycrm-{process.pid}-")
    assert [p.name for p in (tmp_path / left).iterdir()] == ["contacts.csv"]
    write_text(tmp_path / "notes.txt", "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_live_writers_temporary_file_is_left_alone(tmp_path: Path) -> None:
    """Another process writing into the same folder keeps its temporary file, and its
    write ends whole."""
    target = tmp_path / "contacts.csv"
    with _writer(_FILE_WRITER, target) as process:
        [temp] = _hidden(tmp_path)
        write_text(tmp_path / "deals.csv", "title\n")
        assert _hidden(tmp_path) == [temp]
        assert process.stdin is not None
        process.stdin.write("\n")
        process.stdin.flush()
        assert process.wait() == 0
    assert target.read_text() == "name,email\nAda,ada@x.io\n"
    assert _hidden(tmp_path) == []


def test_only_our_own_leftovers_of_writers_gone_are_removed(tmp_path: Path) -> None:
    """Left: a name not of our pattern, a link, a file whose writer (this process) runs,
    and one whose lock a live process holds (a writer in another PID namespace, or on
    another machine of a shared folder, whose id means nothing here)."""
    with _writer(_FILE_WRITER, tmp_path / "gone.csv") as process:
        _killed(process)
    dead = process.pid
    (tmp_path / "gone.csv").write_text("")  # (so that only the names below are hidden)
    [(tmp_path / name).unlink() for name in _hidden(tmp_path)]
    keep = {
        ".a.csv.XK2JH4G5.tmp": "an older tinycrm's, or another tool's",
        f".b.csv.tinycrm-{os.getpid()}-abcdefgh.tmp": "this process's, alive",
        f".c.csv.tinycrm-{dead}-abcdefgh.tmp.bak": "not ours",
        f".d.csv.tinycrm-{dead}-abcd.tmp": "not ours",
    }
    for name in keep:
        (tmp_path / name).write_text("x")
    target = tmp_path / "elsewhere.csv"
    target.write_text("the user's")
    link = tmp_path / f".e.csv.tinycrm-{dead}-abcdefgh.tmp"
    link.symlink_to(target)
    locked = tmp_path / f".f.csv.tinycrm-{dead}-abcdefgh.tmp"
    locked.write_text("x")
    holder = os.open(locked, os.O_RDONLY)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        write_text(tmp_path / "new.csv", "x")
        assert _hidden(tmp_path) == sorted([*keep, link.name, locked.name])
    finally:
        os.close(holder)  # its writer ends: the lock goes
    write_text(tmp_path / "new.csv", "y")
    assert _hidden(tmp_path) == sorted([*keep, link.name])
    assert target.read_text() == "the user's"


def test_a_long_target_name_still_has_room_for_its_temporary_name(tmp_path: Path) -> None:
    """The temporary name is the target's with about 30 characters more: a target named
    with 230 to 255 bytes (the most a name may have) could not be written."""
    target = tmp_path / ("é" * 100 + "x" * 50 + ".csv")  # 254 bytes
    write_text(target, "name\n")
    assert target.read_text() == "name\n"
