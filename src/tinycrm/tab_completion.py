"""The shell's Tab, answered before the command line loads.

A Tab runs ``tinycrm`` with ``_TINYCRM_COMPLETE=complete_SHELL`` (Typer's protocol:
the words typed in ``COMP_WORDS``/``COMP_CWORD`` for bash, ``_TYPER_COMPLETE_ARGS``
for zsh, fish and PowerShell). Loading Typer, click and the command tree to answer it
takes most of a third of a second; this module answers from ``command_tree.json``, the
tree as click's completion sees it (``tinycrm.command_tree``: used only while the
sources it was made from are unchanged; a test checks that it matches the real tree),
and the names of records from the database
(``tinycrm.api.completion``: SQLite read-only, no SQLAlchemy).

It follows click's own steps (``_resolve_context``, ``_resolve_incomplete``, each
parameter's ``shell_complete``) and Typer's output for each shell, for the lines people
type: known commands, known options with their values, arguments. Anything else (an
unknown word, ``--``, bundled short options, an option whose callback would run, help
text that Rich would change) returns None, and the command line answers as before, so
the two never disagree (a test compares them line by line).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from functools import cache
from typing import Any

VARIABLE = "_TINYCRM_COMPLETE"
SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


class _Slow(Exception):
    """A line this module does not answer: the command line will."""


Item = tuple[str, str | None]  # (value, help)


def stale() -> bool:
    """No table made from the command line as it is (shipped or cached)."""
    _tree.cache_clear()
    try:
        _tree()
    except _Slow:
        return True
    return False


@cache
def _tree() -> dict[str, Any]:
    from tinycrm import command_tree

    tree = command_tree.load()
    if tree is None:  # not refreshed since the command line changed
        raise _Slow
    return tree


def answer(environ: Mapping[str, str] | None = None) -> tuple[str | None, int] | None:
    """What ``tinycrm`` prints (None: nothing) and its exit status for the completion
    request in ``environ`` (default: ``os.environ``), or None when the command line
    must answer it."""
    env = os.environ if environ is None else environ
    instruction = env.get(VARIABLE, "")
    prefix, _, shell = instruction.partition("_")
    if prefix != "complete" or shell not in SHELLS:
        return None
    try:
        args, incomplete = _arguments(shell, env)
        items = _complete(args, incomplete)
        return _formatted(shell, items, env)
    except _Slow:
        return None


def main() -> bool:
    """Answer the request in the environment on stdout; False when it is not ours."""
    done = answer()
    if done is None:
        return False
    text, status = done
    if text is not None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    sys.exit(status)


# --------------------------------------------------------------------------- the words


def split_arg_string(string: str) -> list[str]:
    """click's ``split_arg_string``: ``shlex.split`` that keeps an unfinished token."""
    import shlex

    lex = shlex.shlex(string, posix=True)
    lex.whitespace_split = True
    lex.commenters = ""
    out = []
    try:
        for token in lex:
            out.append(token)
    except ValueError:
        out.append(lex.token)
    return out


def _arguments(shell: str, env: Mapping[str, str]) -> tuple[list[str], str]:
    """The complete words after ``tinycrm`` and the word being typed, as Typer's
    completion class for ``shell`` reads them."""
    if shell == "bash":
        try:
            cwords = split_arg_string(env["COMP_WORDS"])
            cword = int(env["COMP_CWORD"])
        except (KeyError, ValueError):
            raise _Slow from None
        try:
            incomplete = cwords[cword]
        except IndexError:
            incomplete = ""
        return cwords[1:cword], incomplete
    line = env.get("_TYPER_COMPLETE_ARGS", "")
    cwords = split_arg_string(line)
    if shell in ("powershell", "pwsh"):
        incomplete = env.get("_TYPER_COMPLETE_WORD_TO_COMPLETE", "")
        return (cwords[1:-1] if incomplete else cwords[1:]), incomplete
    args = cwords[1:]
    if args and not line.endswith(" "):
        return args[:-1], args[-1]
    return args, ""


# --------------------------------------------------------------------------- click's steps


class _Level:
    """One command on the line: its node of the tree and what its words set."""

    def __init__(self, node: dict[str, Any]) -> None:
        self.node = node
        self.given: set[str] = set()  # parameters set from the command line
        self.values: dict[str, str] = {}
        self.positional: list[str] = []


def _options(node: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for param in node["params"]:
        if param["kind"] == "option":
            for name in (*param["opts"], *param["secondary"]):
                found[name] = param
    return found


def _parse(level: _Level, words: list[str]) -> list[str]:
    """Read ``words`` as click's parser does for ``level``'s command (resilient: an
    option missing its value at the end stops it); return the words it leaves for a
    sub-command. Anything this module does not follow raises ``_Slow``."""
    node = level.node
    options = _options(node)
    rest = list(words)
    while rest:
        word = rest.pop(0)
        if word in ("-", "--"):
            raise _Slow
        if word[:1] not in node["prefixes"]:
            if not node["interspersed"]:
                return [word, *rest]  # a group: the sub-command and its words
            level.positional.append(word)
            continue
        name, equals, value = word.partition("=")
        param = options.get(name if equals and name.startswith("--") else word)
        if param is None or param["falls_back"] or (param["nargs"] != 1 and not param["flag"]):
            raise _Slow
        if param["flag"]:
            if equals:
                raise _Slow
            level.given.add(param["name"])
            continue
        if not equals:
            if not rest:
                return []  # click stops here: the option's value is the word being typed
            value = rest.pop(0)
            if value[:1] in node["prefixes"]:
                raise _Slow
        level.given.add(param["name"])
        level.values[param["name"]] = value
    return []


def _arguments_given(level: _Level) -> set[str]:
    """The arguments the positional words filled (click's ``_unpack_args``)."""
    arguments = [p for p in level.node["params"] if p["kind"] == "argument"]
    filled = set()
    count = len(level.positional)
    for index, param in enumerate(arguments):
        if param["envvar"] or param["nargs"] not in (1, -1):
            raise _Slow
        if param["nargs"] == -1:
            if index != len(arguments) - 1:
                raise _Slow
            if count:
                filled.add(param["name"])
            break
        if count:
            filled.add(param["name"])
            count -= 1
    return filled


def _complete(args: list[str], incomplete: str) -> list[Item]:
    tree = _tree()
    path: list[str] = []
    root = level = _Level(tree[""])
    words = _parse(level, args)
    while words:
        if not level.node["group"]:
            raise _Slow
        name, *words = words
        if name not in level.node["subcommands"]:
            raise _Slow  # click would stay at the group: the command line decides
        path.append(name)
        level = _Level(tree[" ".join(path)])
        words = _parse(level, words)
    if not level.node["group"]:
        level.given |= _arguments_given(level)
    db = root.values.get("db_")
    args = list(args)
    prefixes = level.node["prefixes"]

    # _resolve_incomplete
    if incomplete == "=":
        incomplete = ""
    elif "=" in incomplete and incomplete[:1] in prefixes:
        name, _, incomplete = incomplete.partition("=")
        args.append(name)
    if "--" not in args and incomplete[:1] in prefixes and incomplete:
        return _command_items(level, incomplete)
    params = level.node["params"]
    for param in params:
        if param["kind"] == "option" and not param["flag"]:
            last = None
            for index, arg in enumerate(reversed(args)):
                if index + 1 > param["nargs"]:
                    break
                if arg[:1] in prefixes and arg:
                    last = arg
                    break
            if last is not None and last in param["opts"]:
                return _value_items(param, incomplete, db)
    for param in params:
        if param["kind"] == "argument" and (
            param["nargs"] == -1 or param["name"] not in level.given
        ):
            return _value_items(param, incomplete, db)
    return _command_items(level, incomplete)


def _command_items(level: _Level, incomplete: str) -> list[Item]:
    """A command's own ``shell_complete``: sub-commands, then option names."""
    items: list[Item] = []
    if level.node["group"]:
        items += [
            (name, help_) for name, help_ in level.node["commands"] if name.startswith(incomplete)
        ]
    if incomplete and not incomplete[0].isalnum():
        for param in level.node["params"]:
            if param["kind"] != "option" or param["hidden"]:
                continue
            if not param["multiple"] and param["name"] in level.given:
                continue
            items += [
                (name, param["help"])
                for name in (*param["opts"], *param["secondary"])
                if name.startswith(incomplete)
            ]
    return items


def _value_items(param: dict[str, Any], incomplete: str, db: str | None) -> list[Item]:
    """A parameter's ``shell_complete``: records from the database, choices, a file."""
    completes = param["complete"]
    if completes is None:
        return []
    how = completes[0]
    if how == "records":
        from tinycrm.api.completion import complete as names

        kinds = completes[1]
        items: list[Item] = []
        for kind in kinds:
            help_prefix = f"{kind}: " if len(kinds) > 1 else ""
            for value, help_ in names(kind, incomplete, db=db):
                items.append((value, f"{help_prefix}{help_}".strip() or None))
        return items
    if how == "choices":
        choices, case_sensitive = completes[1], completes[2]
        if case_sensitive:
            return [(c, None) for c in choices if c.startswith(incomplete)]
        lowered = incomplete.lower()
        return [(c, None) for c in choices if c.lower().startswith(lowered)]
    if how == "file":
        return [(incomplete, None)]
    raise _Slow


# --------------------------------------------------------------------------- Typer's output


def _formatted(shell: str, items: list[Item], env: Mapping[str, str]) -> tuple[str | None, int]:
    if shell == "bash":
        text = "\n".join(value for value, _ in items)
    elif shell == "zsh":
        lines = [
            f'"{_zsh(value)}":"{_plain(_zsh(help_), env)}"' if help_ else f'"{_zsh(value)}"'
            for value, help_ in items
        ]
        text = f"_arguments '*: :(({chr(10).join(lines)}))'" if lines else "_files"
    elif shell == "fish":
        action = env.get("_TYPER_COMPLETE_FISH_ACTION", "")
        lines = [
            f"{value}\t{_plain(_WHITESPACE.sub(' ', help_), env)}" if help_ else value
            for value, help_ in items
        ]
        if action == "is-args":
            return None, 0 if lines else 1
        text = "\n".join(lines) if action == "get-args" and lines else ""
    else:
        text = "\n".join(
            f"{value}:::{_plain(help_, env) if help_ else ' '}" for value, help_ in items
        )
    _check_printable(text)
    return text, 0


def _zsh(text: str) -> str:
    return (
        text.replace('"', '""')
        .replace("'", "''")
        .replace("$", "\\$")
        .replace("`", "\\`")
        .replace(":", r"\\:")
    )


def _check_printable(text: str) -> None:
    """click's ``echo`` strips ANSI codes when stdout is not a terminal and re-encodes
    for a stream that cannot hold the text: left to it."""
    if "\x1b" in text:
        raise _Slow
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    if not text.isascii() and encoding != "utf8":
        raise _Slow


_EMOJI = re.compile(r":\S*?:")
_WHITESPACE = re.compile(r"\s")


def _plain(text: str, env: Mapping[str, str]) -> str:
    """Typer's ``_sanitize_help_text``: the text as Rich renders it (markup removed,
    emoji codes replaced, wrapped at the terminal's width). Printable text without
    markup or emoji codes that fits the width (a character takes at most two cells) is
    unchanged by it; anything else is rendered by Rich as Typer does (its console's
    theme, colours and highlighter style the text but do not change it)."""
    width = _width(env)
    if (
        width is not None
        and len(text) * (1 if text.isascii() else 2) < width
        and "[" not in text
        and text.isprintable()
        and not _EMOJI.search(text)
    ):
        return text
    try:
        from rich.console import Console
    except ImportError:  # Typer leaves the text as it is without Rich
        return text
    configured = env.get("TERMINAL_WIDTH")
    if configured and not configured.isdigit():
        raise _Slow  # Typer fails on it: the command line says how
    console = Console(width=int(configured) if configured else None)
    return "".join(segment.text for segment in console.render(text)).rstrip("\n")


def _width(env: Mapping[str, str]) -> int | None:
    """The width Rich's console gets in Typer's ``rich_render_text``, or None when it is
    not plain to see (Rich then decides)."""
    if env.get("TERM", "").lower() in ("dumb", "unknown"):
        return None
    configured = env.get("TERMINAL_WIDTH")
    if configured:
        return int(configured) if configured.isdigit() else None
    columns = env.get("COLUMNS")
    if columns is not None and columns.isdigit():
        return int(columns)
    for fd in (0, 1, 2):
        try:
            width = os.get_terminal_size(fd).columns
        except (AttributeError, ValueError, OSError):
            continue
        return width or 80
    return 80
