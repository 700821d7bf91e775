"""Hooks: executables in ``hooks/`` in tinycrm's config folder, run around every write.

Like taskwarrior's hooks. ``hooks/pre-write`` runs before a write commits, with the
write as JSON on its standard input; exit 0 lets the write go on, any other exit
refuses it (its first line of output is the message, nothing is written).
``hooks/post-write`` runs after the commit with the same JSON; its failure is only
reported. Several hooks of one kind go in ``hooks/pre-write.d/`` and
``hooks/post-write.d/`` and run in name order, after the single file. A hook that
runs longer than the timeout (``[hooks] timeout`` in the config file, 10 s) is
killed, with every process it started; for pre-write that is a refusal. A write a
post-write hook makes to the database it was called for runs the pre-write hooks but
not the post-write ones (``store.commits``), so a hook that writes does not loop.

The store calls :func:`pre_write` and :func:`post_write` from its commit path, so the
command line, the board and scripts all run them. This module imports neither the
store nor a front end.
"""

from __future__ import annotations

import errno
import os
import select
import selectors
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinycrm.errors import TinyCrmError
from tinycrm.formats import jsonnumbers

KINDS = ("pre-write", "post-write")
DEFAULT_TIMEOUT = 10.0
HOOKS_DIR = "hooks"
KEPT = 65536
"""Bytes of a hook's output (and of its errors) kept: its first line is the message."""
_PIPE_BUF = select.PIPE_BUF


class HookRefused(TinyCrmError):
    """A pre-write hook refused the write (or failed, or ran out of time)."""


@dataclass(frozen=True)
class Hook:
    """One hook file: its kind, its path and whether it can run."""

    kind: str
    path: Path
    executable: bool

    @property
    def name(self) -> str:
        """``pre-write`` or ``pre-write.d/10-check``: the path inside the hooks folder."""
        return (
            self.path.name
            if self.path.parent.name == HOOKS_DIR
            else (f"{self.path.parent.name}/{self.path.name}")
        )


@dataclass(frozen=True)
class Outcome:
    """What one run of a hook came to."""

    hook: Hook
    returncode: int | None  # None: killed after the timeout
    first_line: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def how(self, exited: str) -> str:
        """How it ended: ``exited`` with its status in it (``exit {}``), or ``killed by
        signal 9, SIGKILL``: a negative return code is a signal's, not a status."""
        code = self.returncode or 0
        if code >= 0:
            return exited.format(code)
        try:
            named = f", {signal.Signals(-code).name}"
        except ValueError:
            named = ""
        return f"killed by signal {-code}{named}"


def hooks_dir(config_file: Path) -> Path:
    """The ``hooks`` folder beside the config file (``~/.config/tinycrm/hooks``)."""
    return config_file.parent / HOOKS_DIR


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def dangling(path: Path) -> bool:
    """Whether ``path`` is a symbolic link to nothing (its script moved or deleted)."""
    return path.is_symlink() and not path.exists()


def _candidates(directory: Path, kind: str) -> Iterator[Path]:
    """The hook files of ``kind``, and the links to nothing among them: those do not
    run, but ``hooks list`` shows them (a check that stopped guarding writes unseen)."""
    single = directory / kind
    if single.is_file() or dangling(single):
        yield single
    folder = directory / f"{kind}.d"
    if folder.is_dir():
        for path in sorted(folder.iterdir(), key=lambda p: p.name):
            if path.name.startswith(".") or path.name.endswith("~"):
                continue
            if path.is_file() or dangling(path):
                yield path


def installed(directory: Path) -> list[Hook]:
    """Every hook file in ``directory``, pre-write first, each kind in the order it runs
    (executable or not: ``tinycrm hooks list`` shows both)."""
    return [
        Hook(kind=kind, path=path, executable=_is_executable(path))
        for kind in KINDS
        for path in _candidates(directory, kind)
    ]


def runnable(directory: Path, kind: str) -> list[Hook]:
    """The hooks of ``kind`` that will run, in order (files that are not executable do not)."""
    if not directory.is_dir():
        return []
    return [hook for hook in installed(directory) if hook.kind == kind and hook.executable]


def start_problem(path: Path) -> str | None:
    """Why the system cannot start the executable ``path``, read from its first line, or
    None: its ``#!`` line ends with a carriage return (saved with Windows line endings),
    names an interpreter that is not there, or comes after a byte order mark. The
    system says "No such file or directory" or "Exec format error" for these, of a file
    that is there."""
    try:
        with path.open("rb") as file:
            head = file.read(512)
    except OSError:
        return None
    if head.startswith(b"\xef\xbb\xbf#!"):
        return "it starts with a byte order mark before its #! line (save it without one)"
    if not head.startswith(b"#!"):
        # text (or nothing) without a #! line is no program the system can start; a
        # binary (ELF, Mach-O) is, and may be run by what it names itself
        return NO_SHEBANG if b"\0" not in head and _text(head) else None
    line = head[2:].split(b"\n", 1)[0]
    if line.endswith(b"\r"):
        return (
            "its #! line ends with a carriage return (Windows line endings: convert the file, "
            "e.g. dos2unix)"
        )
    words = line.split()
    if not words:
        return "its #! line names no interpreter"
    interpreter = os.fsdecode(words[0])
    if not os.path.isfile(os.path.join(path.parent, interpreter)):  # (it runs there)
        shown = interpreter.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        return f"its #! line names {shown[:200]}, which is not there"
    return None


NO_SHEBANG = "it does not start with a #! line naming its interpreter (#!/bin/sh)"


def _text(head: bytes) -> bool:
    """Whether ``head`` (a file's first bytes, perhaps cut in a character) reads as text."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # only the last character cut short
    return True


def encode(payload: Any) -> bytes:
    """The JSON a hook reads on its standard input (one line, UTF-8)."""
    text = jsonnumbers.dumps_plain(payload, ensure_ascii=False, default=str)
    return (text + "\n").encode("utf-8")


def run(
    hook: Hook, data: bytes, *, timeout: float, env: Mapping[str, str] | None = None
) -> Outcome:
    """Run one hook with ``data`` on its standard input, for at most ``timeout`` seconds,
    with ``env`` added to its environment (and ``TINYCRM_HOOK``, its kind).

    It runs in its own process group, so a hook that hangs is stopped together with what
    it started (``sleep`` in a shell script). Its first line of output (standard output,
    else standard error) is kept for the message."""
    env = {**os.environ, **(env or {}), "TINYCRM_HOOK": hook.kind}
    deadline = time.monotonic() + timeout
    try:
        proc = subprocess.Popen(
            [str(hook.path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=hook.path.parent,
            env=env,
            start_new_session=True,
        )
    except OSError as exc:
        said = start_problem(hook.path)
        if said is None and exc.errno == errno.ENOEXEC:
            said = NO_SHEBANG
        return Outcome(hook, 126, f"cannot run hook {hook.name}: {said or exc.strerror or exc}")
    with proc:  # closes the pipes and reaps it, whatever happens
        try:
            out, err = _exchange(proc, data, deadline)
            proc.wait(max(deadline - time.monotonic(), 0))  # it may have closed its output
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            return Outcome(hook, None, f"hook {hook.name} did not finish within {timeout:g} s")
    return Outcome(hook, proc.returncode, _first_line(out) or _first_line(err))


def _exchange(proc: subprocess.Popen[bytes], data: bytes, deadline: float) -> tuple[bytes, bytes]:
    """Give the hook ``data`` and read its output and errors until it exits.

    Until it exits, not until its pipes close: a job it leaves running in the background
    (``notify-send … &``) is its own, and holds the pipes open. Of each stream the first
    ``KEPT`` bytes are kept and the rest is read and dropped, so a hook that floods its
    output fills neither memory nor disk (nor blocks). ``TimeoutExpired`` at ``deadline``."""
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    kept = {proc.stdout.fileno(): bytearray(), proc.stderr.fileno(): bytearray()}
    pending = memoryview(data)
    after_exit = 0  # bytes read since it exited (what it wrote just before)
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        selector.register(proc.stderr, selectors.EVENT_READ)
        if pending:
            selector.register(proc.stdin, selectors.EVENT_WRITE)
        else:
            proc.stdin.close()
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                raise subprocess.TimeoutExpired(proc.args, 0)
            exited = proc.poll() is not None
            ready = selector.select(0 if exited else min(left, 0.05))
            if exited and (not ready or after_exit > KEPT):
                break
            for key, _events in ready:
                if key.fileobj is proc.stdin:
                    try:
                        pending = pending[os.write(key.fd, pending[:_PIPE_BUF]) :]
                    except BrokenPipeError:  # it exited without reading it all
                        pending = pending[:0]
                    if not pending:
                        selector.unregister(proc.stdin)
                        proc.stdin.close()
                    continue
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                buffer = kept[key.fd]
                buffer += chunk[: max(KEPT - len(buffer), 0)]
                after_exit += len(chunk) if exited else 0
    return bytes(kept[proc.stdout.fileno()]), bytes(kept[proc.stderr.fileno()])


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def _first_line(output: bytes) -> str:
    for line in output.decode("utf-8", "replace").splitlines():
        if line.strip():
            return line.strip()[:500]
    return ""


def pre_write(
    directory: Path,
    payloads: list[Any],
    *,
    timeout: float,
    env: Mapping[str, str] | None = None,
) -> None:
    """Run the pre-write hooks on each payload; ``HookRefused`` at the first that fails.

    The message is the hook's first line of output, or says which hook refused and how.
    """
    hooks = runnable(directory, "pre-write")
    for payload in payloads:
        data = encode(payload)
        for hook in hooks:
            outcome = run(hook, data, timeout=timeout, env=env)
            if outcome.ok:
                continue
            if outcome.returncode is None:
                raise HookRefused(f"{outcome.first_line}: nothing was written")
            raise HookRefused(
                outcome.first_line
                or f"the pre-write hook {hook.name} refused the write "
                f"({outcome.how('exit status {}')})"
            )


def post_write(
    directory: Path,
    payloads: list[Any],
    *,
    timeout: float,
    env: Mapping[str, str] | None = None,
) -> list[str]:
    """Run the post-write hooks on each payload; one line for each that failed."""
    hooks = runnable(directory, "post-write")
    problems: list[str] = []
    for payload in payloads:
        data = encode(payload)
        for hook in hooks:
            outcome = run(hook, data, timeout=timeout, env=env)
            if outcome.ok:
                continue
            how = "timed out" if outcome.returncode is None else outcome.how("exit {}")
            said = f": {outcome.first_line}" if outcome.first_line else ""
            problems.append(f"post-write hook {hook.name} failed ({how}){said}")
    return problems
