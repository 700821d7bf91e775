"""``tinycrm hooks list``: the hooks installed in tinycrm's config folder."""

from __future__ import annotations

import os
import sys
from typing import Any

import typer

from tinycrm.cli.output import TABLE, Output, col, output_options

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Executables that run before (pre-write) and after (post-write) every write.",
)


@app.callback()
def hooks_group() -> None:
    """Executables that run before (pre-write) and after (post-write) every write."""


@app.command("list")
@output_options
def list_(output: Output = TABLE) -> None:
    """The hooks installed, in the order they run, and whether each is executable."""
    from tinycrm import hooks
    from tinycrm.config import config_path

    directory = hooks.hooks_dir(config_path())
    rows = [
        {
            "kind": hook.kind,
            "name": _file_name(hook.name),
            "path": _file_name(str(hook.path)),
            "executable": hook.executable,
            "runs": _runs(hook),
        }
        for hook in hooks.installed(directory)
    ]
    columns = [col("kind", "kind"), col("hook", "name"), col("runs", "runs"), col("path", "path")]
    output.list(
        rows, columns, empty=f"no hooks in {directory}",
        model=["kind", "name", "path", "executable", "runs"],
    )  # fmt: skip
    if not output.machine and any(str(r["runs"]).startswith("no: not executable") for r in rows):
        sys.stderr.write("Hooks that are not executable do not run: chmod +x them.\n")


def _runs(hook: Any) -> str:
    """Whether ``hook`` runs, and if not why: not executable, a link to nothing, or a file
    the system cannot start (a ``#!`` line with Windows line endings…)."""
    from tinycrm.hooks import dangling, start_problem

    if hook.executable:
        problem = start_problem(hook.path)
        return "yes" if problem is None else f"no: {problem}"
    if dangling(hook.path):
        target = _file_name(str(hook.path.parent / os.readlink(hook.path)))
        return f"no: a link to {target}, which is not there"
    return "no: not executable (chmod +x)"


def _file_name(name: str) -> str:
    """A file name as text: the bytes that are not UTF-8 (a name made under another
    locale, kept by Python as lone surrogates that no output can encode) as ``\\xe9``."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
