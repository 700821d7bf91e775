"""Editing a record in the user's own editor, as git and gh do: the record is written as
TOML to a private temporary file, ``$VISUAL`` (else ``$EDITOR``, else the system's
editor) opens it, and what comes back is read and compared with what went out.

Nothing here knows the database: the command line hands a document (field -> value) in
and gets the changed fields back. What the user typed is never lost: when the editor
fails, the file does not parse or the change is refused, the file stays where it is and
its path is in the message.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from typing import Any

from tinycrm.errors import TinyCrmError

FALLBACK_EDITORS = ("editor", "nano", "vi")  # Debian's alternative first, then the usual


class EditorError(TinyCrmError):
    """The editor could not run, or what it left could not be used. ``kept`` is the file
    holding the user's edits, when there is one."""

    def __init__(self, message: str, kept: Path | None = None) -> None:
        if kept is not None:
            message = f"{message}; your edits are kept in {kept}"
        super().__init__(message)
        self.kept = kept


def editor_command() -> list[str]:
    """``$VISUAL``, else ``$EDITOR`` (each may carry arguments: ``code --wait``), else,
    on a terminal, the first of ``editor``, ``nano`` and ``vi`` on the PATH."""
    for variable in ("VISUAL", "EDITOR"):
        value = os.environ.get(variable, "").strip()
        if value:
            try:
                words = shlex.split(value)
            except ValueError as exc:
                raise EditorError(f"${variable} cannot be read as a command: {exc}") from exc
            if words:
                return words
    if not (sys.stdin.isatty() and sys.stdout.isatty()):  # a script: no one to type in vi
        raise EditorError("not on a terminal: set $VISUAL or $EDITOR to the editor to run")
    for name in FALLBACK_EDITORS:
        found = shutil.which(name)
        if found:
            return [found]
    raise EditorError("no editor found: set $VISUAL or $EDITOR (for example EDITOR=nano)")


def render(document: Mapping[str, Any], header: str) -> str:
    """The TOML the user edits: ``header`` as comment lines, then the fields."""
    import tomli_w

    comments = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return f"{comments}\n{tomli_w.dumps(dict(document), multiline_strings=True)}"


def write_private(text: str, stem: str) -> Path:
    """A new file only the user can read (0600) in the temporary folder."""
    fd, name = tempfile.mkstemp(prefix=f"tinycrm-{stem}-", suffix=".toml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
    except BaseException:
        with suppress(OSError):
            os.unlink(name)
        raise
    return Path(name)


def run_editor(editor: list[str], path: Path) -> None:
    """Open ``path`` in ``editor`` and wait for it. Ctrl-C belongs to the editor
    meanwhile (vi uses it), as git does: this process ignores it until the editor exits."""
    command = [*editor, str(path)]
    try:
        child = subprocess.Popen(command)
    except OSError as exc:
        raise EditorError(f"cannot run the editor {command[0]!r}: {exc.strerror}", path) from exc
    ignored = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGQUIT)}
    try:
        status = child.wait()
    except BaseException:  # TERM: the editor goes with us, the file stays
        child.terminate()
        raise
    finally:
        for signum, handler in ignored.items():
            signal.signal(signum, handler)
    if status != 0:
        raise EditorError(f"the editor exited with status {status}; nothing was changed", path)


def read_back(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")  # (a byte order mark is no text)
    except FileNotFoundError:
        raise EditorError(f"the editor removed {path}; nothing was changed") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EditorError(f"cannot read the edited file: {exc}", path) from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise EditorError(f"the edited file is not valid TOML ({exc})", path) from exc


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """The fields whose value differs, with the new value. A field deleted from the file
    is left as it was; an unknown field, or a value of the wrong kind, is refused."""
    unknown = sorted(set(after) - set(before))
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r} (the fields are: {', '.join(before)})")
    changed: dict[str, Any] = {}
    for key, value in after.items():
        old = before[key]
        if isinstance(old, bool) and not isinstance(value, bool):
            raise ValueError(f"{key}: true or false, not {value!r}")
        if isinstance(old, list) and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            raise ValueError(f'{key}: a list of texts, like ["a", "b"]')
        if isinstance(old, dict) and not (
            isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
        ):
            raise ValueError(f'{key}: a table of texts, like plan = "pro"')
        scalar = isinstance(old, str | int) and not isinstance(old, bool)
        if scalar and (isinstance(value, bool) or not isinstance(value, str | int)):
            raise ValueError(f"{key}: a text in quotes or a number, not {value!r}")
        if value != old:
            changed[key] = value
    return changed


def edit_document(document: Mapping[str, Any], *, header: str, stem: str) -> tuple[
    dict[str, Any], Path
]:  # fmt: skip
    """Let the user edit ``document``: the changed fields, and the file (which the caller
    removes once the change is saved, and names in its error when it is refused)."""
    editor = editor_command()  # before the file: no editor, no file left behind
    path = write_private(render(document, header), stem)
    run_editor(editor, path)
    after = read_back(path)
    try:
        return changes(document, after), path
    except ValueError as exc:
        raise EditorError(str(exc), path) from exc
