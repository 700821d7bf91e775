"""tinycrm.files: every file tinycrm writes appears whole, private, where it was meant to."""

from __future__ import annotations

import errno
import os
import socket
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from tinycrm.files import (
    CannotWrite,
    open_output,
    reaches_terminal,
    resolve,
    write_bytes,
    write_folder,
    write_text,
)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_new_file_is_private_and_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    write_text(target, "name\nAda\n")
    assert target.read_text() == "name\nAda\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert _leftovers(tmp_path) == []


def test_a_replaced_file_becomes_private_too(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")
    target.chmod(0o644)
    write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_file_without_personal_data_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_text(tmp_path / "unit.timer", "[Timer]\n", private=False)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "unit.timer").stat().st_mode) == 0o640


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("the old export\n")
    with pytest.raises(RuntimeError), open_output(target) as handle:
        handle.write("half of the new one")
        handle.flush()
        assert _leftovers(tmp_path) != []  # written beside the target, not into it
        assert target.read_text() == "the old export\n"
        raise RuntimeError("interrupted")
    assert target.read_text() == "the old export\n"
    assert _leftovers(tmp_path) == []


def test_an_interrupted_write_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "new.csv"
    with pytest.raises(KeyboardInterrupt), open_output(target) as handle:
        handle.write("x" * 100_000)
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_a_signal_as_the_temporary_file_is_made_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C right after mkstemp made the temporary file, before the block that removes
    it on failure began, left '.out.csv.XXXX.tmp' beside the target (1 run in 5 of
    tests/cli/test_db.py's Ctrl-C during a backup). The signal waits until the file
    is known, then interrupts."""
    import signal
    import tempfile

    from tinycrm import interrupts

    made = tempfile.mkstemp

    def mkstemp_then_ctrl_c(*args: Any, **kwargs: Any) -> tuple[int, str]:
        found = made(*args, **kwargs)
        signal.raise_signal(signal.SIGINT)
        return found

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp_then_ctrl_c)
    with pytest.raises(interrupts.Interrupted), interrupts.watch():
        write_text(tmp_path / "out.csv", "name\nAda\n")
    assert list(tmp_path.iterdir()) == []


def test_a_symlink_is_followed_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "data" / "contacts.csv"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "latest.csv"
    link.symlink_to(real)
    write_text(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new"
    assert _leftovers(real.parent) == [] and _leftovers(tmp_path) == []


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "latest.csv"
    link.symlink_to(tmp_path / "real.csv")
    write_text(link, "new")
    assert link.is_symlink() and (tmp_path / "real.csv").read_text() == "new"


def test_a_missing_folder_is_an_error_unless_asked(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "out.csv"
    with pytest.raises(CannotWrite, match=r"folder .*/no/such does not exist \(--mkdir"):
        write_text(target, "x")
    assert not (tmp_path / "no").exists()
    write_text(target, "x", mkdir=True)
    assert target.read_text() == "x"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("folder", "is a folder: give a file name"),
        ("file/out.csv", "file is not a folder"),
        ("", "no file name given"),
        ("/proc/tinycrm-test.csv", "cannot write /proc/tinycrm-test.csv: "),
        ("/proc/version", "cannot write /proc/version: "),
        ("/dev/full", "cannot write /dev/full: No space left on device"),
    ],
)
def test_what_cannot_be_written_is_one_line(tmp_path: Path, name: str, message: str) -> None:
    if name == "/dev/full" and not stat.S_ISCHR(os.stat("/dev/full").st_mode):
        pytest.skip("/dev/full is not the full device here (something replaced it)")
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("x")
    target = name if name.startswith("/") or not name else str(tmp_path / name)
    with pytest.raises(CannotWrite) as caught:
        write_text(target, "data")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert (tmp_path / "file").read_text() == "x"


@pytest.mark.parametrize("write", ["file", "folder"])
def test_a_home_of_no_user_is_one_line(write: str) -> None:
    """'~nouser/x.db' raised RuntimeError from Path.expanduser: a traceback."""
    name = "~nosuchuser_tinycrm/out"
    with pytest.raises(CannotWrite) as caught:
        if write == "file":
            write_text(name, "data")
        else:
            with write_folder(name, names=["a.csv"], mkdir=True):
                pass
    assert str(caught.value) == (
        f"cannot write{' into' if write == 'folder' else ''} {name}: there is no user "
        "nosuchuser_tinycrm whose home folder ~nosuchuser_tinycrm is (did you mean ~/?)"
    )
    assert not reaches_terminal(name)


def test_a_read_only_folder_is_one_line_and_the_old_file_stays(
    tmp_path: Path, make_readonly
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "out.csv").write_text("old")
    make_readonly(folder)
    with pytest.raises(CannotWrite, match=r"cannot write .*out\.csv: "):
        write_text(folder / "out.csv", "new")
    assert (folder / "out.csv").read_text() == "old"
    assert sorted(p.name for p in folder.iterdir()) == ["out.csv"]


def test_standard_output_for_dash_and_dev_stdout(capfd: pytest.CaptureFixture[str]) -> None:
    write_text("-", "one\n")
    write_bytes("/dev/stdout", b"two\n")
    assert capfd.readouterr().out == "one\ntwo\n"
    assert resolve("-").is_stdout and resolve("/dev/stdout").is_stdout


def test_a_fifo_is_written_into_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_text(fifo, "streamed\n")
    reader.join(timeout=30)
    assert got == [b"streamed\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert _leftovers(tmp_path) == []


def test_a_character_device_is_written_into_not_replaced() -> None:
    before = os.stat("/dev/null")
    write_text("/dev/null", "gone\n")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(CannotWrite, match="is a socket"):
            write_text(path, "x")
        assert stat.S_ISSOCK(path.stat().st_mode)
    finally:
        server.close()


def test_a_hard_link_elsewhere_keeps_its_old_content(tmp_path: Path) -> None:
    """Renaming replaces the name, never writes through another name of the same file."""
    original = tmp_path / "original.csv"
    original.write_text("keep me")
    os.link(original, tmp_path / "alias.csv")
    write_text(tmp_path / "alias.csv", "new")
    assert original.read_text() == "keep me"
    assert (tmp_path / "alias.csv").read_text() == "new"


# --------------------------------------------------------------------------- a set of files


def _write_set(folder: Path, text: str, **kwargs: Any) -> None:
    from tinycrm.files import write_folder

    with write_folder(folder, names=["a.csv", "b.csv"], **kwargs) as made:
        for name in ("a.csv", "b.csv"):
            with made.open(name) as handle:
                handle.write(text)


def _set(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("exchange", [True, False], ids=["exchanged", "renamed twice"])
def test_a_set_replaces_the_last_one_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    from tinycrm import files

    if not exchange:  # a system or file system without renameat2's exchange
        monkeypatch.setattr(files, "_exchange", lambda a, b: False)
    folder = tmp_path / "set"
    _write_set(folder, "one", mkdir=True)
    assert _set(folder) == {"a.csv": "one", "b.csv": "one"}
    _write_set(folder, "two")
    assert _set(folder) == {"a.csv": "two", "b.csv": "two"}
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert [p.name for p in tmp_path.iterdir()] == ["set"]


def test_a_set_that_fails_leaves_the_last_one(tmp_path: Path) -> None:
    from tinycrm.files import write_folder

    folder = tmp_path / "set"
    _write_set(folder, "one", mkdir=True)
    with pytest.raises(KeyboardInterrupt), write_folder(folder, names=["a.csv", "b.csv"]) as made:
        with made.open("a.csv") as handle:
            handle.write("two")
        raise KeyboardInterrupt  # Ctrl-C or TERM before the set is complete
    assert _set(folder) == {"a.csv": "one", "b.csv": "one"}
    assert [p.name for p in tmp_path.iterdir()] == ["set"]


def test_the_current_folder_is_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "set"
    _write_set(folder, "one", mkdir=True)
    monkeypatch.chdir(folder)
    with pytest.raises(CannotWrite, match="holds the current folder"):
        _write_set(Path("."), "two")
    assert _set(folder) == {"a.csv": "one", "b.csv": "one"}


def test_a_read_only_folder_says_so_not_only_permission_denied(
    tmp_path: Path, make_readonly
) -> None:
    """A write into a read-only folder said only the system's words ('Permission
    denied', or 'Operation not permitted' for an immutable one): now which folder, and
    why, in one line, for a file, a new folder in it and a set of files."""
    folder = make_readonly(_made(tmp_path / "ro"))
    why = rf"the folder {folder} is read-only: you cannot create files in it \(.+\)$"
    with pytest.raises(CannotWrite, match=rf"^cannot write {folder / 'out.csv'}: {why}"):
        write_text(folder / "out.csv", "new")
    with pytest.raises(CannotWrite, match=rf"^cannot create folder {folder / 'sub'}: {why}"):
        write_text(folder / "sub" / "out.csv", "new", mkdir=True)
    into = rf"^cannot write into {folder / 'set'}: {why}"
    with pytest.raises(CannotWrite, match=into), write_folder(folder / "set", names=[], mkdir=True):
        pass
    assert list(folder.iterdir()) == []


def _made(folder: Path) -> Path:
    folder.mkdir()
    return folder


@pytest.mark.parametrize(
    ("code", "why"),
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EDQUOT, "your disk quota is used up"),
        (errno.EROFS, "the disk is mounted read-only"),
    ],
)
def test_a_full_or_read_only_disk_says_so_and_leaves_the_old_file(
    tmp_path: Path, code: int, why: str
) -> None:
    """A full disk said 'No space left on device' alone; now 'the disk is full', with
    the system's words after it, and the old file stays whole, no temporary beside it."""
    target = tmp_path / "out.csv"
    target.write_text("the old export\n")
    with pytest.raises(CannotWrite) as raised, open_output(target) as handle:
        handle.write("half of the new one")
        raise OSError(code, os.strerror(code))
    assert str(raised.value) == f"cannot write {target}: {why} ({os.strerror(code)})"
    assert target.read_text() == "the old export\n"
    assert _leftovers(tmp_path) == []
