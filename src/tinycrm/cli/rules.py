"""``tinycrm rules list`` and ``tinycrm rules check``"""

from __future__ import annotations

import typer

from tinycrm.cli import output as out
from tinycrm.cli.common import crm, fail
from tinycrm.cli.output import TABLE, Output, col, output_options

app = typer.Typer(no_args_is_help=True, help="Automation rules from the config file.")


def _load():  # type: ignore[no-untyped-def]
    from tinycrm.config import ConfigError, load_config

    try:
        return load_config()
    except ConfigError as exc:
        fail(str(exc))


@app.command("list")
@output_options
def list_(output: Output = TABLE) -> None:
    """Show the automation rules and what each does."""
    config = _load()
    rows = [
        {
            "number": r.index + 1,
            "name": r.name,
            "when": r.when,
            "does": r.describe(),
            "line": r.line,
        }
        for r in config.rules
    ]
    if output.machine:
        output.list(rows, [], model=["number", "name", "when", "does", "line"])
        return
    if not config.exists:
        out.done(f"No config file at {config.path}; for examples, see README: The config file.")
        return
    columns = [col("#", "number", justify="right", style="dim"), col("name", "name", style="bold"),
               col("rule", "does")]  # fmt: skip
    out.print_table(rows, columns, title=str(config.path), empty=f"no rules in {config.path}")


@app.command("check")
def check(ctx: typer.Context) -> None:
    """Validate the config file: a clear error with line and key, or OK. The stages and
    pipelines rules name must exist in the database."""
    config = _load()
    if not config.exists:
        out.done(f"No config file at {config.path} (nothing to check).")
        return
    if config.keys:
        from tinycrm.tui.keymap import unknown_ids

        unknown = unknown_ids(config.keys)
        if unknown:
            fail(f"{config.path}: [keys]: no binding of the board is called {', '.join(unknown)}")
    if any(rule.stage or rule.pipeline for rule in config.rules):
        for rule, key, reason in crm(ctx).pipelines.unknown_in_rules(config.rules):
            line = rule.line_of(key)
            where = f"{config.path}, line {line}" if line else str(config.path)
            fail(f"{where}: rules[{rule.index + 1}].{key}: {reason}")
    count = len(config.rules)
    keys = f", {len(config.keys)} key{'s' if len(config.keys) != 1 else ''}" if config.keys else ""
    out.done(f"{config.path}: OK ({count} rule{'s' if count != 1 else ''}{keys})")
