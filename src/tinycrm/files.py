"""Writing files safely: every file tinycrm writes goes through here.

A file is written into a temporary file in its own folder, flushed to disk and
renamed over the target only when it is complete, so an interrupted or failed
write leaves the old file (or none) and never half a file. Files are created
readable by their owner only (0600) unless they hold nothing personal.

Where the target is not a plain file the rules are:

* ``-`` and ``/dev/stdout`` mean standard output;
* a FIFO or a character device (``/dev/null``, a terminal) is written into as a
  stream, never replaced; a socket or a block device is refused;
* a symlink is followed: its target is written and the link is kept;
* a missing folder is an error unless ``mkdir=True`` (``--mkdir``);
* a folder, ``/proc``, a read-only or full disk: :class:`CannotWrite`, whose
  message is one line (the command line turns it into exit 1).

A write killed midway (``kill -9``, a crash, a power cut) cannot remove its temporary
file: its name carries the writer's process id (``.NAME.tinycrm-PID-XXXXXXXX.tmp``) and
the writer holds a lock on it while it writes, so the next write to the same folder
removes the ones whose writer is gone (:func:`remove_leftovers`), and no other file.

A set of files that belong together (``export all --format csv``) is written whole too:
into a new temporary folder beside the target folder (0700, its files 0600), flushed,
then swapped into place in one step (:func:`write_folder`), so an interrupted or failed
export leaves the last set, or nothing, and never new files beside old ones.

This module imports nothing heavy, so commands can use it before the store.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tinycrm import interrupts
from tinycrm.errors import Invalid, TinyCrmError

try:
    import fcntl
except ImportError:  # (not POSIX: no locks, so leftovers stay)
    fcntl = None  # type: ignore[assignment]

STDOUT_NAMES = ("-", "/dev/stdout")
PRIVATE = 0o600
# A temporary file or folder of a write under way: .NAME.tinycrm-PID-XXXXXXXX.tmp, with
# mkstemp's 8 random characters; NAME is the target's, cut to _NAME_BYTES (a name has
# at most 255 bytes, and a target's may use them all)
_TEMPORARY = re.compile(r"\..*\.tinycrm-([1-9][0-9]{0,9})-[a-z0-9_]{8}\.tmp", re.DOTALL)
_NAME_BYTES = 160


class CannotWrite(Invalid):
    """A file cannot be written where asked; ``str(err)`` is one line for a user."""


@dataclass(frozen=True)
class Target:
    """Where a write goes: standard output, a stream (FIFO, device) or a file."""

    shown: str  # the name as the user gave it, for messages
    path: Path | None  # None: standard output
    stream: bool  # written in place (standard output, a FIFO, a character device)

    @property
    def is_stdout(self) -> bool:
        return self.path is None


def reaches_terminal(path: str | os.PathLike[str]) -> bool:
    """Whether writing ``path`` would put bytes on a terminal: standard output that is
    one, or a character device that is one (``/dev/tty``). A binary file (a PDF, a
    database copy) is refused there: its bytes include escape sequences. Checked before
    anything is made (no folder is created, nothing is opened but a device)."""
    text = os.fspath(path)
    if text in STDOUT_NAMES:
        try:
            return sys.stdout.isatty()
        except (AttributeError, ValueError):
            return False
    try:  # only a character device can be a terminal: a FIFO is never opened here (its
        # reader would see the open and close as the end of the write)
        device = Path(text).expanduser()
        if not stat.S_ISCHR(os.stat(device).st_mode):
            return False
        fd = os.open(device, os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK)
    except (OSError, ValueError, RuntimeError):  # ValueError: a NUL in the name,
        # RuntimeError: ~name of no user (the write says so)
        return False
    try:
        return os.isatty(fd)
    finally:
        os.close(fd)


def expand_home(
    path: str | os.PathLike[str], doing: str, error: type[TinyCrmError] = Invalid
) -> Path:
    """``path`` with a leading ``~`` or ``~user`` expanded. ``~nouser/x.db`` (no such
    user) or ``~`` with no home known raised RuntimeError from ``Path.expanduser``, a
    traceback; now ``error``, one line: ``{doing} {path}: there is no user …``."""
    text = os.fspath(path)
    try:
        return Path(text).expanduser()
    except RuntimeError:
        user = text[1:].split("/", 1)[0]
        if not user:
            raise error(
                f"{doing} {text}: the home folder (~) is not known (HOME is not set)"
            ) from None
        raise error(
            f"{doing} {text}: there is no user {user} whose home folder ~{user} is "
            "(did you mean ~/?)"
        ) from None


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


# What a file's write failed of, in words, before the system's own ('the disk is full
# (No space left on device)'): the system's alone said 'Permission denied' of a
# read-only folder, naming neither the folder nor why.
_DISK_WORDS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "your disk quota is used up",
    errno.EFBIG: "the file is larger than the disk or your limits allow",
    errno.EROFS: "the disk is mounted read-only",
}


def _why(exc: OSError, folder: Path | None = None) -> str:
    """Why a file could not be written into ``folder`` (where its temporary file, or
    folder, is made and renamed), in one line: the folder read-only, the disk full or
    mounted read-only; the system's words after it, or alone for anything else."""
    said = _reason(exc)
    if exc.errno in (errno.EACCES, errno.EPERM) and folder is not None:
        return f"the folder {folder} is read-only: you cannot create files in it ({said})"
    words = _DISK_WORDS.get(exc.errno or 0)
    return f"{words} ({said})" if words else said


def resolve(path: str | os.PathLike[str], *, mkdir: bool = False) -> Target:
    """Where writing ``path`` goes, checked before anything is written.

    Raises :class:`CannotWrite` for a folder, a socket, a block device, a
    missing folder (unless ``mkdir``) and a parent that is not a folder.
    """
    text = os.fspath(path)
    if text in STDOUT_NAMES:
        return Target(text, None, True)
    if not text.strip():
        raise CannotWrite("no file name given")
    if "\0" in text:
        raise CannotWrite("a file name cannot contain NUL")
    given = expand_home(text, "cannot write", CannotWrite)
    try:
        mode: int | None = os.stat(given).st_mode  # follows symlinks
    except (FileNotFoundError, NotADirectoryError):  # the folder is checked below
        mode = None
    except OSError as exc:
        raise CannotWrite(f"cannot write {text}: {_reason(exc)}") from None
    if mode is not None:
        if stat.S_ISDIR(mode):
            raise CannotWrite(f"{text} is a folder: give a file name")
        if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
            return Target(text, given, True)
        if stat.S_ISSOCK(mode):
            raise CannotWrite(f"{text} is a socket: tinycrm writes files, FIFOs and - only")
        if not stat.S_ISREG(mode):
            raise CannotWrite(f"{text} is a device: tinycrm writes files, FIFOs and - only")
    real = Path(os.path.realpath(given))
    if mode is None:
        _check_folder(real.parent, text, mkdir=mkdir)
    return Target(text, real, False)


def _check_folder(folder: Path, shown: str, *, mkdir: bool) -> None:
    try:
        mode = os.stat(folder).st_mode
    except FileNotFoundError:
        if not mkdir:
            raise CannotWrite(
                f"cannot write {shown}: folder {folder} does not exist (--mkdir creates it)"
            ) from None
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            made = Path(exc.filename) if isinstance(exc.filename, str) else folder
            raise CannotWrite(f"cannot create folder {folder}: {_why(exc, made.parent)}") from None
        return
    except NotADirectoryError:
        raise CannotWrite(f"cannot write {shown}: {folder} is not a folder") from None
    except OSError as exc:
        raise CannotWrite(f"cannot write {shown}: {_reason(exc)}") from None
    if not stat.S_ISDIR(mode):
        raise CannotWrite(f"cannot write {shown}: {folder} is not a folder")


def _umask_mode() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: some file systems refuse)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def temporary_beside(target: Path, *, private: bool = True) -> Iterator[Path]:
    """A new empty temporary file in ``target``'s folder, renamed over ``target`` when the
    block ends without an error and removed when it does not.

    For writers that need a path rather than a file object (SQLite's backup API).
    ``target`` is a resolved file path (see :func:`resolve`).
    """
    remove_leftovers(target.parent)
    temp: Path | None = None
    fd = -1
    try:
        # A signal waits while the file is made (it is not counted as saving anything):
        # one that came between mkstemp and this block left the file behind for good.
        with interrupts.aside(), interrupts.saving():
            try:
                fd, name = tempfile.mkstemp(
                    prefix=_prefix(target), suffix=".tmp", dir=target.parent
                )
            except OSError as exc:
                raise CannotWrite(f"cannot write {target}: {_why(exc, target.parent)}") from None
            _hold(fd)
            temp = Path(name)
        yield temp
        _commit(temp, target, private=private)
    except BaseException:
        if temp is not None:
            temp.unlink(missing_ok=True)
        raise
    finally:
        if fd >= 0:
            os.close(fd)  # (the lock goes with it)


@contextlib.contextmanager
def temporary_folder(target: Path) -> Iterator[Path]:
    """A new private folder beside ``target`` (``.NAME.tinycrm-PID-XXXXXXXX.tmp``, 0700),
    locked while the block runs and removed with the files it holds when the block ends,
    however it ends: where to build what is then moved to ``target`` (a new database and
    its -wal and -shm). One a killed process left is removed by the next write into the
    folder (:func:`remove_leftovers`). ``target`` is a resolved path; :class:`CannotWrite`
    when its folder takes no new folder."""
    with _locked_folder(target, f"cannot write {target}") as temp:
        try:
            yield temp
        finally:
            shutil.rmtree(temp, ignore_errors=True)


@contextlib.contextmanager
def _locked_folder(target: Path, cannot: str) -> Iterator[Path]:
    """A new private folder beside ``target`` (``.NAME.tinycrm-PID-XXXXXXXX.tmp``, 0700),
    locked while the block runs, removed with what it holds when the block raises and
    left where it is (moved, or to be removed) when it does not. :class:`CannotWrite`,
    ``cannot`` and why, when ``target``'s folder takes no new folder."""
    remove_leftovers(target.parent)
    temp: Path | None = None
    fd = -1
    try:
        with interrupts.aside(), interrupts.saving():  # see temporary_beside
            try:
                made = tempfile.mkdtemp(prefix=_prefix(target), suffix=".tmp", dir=target.parent)
                fd = os.open(made, os.O_RDONLY | os.O_DIRECTORY)
            except OSError as exc:
                raise CannotWrite(f"{cannot}: {_why(exc, target.parent)}") from None
            _hold(fd)
            temp = Path(made)
        yield temp
    except BaseException:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
        raise
    finally:
        if fd >= 0:
            os.close(fd)  # (the lock goes with it)


def _prefix(target: Path) -> str:
    """The start of a temporary name beside ``target``: ``.NAME.tinycrm-PID-``."""
    name = os.fsencode(target.name)[:_NAME_BYTES].decode("utf-8", "ignore")  # whole characters
    return f".{name}.tinycrm-{os.getpid()}-"


def _hold(fd: int) -> None:
    """Lock the temporary file or folder open as ``fd`` while its write lasts: a write
    that finds it unlocked knows its writer is gone (a lock goes with its process)."""
    if fcntl is not None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def remove_leftovers(folder: Path) -> None:
    """Remove from ``folder`` the temporary files and folders that writes killed midway
    left (``.NAME.tinycrm-PID-XXXXXXXX.tmp``): only those of that name, the user's own,
    a file or a folder (not a link), whose writer's process is not running and whose
    lock is free (a writer in another PID namespace, or on another machine sharing the
    folder, holds it). Best effort: what cannot be removed stays, and says nothing."""
    if fcntl is None:
        return
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        found = _TEMPORARY.fullmatch(entry.name)
        if found is None or not _gone(int(found[1])):
            continue
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if info.st_uid == os.geteuid() and (
                stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)
            ):
                _remove_unlocked(Path(entry.path), info)


def _gone(pid: int) -> bool:
    """Whether no process ``pid`` runs (here: one elsewhere has its lock to say so)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):  # another user's process, or no process id at all
        return False
    return False


def _remove_unlocked(path: Path, info: os.stat_result) -> None:
    """Remove a leftover found as ``info`` when no one holds its lock: a file, or a
    folder of :func:`write_folder` with the files it holds (a folder holding anything
    else stays)."""
    assert fcntl is not None
    folder = stat.S_ISDIR(info.st_mode)
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | (os.O_DIRECTORY if folder else 0)
    fd = os.open(path, flags)
    try:
        now = os.fstat(fd)
        if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
            return  # not the one looked at
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # BlockingIOError: its writer runs
            return
        if not folder:
            path.unlink()
            return
        for child in os.scandir(fd):
            if child.is_file(follow_symlinks=False) and (
                child.stat(follow_symlinks=False).st_uid == os.geteuid()
            ):
                os.unlink(child.name, dir_fd=fd)
        path.rmdir()
    finally:
        os.close(fd)


def _commit(temp: Path, target: Path, *, private: bool) -> None:
    try:
        fd = os.open(temp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(temp, PRIVATE if private else _umask_mode())
        with interrupts.saving():  # Ctrl-C after the rename must not say "nothing saved"
            os.replace(temp, target)
    except OSError as exc:
        raise CannotWrite(f"cannot write {target}: {_why(exc, target.parent)}") from None
    _sync_folder(target.parent)


@contextlib.contextmanager
def open_output(
    path: str | os.PathLike[str],
    *,
    binary: bool = False,
    private: bool = True,
    mkdir: bool = False,
    encoding: str = "utf-8",
    newline: str | None = "",
    errors: str = "strict",
) -> Iterator[IO[Any]]:
    """A file object to write ``path`` through; the file appears, whole, when the block ends.

    ``-``/``/dev/stdout`` yield standard output, a FIFO or character device is opened
    as a stream; anything else is a temporary file renamed into place on success (mode
    0600 when ``private``) and removed on failure. OS errors become :class:`CannotWrite`.
    """
    target = resolve(path, mkdir=mkdir)
    if target.path is None:
        stream: IO[Any] = sys.stdout.buffer if binary else sys.stdout
        try:
            yield stream
            stream.flush()
        except BrokenPipeError:
            # `tinycrm db backup - | ssh …` cut short: a copy or an export that is not whole
            # is a failure, said so (a list into `| head` is not: it is read, not kept)
            _quiet_stdout()
            raise CannotWrite(
                "cannot write standard output: the reader went away before the end "
                "(what it got is not whole)"
            ) from None
        return
    if target.stream:
        try:
            raw = os.open(target.path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
            handle: IO[Any] = (
                os.fdopen(raw, "wb")
                if binary
                else os.fdopen(raw, "w", encoding=encoding, errors=errors, newline=newline)
            )
        except OSError as exc:
            raise CannotWrite(f"cannot write {target.shown}: {_reason(exc)}") from None
        try:
            with handle:
                yield handle
                handle.flush()
        except BrokenPipeError:
            raise CannotWrite(f"cannot write {target.shown}: the reader went away") from None
        except OSError as exc:  # /dev/full, a device gone
            raise CannotWrite(f"cannot write {target.shown}: {_reason(exc)}") from None
        return
    with temporary_beside(target.path, private=private) as temp:
        try:
            with _open_temp(temp, binary, encoding, newline, errors) as handle:
                yield handle
        except OSError as exc:  # a full disk: no folder's fault
            raise CannotWrite(f"cannot write {target.shown}: {_why(exc)}") from None


def _quiet_stdout() -> None:
    """Standard output into nothing from now on: Python's own flush at exit must not say
    the pipe broke once more (a traceback-like line on stderr)."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _open_temp(
    temp: Path, binary: bool, encoding: str, newline: str | None, errors: str
) -> IO[Any]:
    if binary:
        return open(temp, "wb")
    return open(temp, "w", encoding=encoding, errors=errors, newline=newline)


def write_bytes(
    path: str | os.PathLike[str], data: bytes, *, private: bool = True, mkdir: bool = False
) -> None:
    """Write ``data`` to ``path`` whole (see :func:`open_output`)."""
    with open_output(path, binary=True, private=private, mkdir=mkdir) as handle:
        handle.write(data)


def write_text(
    path: str | os.PathLike[str],
    text: str,
    *,
    private: bool = True,
    mkdir: bool = False,
    encoding: str = "utf-8",
) -> None:
    """Write ``text`` to ``path`` whole (see :func:`open_output`)."""
    with open_output(path, private=private, mkdir=mkdir, encoding=encoding) as handle:
        handle.write(text)


# --------------------------------------------------------------------------- a set of files


class NewFolder:
    """The temporary folder :func:`write_folder` fills: ``open(name)`` for each file."""

    def __init__(self, path: Path, shown: str) -> None:
        self.path = path
        self.shown = shown

    @contextlib.contextmanager
    def open(
        self, name: str, *, encoding: str = "utf-8", newline: str | None = ""
    ) -> Iterator[IO[str]]:
        """A new file ``name`` (0600), flushed to disk when the block ends. OS errors,
        the block's own included (a full disk), become :class:`CannotWrite`."""
        try:
            fd = os.open(self.path / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
            with os.fdopen(fd, "w", encoding=encoding, newline=newline) as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            shown = os.path.join(self.shown, name)
            raise CannotWrite(f"cannot write {shown}: {_why(exc)}") from None


@contextlib.contextmanager
def write_folder(
    path: str | os.PathLike[str],
    *,
    names: Collection[str],
    mkdir: bool = False,
    what: str = "a tinycrm CSV export",
) -> Iterator[NewFolder]:
    """A folder of files (``names``) that replaces ``path`` whole when the block ends.

    The files are written into a new temporary folder beside ``path`` (0700), which is
    swapped into place when the block ends without an error and removed when it does
    not: the last set stays, or nothing appears, never a mix. ``path`` is checked before
    the block runs (:class:`CannotWrite`, one line): a file, or a folder holding anything
    but files of the set (the last export), is refused rather than replaced; a folder
    the user cannot write into too; a missing one needs ``mkdir`` (its parents are made
    then). A link to the folder is kept and the folder it names replaced. ``what``
    names the set in the message that refuses a folder holding anything else.
    """
    shown = os.fspath(path)
    target = _set_folder(shown, names, mkdir=mkdir, what=what)
    # (the new set is made beside it: why its folder takes no new folder)
    with _locked_folder(target, f"cannot write into {shown}") as temp:
        yield NewFolder(temp, shown)
        _sync_folder(temp)
        _set_folder(shown, names, mkdir=mkdir, what=what)  # again: nothing of the user's came in
        old = _swap(temp, target, shown)
    _sync_folder(target.parent)
    if old is not None:
        _discard(old, names)


def _set_folder(shown: str, names: Collection[str], *, mkdir: bool, what: str) -> Path:
    """The folder a set replaces, resolved (links followed), or :class:`CannotWrite`."""
    if not shown.strip():
        raise CannotWrite("no folder name given")
    if "\0" in shown:
        raise CannotWrite("a folder name cannot contain NUL")
    given = expand_home(shown, "cannot write into", CannotWrite)
    try:
        mode: int | None = os.stat(given).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:  # a parent that is a file, /proc
        raise CannotWrite(f"cannot write into {shown}: {_reason(exc)}") from None
    real = Path(os.path.realpath(given))
    if mode is None:
        if not mkdir:
            raise CannotWrite(f"cannot write into {shown}: it does not exist (--mkdir creates it)")
        _check_folder(real.parent, shown, mkdir=True)
        return real
    if not stat.S_ISDIR(mode):
        raise CannotWrite(f"cannot write into {shown}: it is not a folder")
    here = Path(os.path.realpath(os.getcwd()))
    if real == real.parent or real == here or real in here.parents:
        raise CannotWrite(
            f"cannot write into {shown}: it is replaced whole, and it holds the current "
            "folder (give it from outside)"
        )
    try:
        entries = sorted(os.scandir(real), key=lambda e: e.name)
    except OSError as exc:
        raise CannotWrite(f"cannot write into {shown}: {_reason(exc)}") from None
    others = [
        e.name for e in entries if e.name not in names or not e.is_file(follow_symlinks=False)
    ]
    if others:
        listed = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
        raise CannotWrite(
            f"cannot write into {shown}: it holds files that are not {what} "
            f"({listed}); give a new folder, or one with an earlier export"
        )
    if not os.access(real, os.W_OK):
        denied = PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        raise CannotWrite(f"cannot write into {shown}: {_why(denied, real)}")
    return real


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux's ``renameat2`` with ``RENAME_EXCHANGE``);
    False where the system or the file system cannot (the caller renames twice)."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        call = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library without it
        return False
    call.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    call.restype = ctypes.c_int
    if call(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), os.fspath(b))


def _swap(temp: Path, target: Path, shown: str) -> Path | None:
    """Put the folder ``temp`` where ``target`` is; the old ``target``, now elsewhere, is
    returned for :func:`_discard` (None: there was none). Signals wait until it is done
    (it is what the command saves)."""
    with interrupts.saving():
        try:
            if not target.exists():
                os.rename(temp, target)
                return None
            if _exchange(temp, target):
                return temp
            # Two renames: only a crash between them (not a signal: they wait) leaves the
            # last set under the hidden name beside the folder.
            spare = Path(
                tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent)
            )
            try:
                os.rename(target, spare)
            except OSError:
                spare.rmdir()
                raise
            try:
                os.rename(temp, target)
            except OSError:
                os.rename(spare, target)
                raise
            return spare
        except OSError as exc:
            raise CannotWrite(f"cannot write into {shown}: {_reason(exc)}") from None


def _discard(old: Path, names: Collection[str]) -> None:
    """Remove the last set's folder: its files by name, then the folder (anything else
    that came into it meanwhile keeps it)."""
    for name in names:
        with contextlib.suppress(OSError):
            (old / name).unlink()
    with contextlib.suppress(OSError):
        old.rmdir()
