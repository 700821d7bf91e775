"""Hooks: executables in ``hooks/`` in tinycrm's config folder, run around every write.

Like taskwarrior's hooks. ``hooks/pre-write`` runs before a write commits, with the
write as JSON on its standard input; exit 0 lets the write go on, any other exit
refuses it (its first line of output is the message, nothing is written).
``hooks/post-write`` runs after the commit with the same JSON; its failure is only
reported. Several hooks of one kind go in ``hooks/pre-write.d/`` and
``hooks/post-write.d/`` and run in name order, after the single file. A hook that
runs longer than the timeout (``[hooks] timeout`` in the config file, 10 s) is
killed, with every process it started; for pre-write that is a refusal.

The store calls :func:`pre_write` and :func:`post_write` from its commit path, so the
command line, the board and scripts all run them. This module imports neither the
store nor a front end.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinycrm.errors import TinyCrmError

KINDS = ("pre-write", "post-write")
DEFAULT_TIMEOUT = 10.0
HOOKS_DIR = "hooks"


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


def hooks_dir(config_file: Path) -> Path:
    """The ``hooks`` folder beside the config file (``~/.config/tinycrm/hooks``)."""
    return config_file.parent / HOOKS_DIR


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _candidates(directory: Path, kind: str) -> Iterator[Path]:
    single = directory / kind
    if single.is_file():
        yield single
    folder = directory / f"{kind}.d"
    if folder.is_dir():
        for path in sorted(folder.iterdir(), key=lambda p: p.name):
            if path.name.startswith(".") or path.name.endswith("~") or not path.is_file():
                continue
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


def encode(payload: Any) -> bytes:
    """The JSON a hook reads on its standard input (one line, UTF-8)."""
    return (json.dumps(payload, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def run(hook: Hook, data: bytes, *, timeout: float) -> Outcome:
    """Run one hook with ``data`` on its standard input, for at most ``timeout`` seconds.

    It runs in its own process group, so a hook that hangs is stopped together with what
    it started (``sleep`` in a shell script). Its first line of output (standard output,
    else standard error) is kept for the message."""
    env = {**os.environ, "TINYCRM_HOOK": hook.kind}
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
        return Outcome(hook, 126, f"cannot run hook {hook.name}: {exc.strerror or exc}")
    try:
        out, err = proc.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, err = proc.communicate()
        return Outcome(hook, None, f"hook {hook.name} did not finish within {timeout:g} s")
    except BrokenPipeError:  # it exited without reading its input
        out, err = b"", b""
        proc.wait()
    return Outcome(hook, proc.returncode, _first_line(out) or _first_line(err))


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


def pre_write(directory: Path, payloads: list[Any], *, timeout: float) -> None:
    """Run the pre-write hooks on each payload; ``HookRefused`` at the first that fails.

    The message is the hook's first line of output, or says which hook refused and how.
    """
    hooks = runnable(directory, "pre-write")
    for payload in payloads:
        data = encode(payload)
        for hook in hooks:
            outcome = run(hook, data, timeout=timeout)
            if outcome.ok:
                continue
            if outcome.returncode is None:
                raise HookRefused(f"{outcome.first_line}: nothing was written")
            raise HookRefused(
                outcome.first_line
                or f"the pre-write hook {hook.name} refused the write (exit status "
                f"{outcome.returncode})"
            )


def post_write(directory: Path, payloads: list[Any], *, timeout: float) -> list[str]:
    """Run the post-write hooks on each payload; one line for each that failed."""
    hooks = runnable(directory, "post-write")
    problems: list[str] = []
    for payload in payloads:
        data = encode(payload)
        for hook in hooks:
            outcome = run(hook, data, timeout=timeout)
            if outcome.ok:
                continue
            how = "timed out" if outcome.returncode is None else f"exit {outcome.returncode}"
            said = f": {outcome.first_line}" if outcome.first_line else ""
            problems.append(f"post-write hook {hook.name} failed ({how}){said}")
    return problems
