"""tinycrm.schedule: the crontab line, installing it once, and systemd user units.

``crontab`` is replaced by a small shell script first on PATH that keeps the table in a
file (cron itself cannot run here); it behaves like cronie's: ``-l`` prints the table or
fails with "no crontab for USER", ``-`` replaces it with stdin.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from tinycrm.schedule import (
    CRON_COMMAND_MAX,
    CRON_MARKER,
    cron_line,
    default_systemd_dir,
    has_password,
    install_cron,
    remove_cron,
    systemd_units,
    write_env_file,
    write_systemd_units,
)

EXE = Path("/home/me/.venv/bin/tinycrm")
DB = "/home/me/.local/share/tinycrm/tinycrm.db"
LOG = Path("/home/me/.local/state/tinycrm/remind.log")
PATH = "/usr/local/bin:/usr/bin:/bin"

FAKE_CRONTAB = """#!/bin/sh
table="$FAKE_CRONTAB_FILE"
case "$1" in
  -l)
    if [ -n "$FAKE_CRONTAB_FAIL" ]; then echo "$FAKE_CRONTAB_FAIL" >&2; exit 1; fi
    if [ ! -f "$table" ]; then echo "no crontab for tester" >&2; exit 1; fi
    cat "$table" ;;
  -) cat > "$table" ;;
  *) echo "usage: crontab [-l | -]" >&2; exit 2 ;;
esac
"""


def _executable(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.fixture
def crontab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake ``crontab`` first on PATH; returns the file that holds the table."""
    return fake_crontab(tmp_path, monkeypatch)


def fake_crontab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put a fake ``crontab`` first on PATH; return the file that holds the table."""
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    _executable(bin_dir / "crontab", FAKE_CRONTAB)
    table = tmp_path / "crontab.txt"
    monkeypatch.setenv("FAKE_CRONTAB_FILE", str(table))
    monkeypatch.delenv("FAKE_CRONTAB_FAIL", raising=False)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return table


def _line(**changes: object) -> str:
    arguments: dict[str, object] = {"executable": EXE, "db": DB, "path_env": PATH, "log": LOG}
    arguments.update(changes)
    return cron_line(**arguments)  # type: ignore[arg-type]


def _run_like_cron(line: str, cwd: Path) -> None:
    """Run a crontab line's command as cron does: ``%`` handling, then ``/bin/sh -c``."""
    command = line.split(None, 5)[5]
    out, escaped = [], False
    for ch in command:  # cronie: "\%" -> "%", a bare "%" ends the command (stdin follows)
        if escaped:
            if ch != "%":
                out.append("\\")
            out.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "%":
            raise AssertionError(f"unescaped % in {command!r}")
        else:
            out.append(ch)
    subprocess.run(["/bin/sh", "-c", "".join(out)], cwd=cwd, check=True, env={}, timeout=10)


# --- cron_line ---------------------------------------------------------------------------


def test_cron_line_plain() -> None:
    assert _line() == (
        "*/15 * * * * mkdir -p /home/me/.local/state/tinycrm && PATH=/usr/local/bin:/usr/bin:/bin "
        "TINYCRM_DB=/home/me/.local/share/tinycrm/tinycrm.db "
        "/home/me/.venv/bin/tinycrm remind "
        ">> /home/me/.local/state/tinycrm/remind.log 2>&1 # tinycrm remind"
    )


def test_cron_line_schedule_and_default_db() -> None:
    assert _line(every_minutes=1).startswith("* * * * * mkdir -p ")
    assert _line(every_minutes=5).startswith("*/5 * * * * mkdir -p ")
    line = _line(db=None)
    assert "TINYCRM_DB" not in line
    assert line.endswith(CRON_MARKER)


@pytest.mark.parametrize("every", [0, 60, -5, True, 2.5])
def test_cron_line_rejects_bad_intervals(every: object) -> None:
    with pytest.raises(ValueError, match="every must be from 1 to 59 minutes"):
        _line(every_minutes=every)


def test_cron_line_needs_absolute_paths() -> None:
    with pytest.raises(ValueError, match="executable must be an absolute path"):
        _line(executable=Path("bin/tinycrm"))
    with pytest.raises(ValueError, match="log must be an absolute path"):
        _line(log=Path("remind.log"))
    with pytest.raises(ValueError, match="db must not contain a line break"):
        _line(db="/tmp/a\nb.db")


def test_cron_line_quotes_what_needs_it() -> None:
    line = _line(
        executable=Path("/home/me/My Tools/bin/tinycrm"),
        db="postgresql://m%40e@db.example.com/crm?sslmode=require",
        log=Path("/home/me/it's logs/remind.log"),
    )
    assert "'/home/me/My Tools/bin/tinycrm' remind" in line
    assert "TINYCRM_DB='postgresql://m\\%40e@db.example.com/crm?sslmode=require'" in line
    assert ">> '/home/me/it'\"'\"'s logs/remind.log' 2>&1" in line
    assert "PATH=/usr/local/bin:/usr/bin:/bin " in line


def test_cron_line_runs_in_sh_with_its_environment(tmp_path: Path) -> None:
    """The quoted line, run as cron would, passes the exact values to tinycrm."""
    bin_dir = tmp_path / "my bin"
    bin_dir.mkdir()
    record = tmp_path / "record.txt"
    exe = _executable(
        bin_dir / "tinycrm",
        f'#!/bin/sh\nprintf \'%s|%s|%s\\n\' "$TINYCRM_DB" "$PATH" "$*" > \'{record}\'\n'
        "echo ran; echo oops >&2\n",
    )
    db = str(tmp_path / "50% off; it's $HOME.db")
    log = tmp_path / "state dir" / "new %folder" / "remind.log"  # the line creates the folder
    line = _line(executable=exe, db=db, log=log, path_env="/usr/bin:/bin")
    _run_like_cron(line, cwd=tmp_path)
    assert record.read_text() == f"{db}|/usr/bin:/bin|remind\n"
    assert log.read_text() == "ran\noops\n"


# --- install_cron ------------------------------------------------------------------------


def test_install_into_missing_crontab_then_twice_installs_once(crontab: Path) -> None:
    line = _line()
    assert install_cron(line) is True
    assert crontab.read_text() == line + "\n"
    assert install_cron(line) is False
    assert crontab.read_text() == line + "\n"


def test_other_lines_are_kept_byte_for_byte(crontab: Path) -> None:
    original = (
        b"# m h  dom mon dow   command\r\n"
        b"MAILTO=me@example.com\n"
        b"\n"
        b"0 3 * * *\t/usr/bin/backup --to '/mnt/b\xe4ckup' 2>&1 | logger \\% done   \n"
        b"@reboot /home/me/bin/start"  # no final newline
    )
    crontab.write_bytes(original)
    line = _line()
    assert install_cron(line) is True
    assert crontab.read_bytes() == original + b"\n" + line.encode() + b"\n"
    assert install_cron(line) is False
    assert crontab.read_bytes() == original + b"\n" + line.encode() + b"\n"


def test_an_older_tinycrm_line_is_replaced_in_place(crontab: Path) -> None:
    old = _line(db="/old/tinycrm.db", path_env="/usr/bin:/bin")
    before = b'MAILTO=""\n'
    after = b"30 8 * * 1-5 /usr/bin/standup\n"
    crontab.write_bytes(before + old.encode() + b"\n" + after)
    new = _line()
    assert install_cron(new) is True
    assert crontab.read_bytes() == before + new.encode() + b"\n" + after
    assert install_cron(new) is False


def test_a_commented_out_tinycrm_line_is_left_alone(crontab: Path) -> None:
    disabled = "# " + _line(db="/old/tinycrm.db")
    crontab.write_text(disabled + "\n")
    line = _line()
    assert install_cron(line) is True
    assert crontab.read_text() == disabled + "\n" + line + "\n"


def test_an_empty_crontab_counts_as_empty(crontab: Path) -> None:
    crontab.write_bytes(b"")
    line = _line()
    assert install_cron(line) is True
    assert crontab.read_text() == line + "\n"


def test_missing_crontab_program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(RuntimeError, match=r"^crontab not found: install cron, or use --systemd$"):
        install_cron(_line())


def test_a_failing_crontab_is_reported_and_nothing_written(
    crontab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_CRONTAB_FAIL", "crontab: you (tester) are not allowed to use this")
    with pytest.raises(RuntimeError, match=r"^crontab -l failed: crontab: you \(tester\) are not"):
        install_cron(_line())
    assert not crontab.exists()


@pytest.mark.parametrize(
    "setting",
    [b"SHELL=/usr/bin/fish", b"SHELL = '/bin/csh'", b'  SHELL="/usr/local/bin/tcsh"  ', b"SHELL="],
)
def test_a_crontab_whose_shell_cannot_run_the_line_is_refused_and_kept(
    crontab: Path, setting: bytes
) -> None:
    """A crontab setting SHELL to fish or csh ran the line (sh syntax: ``set -a && .``,
    ``NAME=value command``, ``2>&1``) with that shell: it failed on every run, and cron
    said nothing. Now installing is refused, naming the setting; nothing is written."""
    original = setting + b"\nMAILTO=me@example.com\n0 3 * * * backup\n"
    crontab.write_bytes(original)
    shown = setting.decode().strip()
    with pytest.raises(RuntimeError) as refused:
        install_cron(_line())
    assert str(refused.value) == (
        f"your crontab sets {shown} (line 1), a shell that cannot run tinycrm's line "
        "(written for sh): put SHELL=/bin/sh above the tinycrm line, or use --systemd"
    )
    assert crontab.read_bytes() == original
    crontab.write_bytes(original + _line(db="/old.db").encode() + b"\n")  # replacing it too
    with pytest.raises(RuntimeError, match="cannot run tinycrm's line"):
        install_cron(_line())


@pytest.mark.parametrize(
    "table",
    [
        b"SHELL=/bin/bash\n",
        b"SHELL=/usr/bin/zsh\nSHELL=/bin/dash\n",
        b"SHELL=/usr/bin/fish\nSHELL=/bin/sh\n",  # the last setting above the line counts
        b"# SHELL=/usr/bin/fish\n",
        b"0 3 * * * SHELL=/usr/bin/fish backup\n",
    ],
)
def test_a_crontab_whose_shell_runs_sh_lines_takes_the_line(crontab: Path, table: bytes) -> None:
    crontab.write_bytes(table)
    line = _line()
    assert install_cron(line) is True
    assert crontab.read_bytes() == table + line.encode() + b"\n"


def test_a_shell_set_below_the_line_does_not_change_it(crontab: Path) -> None:
    """Cron gives each line the settings above it: a fish setting for lines after the
    tinycrm line (which is replaced in place) does not run it."""
    after = b"SHELL=/usr/bin/fish\n30 8 * * 1-5 standup\n"
    crontab.write_bytes(_line(db="/old.db").encode() + b"\n" + after)
    line = _line()
    assert install_cron(line) is True
    assert crontab.read_bytes() == line.encode() + b"\n" + after


def test_install_cron_wants_a_marked_line(crontab: Path) -> None:
    with pytest.raises(ValueError, match="marker"):
        install_cron("*/15 * * * * /usr/bin/true")


# --- systemd -----------------------------------------------------------------------------


def test_systemd_units_content() -> None:
    units = systemd_units(executable=EXE, db=DB)
    assert list(units) == ["tinycrm-remind.service", "tinycrm-remind.timer"]
    service = units["tinycrm-remind.service"].splitlines()
    assert "[Service]" in service
    assert "Type=oneshot" in service
    assert f"Environment=TINYCRM_DB={DB}" in service
    assert "ExecStart=/home/me/.venv/bin/tinycrm remind" in service
    timer = units["tinycrm-remind.timer"].splitlines()
    assert "OnCalendar=*:0/15" in timer
    assert "Persistent=true" in timer
    assert "Unit=tinycrm-remind.service" in timer
    assert timer[-2:] == ["[Install]", "WantedBy=timers.target"]
    every_5 = systemd_units(executable=EXE, db=DB, every_minutes=5)["tinycrm-remind.timer"]
    assert "OnCalendar=*:0/5" in every_5.splitlines()


def test_systemd_units_quote_and_escape() -> None:
    units = systemd_units(executable=Path("/opt/my apps/tiny$crm"), db="/data/50% off.db")
    service = units["tinycrm-remind.service"].splitlines()
    assert 'Environment="TINYCRM_DB=/data/50%% off.db"' in service
    assert 'ExecStart="/opt/my apps/tiny$$crm" remind' in service
    assert "Environment" not in systemd_units(executable=EXE, db=None)["tinycrm-remind.service"]
    with pytest.raises(ValueError, match="every must be from 1 to 59 minutes"):
        systemd_units(executable=EXE, db=None, every_minutes=90)
    with pytest.raises(ValueError, match="executable must be an absolute path"):
        systemd_units(executable=Path("tinycrm"), db=None)


def test_write_systemd_units_to_the_xdg_config_dir(tmp_path: Path) -> None:
    # conftest points XDG_CONFIG_HOME at a temp dir
    expected_dir = Path(os.environ["XDG_CONFIG_HOME"]) / "systemd" / "user"
    assert default_systemd_dir() == expected_dir
    units = systemd_units(executable=EXE, db=DB)
    paths = write_systemd_units(units)
    assert paths == [expected_dir / "tinycrm-remind.service", expected_dir / "tinycrm-remind.timer"]
    for path in paths:
        assert path.read_text() == units[path.name]
    assert sorted(p.name for p in expected_dir.iterdir()) == [
        "tinycrm-remind.service",
        "tinycrm-remind.timer",
    ]

    # Writing again replaces the files (a new db, say).
    changed = systemd_units(executable=EXE, db="/other.db")
    assert write_systemd_units(changed, tmp_path / "units") == [
        tmp_path / "units" / "tinycrm-remind.service",
        tmp_path / "units" / "tinycrm-remind.timer",
    ]
    write_systemd_units(changed)
    assert "TINYCRM_DB=/other.db" in (expected_dir / "tinycrm-remind.service").read_text()


def test_each_job_has_its_own_units_marker_and_files(tmp_path: Path, crontab: Path) -> None:
    from tinycrm.schedule import MAIL_SYNC, REMIND, WEBHOOKS, job_units, remove_job

    assert job_units(REMIND, executable=EXE, db=DB) == systemd_units(executable=EXE, db=DB)
    mail = job_units(MAIL_SYNC, executable=EXE, db=None, every_minutes=5)
    assert list(mail) == ["tinycrm-mail-sync.service", "tinycrm-mail-sync.timer"]
    assert "ExecStart=/home/me/.venv/bin/tinycrm mail sync" in mail["tinycrm-mail-sync.service"]
    assert "OnCalendar=*:0/5" in mail["tinycrm-mail-sync.timer"]
    hooks = job_units(WEBHOOKS, executable=EXE, db=None)
    assert (
        "ExecStart=/home/me/.venv/bin/tinycrm webhooks deliver --watch"
        in (hooks["tinycrm-webhooks.service"])
    )
    assert {REMIND.marker, WEBHOOKS.marker, MAIL_SYNC.marker} == {
        "# tinycrm remind", "# tinycrm webhooks", "# tinycrm mail sync"
    }  # fmt: skip
    assert (MAIL_SYNC.env_name, MAIL_SYNC.log_name) == ("mail-sync.env", "mail-sync.log")
    units = tmp_path / "units"
    write_systemd_units(mail, units)
    write_systemd_units(job_units(REMIND, executable=EXE, db=None), units)
    env = tmp_path / "mail-sync.env"
    env.write_text("TINYCRM_DB='x'\n")
    crontab.write_text(f"0 3 * * * backup\n*/5 * * * * x mail sync {MAIL_SYNC.marker}\n")
    lines, removed = remove_job(MAIL_SYNC, units, env)
    assert lines == ["*/5 * * * * x mail sync # tinycrm mail sync"]
    assert crontab.read_text() == "0 3 * * * backup\n"
    assert sorted(p.name for p in removed) == [
        "mail-sync.env", "tinycrm-mail-sync.service", "tinycrm-mail-sync.timer"
    ]  # fmt: skip
    assert sorted(p.name for p in units.iterdir()) == [
        "tinycrm-remind.service",
        "tinycrm-remind.timer",
    ]


def test_default_systemd_dir_without_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_systemd_dir() == tmp_path / ".config" / "systemd" / "user"


# --- a database URL with a password --------------------------------------------------------

SECRET_URL = "postgresql+psycopg://me:s3cr%40t@db.example.com/crm"


@pytest.mark.parametrize(
    ("db", "secret"),
    [(SECRET_URL, True), ("postgresql://me@db.example.com/crm", False), (DB, False),
     ("postgresql://me:@host/crm", True), (None, False)],
)  # fmt: skip
def test_has_password(db: str | None, secret: bool) -> None:
    assert has_password(db) is secret


def test_a_password_never_goes_into_a_line_or_a_unit() -> None:
    with pytest.raises(ValueError, match="environment file"):
        _line(db=SECRET_URL)
    with pytest.raises(ValueError, match="environment file"):
        systemd_units(executable=EXE, db=SECRET_URL)


def test_cron_line_reads_the_environment_file(tmp_path: Path) -> None:
    """The line sources the 0600 file and exports what it sets; the URL is not in it."""
    record = tmp_path / "record.txt"
    exe = _executable(
        tmp_path / "tinycrm", f'#!/bin/sh\nprintf "%s" "$TINYCRM_DB" > \'{record}\'\n'
    )
    env_file = write_env_file(SECRET_URL, tmp_path / "conf dir" / "remind.env")
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    line = _line(executable=exe, db=None, env_file=env_file, log=tmp_path / "remind.log")
    assert "s3cr" not in line and "'" + str(env_file) + "'" in line
    _run_like_cron(line, cwd=tmp_path)
    assert record.read_text() == SECRET_URL
    units = systemd_units(executable=EXE, db=None, env_file=env_file)
    assert f'EnvironmentFile="{env_file}"' in units["tinycrm-remind.service"].splitlines()
    assert "s3cr" not in units["tinycrm-remind.service"]


def test_remove_cron_takes_out_only_active_tinycrm_lines(crontab: Path) -> None:
    mine = "0 * * * * /usr/bin/backup # nightly\n"
    disabled = "# */5 * * * * tinycrm remind # tinycrm remind\n"
    crontab.write_text(mine + _line() + "\n" + disabled)
    assert remove_cron() == [_line()]
    assert crontab.read_text() == mine + disabled
    assert remove_cron() == []
    assert crontab.read_text() == mine + disabled


def test_a_line_longer_than_cron_reads_is_refused() -> None:
    """Debian's cron (Vixie's 3.0) reads at most 999 bytes of a line's command and
    refuses or cuts the rest: a long PATH made a line that never ran. Now cron_line
    refuses it, naming its length and the limit; one that fits is built."""
    fits = _line(path_env="/p" * 100)
    assert len(fits.split(None, 5)[5].encode()) <= CRON_COMMAND_MAX
    with pytest.raises(ValueError, match=r"crontab line .* 1,\d{3} bytes.*at most 998") as got:
        _line(path_env="/" + "p" * 900)
    assert "\n" not in str(got.value)
    with pytest.raises(ValueError, match="at most 998"):  # bytes, not characters
        _line(path_env="/" + "ü" * 400)


def test_install_cron_refuses_a_line_cron_cannot_read(crontab: Path) -> None:
    with pytest.raises(ValueError, match="at most 998"):
        install_cron("* * * * * " + "x" * 1000 + " " + CRON_MARKER)
    assert not crontab.exists()


@pytest.mark.parametrize("one_is_new", [False, True], ids=["both-old", "one-current"])
def test_a_second_tinycrm_line_is_taken_out_so_it_runs_once(
    crontab: Path, one_is_new: bool
) -> None:
    """Two active tinycrm remind lines (pasted with crontab -e and added with --apply,
    or an old line pasted twice): install replaced the first only, or with one already
    current said "Already in your crontab", and the other went on running (the old
    database, an environment file install had since taken away). Now the line is there
    once, where the first was; every other line byte for byte."""
    new = _line()
    old = _line(db="/old/tinycrm.db")
    before, middle, after = b'MAILTO=""\n', b"30 8 * * 1-5 /usr/bin/standup\r\n", b"@reboot x"
    first = new if one_is_new else old
    crontab.write_bytes(before + first.encode() + b"\n" + middle + old.encode() + b"\n" + after)
    assert install_cron(new) is True
    assert crontab.read_bytes() == before + new.encode() + b"\n" + middle + after
    assert install_cron(new) is False
