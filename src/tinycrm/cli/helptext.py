"""Typer's help renderer, imported without what ``--help`` never uses.

``typer.rich_utils`` (the boxed ``--help``) imports ``rich.markdown`` (markdown-it,
Pygments) for help written in Markdown, and ``rich.traceback`` (attrs, pickle) for
pretty tracebacks: about half of what ``tinycrm --help`` took. Our help is Rich markup
and our errors are one line, so :func:`load_help_renderer` imports it with stand-ins
for those two classes, which import the real ones the first time they are used. The
help it writes is the same, to the character (a test compares).

Our help is plain text that names config sections the way the file writes them
(``[quotes] valid_days``), so Typer's Rich markup would take ``[quotes]`` for a style
and drop it: :func:`load_help_renderer` also makes the renderer escape every help text
before Rich reads it (``rich.markup.escape``), so brackets are shown as written, and
joins the lines of the summaries a group lists, as Typer does in a command's own help.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import types
from typing import Any

DEFERRED = (("rich.markdown", "Markdown"), ("rich.traceback", "Traceback"))


class _Deferred(type):
    """The class of a stand-in: calling it, or reading any attribute from it, imports
    the real class and hands over to it."""

    _module: str
    _name: str

    def _real(cls) -> Any:
        return getattr(importlib.import_module(cls._module), cls._name)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls._real()(*args, **kwargs)

    def __getattr__(cls, attr: str) -> Any:
        return getattr(cls._real(), attr)


def load_help_renderer() -> None:
    """Import ``typer.rich_utils`` (once) without ``rich.markdown`` and ``rich.traceback``."""
    if "typer.rich_utils" not in sys.modules:
        _import_lightly()
    _plain_help(sys.modules["typer.rich_utils"])


def _import_lightly() -> None:
    placed = []
    for module, name in DEFERRED:
        if module in sys.modules:
            continue
        stand_in = types.ModuleType(module)
        setattr(stand_in, name, _Deferred(name, (), {"_module": module, "_name": name}))
        sys.modules[module] = stand_in
        placed.append(module)
    try:
        importlib.import_module("typer.rich_utils")
    finally:
        for module in placed:  # the real module is imported on first use
            del sys.modules[module]


def _plain_help(rich_utils: Any) -> None:
    """Typer's help as written, once: ``_make_rich_text`` (every help text, option help
    and epilogue goes through it) escapes the text first in Rich markup mode, and
    ``_make_command_help`` joins the lines of a listed command's summary."""
    make = rich_utils._make_rich_text
    if getattr(make, "literal_brackets", False):
        return
    from rich.markup import escape

    def make_literal(*, text: str, style: str = "", markup_mode: Any) -> Any:
        if markup_mode == "rich":
            text = escape(text)
        return make(text=text, style=style, markup_mode=markup_mode)

    make_literal.literal_brackets = True  # type: ignore[attr-defined]
    rich_utils._make_rich_text = make_literal

    # A group's list of commands shows each one's first paragraph; in Rich markup mode
    # Typer keeps that paragraph's line breaks, so a summary wrapped in its docstring
    # came out as a ragged column. Joined here, as Typer joins them in a command's own help.
    make_command_help = rich_utils._make_command_help

    def command_help(*, help_text: str, markup_mode: Any) -> Any:
        first, gap, rest = inspect.cleandoc(help_text).partition("\n\n")
        if not first.startswith("\b"):
            first = first.replace("\n", " ")
        return make_command_help(help_text=first + gap + rest, markup_mode=markup_mode)

    rich_utils._make_command_help = command_help

    # A command's own help joins its first paragraph's lines, but in Rich markup mode
    # Typer kept the line breaks of the paragraphs after it, so they came out ragged
    # ('… has the snippet); on a' then a short line): joined too ("\b" keeps them).
    def fix_linebreaks(paragraphs: list[str], markup_mode: Any) -> str:
        return "\n\n".join(p if p.startswith("\b") else p.replace("\n", " ") for p in paragraphs)

    rich_utils._fix_linebreaks = fix_linebreaks

    # `tinycrm deal add --help | head -1`: Rich answers a reader that left with exit 1, a
    # failure; help ends as a list or a show view does then, with exit 0 and no word.
    get_console = rich_utils._get_rich_console

    def console(stderr: bool = False) -> Any:
        made = get_console(stderr=stderr)
        if not stderr:
            made.on_broken_pipe = types.MethodType(_reader_left, made)
        return made

    rich_utils._get_rich_console = console


def _reader_left(console: Any) -> None:
    """What Rich does when standard output's reader left (the rest of the output goes to
    /dev/null), then exit 0, not Rich's 1."""
    from contextlib import suppress

    import typer

    with suppress(SystemExit):
        type(console).on_broken_pipe(console)
    raise typer.Exit(0)


def render_lightly(command: Any) -> None:
    """``command`` and every command under it load the help renderer as above before
    they write their help (the root calls it for each noun it loads)."""
    format_help = command.format_help

    def format_help_lightly(ctx: Any, formatter: Any) -> Any:
        load_help_renderer()
        return format_help(ctx, formatter)

    command.format_help = format_help_lightly
    for sub in getattr(command, "commands", {}).values():
        render_lightly(sub)
