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
