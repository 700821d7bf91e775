"""Plain metavars in ``--help``: ``--due WHEN``, ``--limit N``, a flag with nothing after it.

Typer shows each parameter's Python type instead (``<str>``, ``<bool>``, ``<int>``,
``<list[str]>``) and braces round required arguments in the usage line
(``{title}``). ``plain_metavars`` gives every parameter of a command, and of the
commands under it, the word a user types there, once, when the root loads the command.
A metavar a command sets itself is kept.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperArgument

# By option name: what the value is, in the words the help text uses.
BY_OPTION = {
    "--contact": "REF",
    "--company": "REF",
    "--deal": "REF",
    "--campaign": "NAME",
    "--pipeline": "NAME",
    "--owner": "NAME",
    "--name": "NAME",
    "--segment": "NAME",
    "--due": "WHEN",
    "--at": "WHEN",
    "--since": "WHEN",
    "--remind": "WHEN",
    "--close": "DATE",
    "--start": "DATE",
    "--end": "DATE",
    "--from": "DATE",
    "--to": "DATE",
    "--amount": "AMOUNT",
    "--budget": "AMOUNT",
    "--currency": "CODE",
    "--every": "INTERVAL",
    "--cadence": "INTERVAL",
    "--tag": "TAG",
    "--untag": "TAG",
    "--unset-field": "KEY",
    "--lead-status": "STATUS",
    "--search": "TEXT",
    "--notes": "TEXT",
    "--body": "TEXT",
    "--reason": "TEXT",
    "--delimiter": "CHAR",
    "--vcard-version": "VERSION",
    "--on-duplicate": "skip|update|error",
    "--step": "DAYS:TEXT",
    "--move-to": "STAGE",
    "--path": "PATH",
}


class PlainArgument(TyperArgument):
    """An argument shown by its metavar alone: no type column, no braces in the usage."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        if self.required:
            return name
        dots = "..." if name.endswith("...") else ""
        return f"[{name.removesuffix('...')}]{dots}"


def _option_metavar(param: Any) -> str:
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return ""
    long = next((o for o in param.opts if o.startswith("--")), param.opts[0])
    if long in BY_OPTION:
        return BY_OPTION[long]
    descriptor = getattr(param, "type_descriptor", None)
    choices = getattr(descriptor, "choices", None)
    if choices:
        return "|".join(str(getattr(c, "value", c)) for c in choices)
    annotation = getattr(descriptor, "annotation", None)
    inner = getattr(annotation, "__args__", (annotation,))[0]
    if isinstance(inner, type) and issubclass(inner, int) and inner is not bool:
        return "N"
    return long.lstrip("-").rpartition("-")[2].upper()


def plain_parameter(param: Any) -> None:
    """Give ``param`` a plain metavar unless it has one."""
    if param.param_type_name == "argument":
        if isinstance(param, TyperArgument) and not isinstance(param, PlainArgument):
            param.__class__ = PlainArgument
        if param.metavar is None:
            param.metavar = param.name.upper() + ("..." if param.nargs != 1 else "")
        elif param.nargs != 1 and not param.metavar.endswith("..."):
            param.metavar += "..."
    elif param.metavar is None:
        param.metavar = _option_metavar(param)


def plain_metavars(command: Any) -> None:
    """Plain metavars for ``command``, its help option and every command under it."""
    for param in command.params:
        plain_parameter(param)
    make_help_option = command.get_help_option

    def get_help_option(ctx: Any) -> Any:  # click makes it on first use, for that context
        option = make_help_option(ctx)
        if option is not None:
            plain_parameter(option)
        return option

    command.get_help_option = get_help_option
    for sub in getattr(command, "commands", {}).values():
        plain_metavars(sub)
