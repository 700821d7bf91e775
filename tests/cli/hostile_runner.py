"""A fork server for the hostile suite: tinycrm imported once, each case its own process.

Starting ``tinycrm`` costs ~0.4 s of imports (SQLAlchemy, SQLModel, the API's models)
before it reads its arguments, and more as a command loads what it needs (rich's tables,
vobject, the ORM's mappers); hundreds of cases would spend minutes on that alone. This
server loads all of that once (``_preload``), then for each request forks a child that is a
separate process in every way that matters to the case: its own argv (bytes decoded
as Python decodes a real command line), environment, working directory, stdin,
stdout and stderr files and exit status, running the console script's own entry point
(``tinycrm.entry:main``). Nothing runs in the server between cases, so no state crosses
from one case to the next. ``test_hostile.py`` also runs a sample of the cases through
the installed ``tinycrm`` script, to keep the two honest.

Protocol: one JSON request per line on stdin (argv, env, cwd, the stdin, stdout and
stderr files, and ``opened``: a file the child creates when it opens a SQLite database),
one JSON answer per line on stdout (the exit status).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import signal
import sys
import time
import traceback

TIMEOUT = 90  # seconds a case may take before SIGALRM ends it


# Never loaded ahead: the board and the MCP server start Textual and the MCP SDK, which
# no hostile case reaches (the board needs a terminal); the migrations only run for a
# new database, and Alembic's environment is loaded per run.
# (``tinycrm.__main__`` would run the command line as it is imported.)
NOT_PRELOADED = (
    "tinycrm.__main__",
    "tinycrm.tui",
    "tinycrm.mcp_server",
    "tinycrm.cli.board",
    "tinycrm.cli.mcp",
)


def _preload() -> None:
    """Import every module a command may load (tinycrm's own and the libraries they load
    lazily) and configure the ORM's mappers: the work each case would repeat otherwise.
    Nothing here reads a case's environment, files or database."""
    import importlib
    import pkgutil

    import tinycrm

    for info in pkgutil.walk_packages(tinycrm.__path__, "tinycrm."):
        if info.name.startswith(NOT_PRELOADED) or ".migrations" in info.name:
            continue
        importlib.import_module(info.name)
    for module in ("rich.console", "rich.table", "rich.markup", "rich.progress", "vobject",
                   "dateutil.parser", "dateutil.rrule", "platformdirs"):  # fmt: skip
        importlib.import_module(module)
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    _build_command_tree()


def _build_command_tree() -> None:
    """Build the command line's click tree once, every group and command, as each case
    does for its own: Typer reads every callback's annotations, whose evaluation
    (``typing``'s caches) and option patterns (``re``'s) are then warm in every child."""
    import typer.main

    from tinycrm.cli import app

    root = typer.main.get_command(app)

    def walk(command: object, ctx: object) -> None:
        for name in getattr(command, "list_commands", lambda _ctx: [])(ctx):
            if name not in ("board", "mcp"):
                walk(command.get_command(ctx, name), ctx)  # type: ignore[attr-defined]

    walk(root, typer.Context(root))


def _note_databases_opened(marker: str) -> None:
    """Create the file ``marker`` when the case opens a SQLite database (any: its own, a
    backup it reads, a demo it builds), seen through Python's audit hook for
    ``sqlite3.connect``. The test runs on PostgreSQL too the cases that did: one that
    opened none was refused before any database was looked at, the same on every
    backend."""

    def hook(event: str, _args: tuple[object, ...]) -> None:
        if event == "sqlite3.connect" and not os.path.exists(marker):
            os.close(os.open(marker, os.O_WRONLY | os.O_CREAT, 0o600))

    sys.addaudithook(hook)


def _child(request: dict) -> None:
    """In the forked child: become the case's process and run tinycrm's entry point."""
    code = 1
    try:
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()
        for fd, (path, flags) in enumerate(
            [
                (request["stdin"], os.O_RDONLY),
                (request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                (request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
            ]
        ):
            opened = os.open(path, flags, 0o600)
            os.dup2(opened, fd)
            os.close(opened)
        # Fresh text streams over the new descriptors, as a starting interpreter makes them.
        for name, fd, mode in (("stdin", 0, "rb"), ("stdout", 1, "wb"), ("stderr", 2, "wb")):
            old = getattr(sys, name)
            raw = io.FileIO(fd, mode, closefd=False)
            buffered = io.BufferedReader(raw) if mode == "rb" else io.BufferedWriter(raw)
            stream = io.TextIOWrapper(
                buffered, encoding=old.encoding, errors=old.errors, write_through=fd == 2
            )
            setattr(sys, name, stream)
            setattr(sys, f"__{name}__", stream)
        sys.argv = ["tinycrm", *(os.fsdecode(base64.b64decode(a)) for a in request["argv"])]
        _note_databases_opened(request["opened"])
        signal.alarm(TIMEOUT)
        from tinycrm.entry import main

        try:
            main()
            code = 0
        except SystemExit as exc:
            if exc.code is None:
                code = 0
            elif isinstance(exc.code, int):
                code = exc.code
            else:
                sys.stderr.write(f"{exc.code}\n")
                code = 1
        except BaseException:
            traceback.print_exc()  # what the interpreter prints for an uncaught exception
            code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


def serve() -> None:
    import gc

    _preload()
    # Out of the collector's sight: a child's collections would otherwise walk (and so
    # copy, page by page) the whole preloaded heap it shares with the server.
    gc.freeze()
    requests = os.fdopen(os.dup(0), "r")
    answers = os.fdopen(os.dup(1), "w")
    sys.stdout.flush()
    sys.stderr.flush()
    for line in requests:
        request = json.loads(line)
        answers.flush()
        pid = os.fork()
        if pid == 0:
            _child(request)
        _, status = os.waitpid(pid, 0)
        answers.write(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}) + "\n")
        answers.flush()


if __name__ == "__main__":
    serve()
