"""A fork server for the hostile suite: tinycrm imported once, each case its own process.

Starting ``tinycrm`` costs ~0.4 s of imports (SQLAlchemy, SQLModel) before it reads its
arguments; hundreds of cases would spend minutes on that alone. This server imports
the command line and the store once, then for each request forks a child that is a
separate process in every way that matters to the case: its own argv (bytes decoded
as Python decodes a real command line), environment, working directory, stdin,
stdout and stderr files and exit status, running the console script's own entry point
(``tinycrm.cli:main``). Nothing runs in the server between cases, so no state crosses
from one case to the next. ``test_hostile.py`` also runs a sample of the cases through
the installed ``tinycrm`` script, to keep the two honest.

Protocol: one JSON request per line on stdin, one JSON answer per line on stdout.
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


def _preload() -> None:
    import importlib
    import pkgutil

    import tinycrm.cli
    import tinycrm.store

    for module, _attr in tinycrm.cli.COMMANDS.values():
        if module != "tinycrm.cli.board":
            importlib.import_module(module)
    for info in pkgutil.iter_modules(tinycrm.store.__path__, "tinycrm.store."):
        if not info.name.endswith(".migrations"):
            importlib.import_module(info.name)


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
        signal.alarm(TIMEOUT)
        from tinycrm.cli import main

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
    _preload()
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
