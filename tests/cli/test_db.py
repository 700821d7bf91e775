"""``tinycrm db`` and the global --db option."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import sqlite3
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from tests.cli.conftest import tinycrm_executable


def test_db_path_follows_option_env_and_default(cli, tmp_path: Path, monkeypatch) -> None:
    assert cli("db", "path").stdout.strip() == str(tmp_path / "tinycrm.db")
    assert cli("--db", str(tmp_path / "x.db"), "db", "path").stdout.strip() == str(
        tmp_path / "x.db"
    )
    monkeypatch.delenv("TINYCRM_DB")
    expected = Path(os.environ["XDG_DATA_HOME"]) / "tinycrm" / "tinycrm.db"
    assert cli("db", "path").stdout.strip() == str(expected)
    url = "postgresql+psycopg://me:secret@db.example/crm"
    assert cli("--db", url, "db", "path").stdout.strip() == (
        "postgresql+psycopg://me:***@db.example/crm"
    )


@pytest.mark.parametrize("url", ["sqlite://", "sqlite+pysqlite://", "sqlite:///:memory:"])
def test_a_database_in_memory_is_refused_by_the_command_line(cli, url: str, monkeypatch) -> None:
    # 'Added contact #1' of a contact gone when the command ends would be a lie
    added = cli("--db", url, "contact", "add", "Ada Lovelace")
    assert added.exit_code == 2 and added.stdout == ""
    assert added.stderr.count("\n") == 1 and "gone when this command ends" in added.stderr
    monkeypatch.setenv("TINYCRM_DB", url)
    assert cli("contact", "list").exit_code == 2
    import tinycrm  # the library keeps it: a script's scratch database

    with tinycrm.open(url) as crm:
        assert crm.contacts.add("Ada Lovelace").id == 1


def test_default_database_is_created_private_in_the_data_dir(cli, monkeypatch) -> None:
    monkeypatch.delenv("TINYCRM_DB")
    assert cli("contact", "add", "Ada").exit_code == 0
    path = Path(os.environ["XDG_DATA_HOME"]) / "tinycrm" / "tinycrm.db"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_upgrade_and_backup(cli, tmp_path: Path) -> None:
    assert "Created a new database" in cli("db", "upgrade").stdout
    assert "up to date" in cli("db", "upgrade").stdout
    cli("contact", "add", "Ada")
    target = tmp_path / "backup.db"
    result = cli("db", "backup", str(target))
    assert result.exit_code == 0, result.stderr
    again = cli("db", "backup", str(target))
    assert again.exit_code == 1 and "--force" in again.stderr
    assert cli("db", "backup", str(target), "--force").exit_code == 0
    listed = cli("--db", str(target), "contact", "list", "--json").json()
    assert [c["name"] for c in listed] == ["Ada"]


# --------------------------------------------------------------------------- backup, safely


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def _names(cli, db: Path) -> list[str]:
    listed = cli("--db", str(db), "contact", "list", "--json")
    assert listed.exit_code == 0, listed.stderr
    return [c["name"] for c in listed.json()]


@pytest.mark.parametrize("how", ["same", "relative", "symlink", "hardlink", "wal", "shm"])
def test_backup_onto_the_database_itself_is_refused(cli, sh, tmp_path: Path, how: str) -> None:
    """Was: unlinked the database, then hung ignoring Ctrl-C, leaving it empty."""
    db = tmp_path / "crm.db"
    assert cli("--db", str(db), "contact", "add", "Ada").exit_code == 0
    target = {
        "same": str(db),
        "relative": f"{tmp_path}/./sub/../crm.db",
        "symlink": str(tmp_path / "link.db"),
        "hardlink": str(tmp_path / "hard.db"),
        "wal": f"{db}-wal",
        "shm": f"{db}-shm",
    }[how]
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.db").symlink_to(db)
    os.link(db, tmp_path / "hard.db")
    result = sh("--db", str(db), "db", "backup", target, "--force")  # 60 s timeout: no hang
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert "the database" in result.stderr and "choose another file" in result.stderr
    assert _names(cli, db) == ["Ada"]
    assert _integrity(db) == "ok"


def test_backup_is_verified_private_and_leaves_nothing_behind(cli, tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    cli("--db", str(db), "contact", "add", "Ada")
    backups = tmp_path / "backups"
    backups.mkdir()
    target = backups / "crm-backup.db"
    target.write_text("an older backup")
    target.chmod(0o644)
    result = cli("--db", str(db), "db", "backup", str(target), "--force")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in backups.iterdir()) == ["crm-backup.db"]
    assert _integrity(target) == "ok"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert _names(cli, target) == ["Ada"]


@pytest.mark.parametrize("revision", ["0099", "0024"])
def test_backup_copies_a_database_of_another_schema_as_it_is(
    cli, tmp_path: Path, revision: str
) -> None:
    """A database a newer tinycrm upgraded (schema 0099 here) was refused: 'database schema
    '0099' is newer than this tinycrm knows', so the older tinycrm still installed could not
    back it up; an older one (0024) was upgraded before being copied. A backup is a copy:
    either is copied at its own schema, nothing written to it (no upgrade, no .bak)."""
    from alembic import command
    from sqlalchemy import create_engine

    from tinycrm.store.migrations.runner import make_config

    db = tmp_path / "crm.db"
    if revision == "0099":
        cli("--db", str(db), "contact", "add", "Ada")
        with sqlite3.connect(db) as raw:
            raw.execute("UPDATE alembic_version SET version_num = '0099'")
        raw.close()
    else:
        engine = create_engine(f"sqlite:///{db}")
        with engine.begin() as conn:
            command.upgrade(make_config(conn), revision)
        engine.dispose()
    before = db.read_bytes()
    target = tmp_path / "b.db"
    result = cli("--db", str(db), "db", "backup", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # no upgrade said
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.db", "crm.db"]
    assert _integrity(target) == "ok"
    with sqlite3.connect(target) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [(revision,)]
        names = [row[0] for row in raw.execute("SELECT name FROM contact")]
    raw.close()
    assert names == (["Ada"] if revision == "0099" else [])


def test_backup_of_no_database_is_refused_and_creates_none(cli, tmp_path: Path) -> None:
    """There is nothing to copy: said in one line, no empty database made to copy."""
    db = tmp_path / "typo.db"
    result = cli("--db", str(db), "db", "backup", str(tmp_path / "b.db"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: no database at {db}: nothing to back up\n"
    assert list(tmp_path.iterdir()) == []


def test_backup_into_a_link_writes_the_link_target(cli, tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    cli("--db", str(db), "contact", "add", "Ada")
    real = tmp_path / "real.db"
    link = tmp_path / "latest.db"
    link.symlink_to(real)
    assert cli("--db", str(db), "db", "backup", str(link)).exit_code == 0
    assert link.is_symlink() and _names(cli, real) == ["Ada"]


def test_backup_to_standard_output_and_a_fifo(cli, sh, tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    cli("--db", str(db), "contact", "add", "Ada")
    proc = subprocess.run(
        [*tinycrm_executable(), "--db", str(db), "db", "backup", "-"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0 and proc.stderr == b""
    copy = tmp_path / "from-stdout.db"
    copy.write_bytes(proc.stdout)
    assert _names(cli, copy) == ["Ada"]
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    assert sh("--db", str(db), "db", "backup", str(fifo)).exit_code == 0
    reader.join(timeout=60)
    assert got == [proc.stdout] and stat.S_ISFIFO(fifo.stat().st_mode)


def test_backup_folder_must_exist_unless_mkdir(cli, tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    cli("--db", str(db), "contact", "add", "Ada")
    target = tmp_path / "new" / "dir" / "b.db"
    refused = cli("--db", str(db), "db", "backup", str(target))
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"Error: cannot write {target}: folder {target.parent} does not exist "
        "(--mkdir creates it)\n"
    )
    assert not (tmp_path / "new").exists()
    assert cli("--db", str(db), "db", "backup", str(target), "--mkdir").exit_code == 0
    assert _names(cli, target) == ["Ada"]
    for bad in (str(tmp_path), "/proc/crm.db"):
        result = cli("--db", str(db), "db", "backup", bad)
        assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1, result.stderr


def test_backup_into_a_read_only_folder_is_one_line(cli, tmp_path: Path, make_readonly) -> None:
    db = tmp_path / "crm.db"
    cli("--db", str(db), "contact", "add", "Ada")
    (tmp_path / "ro").mkdir()
    folder = make_readonly(tmp_path / "ro")
    result = cli("--db", str(db), "db", "backup", str(folder / "b.db"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot write {folder / 'b.db'}: ")
    assert len(result.stderr.splitlines()) == 1
    assert list(folder.iterdir()) == []


def _padded(cli, tmp_path: Path) -> Path:
    """A database big enough (150 MB) that copying it takes a while."""
    db = tmp_path / "crm.db"
    cli("--db", str(db), "contact", "add", "Ada")
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE padding (blob BLOB)")
    conn.executemany("INSERT INTO padding VALUES (randomblob(1000000))", [()] * 150)
    conn.commit()
    conn.close()
    return db


def test_ctrl_c_during_a_backup_leaves_nothing(cli, tmp_path: Path) -> None:
    db = _padded(cli, tmp_path)
    folder = tmp_path / "backups"
    folder.mkdir()
    target = folder / "b.db"
    proc = subprocess.Popen(
        [*tinycrm_executable(), "--db", str(db), "db", "backup", str(target)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while proc.poll() is None:
            if list(folder.iterdir()):
                proc.send_signal(signal.SIGINT)
                break
        _, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    if proc.returncode == 130:
        assert stderr == "Error: interrupted; nothing was saved by the unfinished command\n"
        assert list(folder.iterdir()) == []
    else:  # it had finished: a whole backup and nothing else
        assert proc.returncode == 0, stderr
        assert [p.name for p in folder.iterdir()] == ["b.db"] and _integrity(target) == "ok"
    assert _integrity(db) == "ok"


def _small_disk() -> None:
    """In the child: files past 100 kB cannot grow (EFBIG, as a full disk's ENOSPC)."""
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))


def test_a_backup_that_runs_out_of_room_leaves_the_old_one_and_nothing_else(
    cli, tmp_path: Path
) -> None:
    """The copy's rollback journal went with it: SQLite keeps a journal it could not
    roll back for the next opener, and '.b.db.XXXX.tmp-journal' stayed in the folder."""
    db = tmp_path / "crm.db"
    people = tmp_path / "people.csv"
    rows = "".join(f"P{i},p{i}@x.io,{'x' * 100}\n" for i in range(2000))
    people.write_text("Name,Email,Notes\n" + rows)
    assert cli("--db", str(db), "import", "contacts", str(people)).exit_code == 0
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "b.db").write_text("the last backup")
    proc = subprocess.run(
        [*tinycrm_executable(), "--db", str(db), "db", "backup", str(folder / "b.db"), "--force"],
        capture_output=True,
        text=True,
        preexec_fn=_small_disk,
        timeout=60,
    )
    assert proc.returncode == 1 and proc.stderr.startswith("Error: backup failed: ")
    assert proc.stderr.count("\n") == 1
    assert [p.name for p in folder.iterdir()] == ["b.db"]
    assert (folder / "b.db").read_text() == "the last backup"


def test_restore_from_the_database_itself_is_refused(cli, tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    cli("--db", str(db), "contact", "add", "Ada")
    (tmp_path / "link.db").symlink_to(db)
    for source in (db, tmp_path / "link.db", Path(f"{db}-wal")):
        result = cli("--db", str(db), "db", "restore", str(source), "--yes")
        assert result.exit_code == 1 and "is the database itself" in result.stderr, source
    assert _names(cli, db) == ["Ada"]


@pytest.mark.parametrize("name", ["backup#1.db", "backup?x.db", "50%41.db"])
def test_a_backup_whose_name_holds_hash_question_or_percent_is_restored(
    cli, tmp_path: Path, name: str
) -> None:
    """The backup was opened as a URI with its name as written: 'backup#1.db' opened
    'backup' (made empty and writable beside it) and was refused as 'not a tinycrm database'."""
    db = tmp_path / "crm.db"
    cli("--db", str(db), "contact", "add", "Ada")
    assert cli("--db", str(db), "db", "backup", str(tmp_path / name)).exit_code == 0
    cli("--db", str(db), "contact", "add", "Bea")
    result = cli("--db", str(db), "db", "restore", str(tmp_path / name), "--yes")
    assert result.exit_code == 0, result.stderr
    assert _names(cli, db) == ["Ada"]
    made = [p.name for p in tmp_path.iterdir() if not p.name.startswith(("crm.db", name))]
    assert made == []


def test_a_backup_in_a_read_only_folder_is_restored_and_left_as_it_was(
    cli, tmp_path: Path, make_readonly
) -> None:
    """A backup is a WAL database: reading it made '-wal' and '-shm' files beside it (also
    when the restore was refused for want of --yes), and in a read-only folder (a backup
    disk mounted read-only) it was refused as 'not a tinycrm database'."""
    db = tmp_path / "crm.db"
    cli("--db", str(db), "contact", "add", "Ada")
    (tmp_path / "disk").mkdir()
    backup = tmp_path / "disk" / "b.db"
    assert cli("--db", str(db), "db", "backup", str(backup)).exit_code == 0
    cli("--db", str(db), "contact", "add", "Bea")
    refused = cli("--db", str(db), "db", "restore", str(backup))
    assert refused.exit_code == 1 and "--yes" in refused.stderr
    assert [p.name for p in backup.parent.iterdir()] == ["b.db"]
    make_readonly(backup.parent)
    result = cli("--db", str(db), "db", "restore", str(backup), "--yes")
    assert result.exit_code == 0, result.stderr
    assert _names(cli, db) == ["Ada"]
    assert [p.name for p in backup.parent.iterdir()] == ["b.db"]


def test_a_killed_backup_leaves_no_partial_file(cli, tmp_path: Path) -> None:
    """kill -9 while the copy is being made: the target is absent or whole, never half."""
    db = _padded(cli, tmp_path)
    folder = tmp_path / "backups"
    folder.mkdir()
    target = folder / "b.db"
    proc = subprocess.Popen([*tinycrm_executable(), "--db", str(db), "db", "backup", str(target)])
    try:
        while proc.poll() is None:
            if list(folder.iterdir()):  # the copy has begun (or the target appeared)
                proc.send_signal(signal.SIGKILL)
                break
    finally:
        proc.wait(timeout=60)
    if target.exists():  # whole, never half
        conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("SELECT COUNT(*) FROM padding").fetchone()[0] == 150
            assert conn.execute("SELECT name FROM contact").fetchall() == [("Ada",)]
        finally:
            conn.close()
    assert _integrity(db) == "ok"


# --------------------------------------------------------------------------- --db, config


def test_a_db_in_a_missing_folder_is_refused_and_nothing_created(cli, tmp_path: Path) -> None:
    typo = tmp_path / "no" / "such" / "dir" / "x.db"
    result = cli("--db", str(typo), "contact", "add", "Ada")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot create database {typo}: folder ")
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "no").exists()
    url = cli("--db", f"sqlite:///{typo}", "contact", "list")
    assert url.exit_code == 1 and not (tmp_path / "no").exists()


def test_a_db_that_is_not_a_file_is_refused(cli, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.db"
    os.mkfifo(fifo)
    result = cli("--db", str(fifo), "contact", "list")
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot open database {fifo}: it is not a regular file\n"


NO_HOME = "~nosuchuser_tinycrm"


@pytest.mark.parametrize(
    ("args", "doing"),
    [
        (["db", "backup", f"{NO_HOME}/x.db"], "cannot write"),
        (["db", "restore", f"{NO_HOME}/x.db", "--yes"], "cannot restore from"),
        (["export", "contacts", "--out", f"{NO_HOME}/x.csv"], "cannot write"),
        (["export", "all", "--format", "csv", "--out", f"{NO_HOME}/x"], "cannot write"),
        (["export", "all", "--format", "json", "--out", f"{NO_HOME}/x.json"], "cannot write"),
        (["import", "contacts", "IN", "--errors", f"{NO_HOME}/e.csv"], "cannot write"),
        (["import", "contacts", f"{NO_HOME}/x.csv"], "cannot read"),
        (["import", "all", f"{NO_HOME}/x.json"], "cannot read"),
    ],
)
def test_a_path_under_the_home_of_no_user_is_one_line(
    cli, tmp_path: Path, args: list[str], doing: str
) -> None:
    """'db backup ~nouser/x.db' ended in RuntimeError from Path.expanduser: a traceback
    (--db ~nouser/… was already refused in words)."""
    cli("contact", "add", "Ada")
    incoming = tmp_path / "in.csv"
    incoming.write_text("name\nBob\n")
    args = [str(incoming) if a == "IN" else a for a in args]
    before = sorted(tmp_path.iterdir())
    result = cli(*args)
    named = next(a for a in args if a.startswith(NO_HOME))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {doing} {named}: there is no user nosuchuser_tinycrm whose home folder "
        f"{NO_HOME} is (did you mean ~/?)\n"
    )
    assert sorted(tmp_path.iterdir()) == before
    assert [c["name"] for c in cli("contact", "list", "--json").json()] == ["Ada"]


def test_a_config_under_the_home_of_no_user_is_one_line(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TINYCRM_CONFIG", f"{NO_HOME}/c.toml")
    added = cli("contact", "add", "Ada")
    assert added.exit_code == 1
    assert added.stderr.endswith(
        f"cannot read config file {NO_HOME}/c.toml: there is no user nosuchuser_tinycrm "
        f"whose home folder {NO_HOME} is (did you mean ~/?)\n"
    )
    assert len(added.stderr.splitlines()) == 1
    assert cli("contact", "list", "--json").json() == []


def test_a_missing_config_named_by_tinycrm_config_is_an_error(
    cli, sh, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "confg.toml"
    added = sh("contact", "add", "Ada", env={"TINYCRM_CONFIG": str(missing)})
    assert added.exit_code == 1
    assert f"config file {missing} does not exist (named by TINYCRM_CONFIG)" in added.stderr
    assert len(added.stderr.splitlines()) == 1
    assert cli("contact", "list", "--json").json() == []  # nothing was written
    monkeypatch.setenv("TINYCRM_CONFIG", str(missing))
    for command in (["remind"], ["rules", "check"], ["score"], ["deal", "add", "Big"]):
        result = cli(*command)
        assert result.exit_code == 1 and "does not exist" in result.stderr, command


# --------------------------------------------------------------------------- PostgreSQL


def test_libpq_url_drops_the_driver_and_the_password() -> None:
    from tinycrm.store.engine import libpq_url

    assert libpq_url("postgresql+psycopg://me:s3cret@db.example:5433/crm?sslmode=require") == (
        "postgresql://me@db.example:5433/crm?sslmode=require"
    )
    assert libpq_url("postgresql://me@localhost/crm") == "postgresql://me@localhost/crm"


@pytest.mark.skipif(not os.environ.get("TINYCRM_TEST_PG_URL"), reason="needs PostgreSQL")
def test_backup_on_postgresql_suggests_a_pg_dump_that_works(cli, request, tmp_path: Path) -> None:
    pg = request.getfixturevalue("pg_schema_url")
    result = cli("--db", pg, "db", "backup", str(tmp_path / "x.db"))
    assert result.exit_code == 1 and "+psycopg" not in result.stderr
    command = shlex.split(result.stderr.split("(e.g. ", 1)[1].rsplit(")", 1)[0])
    assert command[0] == "pg_dump" and command[-1].startswith("postgresql://")
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed here")
    # Only this test's schema: the whole shared database may hold schemas that other test
    # runs are creating and dropping, which pg_dump can trip over. Such a race is retried.
    schema = re.search(r"search_path%3D([^,&]+)", pg)
    assert schema, pg
    for _ in range(3):
        dumped = subprocess.run(
            ["pg_dump", "--schema-only", f"--schema={schema[1]}", command[-1]],
            capture_output=True,
            timeout=120,
            check=False,
        )
        if dumped.returncode == 0:
            break
    assert dumped.returncode == 0, dumped.stderr
    assert f"CREATE TABLE {schema[1]}.contact ".encode() in dumped.stdout
    restore = cli("--db", pg, "db", "restore", str(tmp_path / "x.db"), "--yes")
    assert restore.exit_code == 1 and "+psycopg" not in restore.stderr


def test_db_normalise_reads_numbers_after_the_region_is_set(cli, tmp_path, monkeypatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text("")
    monkeypatch.setenv("TINYCRM_CONFIG", str(config))
    cli("contact", "add", "Hans", "--phone", "030 1234567")
    config.write_text('[phone]\nregion = "DE"\n')
    first = cli("db", "normalise")
    assert first.exit_code == 0, first.stderr
    assert first.stdout == "1 phone number and 0 email keys normalised (1 contact checked).\n"
    assert cli("db", "normalise").stdout.startswith("0 phone numbers and 0 email keys")
    found = cli("contact", "list", "--search", "+49 30 1234567", "--json").json()
    assert [c["name"] for c in found] == ["Hans"]


# --------------------------------------------------------------------------- upgrade on open


def _at_0024(path: Path) -> None:
    """A database left at schema 0024 by an older tinycrm."""
    from alembic import command
    from sqlalchemy import create_engine

    from tinycrm.store.migrations.runner import make_config

    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(make_config(conn), "0024")
    engine.dispose()


def test_an_upgrade_on_open_is_said_on_stderr_only(cli, tmp_path: Path) -> None:
    from tinycrm.store.migrations import SCHEMA_HEAD

    old = tmp_path / "old.db"
    _at_0024(old)
    first = cli("--db", str(old), "contact", "list", "--json")
    assert first.exit_code == 0, first.stderr
    lines = first.stderr.splitlines()
    # (quick here; one of a second or more, on a loaded machine, says when it is done too)
    assert len(lines) in (1, 2), first.stderr
    done = f"Database upgraded to schema {SCHEMA_HEAD} in "
    assert all(line.startswith(done) for line in lines[1:]), first.stderr
    assert lines[0].startswith(f"Upgrading the database (schema 0024 → {SCHEMA_HEAD})")
    [copy] = tmp_path.glob("old.db.pre-upgrade-0024-*.bak")
    # said before the copy is made: it says the copy is being made, not that it is there
    assert lines[0].endswith(f"keeping a copy of the old one at {copy}")
    second = cli("--db", str(old), "contact", "list", "--json")
    assert second.exit_code == 0 and second.stderr == ""  # at head: nothing to say
    assert first.stdout == second.stdout  # the scripts' channel is the same either way
    fresh = cli("--db", str(tmp_path / "new.db"), "contact", "list", "--json")
    assert fresh.stderr == "" and fresh.stdout == first.stdout  # a new one is not "upgraded"


def test_an_upgrade_says_where_its_copy_is_kept_once_it_is_made(capsys, tmp_path: Path) -> None:
    """The first line comes before the copy is made ('keeping a copy … at PATH': it was
    'a copy … is kept at PATH', with no file there yet); the line after a long upgrade,
    when the copy is there, says it is kept there."""
    from tinycrm.cli.common import tell_upgrade
    from tinycrm.store.sessions import UpgradeNotice

    copy = tmp_path / "old.db.pre-upgrade-0024-x.bak"
    tell_upgrade(UpgradeNotice("0024", "0029", copy))
    tell_upgrade(UpgradeNotice("0024", "0029", copy, seconds=75))
    tell_upgrade(UpgradeNotice("0024", "0029", None, seconds=2))  # PostgreSQL: no copy
    assert capsys.readouterr().err.splitlines() == [
        f"Upgrading the database (schema 0024 → 0029), which can take a while; keeping a "
        f"copy of the old one at {copy}",
        f"Database upgraded to schema 0029 in 1 min 15 s; a copy of the old one is kept at {copy}.",
        "Database upgraded to schema 0029 in 2 s.",
    ]


def test_db_upgrade_says_it_on_stderr_too(cli, tmp_path: Path) -> None:
    from tinycrm.store.migrations import SCHEMA_HEAD

    old = tmp_path / "old.db"
    _at_0024(old)
    result = cli("--db", str(old), "db", "upgrade")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(f"Upgrading the database (schema 0024 → {SCHEMA_HEAD})")
    assert result.stdout == f"Upgraded database from schema 0024 to {SCHEMA_HEAD}.\n"
    again = cli("--db", str(old), "db", "upgrade")
    assert again.stderr == "" and "up to date" in again.stdout


def test_a_slow_upgrade_says_how_long_it_took(cli, tmp_path: Path, monkeypatch) -> None:
    import time

    old = tmp_path / "old.db"
    _at_0024(old)
    ticks = iter([100.0, 112.4])
    monkeypatch.setattr(time, "monotonic", lambda: next(ticks, 112.4))
    result = cli("--db", str(old), "contact", "list")
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    [copy] = tmp_path.glob("old.db.pre-upgrade-0024-*.bak")
    assert len(lines) == 2, result.stderr
    assert lines[1].endswith(f" in 12 s; a copy of the old one is kept at {copy}."), lines[1]


def _set_revision(path: Path, revision: str) -> None:
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    raw.close()


def test_restore_does_not_open_the_database_it_replaces(cli, tmp_path: Path) -> None:
    """db restore opened (and so upgraded) the database it was about to replace first:
    one a newer tinycrm had upgraded was refused ('its schema … is newer than this
    tinycrm'), and a damaged one ('database disk image is malformed'), though restoring a
    backup is what the damage message advises. Now either is replaced, its copy kept as
    it was; a database not there yet is made from the backup, no copy kept."""
    db = tmp_path / "crm.db"
    backup = tmp_path / "b.db"
    cli("--db", str(db), "contact", "add", "Ada")
    assert cli("--db", str(db), "db", "backup", str(backup)).exit_code == 0
    newer = tmp_path / "newer.db"
    cli("--db", str(newer), "contact", "add", "Bea")
    _set_revision(newer, "9999")
    result = cli("--db", str(newer), "db", "restore", str(backup), "--yes")
    assert result.exit_code == 0, result.stderr
    assert _names(cli, newer) == ["Ada"]
    (kept,) = tmp_path.glob("newer.db.pre-restore-*.bak")
    raw = sqlite3.connect(kept)
    assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [("9999",)]
    assert raw.execute("SELECT name FROM contact").fetchall() == [("Bea",)]
    raw.close()

    damaged = tmp_path / "damaged.db"
    shutil.copy(newer, damaged)
    with damaged.open("r+b") as raw:
        for page in range(2, 8):  # the schema is on page 1: its tables' pages overwritten
            raw.seek(page * 4096)
            raw.write(b"\xde\xad" * 2048)
    assert cli("--db", str(damaged), "contact", "list").exit_code == 1
    result = cli("--db", str(damaged), "db", "restore", str(backup), "--yes")
    assert result.exit_code == 0, result.stderr
    assert _names(cli, damaged) == ["Ada"]
    assert len(list(tmp_path.glob("damaged.db.pre-restore-*.bak"))) == 1

    fresh = tmp_path / "fresh.db"
    result = cli("--db", str(fresh), "db", "restore", str(backup), "--yes")
    assert result.exit_code == 0, result.stderr
    assert "kept as" not in result.stdout
    assert _names(cli, fresh) == ["Ada"]
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert not list(tmp_path.glob("fresh.db.pre-restore-*"))


def test_a_backup_from_a_newer_tinycrm_is_refused_in_one_line(cli, tmp_path: Path) -> None:
    """Was 'is at schema 9999, newer than this tinycrm; upgrade it' (upgrade what?); a
    revision that is not one of tinycrm's yet sorts before its head ('00zz') was restored,
    and the database could not be opened afterwards."""
    db = tmp_path / "crm.db"
    cli("--db", str(db), "contact", "add", "Ada")
    for revision in ("9999", "0000zz"):
        backup = tmp_path / f"b{revision}.db"
        assert cli("--db", str(db), "db", "backup", str(backup)).exit_code == 0
        _set_revision(backup, revision)
        result = cli("--db", str(db), "db", "restore", str(backup), "--yes")
        assert result.exit_code == 1
        assert result.stderr == (
            f"Error: {backup} is at schema {revision}, newer than this tinycrm "
            f"({_head()}) knows: a newer tinycrm made it; not restored (upgrade tinycrm to "
            "restore it)\n"
        )
    assert _names(cli, db) == ["Ada"]
    assert not list(tmp_path.glob("crm.db.pre-restore-*"))


def _head() -> str:
    from tinycrm.store.migrations import SCHEMA_HEAD

    return SCHEMA_HEAD


def test_a_restore_without_room_for_the_copy_it_keeps_says_so(cli, tmp_path: Path) -> None:
    """With no room beside the database for the copy of what a restore replaces, it said
    'backup failed: disk I/O error' (the user asked for a restore). Now it says what
    could not be made and that nothing was changed; the database is left as it was."""
    db = tmp_path / "crm.db"
    backup = tmp_path / "b.db"
    cli("--db", str(db), "contact", "add", "Ada")
    assert cli("--db", str(db), "db", "backup", str(backup)).exit_code == 0
    cli("--db", str(db), "contact", "add", "Bea")
    proc = subprocess.run(
        [*tinycrm_executable(), "--db", str(db), "db", "restore", str(backup), "--yes"],
        capture_output=True,
        text=True,
        preexec_fn=_small_disk,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith(
        f"Error: cannot restore {backup} into {db}: the copy of the database it replaces "
        "could not be made beside it (backup failed: "
    ), proc.stderr
    assert proc.stderr.endswith(
        "); nothing was changed: make room there and run the command again\n"
    )
    assert _names(cli, db) == ["Ada", "Bea"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("crm.db")) == ["crm.db"]


def test_a_write_that_runs_out_of_room_says_the_disk_may_be_full(cli, tmp_path: Path) -> None:
    """An import on a full disk said 'database error: disk I/O error' (SQLite's words for
    a write its log could not take), not where nor what to do; it is not the log's
    damage either (SQLITE_IOERR_WRITE, not a short read)."""
    db = tmp_path / "crm.db"
    cli("--db", str(db), "contact", "add", "Ada")
    people = tmp_path / "people.csv"
    rows = "".join(f"P{i},p{i}@x.io,{'x' * 100}\n" for i in range(2000))
    people.write_text("Name,Email,Notes\n" + rows)
    proc = subprocess.run(
        [*tinycrm_executable(), "--db", str(db), "import", "contacts", str(people)],
        capture_output=True,
        text=True,
        preexec_fn=_small_disk,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr == (
        f"Error: cannot use database {db}: could not write it or its write-ahead log "
        "crm.db-wal (disk I/O error): is the disk full (or a file-size limit reached)? "
        "Nothing was saved: make room beside it and run the command again\n"
    )
    assert _names(cli, db) == ["Ada"]


def _tiny_disk() -> None:
    """In the child: no file can grow past 16 kB (SQLite's shared memory needs 32)."""
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (16_000, 16_000))


def test_a_database_opened_on_a_full_disk_says_the_disk_may_be_full(cli, tmp_path: Path) -> None:
    """Opened where its shared-memory file (-shm) cannot be made (a full disk, a file-size
    limit), a database was refused as 'database error: disk I/O error', SQLite's words
    (SQLITE_IOERR_SHMSIZE), not where nor what to do."""
    db = tmp_path / "crm.db"
    cli("--db", str(db), "contact", "add", "Ada")
    proc = subprocess.run(
        [*tinycrm_executable(), "--db", str(db), "contact", "list"],
        capture_output=True,
        text=True,
        preexec_fn=_tiny_disk,
        timeout=60,
    )
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1, proc.stderr
    assert "is the disk full (or a file-size limit reached)?" in proc.stderr, proc.stderr
    assert _names(cli, db) == ["Ada"]


def test_db_upgrade_of_a_database_that_cannot_be_reached_is_one_line(cli, tmp_path: Path) -> None:
    """'db upgrade' opens the database without upgrading it, then upgrades: a PostgreSQL
    server not running, or a SQLite write-ahead log cut short under a running tinycrm,
    was an OperationalError traceback; now the line opening any other command says."""
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    result = cli("--db", url, "db", "upgrade")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: cannot open database postgresql+psycopg://nobody@127.0.0.1:1/none"
    ), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    from tinycrm.store.contacts import add_contact
    from tinycrm.store.engine import open_store

    db = tmp_path / "crm.db"
    running = open_store(str(db), user="tester")
    try:
        add_contact(running, name="Ada")
        os.truncate(f"{db}-wal", 100)
        result = cli("--db", str(db), "db", "upgrade")
        assert result.exit_code == 1
        assert result.stderr.startswith(
            f"Error: cannot open database {db}: its write-ahead log {db}-wal is damaged"
        ), result.stderr
    finally:
        running.close()


def test_a_restore_in_a_read_only_folder_says_so(cli, tmp_path: Path, make_readonly) -> None:
    """The copy of what a restore replaces could not be made in a read-only folder: it
    said 'make room there', as for a full disk."""
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "crm.db"
    backup = tmp_path / "b.db"
    cli("--db", str(db), "contact", "add", "Ada")
    assert cli("--db", str(db), "db", "backup", str(backup)).exit_code == 0
    make_readonly(folder)
    result = cli("--db", str(db), "db", "restore", str(backup), "--yes")
    assert result.exit_code == 1
    assert result.stderr.endswith(
        f"; nothing was changed: make {folder} writable and run the command again\n"
    ), result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["crm.db"]
