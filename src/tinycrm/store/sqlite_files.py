"""A SQLite database's files: the checks before one is opened or created, the files
beside it (WAL, shared memory, journal), the URIs it is read by, and the online backup."""

from __future__ import annotations

import os
import shlex
import sqlite3
import stat
from pathlib import Path

from tinycrm.store import sqlite_connections
from tinycrm.store.database_url import data_dir
from tinycrm.store.errors import Invalid, Unavailable


def _create_sqlite_file(path: Path) -> None:
    """Create an empty database file readable by its owner only (it holds personal data)."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def check_database_path(path: Path) -> None:
    """Refuse a database path that is a folder or not a file, and one in a missing folder
    (a typo in ``--db``), except tinycrm's own data folder (the default database, the
    demo), which is created."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise Unavailable(f"cannot open database {path}: {exc.strerror}") from exc
    if mode is not None:
        if stat.S_ISDIR(mode):
            raise Unavailable(f"cannot open database {path}: it is a directory")
        if not stat.S_ISREG(mode):
            raise Unavailable(f"cannot open database {path}: it is not a regular file")
        _refuse_foreign(path)
        _private_if_empty(path)
        return
    shown = str(path)
    if os.path.islink(path):  # a link to a database not made yet: made where it points
        path = Path(os.path.realpath(path))
        shown = f"{path} (where {shown} links to)"
    folder = path.parent
    if not folder.is_dir():
        if folder.exists() or folder.absolute() != data_dir().absolute():
            what = "is not a folder" if folder.exists() else "does not exist"
            raise Unavailable(
                f"cannot create database {shown}: folder {folder} {what} "
                "(check --db / TINYCRM_DB, or create the folder first)"
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise Unavailable(f"cannot create folder {folder}: {exc.strerror}") from exc
    try:
        _create_sqlite_file(path)
    except FileExistsError:
        pass  # another process created it first
    except OSError as exc:
        raise Unavailable(f"cannot create database {shown}: {exc.strerror}") from exc


def journal_trouble(path: Path) -> str | None:
    """What is wrong with the ``-wal`` or ``-shm`` file beside the database ``path``, when
    it cannot be one (a directory, a link to what cannot be made, a FIFO, ...): SQLite
    said only "unable to open database file". None when both are fine or absent."""
    for end, what in (("-wal", "write-ahead log"), ("-shm", "shared-memory file")):
        beside = path.with_name(path.name + end)
        try:
            mode = os.lstat(beside).st_mode
        except OSError:
            continue
        if stat.S_ISLNK(mode):
            target = os.readlink(beside)
            try:
                mode = os.stat(beside).st_mode
            except FileNotFoundError:
                folder = Path(os.path.realpath(beside)).parent
                if folder.is_dir():
                    continue  # SQLite makes the file where the link points
                return (
                    f"its {what} {beside} is a link to {target}, whose folder does not "
                    "exist: remove the link (SQLite makes the file anew)"
                )
            except OSError as exc:
                return f"its {what} {beside} is a link to {target}, which {exc.strerror}"
        if stat.S_ISDIR(mode):
            return (
                f"its {what} {beside} is a directory, not a file: move it away (SQLite "
                "makes the file anew)"
            )
        if not stat.S_ISREG(mode):
            return (
                f"its {what} {beside} is not a regular file: move it away (SQLite makes "
                "the file anew)"
            )
        if not os.access(beside, os.R_OK | os.W_OK):
            return (
                f"its {what} {beside} cannot be read and written by you (mode "
                f"{stat.filemode(os.stat(beside).st_mode)}): make it so again "
                f"(chmod u+rw {shlex.quote(str(beside))}, as its owner)"
            )
    return None


# What SQLite says when the log is shorter than the shared memory says (cut short,
# emptied), or its header is not a log's (overwritten). Not SQLITE_IOERR_WRITE nor
# SQLITE_FULL (a full disk: no fault of the log's), nor SQLITE_CORRUPT (a damaged
# database file, and a database in use always has its log beside it).
_WAL_DAMAGE = ("SQLITE_IOERR_SHORT_READ", "SQLITE_NOTADB")
_DISK_FULL = ("SQLITE_FULL", "SQLITE_IOERR_WRITE")


class LogDamaged(Unavailable):
    """A copy could not be read from the database ``path``: its write-ahead log ``wal``
    is damaged (``wal_damage`` says so in the message); ``words`` are SQLite's."""

    def __init__(self, message: str, path: Path, error: sqlite3.Error) -> None:
        super().__init__(message)
        self.wal = path.with_name(f"{path.name}-wal")
        self.words = str(error)


def wal_damage(path: Path, error: BaseException | None, reason: str) -> str | None:
    """What to say when SQLite's ``error`` (its ``reason``: "disk I/O error", "file is not
    a database") came from the write-ahead log beside the database ``path`` rather than
    from the file itself: the ``-wal`` cut short, overwritten or made unreadable while a
    tinycrm had the database open (the other processes' shared memory still counts its
    pages); or from a full disk (the log or the -shm could not grow), where SQLite says
    only "disk I/O error" too. SQLite names no file; this names it and the way out.
    None for anything else, and when the database file itself is not a SQLite database."""
    name = getattr(error, "sqlite_errorname", None)
    words = reason.removeprefix("database error: ")
    if name in _DISK_FULL:
        return (
            f"could not write it or its write-ahead log {path.name}-wal ({words}): is "
            "the disk full (or a file-size limit reached)? Nothing was saved: make room "
            "beside it and run the command again"
        )
    if name == "SQLITE_IOERR_SHMSIZE":  # the -shm could not grow: opened on a full disk
        return (
            f"could not make its shared-memory file {path.name}-shm beside it ({words}): "
            "is the disk full (or a file-size limit reached)? Nothing was saved: make "
            "room beside it and run the command again"
        )
    if name not in _WAL_DAMAGE:
        return None
    wal = path.with_name(f"{path.name}-wal")
    try:
        with path.open("rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                return None  # the file itself is not a database: that is what to say
        if not stat.S_ISREG(os.stat(wal).st_mode):
            return None  # a folder, a FIFO: journal_trouble says so
    except OSError:
        return None
    if name == "SQLITE_NOTADB" and not _readable_without_log(path):
        return None  # its own pages are damaged past the header, whatever the log holds
    return (
        f"its write-ahead log {wal} is damaged or unreadable ({words}): it was cut short, "
        "overwritten or had its permissions changed while the database was in use; nothing "
        "was changed: once no tinycrm has the database open, restore a backup (tinycrm db "
        f"restore FILE), or move {wal.name} and {path.name}-shm aside (the changes written "
        "since its last checkpoint are lost)"
    )


def not_a_database(path: Path, error: BaseException | None) -> str | None:
    """What to say when SQLite's ``error`` means the file ``path`` itself is no database
    it can read ("file is not a database": another kind of file, or its first pages
    overwritten) and its -wal is not to blame; None for anything else."""
    if getattr(error, "sqlite_errorname", None) != "SQLITE_NOTADB":
        return None
    if _readable_without_log(path):
        return None
    return (
        "it is not a SQLite database, or its first pages are damaged (file is not a "
        "database): check --db and TINYCRM_DB, or restore a backup (tinycrm db restore FILE)"
    )


def damaged_database(path: Path, error: BaseException | None) -> str | None:
    """What to say when SQLite's ``error`` found the database file ``path`` damaged
    (SQLITE_CORRUPT: a copy cut short, pages overwritten) as it was opened, as a store
    says it of damage found later; None for anything else."""
    if getattr(error, "sqlite_errorname", None) != "SQLITE_CORRUPT":
        return None
    return (
        f"it is damaged ({str(error).strip()}): restore a backup (tinycrm db restore FILE), "
        f"or save what can be read with sqlite3 {path} .recover"
    )


def _readable_without_log(path: Path) -> bool:
    """Whether SQLite reads the database file ``path`` itself, its -wal left aside."""
    try:
        conn = sqlite3.connect(sqlite_uri(path, "ro") + "&immutable=1", uri=True)
    except sqlite3.Error:
        return False
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    return True


def _private_if_empty(path: Path) -> None:
    """An empty file of the user's own (``touch crm.db``, then ``--db crm.db``) is about to
    become a database: readable by its owner only, as one tinycrm creates (its WAL and
    shared memory files take its mode). Only group's and others' bits are dropped, and
    never from a file that is not empty (a database already: its mode is the owner's
    choice), nor from another user's (root opening it)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError:
        return  # the open that follows says why
    try:
        found = os.fstat(fd)
        mode = stat.S_IMODE(found.st_mode)
        if (
            stat.S_ISREG(found.st_mode)
            and found.st_size == 0
            and found.st_uid == os.geteuid()
            and mode & 0o077
        ):
            os.fchmod(fd, mode & 0o700)
    except OSError:
        pass  # a file system without modes (FAT): as a new file there
    finally:
        os.close(fd)


_TINYCRM = {"activity", "company", "contact", "deal", "event", "field_value", "tag"}
"""Tables every tinycrm database has had since its first schema."""


def _refuse_foreign(path: Path) -> None:
    """Refuse another program's SQLite file (tables, but not tinycrm's ``alembic_version``
    and ``contact``: a program that keeps its schema with Alembic has the first) before
    anything is written into it: migrating would add tinycrm's tables to it and turn it
    to WAL. Read without writing beside it; a file that cannot be read so (not a
    database, locked) is left to the open that follows."""
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True, timeout=0)
    except sqlite3.Error:
        return
    try:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
            )
        ]
    except sqlite3.Error:
        return
    finally:
        conn.close()
    found = set(names)
    # tinycrm's own tables without alembic_version (dropped): the upgrade says what is wrong
    if names and not {"alembic_version", "contact"} <= found and not found >= _TINYCRM:
        shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
        raise Unavailable(
            f"cannot open database {path}: it is another program's database (its tables: "
            f"{shown}), not tinycrm's; give tinycrm a file of its own"
        )


def database_files(path: Path) -> list[Path]:
    """A SQLite database file and the files beside it that belong to it (WAL, shared
    memory, rollback journal), under the name given and under the file it links to."""
    names = []
    for base in dict.fromkeys([path.expanduser().absolute(), Path(os.path.realpath(path))]):
        names += [base, *(base.with_name(base.name + end) for end in ("-wal", "-shm", "-journal"))]
    return names


def refuse_database_itself(database: Path, target: Path, shown: str) -> None:
    """``Invalid`` when writing ``target`` would write onto ``database`` or its companion
    files: the same path, a symlink to one of them, or a hard link."""
    own = database_files(database)
    real = Path(os.path.realpath(target))
    if real in own or target.absolute() in own:
        raise Invalid(
            f"{shown} is the database itself (or its -wal/-shm file): choose another file"
        )
    try:
        mine = os.stat(real)
    except OSError:
        return
    for path in own:
        try:
            theirs = os.stat(path)
        except OSError:
            continue
        if (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino):
            raise Invalid(f"{shown} is a hard link to the database ({path}): choose another file")


def sqlite_uri(path: Path, mode: str) -> str:
    """The URI ``sqlite3.connect(..., uri=True)`` opens ``path`` by, in ``mode`` (``ro``,
    ``rw``): a name with ``#``, ``?`` or ``%`` is quoted, not cut or read as options."""
    from urllib.parse import quote

    return f"file:{quote(str(path))}?mode={mode}"


def read_only_uri(path: Path) -> str:
    """The URI to read the SQLite file ``path`` (a backup) by without writing beside it.

    A backup is a WAL database; read as such, SQLite makes ``-wal`` and ``-shm`` files
    next to it, and cannot in a read-only folder (a backup disk mounted read-only). With no
    ``-wal`` beside it there is nothing but the file to read, so it is opened immutable.
    """
    wal = path.with_name(f"{path.name}-wal")
    return sqlite_uri(path, "ro") + ("" if wal.exists() else "&immutable=1")


def _copy_verified(source: Path, target: Path, shown: str, *, checked: bool = True) -> None:
    """Copy the live database at ``source`` into the file ``target`` with the online backup
    API, then check the copy (``PRAGMA integrity_check``), read only: the copy of a WAL
    database is one, and a connection that went on using it would make ``-wal`` and
    ``-shm`` files beside it, which a copy killed midway would leave behind for good.
    ``shown`` names what is written in a message (``CannotWrite``) that the disk is full."""
    # In a folder that cannot be written (a read-only mount) no -shm can be made beside
    # it, and nothing can write to it meanwhile: read as a backup is read.
    writable = os.access(source.parent, os.W_OK)
    uri = sqlite_uri(source, "rw") if writable else read_only_uri(source)
    try:
        src = sqlite3.connect(uri, uri=True, timeout=sqlite_connections.BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise Unavailable(f"cannot read database {source}: {exc}") from exc
    try:
        dst = sqlite3.connect(target)
        try:  # no rollback journal: a copy that fails is thrown away, and a journal that
            # a failed write left behind (a full disk) would stay beside it
            dst.execute("PRAGMA journal_mode=OFF")
            src.backup(dst)
        finally:
            dst.close()
        if not checked:
            return
        check = sqlite3.connect(read_only_uri(target), uri=True)
        try:
            problems = [row[0] for row in check.execute("PRAGMA integrity_check")]
        finally:
            check.close()
    except sqlite3.Error as exc:
        if getattr(exc, "sqlite_errorname", None) == "SQLITE_FULL":  # only the copy grows
            from tinycrm.files import CannotWrite

            raise CannotWrite(f"cannot write {shown}: the disk is full ({exc})") from exc
        trouble = journal_trouble(source) if "unable to open" in str(exc) else None
        if trouble is None and getattr(exc, "sqlite_errorname", None) in _WAL_DAMAGE:
            trouble = wal_damage(source, exc, str(exc))  # the copy's own cannot be damaged
            if trouble is not None:
                raise LogDamaged(f"cannot read database {source}: {trouble}", source, exc) from exc
        trouble = trouble or not_a_database(source, exc)
        if trouble is not None:  # its -wal a directory, ...: the file named, not SQLite's words
            raise Unavailable(f"cannot read database {source}: {trouble}") from exc
        raise Unavailable(f"backup failed: {exc}") from exc
    finally:
        src.close()
    if problems != ["ok"]:
        raise Unavailable(f"backup failed its integrity check: {problems[0]}")


def backup_sqlite(
    source: Path, target: Path | str, *, mkdir: bool = False, checked: bool = True
) -> Path | None:
    """Copy a live SQLite database with the online backup API (safe while it is in use).

    The copy is made in a temporary file beside ``target``, checked, and renamed over it
    only then; ``target`` may not be the database itself (nor a link to it or its WAL).
    ``-`` and ``/dev/stdout`` write the copy to standard output, a FIFO is written into.
    Returns the file written (None for a stream). ``CannotWrite``/``Invalid``/``Unavailable``
    with one line when it cannot be. ``checked=False``: a damaged database is copied as it
    is (the copy ``db restore`` keeps of what it replaces), not refused.
    """
    from tinycrm import files

    dest = files.resolve(target, mkdir=mkdir)
    if dest.path is not None:
        refuse_database_itself(source, dest.path, dest.shown)
    if not dest.stream:
        assert dest.path is not None
        with files.temporary_beside(dest.path) as temp:
            _copy_verified(source, temp, dest.shown, checked=checked)
        return dest.path
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="tinycrm-backup-") as folder:
        copy = Path(folder) / "backup.db"
        _copy_verified(source, copy, f"a temporary copy in {folder}", checked=checked)
        with files.open_output(target, binary=True) as stream, copy.open("rb") as data:
            shutil.copyfileobj(data, stream, 1 << 20)
    return None


def place_new(temp: Path, target: Path) -> None:
    """Move the new database ``temp`` (no connection open on it) to ``target``, where
    there is none: its write-ahead log checkpointed into it first, so that the file alone
    holds everything, then linked at ``target``, never over a database another process
    made there meanwhile (``Unavailable``: this one is not kept)."""
    from tinycrm import interrupts

    try:
        conn = sqlite3.connect(temp, timeout=sqlite_connections.BUSY_TIMEOUT_MS / 1000)
        try:
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        finally:
            conn.close()
        wal = Path(f"{temp}-wal")
        if busy or (wal.exists() and wal.stat().st_size):
            raise Unavailable(f"cannot create database {target}: its journal is still in use")
        fd = os.open(temp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        with interrupts.saving():  # in place, or not at all
            try:
                os.link(temp, target)  # never over another's
            except FileExistsError:
                raise Unavailable(
                    f"cannot create database {target}: another process made one there "
                    "meanwhile (this command's is not kept: nothing it did was saved; run "
                    "it again to work in that one)"
                ) from None
            except OSError:  # a file system without hard links
                if os.path.lexists(target):
                    raise
                os.rename(temp, target)
    except (sqlite3.Error, OSError) as exc:
        raise Unavailable(f"cannot create database {target}: {exc}") from exc
    try:
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass
