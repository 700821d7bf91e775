"""Where exports and the rejected-rows report go: whole files, 0600, streams, links, folders."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from tests.cli.conftest import tinycrm_executable


@pytest.fixture
def people(cli) -> None:
    cli("contact", "add", "Ada Lovelace", "--email", "ada@x.io")


def test_an_export_is_private(cli, people, tmp_path: Path) -> None:
    target = tmp_path / "contacts.csv"
    assert cli("export", "contacts", "--out", str(target)).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    dump = tmp_path / "all.json"
    assert cli("export", "all", "--out", str(dump)).exit_code == 0
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    ics = tmp_path / "tasks.ics"
    assert cli("export", "tasks", "--format", "ics", "--out", str(ics)).exit_code == 0
    assert stat.S_IMODE(ics.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_the_closing_line_is_the_path_as_it_is(sh, people, tmp_path: Path) -> None:
    """One plain line on stderr, no progress when stderr is not a terminal: the name as
    typed (no emoji codes or markup read in it), a control character shown escaped."""
    target = tmp_path / ":smile: [b]x \x1b.csv"
    result = sh("export", "contacts", "--out", str(target))
    assert result.exit_code == 0 and target.exists()
    shown = str(target).replace("\x1b", "\\x1b")
    assert result.stderr == f"Exported 1 contact to {shown}\n"
    dump = tmp_path / "all.json"
    result = sh("export", "all", "--out", str(dump))
    assert result.stderr.startswith(f"Dumped to {dump}: ") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("name", ["-", "/dev/stdout"])
def test_dash_and_dev_stdout_are_standard_output(sh, people, tmp_path: Path, name: str) -> None:
    result = sh("export", "contacts", "--format", "json", "--out", name)
    assert result.exit_code == 0 and result.stderr == ""
    assert [c["email"] for c in json.loads(result.stdout)] == ["ada@x.io"]
    # /dev/stdout redirected to a file: written through the redirection, not replaced
    redirected = tmp_path / "redirected.json"
    with redirected.open("w") as stdout:
        proc = subprocess.run(
            [*tinycrm_executable(), "export", "contacts", "--format", "json", "--out", name],
            stdout=stdout,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    assert proc.returncode == 0, proc.stderr
    assert [c["email"] for c in json.loads(redirected.read_text())] == ["ada@x.io"]


def test_an_export_into_a_fifo_streams(cli, people, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    assert cli("export", "contacts", "--format", "jsonl", "--out", str(fifo)).exit_code == 0
    reader.join(timeout=60)
    assert json.loads(got[0])["email"] == "ada@x.io"
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_an_export_through_a_symlink_keeps_the_link(cli, people, tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    assert cli("export", "contacts", "--format", "json", "--out", str(link)).exit_code == 0
    assert link.is_symlink() and json.loads(real.read_text())[0]["email"] == "ada@x.io"


def test_an_export_into_a_missing_folder_needs_mkdir(cli, people, tmp_path: Path) -> None:
    target = tmp_path / "new" / "contacts.csv"
    refused = cli("export", "contacts", "--out", str(target))
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"Error: cannot write {target}: folder {target.parent} does not exist "
        "(--mkdir creates it)\n"
    )
    assert not target.parent.exists()
    assert cli("export", "contacts", "--out", str(target), "--mkdir").exit_code == 0
    assert "ada@x.io" in target.read_text()
    folder = tmp_path / "csv" / "all"
    assert cli("export", "all", "--format", "csv", "--out", str(folder)).exit_code == 1
    assert not folder.exists()
    assert cli("export", "all", "--format", "csv", "--out", str(folder), "--mkdir").exit_code == 0
    assert (folder / "contacts.csv").exists()


@pytest.mark.parametrize(
    "where",
    ["folder", "/proc/contacts.csv", "/proc/version", "file/contacts.csv", "/dev/full"],
)
def test_what_cannot_be_exported_to_is_one_line(sh, people, tmp_path: Path, where: str) -> None:
    if where == "/dev/full" and not stat.S_ISCHR(os.stat("/dev/full").st_mode):
        pytest.skip("/dev/full is not the full device here (something replaced it)")
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("x")
    target = where if where.startswith("/") else str(tmp_path / where)
    result = sh("export", "contacts", "--out", target)
    assert result.exit_code == 1, result.stderr
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("Error: ")
    assert (tmp_path / "file").read_text() == "x"


def test_an_export_into_a_read_only_folder(cli, people, tmp_path: Path, make_readonly) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "contacts.csv").write_text("last week's export")
    make_readonly(folder)
    result = cli("export", "contacts", "--out", str(folder / "contacts.csv"))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: cannot write {folder / 'contacts.csv'}: the folder {folder} is read-only: "
        "you cannot create files in it ("
    )
    assert len(result.stderr.splitlines()) == 1
    assert (folder / "contacts.csv").read_text() == "last week's export"
    assert sorted(p.name for p in folder.iterdir()) == ["contacts.csv"]


# --------------------------------------------------------------------------- the report


BAD_ROWS = "Name,Email,Notes\nAda,ada@x.io,\nBad,bad@,secret notes\nBob,bob@x.io,\n"


def test_the_rejected_rows_report_is_private(cli, tmp_path: Path) -> None:
    """It holds names, emails, whole vCards: 0600 (was 0644)."""
    file = tmp_path / "people.csv"
    file.write_text(BAD_ROWS)
    assert cli("import", "contacts", str(file)).exit_code == 0
    report = tmp_path / "people.errors.csv"
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    rows = list(csv.reader(io.StringIO(report.read_text(encoding="utf-8-sig"))))
    assert rows[1][:3] == ["3", "invalid email address 'bad@'", "Bad"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_unwritable_report_does_not_stop_the_import(
    sh, cli, tmp_path: Path, make_readonly
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "people.csv").write_text(BAD_ROWS)
    make_readonly(folder)
    result = sh("import", "contacts", str(folder / "people.csv"))
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "2 created, 0 updated, 0 skipped, 1 rejected" in result.stdout
    assert "the rejected rows were not written to a report" in result.stderr
    assert "line 3: invalid email address 'bad@'" in result.stderr + result.stdout
    emails = [c["email"] for c in cli("contact", "list", "--json").json()]
    assert sorted(emails) == ["ada@x.io", "bob@x.io"]
    assert sorted(p.name for p in folder.iterdir()) == ["people.csv"]


def test_a_report_into_a_missing_folder_stops_before_importing(cli, tmp_path: Path) -> None:
    file = tmp_path / "people.csv"
    file.write_text(BAD_ROWS)
    report = tmp_path / "reports" / "bad.csv"
    refused = cli("import", "contacts", str(file), "--errors", str(report))
    assert refused.exit_code == 1 and "does not exist (--mkdir creates it)" in refused.stderr
    assert cli("contact", "list", "--json").json() == []
    assert not report.parent.exists()
    done = cli("import", "contacts", str(file), "--errors", str(report), "--mkdir")
    assert done.exit_code == 0 and stat.S_IMODE(report.stat().st_mode) == 0o600


def test_a_report_onto_the_input_itself_is_refused(cli, tmp_path: Path) -> None:
    file = tmp_path / "people.csv"
    file.write_text(BAD_ROWS)
    link = tmp_path / "link.csv"
    link.symlink_to(file)
    for report in (file, link):
        refused = cli("import", "contacts", str(file), "--errors", str(report))
        assert refused.exit_code == 1 and "is the file being imported" in refused.stderr
    assert file.read_text() == BAD_ROWS
    assert cli("contact", "list", "--json").json() == []


def test_an_export_or_report_onto_the_database_is_refused(cli, people, tmp_path: Path) -> None:
    """--out naming the database (or a link to it, or its -wal) would replace it."""
    db = Path(os.environ["TINYCRM_DB"])
    (tmp_path / "link.db").symlink_to(db)
    os.link(db, tmp_path / "hard.db")
    for target in (db, tmp_path / "link.db", tmp_path / "hard.db", Path(f"{db}-wal")):
        for command in (
            ["export", "contacts", "--out", str(target)],
            ["export", "all", "--out", str(target)],
            ["export", "tasks", "--format", "ics", "--out", str(target)],
        ):
            result = cli(*command)
            assert result.exit_code == 1, (command, result.stderr)
            assert "database" in result.stderr and "choose another file" in result.stderr
    file = tmp_path / "people.csv"
    file.write_text(BAD_ROWS)
    refused = cli("import", "contacts", str(file), "--errors", str(tmp_path / "link.db"))
    assert refused.exit_code == 1 and "choose another file" in refused.stderr
    emails = [c["email"] for c in cli("contact", "list", "--json").json()]
    assert emails == ["ada@x.io"]


# ------------------------------------------------------- export all --format csv: one set

SET = [
    "activities.csv", "cases.csv", "companies.csv", "contacts.csv", "contracts.csv",
    "deals.csv", "items.csv", "products.csv", "quotes.csv", "tasks.csv",
]  # fmt: skip


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _beside(folder: Path) -> list[str]:
    """What else the export left in the folder's parent (its temporary folders)."""
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith("."))


def _export_all(cli, folder: Path, *more: str):  # type: ignore[no-untyped-def]
    return cli("export", "all", "--format", "csv", "--out", str(folder), *more)


def test_export_all_csv_replaces_the_last_set_whole(cli, people, tmp_path: Path) -> None:
    folder = tmp_path / "exports" / "crm"
    assert _export_all(cli, folder, "--mkdir").exit_code == 0
    assert sorted(_files(folder)) == SET
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == {0o600}
    cli("contact", "add", "Grace Hopper", "--email", "grace@navy.mil")
    done = _export_all(cli, folder)
    assert done.exit_code == 0, done.stderr
    assert sorted(_files(folder)) == SET and b"grace@navy.mil" in _files(folder)["contacts.csv"]
    assert _beside(folder) == []
    # a link to the folder is kept, and the set it points to replaced
    link = tmp_path / "latest"
    link.symlink_to(folder)
    cli("contact", "add", "Alan Turing")
    assert _export_all(cli, link).exit_code == 0
    assert link.is_symlink() and b"Alan Turing" in _files(folder)["contacts.csv"]
    assert _beside(folder) == []


def test_a_failure_part_way_leaves_the_last_set_as_it_was(
    cli, people, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from tinycrm.cli import output

    folder = tmp_path / "crm"
    assert _export_all(cli, folder, "--mkdir").exit_code == 0
    before = _files(folder)
    cli("contact", "add", "Grace Hopper", "--email", "grace@navy.mil")
    made = output.Output.writer
    calls = []

    def failing(self, stream, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 3:  # the disk fills up in the third file
            raise OSError(errno.ENOSPC, "No space left on device")
        return made(self, stream, **kwargs)

    monkeypatch.setattr(output.Output, "writer", failing)
    failed = _export_all(cli, folder)
    assert failed.exit_code == 1
    assert failed.stderr.startswith("Error: ") and len(failed.stderr.splitlines()) == 1
    assert "No space left on device" in failed.stderr
    assert _files(folder) == before  # not the first two new files beside the old others
    assert _beside(folder) == []
    # nothing there before: nothing there after
    fresh = tmp_path / "fresh"
    calls.clear()
    assert _export_all(cli, fresh).exit_code == 1
    assert not fresh.exists() and _beside(fresh) == []


def test_a_folder_holding_other_files_is_not_replaced(cli, people, tmp_path: Path) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    refused = _export_all(cli, folder)
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"Error: cannot write into {folder}: it holds files that are not a tinycrm CSV "
        "export (notes.txt); give a new folder, or one with an earlier export\n"
    )
    assert _files(folder) == {"notes.txt": b"mine"} and _beside(folder) == []
    # an empty folder is a new one
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _export_all(cli, empty).exit_code == 0 and sorted(_files(empty)) == SET


@pytest.mark.parametrize("locked", ["folder", "parent"])
def test_a_read_only_folder_is_one_line_and_the_last_set_stays(
    cli, people, tmp_path: Path, make_readonly, locked: str
) -> None:
    parent = tmp_path / "parent"
    folder = parent / "crm"
    assert _export_all(cli, folder, "--mkdir").exit_code == 0
    before = _files(folder)
    make_readonly(folder if locked == "folder" else parent)
    refused = _export_all(cli, folder)
    assert refused.exit_code == 1
    assert refused.stderr.startswith(f"Error: cannot write into {folder}: ")
    assert len(refused.stderr.splitlines()) == 1
    assert _files(folder) == before and _beside(folder) == []


def test_a_file_is_not_a_folder_to_export_into(cli, people, tmp_path: Path) -> None:
    target = tmp_path / "crm"
    target.write_text("x")
    refused = _export_all(cli, target)
    assert refused.exit_code == 1
    assert refused.stderr == f"Error: cannot write into {target}: it is not a folder\n"
    assert target.read_text() == "x" and _beside(target) == []


@pytest.mark.parametrize(
    "args",
    [
        ["export", "contacts", "--out", ""],
        ["export", "all", "--out", " "],
        ["export", "all", "--format", "csv", "--out", ""],
        ["export", "tasks", "--format", "ics", "--out", ""],
        ["import", "contacts", "IN", "--errors", ""],
    ],
)
def test_an_empty_file_name_is_refused_as_empty(cli, people, tmp_path: Path, args) -> None:
    """`export contacts --out "$OUT"` with OUT unset said '. is a folder: give a file
    name', naming a folder the user never typed (the empty path read as the current
    one); now the option is refused as empty, exit 2, before anything is read."""
    source = tmp_path / "in.csv"
    source.write_text("name,email\nBo,bad\n", encoding="utf-8")
    result = cli(*[str(source) if a == "IN" else a for a in args])
    assert result.exit_code == 2, result.stderr
    [line] = result.stderr.splitlines()
    option = "--errors" if "--errors" in args else "--out"
    assert line.startswith(f"Error: Invalid value for '{option}'"), line
    assert "the file name is empty (a variable not set?): name a file (see tinycrm" in line
    assert "is a folder" not in line
    assert cli("contact", "list", "--json").json()[0]["name"] == "Ada Lovelace"
    assert len(cli("contact", "list", "--json").json()) == 1


@pytest.mark.parametrize(
    "args",
    [["import", "contacts", ""], ["import", "all", " "], ["db", "restore", "", "--yes"]],
)
def test_an_empty_file_to_read_is_refused_as_empty(cli, people, args) -> None:
    """`import contacts ""` said 'Error:  is a directory' and `db restore ""` '. is not
    a file': the empty name read as the current folder."""
    result = cli(*args)
    assert result.exit_code in (1, 2), result.stderr
    [line] = result.stderr.splitlines()
    assert "the file name is empty (a variable not set?): name a file" in line, line
    assert len(cli("contact", "list", "--json").json()) == 1


def test_an_unwritable_report_lists_the_rejected_rows_with_json_too(
    sh, tmp_path: Path, make_readonly
) -> None:
    """With --json the warning said 'the first are listed below', and none were: a
    script learnt that one row was rejected, never which or why. They are on stderr, as
    without --json, and stdout holds the record alone."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "people.csv").write_text(BAD_ROWS)
    make_readonly(folder)
    result = sh("import", "contacts", str(folder / "people.csv"), "--json")
    assert result.exit_code == 0, result.stderr
    assert "the first are listed below" in result.stderr
    assert "line 3: invalid email address 'bad@'" in result.stderr
    assert json.loads(result.stdout)["rejected"] == 1
