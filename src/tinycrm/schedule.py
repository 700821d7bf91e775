"""Install ``tinycrm remind``, ``tinycrm webhooks deliver`` or ``tinycrm mail sync`` to
run on its own: a crontab line, a systemd user timer, or a systemd user service that
keeps running.

Each is a :class:`Job` (:data:`REMIND`, :data:`WEBHOOKS`, :data:`MAIL_SYNC`): its command,
the marker of its crontab line, its log, environment file and units. :func:`cron_line`
builds the line and :func:`install_cron` adds it to the user's crontab once (through the
``crontab`` program, leaving every other line as it was); :func:`job_units` and
:func:`write_systemd_units` write a oneshot service and a timer (or, for a job that
watches, a service that keeps running) to ``$XDG_CONFIG_HOME/systemd/user``;
:func:`remove_job` takes all of it away again. Nothing here runs ``systemctl``: the
command line prints the ``systemctl --user daemon-reload && systemctl --user enable
--now tinycrm-remind.timer`` hint.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CRON_COMMAND_MAX",
    "CRON_MARKER",
    "MAIL_SYNC",
    "REMIND",
    "WEBHOOKS",
    "Job",
    "PartlyRemoved",
    "check_crontab",
    "check_env_value",
    "cron_line",
    "default_env_file",
    "default_systemd_dir",
    "has_password",
    "install_cron",
    "job_units",
    "remove_cron",
    "remove_job",
    "systemd_units",
    "watch_service",
    "write_env",
    "write_env_file",
    "write_systemd_units",
]

CRON_MARKER = "# tinycrm remind"
WEBHOOKS_MARKER = "# tinycrm webhooks"
CRONTAB_MISSING = "crontab not found: install cron, or use --systemd"
ENV_FILE_NAME = "remind.env"
# The bytes of a line's command (what follows its five time fields) cron reads: Debian's
# cron (Vixie's 3.0) keeps 1,000 with the closing NUL and refuses ("command too long")
# or cuts the rest; cronie takes 131,072. One less than Vixie's 999, to be safe.
CRON_COMMAND_MAX = 998


@dataclass(frozen=True)
class Job:
    """A tinycrm command that runs on its own, and what installing it writes."""

    name: str  # what `tinycrm NAME install` says: "remind", "webhooks deliver", "mail sync"
    command: str  # the words after the executable
    marker: str  # ends its crontab line: "# tinycrm remind"
    unit: str  # the systemd units' name without the suffix: "tinycrm-remind"
    description: str  # the service's Description=
    every: int = 15  # minutes between runs, by default
    watch: bool = False  # systemd: a service running `command --watch`, not a timer
    installer: str = ""  # the command that installs it: "remind install"

    @property
    def env_name(self) -> str:
        """The environment file for a database URL with a password (``remind.env``)."""
        return self.unit.removeprefix("tinycrm-") + ".env"

    @property
    def log_name(self) -> str:
        return self.unit.removeprefix("tinycrm-") + ".log"

    @property
    def enable(self) -> str:
        """The unit ``systemctl --user enable --now`` starts."""
        return f"{self.unit}.service" if self.watch else f"{self.unit}.timer"

    def unit_files(self) -> tuple[str, ...]:
        return (f"{self.unit}.service",) if self.watch else (f"{self.unit}.timer",
                                                             f"{self.unit}.service")  # fmt: skip


REMIND = Job(
    "remind", "remind", CRON_MARKER, "tinycrm-remind", "tinycrm reminders (tinycrm remind)",
    installer="remind install",
)  # fmt: skip
WEBHOOKS = Job(
    "webhooks deliver", "webhooks deliver", WEBHOOKS_MARKER, "tinycrm-webhooks",
    "tinycrm webhooks (tinycrm webhooks deliver --watch)", every=1, watch=True,
    installer="webhooks install",
)  # fmt: skip
MAIL_SYNC = Job(
    "mail sync", "mail sync", "# tinycrm mail sync", "tinycrm-mail-sync",
    "tinycrm mail sync (new IMAP mail logged as activities)", installer="mail install",
)  # fmt: skip


def has_password(db: str | None) -> bool:
    """Whether a database URL carries a password (``postgresql://me:secret@host/crm``)."""
    from urllib.parse import urlsplit

    if not db or "://" not in db:
        return False
    try:
        return urlsplit(db).password is not None
    except ValueError:  # a malformed port and the like: it is not ours to judge here
        return "@" in db.split("://", 1)[1]


def refuse_password(db: str) -> None:
    """ValueError when ``db`` holds a password: it goes into an environment file instead."""
    if has_password(db):
        raise ValueError("a database URL with a password goes into an environment file")


def default_env_file(name: str = ENV_FILE_NAME) -> Path:
    """``remind.env`` (or ``name``) in tinycrm's config folder (``~/.config/tinycrm``)."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("tinycrm", appauthor=False)) / name


def write_env_file(db: str, path: Path | None = None) -> Path:
    """Write ``TINYCRM_DB=...`` for cron (``set -a; . FILE``) and systemd
    (``EnvironmentFile=``) to ``path`` (default :func:`default_env_file`), mode 0600."""
    return write_env({"TINYCRM_DB": db}, path)


def write_env(values: Mapping[str, str], path: Path | None = None) -> Path:
    """Write ``NAME='value'`` lines (``TINYCRM_DB``, ``TINYCRM_REMIND_WEBHOOK``: what a
    scheduled run reads that holds a secret) for cron (``set -a; . FILE``) and systemd
    (``EnvironmentFile=``) to ``path`` (default :func:`default_env_file`), mode 0600.
    Single quotes keep every other character as it is, for both; a value holding one (or
    a line break) is a ValueError."""
    from tinycrm.files import write_text

    for name, value in values.items():
        check_env_value(name, value)
    target = Path(path) if path is not None else default_env_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# tinycrm: what a scheduled run reads that holds a secret (keep it 0600)"]
    lines += [f"{name}='{value}'" for name, value in values.items()]
    write_text(target, "\n".join(lines) + "\n", private=True)
    return target


def check_env_value(name: str, value: str) -> None:
    """ValueError when :func:`write_env` cannot write ``value`` (a ``'``, a line break)."""
    what = "the database URL" if name == "TINYCRM_DB" else name
    _check_one_line(what, value)
    if "'" in value:
        raise ValueError(f"{what} must not contain ' (write it as %27)")


def _check_every(every_minutes: int) -> None:
    """ValueError unless ``every_minutes`` is a whole number from 1 to 59."""
    if (
        isinstance(every_minutes, bool)
        or not isinstance(every_minutes, int)
        or not 1 <= every_minutes <= 59
    ):
        raise ValueError(f"every must be from 1 to 59 minutes, not {every_minutes!r}")


def _check_one_line(name: str, value: str) -> None:
    """ValueError when ``value`` would break the line or unit file it goes into."""
    if "\n" in value or "\r" in value or "\0" in value:
        raise ValueError(f"{name} must not contain a line break")


def _cron_quote(value: str) -> str:
    """Quote ``value`` for /bin/sh, and escape ``%``, which cron turns into a newline."""
    import shlex

    return shlex.quote(value).replace("%", "\\%")


def cron_line(
    *,
    executable: Path,
    db: str | None,
    path_env: str,
    log: Path,
    every_minutes: int = 15,
    env_file: Path | None = None,
    command: str = "remind",
    marker: str = CRON_MARKER,
    config: str | None = None,
    args: Sequence[str] = (),
) -> str:
    """The crontab line that runs ``tinycrm remind`` (or ``command``, marked ``marker``)
    every ``every_minutes`` minutes, with ``args`` after the command (``--mail``, ...).

    For example (one line)::

        */15 * * * * mkdir -p /home/me/.local/state/tinycrm && PATH=/usr/local/bin:/usr/bin:/bin
        TINYCRM_DB=/home/me/.local/share/tinycrm/tinycrm.db /home/me/.venv/bin/tinycrm remind
        >> /home/me/.local/state/tinycrm/remind.log 2>&1 # tinycrm remind

    Values are shell-quoted where needed and ``%`` is escaped for cron. ``executable`` and
    ``log`` must be absolute (cron starts in the home directory); ``db`` None leaves
    ``TINYCRM_DB`` out, so the default database is used. The line creates the log's
    folder (``mkdir -p``) before it appends to the log, so it works when pasted. Minutes
    that do not divide 60 (say 45) restart every hour, as cron's ``*/N`` does. The line
    ends with :data:`CRON_MARKER`, which :func:`install_cron` uses to recognise it.

    ``env_file`` (from :func:`write_env`: a database URL that holds a password, webhook
    URLs) is read by the line instead of naming them in it: a crontab is readable by
    the tools that list it, and a password does not belong there.

    ``config`` (the absolute path ``TINYCRM_CONFIG`` named at install time) goes into the
    line as ``TINYCRM_CONFIG``: cron starts with an empty environment, and would read the
    default config file (and its hooks) instead.
    """
    _check_every(every_minutes)
    executable = Path(executable)
    log = Path(log)
    if not executable.is_absolute():
        raise ValueError(f"executable must be an absolute path, not {str(executable)!r}")
    if not log.is_absolute():
        raise ValueError(f"log must be an absolute path, not {str(log)!r}")
    values = {"executable": str(executable), "log": str(log), "path": path_env}
    if db is not None:
        refuse_password(db)
        values["db"] = db
    if env_file is not None:
        if not Path(env_file).is_absolute():
            raise ValueError(f"env_file must be an absolute path, not {str(env_file)!r}")
        values["env_file"] = str(env_file)
    if config is not None:
        _check_config(config)
        values["config"] = config
    for name, value in [*values.items(), *(("an argument", arg) for arg in args)]:
        _check_one_line(name, value)
    if not path_env:
        raise ValueError("path must not be empty")

    minute = "*" if every_minutes == 1 else f"*/{every_minutes}"
    words = [f"{minute} * * * *", "mkdir", "-p", _cron_quote(str(log.parent)), "&&"]
    if env_file is not None:  # set -a: what the file assigns is exported to tinycrm
        words += ["set", "-a", "&&", ".", _cron_quote(str(env_file)), "&&", "set", "+a", "&&"]
    words.append(f"PATH={_cron_quote(path_env)}")
    if db is not None:
        words.append(f"TINYCRM_DB={_cron_quote(db)}")
    if config is not None:
        words.append(f"TINYCRM_CONFIG={_cron_quote(config)}")
    words += [_cron_quote(str(executable)), *command.split(), *map(_cron_quote, args)]
    words += [">>", _cron_quote(str(log)), "2>&1"]
    line = " ".join(words) + " " + marker
    _check_cron_length(line)
    return line


def _check_cron_length(line: str) -> None:
    """ValueError when the command of crontab ``line`` is longer than cron reads."""
    fields = line.split(None, 5)
    size = len(fields[-1].encode("utf-8", "surrogateescape")) if len(fields) == 6 else 0
    if size > CRON_COMMAND_MAX:
        raise ValueError(
            f"the crontab line would be {size:,} bytes long (its command), and cron reads "
            f"at most {CRON_COMMAND_MAX}: shorten PATH or the paths and options it names, "
            "or use --systemd"
        )


def _check_config(config: str) -> None:
    if not Path(config).is_absolute():
        raise ValueError(f"config must be an absolute path, not {config!r}")


def _config_environment(config: str | None) -> list[str]:
    """A unit's ``Environment=`` line naming the config file, when one was named."""
    if config is None:
        return []
    _check_config(config)
    return [f"Environment={_systemd_quote('TINYCRM_CONFIG=' + config)}"]


def _is_ours(line: bytes, marker: str = CRON_MARKER) -> bool:
    """Whether a crontab line is an active tinycrm line (not commented out)."""
    text = line.rstrip(b"\r\n").rstrip()
    return text.endswith(marker.encode()) and not text.lstrip().startswith(b"#")


def _crontab() -> str:
    import shutil

    crontab = shutil.which("crontab")
    if crontab is None:
        raise RuntimeError(CRONTAB_MISSING)
    return crontab


def _first_line(stderr: bytes, returncode: int) -> str:
    detail = stderr.decode("utf-8", "replace").strip().splitlines()
    return detail[0] if detail else f"exit status {returncode}"


def _read_crontab(crontab: str) -> bytes:
    """The user's crontab as bytes; empty when they have none."""
    import subprocess

    try:
        listed = subprocess.run(
            [crontab, "-l"], stdin=subprocess.DEVNULL, capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeError(f"crontab -l failed: {exc}") from None
    if listed.returncode == 0:
        return listed.stdout
    if b"no crontab for" in listed.stderr.lower():
        return b""
    raise RuntimeError(f"crontab -l failed: {_first_line(listed.stderr, listed.returncode)}")


def _write_crontab(crontab: str, table: bytes) -> None:
    import subprocess

    try:
        written = subprocess.run(
            [crontab, "-"], input=table, capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeError(f"crontab - failed: {exc}") from None
    if written.returncode != 0:
        raise RuntimeError(f"crontab - failed: {_first_line(written.stderr, written.returncode)}")


# the shells that run a line written for sh (cron runs it as `$SHELL -c LINE`)
_SH_SHELLS = frozenset({"sh", "bash", "dash", "ash", "ksh", "ksh93", "mksh", "zsh", "yash", "posh"})
# a crontab line setting SHELL (cron's `NAME = value`, the value maybe in quotes)
_SHELL_SETTING = re.compile(rb"[ \t]*SHELL[ \t]*=[ \t]*(.*?)[ \t]*")


def _check_shell(above: Sequence[bytes]) -> None:
    """RuntimeError when the last ``SHELL=`` of the crontab lines ``above`` the tinycrm
    line (cron gives a line the settings above it) names a shell that cannot run the
    line, which is written for sh (fish, csh: it would fail on every run, unsaid)."""
    for number in range(len(above), 0, -1):
        setting = above[number - 1].rstrip(b"\r\n")
        found = _SHELL_SETTING.fullmatch(setting)
        if found is None:
            continue
        value = found.group(1)
        if len(value) >= 2 and value[0] == value[-1] and value[:1] in (b"'", b'"'):
            value = value[1:-1]
        if value.rsplit(b"/", 1)[-1].decode("utf-8", "replace") in _SH_SHELLS:
            return
        shown = setting.strip().decode("utf-8", "replace")
        raise RuntimeError(
            f"your crontab sets {shown} (line {number}), a shell that cannot run tinycrm's "
            "line (written for sh): put SHELL=/bin/sh above the tinycrm line, or use --systemd"
        )


def check_crontab(marker: str = CRON_MARKER) -> None:
    """What :func:`install_cron` refuses, checked before anything is written (the
    environment file the line reads): RuntimeError when the ``crontab`` program is
    missing or fails, or the crontab's ``SHELL`` cannot run the line."""
    lines = _read_crontab(_crontab()).splitlines(keepends=True)
    ours = [index for index, existing in enumerate(lines) if _is_ours(existing, marker)]
    _check_shell(lines[: ours[0]] if ours else lines)


def install_cron(line: str, marker: str = CRON_MARKER) -> bool:
    """Add ``line`` (from :func:`cron_line`) to the user's crontab; False if already there.

    An active line carrying the same marker and the same command is left alone (False);
    otherwise the first line carrying the marker is replaced (the database or PATH changed)
    and any other active one taken out (it would run the job twice), or the line is
    appended. Every other line is kept byte for byte. An empty crontab
    (``crontab -l`` saying "no crontab for ...") counts as empty. RuntimeError when the
    ``crontab`` program is missing or fails, or when the crontab sets ``SHELL`` above
    the line to a shell that cannot run it (fish, csh: the line is written for sh).
    """
    if not line.rstrip().endswith(marker):
        raise ValueError(f"line must end with the marker {marker!r}")
    _check_one_line("line", line)
    _check_cron_length(line)
    crontab = _crontab()
    current = _read_crontab(crontab)

    new_line = line.rstrip().encode("utf-8", "surrogateescape")
    lines = current.splitlines(keepends=True)
    ours = [index for index, existing in enumerate(lines) if _is_ours(existing, marker)]
    _check_shell(lines[: ours[0]] if ours else lines)  # the lines above where it goes
    if len(ours) == 1 and lines[ours[0]].rstrip(b"\r\n").rstrip() == new_line:
        return False
    if ours:  # the first one's place; a second active line would run the job twice
        first = lines[ours[0]]
        ending = first[len(first.rstrip(b"\r\n")) :] or b"\n"
        lines[ours[0]] = new_line + ending
        for index in reversed(ours[1:]):
            del lines[index]
    else:
        if lines and not lines[-1].endswith(b"\n"):
            lines[-1] += b"\n"
        lines.append(new_line + b"\n")
    _write_crontab(crontab, b"".join(lines))
    return True


def cron_lines(marker: str = CRON_MARKER) -> list[str]:
    """The active tinycrm lines (see :data:`CRON_MARKER`) in the user's crontab; none when
    the ``crontab`` program is missing. RuntimeError when it cannot be read."""
    try:
        crontab = _crontab()
    except RuntimeError:
        return []
    lines = _read_crontab(crontab).splitlines(keepends=True)
    return [
        line.rstrip(b"\r\n").decode("utf-8", "replace") for line in lines if _is_ours(line, marker)
    ]


def remove_cron(marker: str = CRON_MARKER) -> list[str]:
    """Take every active tinycrm line (see :data:`CRON_MARKER`) out of the user's crontab;
    return them. Every other line, commented-out tinycrm lines too, is kept byte for byte;
    the crontab is not rewritten when there is nothing to take out. RuntimeError when the
    ``crontab`` program fails; an empty list when it is missing (nothing can be installed)."""
    try:
        crontab = _crontab()
    except RuntimeError:
        return []
    lines = _read_crontab(crontab).splitlines(keepends=True)
    ours = [line for line in lines if _is_ours(line, marker)]
    if not ours:
        return []
    _write_crontab(crontab, b"".join(line for line in lines if not _is_ours(line, marker)))
    return [line.rstrip(b"\r\n").decode("utf-8", "replace") for line in ours]


def _systemd_quote(value: str, *, exec_line: bool = False) -> str:
    """Quote one word for a unit file: ``%`` specifiers escaped, and ``$`` in ExecStart=."""
    _check_one_line("value", value)
    escaped = value.replace("%", "%%")
    if exec_line:
        escaped = escaped.replace("$", "$$")
    if escaped and not any(ch in escaped for ch in " \t\"'\\;"):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_units(
    *,
    executable: Path,
    db: str | None,
    every_minutes: int = 15,
    env_file: Path | None = None,
    job: Job = REMIND,
    config: str | None = None,
    args: Sequence[str] = (),
) -> dict[str, str]:
    """The text of ``tinycrm-remind.service`` and ``tinycrm-remind.timer`` (or ``job``'s
    units), by file name; ``args`` follow the command in ``ExecStart=``.

    A oneshot service runs ``EXECUTABLE remind`` (with ``Environment=TINYCRM_DB=...`` when
    ``db`` is given, or ``EnvironmentFile=`` naming ``env_file`` when the database URL
    holds a password; its output goes to the journal); the timer fires it every
    ``every_minutes`` minutes (``OnCalendar=*:0/15``) and catches up after sleep or
    shutdown (``Persistent=true``).
    """
    _check_every(every_minutes)
    executable = Path(executable)
    if not executable.is_absolute():
        raise ValueError(f"executable must be an absolute path, not {str(executable)!r}")

    service = ["[Unit]", f"Description={job.description}", "", "[Service]", "Type=oneshot"]
    if db is not None:
        refuse_password(db)
        service.append(f"Environment={_systemd_quote('TINYCRM_DB=' + db)}")
    if env_file is not None:
        service.append(f"EnvironmentFile={_systemd_quote(str(env_file))}")
    service += _config_environment(config)
    command = [_systemd_quote(str(executable), exec_line=True), job.command]
    command += [_systemd_quote(arg, exec_line=True) for arg in args]
    service.append(f"ExecStart={' '.join(command)}")
    every = "minute" if every_minutes == 1 else f"{every_minutes} minutes"
    timer = [
        "[Unit]",
        f"Description=Run tinycrm {job.command} every {every}",
        "",
        "[Timer]",
        f"OnCalendar=*:0/{every_minutes}",
        "Persistent=true",
        f"Unit={job.unit}.service",
        "",
        "[Install]",
        "WantedBy=timers.target",
    ]
    return {
        f"{job.unit}.service": "\n".join(service) + "\n",
        f"{job.unit}.timer": "\n".join(timer) + "\n",
    }


def watch_service(
    *,
    executable: Path,
    db: str | None,
    env_file: Path | None = None,
    job: Job = WEBHOOKS,
    config: str | None = None,
    args: Sequence[str] = (),
) -> dict[str, str]:
    """``tinycrm-webhooks.service`` (``job``'s service): a user service that keeps
    ``tinycrm webhooks deliver --watch`` running (restarted if it stops), started with
    the user's session."""
    executable = Path(executable)
    if not executable.is_absolute():
        raise ValueError(f"executable must be an absolute path, not {str(executable)!r}")
    service = [
        "[Unit]",
        f"Description={job.description}",
        "",
        "[Service]",
        "Type=simple",
        "Restart=on-failure",
        "RestartSec=10",
    ]
    if db is not None:
        refuse_password(db)
        service.append(f"Environment={_systemd_quote('TINYCRM_DB=' + db)}")
    if env_file is not None:
        service.append(f"EnvironmentFile={_systemd_quote(str(env_file))}")
    service += _config_environment(config)
    exe = _systemd_quote(str(executable), exec_line=True)
    extra = "".join(f" {_systemd_quote(arg, exec_line=True)}" for arg in args)
    service += [f"ExecStart={exe} {job.command} --watch{extra}", "", "[Install]"]
    service.append("WantedBy=default.target")
    return {f"{job.unit}.service": "\n".join(service) + "\n"}


def job_units(
    job: Job,
    *,
    executable: Path,
    db: str | None,
    every_minutes: int | None = None,
    env_file: Path | None = None,
    config: str | None = None,
    args: Sequence[str] = (),
) -> dict[str, str]:
    """``job``'s systemd units: a timer and its oneshot service, or for a job that
    watches, a service that keeps it running; ``args`` follow its command."""
    if job.watch:
        return watch_service(
            executable=executable, db=db, env_file=env_file, job=job, config=config, args=args
        )
    every = job.every if every_minutes is None else every_minutes
    return systemd_units(
        executable=executable,
        db=db,
        every_minutes=every,
        env_file=env_file,
        job=job,
        config=config,
        args=args,
    )


def remove_job(
    job: Job, directory: Path | None = None, env_file: Path | None = None
) -> tuple[list[str], list[Path]]:
    """Take out what installing ``job`` added: its crontab lines (returned as they were;
    every other line is kept byte for byte) and its units and environment file (the
    paths deleted). RuntimeError when the ``crontab`` program fails; ``PartlyRemoved``
    when a file cannot be deleted (a read-only folder), after the rest is taken out."""
    lines = remove_cron(job.marker)
    target = Path(directory) if directory is not None else default_systemd_dir()
    paths = [target / name for name in job.unit_files()]
    paths.append(Path(env_file) if env_file is not None else default_env_file(job.env_name))
    removed: list[Path] = []
    kept: list[str] = []
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            kept.append(f"{path} ({exc.strerror or exc})")
            continue
        removed.append(path)
    if kept:
        raise PartlyRemoved(f"cannot remove {', '.join(kept)}", lines, removed)
    return lines, removed


class PartlyRemoved(RuntimeError):
    """``remove_job`` took out ``lines`` and ``removed``, but not every file."""

    def __init__(self, message: str, lines: list[str], removed: list[Path]) -> None:
        super().__init__(message)
        self.lines = lines
        self.removed = removed


def default_systemd_dir() -> Path:
    """``$XDG_CONFIG_HOME/systemd/user`` (``~/.config/systemd/user`` by default)."""
    config = os.environ.get("XDG_CONFIG_HOME", "")
    base = Path(config) if os.path.isabs(config) else Path.home() / ".config"
    return base / "systemd" / "user"


def write_systemd_units(units: Mapping[str, str], directory: Path | None = None) -> list[Path]:
    """Write ``units`` (file name -> text) into ``directory``; return the paths written.

    The directory defaults to :func:`default_systemd_dir` and is created when missing;
    each file is replaced atomically. Does not run ``systemctl``.
    """
    from tinycrm.files import write_text

    target = Path(directory) if directory is not None else default_systemd_dir()
    for name in units:
        if not name or "/" in name or "\\" in name or name in (".", ".."):
            raise ValueError(f"unit name must be a plain file name, not {name!r}")
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, text in units.items():
        path = target / name
        write_text(path, text, private=False)  # a unit holds no personal data: 0644
        written.append(path)
    return written
