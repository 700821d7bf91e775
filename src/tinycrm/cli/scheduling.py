"""The one install flow behind ``remind install``, ``webhooks install`` and ``mail install``
(and their ``uninstall``): print the crontab line, or add it (``--apply``), or write
systemd user units (``--systemd``); a database URL holding a password goes into a 0600
environment file the line and the units read. What each job runs is a
:class:`tinycrm.schedule.Job`."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tinycrm import safetext
from tinycrm.cli.common import fail, whole, whole_number
from tinycrm.cli.output import done
from tinycrm.files import CannotWrite, expand_home

if TYPE_CHECKING:
    from tinycrm.schedule import Job

ApplyOpt = Annotated[
    bool, typer.Option("--apply", help="Add the line to your crontab (once; safe to repeat).")
]
TimerOpt = Annotated[
    bool, typer.Option("--systemd", help="Write a systemd user service and timer instead.")
]
EveryOpt = Annotated[
    int,
    typer.Option(
        help="Run every N minutes (1-59).", metavar="N", parser=whole, callback=whole_number(1, 59)
    ),
]


@dataclass
class _Secrets:
    """What a scheduled run reads from its 0600 environment file: the values (none: no
    file), where the file goes, and what they are, for the user."""

    values: dict[str, str]
    path: Path | None
    held: list[str]

    def write(self, *, to_stderr: bool) -> None:
        """Write the file (when there is one to write); say so on stdout, or stderr."""
        from tinycrm import schedule

        if self.path is None:
            return
        try:
            schedule.write_env(self.values, self.path)
        except ValueError as exc:
            fail(f"cannot write the environment file for {' and '.join(self.held)}: {exc}")
        except OSError as exc:  # in words, with what could not be made when not the file
            reason = exc.strerror or type(exc).__name__
            where = f" ({exc.filename})" if exc.filename not in (None, str(self.path)) else ""
            fail(
                f"cannot write the environment file {self.path} for "
                f"{' and '.join(self.held)}: {reason}{where}"
            )
        wrote = f"Wrote {self.path} (0600): scheduled runs read {' and '.join(self.held)} from it"
        if to_stderr:
            sys.stderr.write(safetext.display(wrote) + "\n")
        else:
            done(wrote)


def scheduled_database(
    ctx: typer.Context,
    env_name: str,
    secrets: Mapping[str, str] | None = None,
    said: str = "",
) -> tuple[str | None, _Secrets]:
    """The database a scheduled run names: in the line or unit, or, for a URL with a
    password, in an environment file ``env_name`` (0600) that they read instead, with
    ``secrets`` (environment variables; ``said``: what they are, for the user). The file
    is not written here: only once the line or units are known to be good."""
    from tinycrm import schedule
    from tinycrm.api.database import locate

    where = locate(ctx.find_root().obj.db)
    db: str | None = str(where.path) if where.path else where.url
    values = dict(secrets or {})
    held = [said] if values else []
    if db is not None and schedule.has_password(db):  # never in a crontab or a 0644 unit
        values = {"TINYCRM_DB": db, **values}
        held.insert(0, "the database URL with its password")
        db = None
    path = schedule.default_env_file(env_name) if values else None
    if values:  # refused before anything is written (a value holding ' or a line break)
        for name, value in values.items():
            try:
                schedule.check_env_value(name, value)
            except ValueError as exc:
                fail(f"cannot write the environment file for {' and '.join(held)}: {exc}")
    return db, _Secrets(values, path, held)


def executable() -> Path:
    """The ``tinycrm`` a scheduled run starts: beside this Python, else on PATH."""
    beside = Path(sys.executable).parent / "tinycrm"
    if beside.exists():
        return beside.absolute()
    found = shutil.which("tinycrm")
    if found:
        return Path(found).absolute()
    return Path(sys.argv[0]).absolute()


def install(
    ctx: typer.Context,
    job: Job,
    *,
    apply: bool,
    systemd: bool,
    every: int | None,
    args: Sequence[str] = (),
    secrets: Mapping[str, str] | None = None,
    said: str = "",
) -> None:
    """Print ``job``'s crontab line (``apply``: add it once), or write its systemd units.

    ``args`` follow the command in the line or unit; ``secrets`` (environment variables
    the command reads, ``said``: what they are) go into its 0600 environment file."""
    from platformdirs import user_log_dir

    from tinycrm import schedule

    printing = not (apply or systemd)  # stdout is the line, for `| crontab -` or a file
    db, secret = scheduled_database(ctx, job.env_name, secrets, said)
    env_file = secret.path
    named = os.environ.get("TINYCRM_CONFIG")  # cron and systemd would not know it
    config = str(expand_home(named, "cannot read config file").absolute()) if named else None
    for what, value in (("the database path", db), ("the config file's path", config)):
        if value is not None and ("\n" in value or "\r" in value):
            fail(
                f"cannot schedule {job.name}: {what} holds a line break, which a crontab "
                f"line or a systemd unit cannot carry ({safetext.quoted(value)})"
            )
    if systemd:
        try:
            units = schedule.job_units(
                job,
                executable=executable(),
                db=db,
                every_minutes=every,
                env_file=env_file,
                config=config,
                args=args,
            )
        except ValueError as exc:  # a value no unit file can hold
            fail(f"cannot schedule {job.name}: {exc}")
        folder = schedule.default_systemd_dir()
        _make_folder(folder, "the systemd units")  # before the environment file is written
        secret.write(to_stderr=False)
        # One install replaces the other, the line first: never both at once (each would
        # run the job). A crontab that cannot be read holds no line of ours to run it.
        old_lines: list[str] = []
        try:
            found = schedule.cron_lines(job.marker)
        except RuntimeError as exc:
            found = []
            sys.stderr.write(
                safetext.display(f"Note: an earlier crontab line may still run it: {exc}") + "\n"
            )
        if found:
            try:
                old_lines = schedule.remove_cron(job.marker)
            except RuntimeError as exc:
                fail(f"{exc}; the crontab line was kept and no systemd unit written")
        try:
            written = schedule.write_systemd_units(units, folder)
        except (OSError, CannotWrite) as exc:
            _put_back_cron(job, old_lines)
            kept = "; the crontab line was kept" if old_lines else ""
            if isinstance(exc, OSError):
                fail(f"cannot write the systemd units into {folder}: {exc.strerror or exc}{kept}")
            fail(f"{exc}{kept}")
        for path in written:
            done(f"Wrote {path}")
        for old_line in old_lines:
            done(f"Removed from your crontab: {old_line}")
        _drop_stale_env(job, env_file, installed=True)
        verb = "Start" if job.watch else "Enable"
        done(
            f"{verb} it with: systemctl --user daemon-reload && "
            f"systemctl --user enable --now {job.enable}"
        )
        return
    log = Path(user_log_dir("tinycrm", appauthor=False)) / job.log_name
    try:
        line = schedule.cron_line(
            executable=executable(),
            db=db,
            path_env=os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            log=log,
            every_minutes=job.every if every is None else every,
            env_file=env_file,
            command=job.command,
            marker=job.marker,
            config=config,
            args=args,
        )
    except ValueError as exc:  # a value no crontab line can hold (PATH with a line break)
        fail(f"cannot schedule {job.name}: {exc}")
    if apply:  # refused before the environment file is written (SHELL=/usr/bin/fish)
        try:
            schedule.check_crontab(job.marker)
        except RuntimeError as exc:
            fail(str(exc))
        # the line's >> fails before tinycrm starts when its log folder cannot be made
        _make_folder(log.parent, "the log the line writes")
    secret.write(to_stderr=printing)
    if not apply:
        sys.stdout.write(line + "\n")
        sys.stderr.write(f"Add it with `tinycrm {job.installer} --apply` (or crontab -e).\n")
        _drop_stale_env(job, env_file, installed=False)
        return
    # the units an earlier --systemd install wrote go first, and come back when the line
    # cannot be added: never both at once (each would run the job), never neither
    taken = _take_systemd_units(job)
    try:
        added = schedule.install_cron(line, job.marker)
    except RuntimeError as exc:
        _put_back_units(taken)
        fail(f"{exc}; the systemd units were kept" if taken else str(exc))
    done("Added to your crontab:" if added else "Already in your crontab:")
    done(f"  {line}")
    for path in taken:
        done(f"Removed {path}")
    if taken:
        done(
            f"Stop it with: systemctl --user disable --now {job.enable}; "
            "systemctl --user daemon-reload"
        )
    _drop_stale_env(job, env_file, installed=True)


def _make_folder(folder: Path, what: str) -> None:
    """Create ``folder`` (for ``what``) before anything is installed: a home that cannot
    be written is one line, nothing written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"cannot create {folder} for {what}: {exc.strerror or exc}; nothing was installed")


def _take_systemd_units(job: Job) -> dict[Path, bytes]:
    """The units an earlier ``--systemd`` install wrote, taken away before the crontab
    runs ``job`` (they would run it a second time); returned with what they held, for
    ``_put_back_units``. One that cannot be removed: those removed are put back, and one
    line says so (nothing was installed)."""
    from tinycrm import schedule

    directory = schedule.default_systemd_dir()
    removed: dict[Path, bytes] = {}
    for name in job.unit_files():
        path = directory / name
        try:
            held = path.read_bytes()
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            _put_back_units(removed)
            fail(
                f"cannot remove {path}, which an earlier install wrote: "
                f"{exc.strerror or exc}; nothing was installed"
            )
        removed[path] = held
    return removed


def _put_back_units(units: dict[Path, bytes]) -> None:
    """Units ``_take_systemd_units`` took away, written back as they were."""
    from contextlib import suppress

    from tinycrm.files import write_bytes

    for path, held in units.items():
        with suppress(OSError):
            write_bytes(path, held, private=False)


def _put_back_cron(job: Job, lines: list[str]) -> None:
    """Crontab lines ``remove_cron`` took out, added back (the first: it was the one)."""
    from contextlib import suppress

    from tinycrm import schedule

    if lines:
        with suppress(RuntimeError, ValueError):
            schedule.install_cron(lines[0], job.marker)


def _drop_stale_env(job: Job, env_file: Path | None, *, installed: bool) -> None:
    """An environment file an earlier install wrote, which what was just installed does
    not read (``env_file`` None: nothing secret this time): taken away once the new line
    or units are in place (it holds a secret, and a line or unit left from before would
    go on reading it). A printed line is a preview: the installed one may still read the
    file, so it stays, and a note on stderr says so."""
    from tinycrm import schedule

    stale = schedule.default_env_file(job.env_name)
    if env_file is not None or not stale.exists():
        return
    if not installed:
        sys.stderr.write(
            safetext.display(
                f"Note: {stale} (from an earlier install) stays: the line above does not read "
                f"it; `tinycrm {job.installer} --apply` or `tinycrm "
                f"{job.installer.replace('install', 'uninstall')}` removes it"
            )
            + "\n"
        )
        return
    try:
        stale.unlink()
    except FileNotFoundError:
        return
    except OSError as exc:
        fail(f"cannot remove {stale}, which an earlier install wrote: {exc.strerror or exc}")
    done(f"Removed {stale}: what was installed does not read it")


def uninstall(job: Job) -> None:
    """Remove what installing ``job`` added; other crontab lines are kept as they are."""
    from tinycrm import schedule

    kept = ""
    try:
        lines, removed = schedule.remove_job(job)
    except schedule.PartlyRemoved as exc:
        lines, removed, kept = exc.lines, exc.removed, str(exc)
    except RuntimeError as exc:
        fail(str(exc))
    for line in lines:
        done(f"Removed from your crontab: {line}")
    for path in removed:
        done(f"Removed {path}")
    if kept:
        fail(f"{kept}: remove what is left by hand")
    if any(path.name == job.enable for path in removed):
        done(
            f"Stop it with: systemctl --user disable --now {job.enable}; "
            "systemctl --user daemon-reload"
        )
    if not lines and not removed:
        done(f"Nothing to remove: tinycrm {job.name} is not installed.")
