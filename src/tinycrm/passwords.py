"""Passwords from a command the user names (``pass show mail``): tinycrm stores none.

:func:`run_password_command` runs it with no input and a time limit and returns what it
printed; every way it can fail is a :class:`PasswordCommandError` whose ``reason`` ends a
one-line message ("exited with status 1: gpg: decryption failed", "did not finish within
30 s", "could not run: command not found"): the exit status and the first line of its
stderr, never its output. ``[smtp] password_command`` is a string run by the shell;
``[mail.imap] password_cmd`` is a program and its arguments, run without one.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["PasswordCommandError", "run_password_command"]


class PasswordCommandError(Exception):
    """The password command failed; ``reason`` says how, as the end of a sentence."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _first_line(data: bytes) -> str:
    for line in data.decode("utf-8", "replace").splitlines():
        if line.strip():
            flat = " ".join(line.split())
            return flat[:200] + ("…" if len(flat) > 200 else "")
    return ""


def run_password_command(command: str | Sequence[str], *, timeout: float) -> bytes:
    """What ``command`` printed on stdout (a string: through the shell; a sequence: the
    program and its arguments, no shell)."""
    import subprocess

    shell = isinstance(command, str)
    try:
        done = subprocess.run(
            command if shell else list(command),
            shell=shell,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PasswordCommandError(f"did not finish within {timeout:g} s") from None
    except FileNotFoundError:
        raise PasswordCommandError("could not run: command not found") from None
    except OSError as exc:
        raise PasswordCommandError(f"could not run: {exc.strerror or exc}") from None
    if done.returncode != 0:
        detail = _first_line(done.stderr)
        status = (
            f"was stopped by signal {-done.returncode}"
            if done.returncode < 0
            else f"exited with status {done.returncode}"
        )
        raise PasswordCommandError(status + (f": {detail}" if detail else ""))
    return done.stdout
