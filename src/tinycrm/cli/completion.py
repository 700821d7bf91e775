"""Tab completion of what the user names: contact emails and names, company names, deal
titles, stages, pipelines, segments, campaigns and tags, from the database in ``--db``.

Typer gives the shells their scripts (``tinycrm --install-completion``,
``--show-completion``); ``attach`` gives every parameter that names a record a completer,
once, when the root loads a command. The names come from ``tinycrm.api.completion``,
which reads a SQLite file without opening a ``Crm`` (no SQLAlchemy, no migration), so a
Tab answers at once.
"""

from __future__ import annotations

from typing import Any

from typer._click.shell_completion import CompletionItem

# The noun a REF argument names, by the command it belongs to.
REF_BY_COMMAND = {
    "contact": ("contact",),
    "lead": ("contact",),
    "score": ("contact",),
    "company": ("company",),
    "deal": ("deal",),
    "log": ("contact", "company", "deal"),
}
# What an option's value names, by the option.
BY_OPTION = {
    "--contact": "contact",
    "--company": "company",
    "--deal": "deal",
    "--pipeline": "pipeline",
    "--segment": "segment",
    "--campaign": "campaign",
    "--tag": "tag",
    "--untag": "tag",
    "--stage": "stage",
    "--move-to": "stage",
}
# What a command's other named arguments name: (command path, argument) -> kind.
BY_ARGUMENT = {
    ("deal move", "stage"): "stage",
    ("contact merge", "keep"): "contact",
    ("contact merge", "other"): "contact",
    ("segment show", "name"): "segment",
    ("segment rm", "name"): "segment",
    ("segment edit", "name"): "segment",
    ("campaign show", "name"): "campaign",
    ("campaign edit", "name"): "campaign",
    ("campaign rm", "name"): "campaign",
    ("campaign report", "name"): "campaign",
    ("campaign add-members", "name"): "campaign",
    ("campaign status", "name"): "campaign",
    ("pipeline show", "name"): "pipeline",
}


# --------------------------------------------------------------------------- the scripts
# Typer (with shellingham) makes --show-completion and --install-completion flags: the
# shell is the one tinycrm runs in, and a shell named after them was taken as a command.
# ``take_shell`` takes that name off the arguments first; ``shell_callback`` then gives
# that shell's script (or installs it), or says in one line that there is none.

_SHELL_OPTIONS = ("--show-completion", "--install-completion")
_SHELL_KEY = "tinycrm.completion_shell"
SHELL_HELP = {
    "show_completion": "Print the completion script of the shell named after it (bash, zsh, "
    "fish, powershell, pwsh), else of the shell this runs in.",
    "install_completion": "Install completion for the shell named after it (bash, zsh, fish, "
    "powershell, pwsh), else for the shell this runs in.",
}


def take_shell(ctx: Any, args: list[str]) -> list[str]:
    """``args`` without the shell named after ``--show-completion`` or
    ``--install-completion`` (or ``=SHELL``), which is kept in ``ctx.meta`` for
    ``shell_callback``. Only the root's own options are looked through."""
    i = 0
    while i < len(args):
        word = args[i]
        name, equals, value = word.partition("=")
        if name in _SHELL_OPTIONS and equals:
            ctx.meta[_SHELL_KEY] = value
            return [*args[:i], name, *args[i + 1 :]]
        if word in _SHELL_OPTIONS:
            if i + 1 < len(args) and not args[i + 1].startswith("-"):
                ctx.meta[_SHELL_KEY] = args[i + 1]
                return [*args[: i + 1], *args[i + 2 :]]
            return args
        if word == "--" or not word.startswith("-"):
            return args  # a command: its own options follow
        i += 2 if word == "--db" else 1
    return args


def shell_callback(ctx: Any, param: Any, value: Any) -> Any:
    """``--show-completion [SHELL]`` and ``--install-completion [SHELL]``: the shell
    named (a path such as ``$SHELL`` too), else the one tinycrm runs in."""
    if not value or ctx.resilient_parsing:
        return value
    import typer
    from typer._completion_shared import get_completion_script, install

    from tinycrm.cli.common import fail
    from tinycrm.safetext import quoted
    from tinycrm.tab_completion import SHELLS

    option = "--show-completion" if param.name == "show_completion" else "--install-completion"
    named = ctx.meta.get(_SHELL_KEY)
    shell = None
    if named is not None:
        shell = named.strip().rsplit("/", 1)[-1].lower()
        if shell not in SHELLS:
            choices = f"{', '.join(SHELLS[:-1])} or {SHELLS[-1]}"
            fail(f"{option} takes {choices}, not {quoted(named)} (see tinycrm --help)", 2)
    if param.name == "show_completion":
        if shell is None:
            from typer._completion_shared import _get_shell_name

            shell = _get_shell_name() or ""
        if shell not in SHELLS:
            fail(f"cannot tell which shell this is: name it ({option} zsh)", 2)
        typer.echo(
            get_completion_script(
                prog_name="tinycrm", complete_var="_TINYCRM_COMPLETE", shell=shell
            )
        )
        raise typer.Exit(0)
    installed, path = install(shell=shell, prog_name="tinycrm", complete_var="_TINYCRM_COMPLETE")
    typer.secho(f"{installed} completion installed in {path}", fg="green")
    typer.echo("Completion will take effect once you restart the terminal")
    raise typer.Exit(0)


def _database(ctx: Any) -> str | None:
    """The ``--db`` typed before the command, if any."""
    root = ctx.find_root()
    value = root.params.get("db_")
    return value if isinstance(value, str) else None


def completer(kinds: tuple[str, ...]) -> Any:
    def complete(ctx: Any, param: Any, incomplete: str) -> list[CompletionItem]:
        from tinycrm.api.completion import complete as names

        db = _database(ctx)
        items: list[CompletionItem] = []
        for kind in kinds:
            help_prefix = f"{kind}: " if len(kinds) > 1 else ""
            for value, help_ in names(kind, incomplete, db=db):
                items.append(CompletionItem(value, help=f"{help_prefix}{help_}".strip() or None))
        return items

    complete.kinds = kinds  # type: ignore[attr-defined]  # read by command_tree
    return complete


def _kinds(path: str, param: Any) -> tuple[str, ...] | None:
    if param.param_type_name == "option":
        long = next((o for o in param.opts if o.startswith("--")), None)
        kind = BY_OPTION.get(long or "")
        return (kind,) if kind else None
    named = BY_ARGUMENT.get((path, param.name or ""))
    if named:
        return (named,)
    if param.metavar == "REF":
        return REF_BY_COMMAND.get(path.split()[0])
    return None


def attach(command: Any, path: str) -> None:
    """Give every parameter of ``command`` (and of the commands under it) that names a
    record the completer for it."""
    for param in command.params:
        if getattr(param, "_custom_shell_complete", None) is not None:
            continue
        kinds = _kinds(path, param)
        if kinds:
            param._custom_shell_complete = completer(kinds)
    for name, sub in getattr(command, "commands", {}).items():
        attach(sub, f"{path} {name}")


# --------------------------------------------------------------------------- the tree
# ``tinycrm.tab_completion`` answers a Tab before Typer loads, from a table of the
# command tree as completion sees it: ``command_tree`` builds it from the real click
# tree, ``python -m tinycrm.cli.completion`` writes it, and a test checks that the
# file and the tree agree.

# Option callbacks that have no effect in completion's resilient parsing: the help
# option returns at once, Typer's completion options too, and these only check a value.
_QUIET_CALLBACKS = ("show_help", "install_callback", "show_callback", "check")


def _completes(param: Any) -> list[Any] | None:
    custom = getattr(param, "_custom_shell_complete", None)
    if custom is not None:
        kinds = getattr(custom, "kinds", None)
        return ["records", list(kinds)] if kinds else ["other"]
    desc = getattr(param, "type_descriptor", None)
    if desc is None:
        return ["other"]
    if desc.is_choice and desc.choices is not None:
        from typer._param_types import choice_as_str

        return ["choices", [choice_as_str(c) for c in desc.choices], bool(desc.case_sensitive)]
    if desc.is_file:
        return ["file"]
    return None


def _param(param: Any) -> dict[str, Any]:
    from typer.core import TyperOption

    option = isinstance(param, TyperOption)
    callback = getattr(param.callback, "__name__", None)
    return {
        "kind": "option" if option else "argument",
        "name": param.name,
        # click makes the help option's names from a set: their order changes from one
        # run to the next (hash seeds), so the file keeps them sorted
        "opts": sorted(param.opts) if param.name == "help" else list(param.opts),
        "secondary": list(param.secondary_opts),
        "flag": bool(option and (param.is_flag or param.count)),
        "multiple": bool(getattr(param, "multiple", False)),
        "nargs": param.nargs,
        "hidden": bool(getattr(param, "hidden", False)),
        "help": getattr(param, "help", None),
        "complete": _completes(param),
        # given on the line, its callback would run with a value: the slow path decides
        "falls_back": callback is not None and callback not in _QUIET_CALLBACKS,
        "envvar": bool(param.envvar),
    }


def command_tree(cli: Any) -> dict[str, Any]:
    """Every command of ``cli`` (a click group) by its path (``""``, ``"contact"``,
    ``"contact list"``): whether it is a group, its visible sub-commands with their
    short help, every sub-command name, the option prefixes and its parameters, as
    click's completion reads them (``_resolve_context``, ``get_params``)."""
    from typer._click.shell_completion import _resolve_context
    from typer.core import TyperGroup

    tree: dict[str, Any] = {}

    def visit(path: list[str]) -> None:
        ctx = _resolve_context(cli, {}, "tinycrm", list(path))
        command = ctx.command
        group = isinstance(command, TyperGroup)
        node: dict[str, Any] = {
            "group": group,
            "interspersed": bool(ctx.allow_interspersed_args),
            "prefixes": sorted(ctx._opt_prefixes),
            "commands": [],
            "subcommands": [],
            "params": [_param(p) for p in command.get_params(ctx)],
        }
        tree[" ".join(path)] = node
        if not group:
            return
        for name in command.list_commands(ctx):  # type: ignore[attr-defined]
            sub = command.get_command(ctx, name)  # type: ignore[attr-defined]
            if sub is None:
                continue
            node["subcommands"].append(name)
            if not sub.hidden:
                node["commands"].append([name, sub.get_short_help_str()])
            visit([*path, name])

    visit([])
    return tree


def write_tree(path: Any = None, *, mkdir: bool = False) -> None:
    """Write the command tree of tinycrm's command line, with the fingerprint of its
    sources, to ``path`` (default: ``tinycrm/command_tree.json``, which
    ``tinycrm.tab_completion`` reads). After changing a command or an option::

        python -c 'from tinycrm.cli.completion import write_tree; write_tree()'
    """
    import typer.main

    from tinycrm import command_tree as table
    from tinycrm.cli import app
    from tinycrm.files import write_text

    text = table.dumps(command_tree(typer.main.get_command(app)))
    write_text(path or table.PATH, text, private=False, mkdir=mkdir)


def cache_tree() -> None:
    """Write the tree into the user's cache folder, where ``tinycrm.command_tree``
    looks when the shipped table is out of date. Never fails: a Tab prints no error."""
    from contextlib import suppress

    from tinycrm import command_tree as table

    with suppress(Exception):
        write_tree(table.cached(), mkdir=True)
