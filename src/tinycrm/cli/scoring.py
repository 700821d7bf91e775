"""``tinycrm score``: recompute lead scores; ``score rule …`` and ``score explain``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tinycrm.cli import output as out
from tinycrm.cli.common import MAX_INT, crm, whole, whole_number
from tinycrm.cli.output import TABLE, Column, Output, col, output_options
from tinycrm.vocab import plural

if TYPE_CHECKING:
    from tinycrm.api.models import ScoreExplanation

app = typer.Typer(
    help="Lead scoring: recompute every score (tinycrm score), edit the rules, explain a score.",
    invoke_without_command=True,
    add_completion=False,
)
rule_app = typer.Typer(no_args_is_help=True, help="Scoring rules: a condition and its points.")
app.add_typer(rule_app, name="rule")

RuleArg = Annotated[str, typer.Argument(help="Rule name (case-insensitive) or id.", metavar="NAME")]


def warn(message: str) -> None:
    """A warning on stderr; the command still succeeds. It names rules: their controls
    are shown escaped, as in ``fail()``."""
    from tinycrm.safetext import display

    sys.stderr.write(f"Warning: {display(' '.join(message.split()))}\n")


def points(value: int) -> str:
    """``+5``, ``-2``."""
    return f"{value:+d}"


@app.callback()
@output_options
def score(ctx: typer.Context, output: Output = TABLE) -> None:
    """Recompute every contact's score from the rules and mark leads hot or cold.

    Thresholds come from the config file's [scoring] table (hot = 10: a score of 10
    or more is hot; cold = 0: below 0 is cold). Leads you marked working, junk or
    dead keep their status."""
    if ctx.invoked_subcommand is not None:
        return
    run = crm(ctx).scoring.run()
    for skipped in run.skipped:
        warn(f"skipped rule {skipped}")
    if output.machine:
        output.saved(run, "")
        return
    marked = ", ".join(f"{status} {getattr(run, status)}" for status in ("hot", "cold", "new"))
    out.done(
        f"Scored {plural(run.contacts, 'contact')} with {plural(run.rules, 'rule')}: "
        f"{plural(run.changed, 'score')} changed; "
        f"leads newly marked {marked} (hot at {run.hot_threshold} or more, cold below "
        f"{run.cold_threshold})"
    )


RULE_COLUMNS = [
    Column("id", lambda row: row["id"] or "", justify="right", style="dim", no_wrap=True),
    col("name", "name", style="bold"),
    Column("points", lambda row: points(row["points"]), justify="right", no_wrap=True),
    Column(
        "contacts",
        lambda row: "broken" if row["error"] else row["matches"],
        justify="right",
        no_wrap=True,
    ),
    col("when", "condition"),
]


@rule_app.command("add")
@output_options
def rule_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Rule name, e.g. 'Enterprise'.")],
    points_: Annotated[
        int,
        typer.Option(
            "--points",
            "-p",
            help="Points for a match; negative allowed (--points=-2).",
            parser=whole,
            callback=whole_number(-MAX_INT),
        ),
    ],
    when: Annotated[
        str,
        typer.Option(
            "--when",
            "-w",
            help='Condition over contacts in the filter language, e.g. "size>1000", '
            '"tag:downloaded-pricing", "activity:email within 30d >= 3".',
            metavar="EXPR",
        ),
    ],
    replace: Annotated[
        bool, typer.Option("--replace", help="Change the rule of that name if there is one.")
    ] = False,
    output: Output = TABLE,
) -> None:
    """Add a scoring rule (run tinycrm score to apply it)."""
    rule = crm(ctx).scoring.add_rule(name, when, points_, replace=replace)
    output.saved(
        rule, f"Saved score rule #{rule.id} {rule.name}: {rule.condition} → {points(rule.points)}"
    )


@rule_app.command("list")
@output_options
def rule_list(ctx: typer.Context, output: Output = TABLE) -> None:
    """The scoring rules, with how many contacts each matches now."""
    rows = crm(ctx).scoring.rules()
    output.list(rows, RULE_COLUMNS, empty="no score rules", model="ScoreRuleRead")
    if not output.machine:
        for row in rows:
            if row.error:
                warn(f"rule {row.name} is skipped: {row.error}")


@rule_app.command("rm")
def rule_rm(ctx: typer.Context, name: RuleArg) -> None:
    """Delete a scoring rule (run tinycrm score to apply it)."""
    rule = crm(ctx).scoring.remove_rule(name)
    out.done(f"Deleted score rule {rule.name} ({rule.condition} → {points(rule.points)})")


def explanation_line(explained: ScoreExplanation) -> str:
    """One line for ``contact show``: ``9: Big company +5, Target industry +3, …``."""
    fired = ", ".join(f"{hit.name} {points(hit.points)}" for hit in explained.rules)
    text = f"{explained.score}"
    if explained.total != explained.score:
        text += f" (the rules give {explained.total} now: run tinycrm score)"
    return f"{text}: {fired}" if fired else f"{text}: no rule matches"


@app.command("explain")
@output_options
def explain(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Contact id, email or exact name.", metavar="REF")],
    output: Output = TABLE,
) -> None:
    """Each rule that fires for a contact, its points, and the total."""
    explained = crm(ctx).scoring.explain(ref)

    def render(row: dict[str, Any]) -> None:
        console = out.stdout_console()
        stale = ""
        if row["total"] != row["score"]:
            stale = f" (stored: {row['score']}; run tinycrm score to store it)"
        from rich.text import Text

        title = f"{out.on_screen(row['contact'])}: score {row['total']}{stale}"
        console.print(Text(title, style="bold"))
        columns = [
            Column("points", lambda r: points(r["points"]), justify="right", no_wrap=True),
            col("rule", "name", style="bold", words=True),
            col("when", "condition", words=True, lines=2),  # never 'industry=Sa…'
        ]
        out.print_table(row["rules"], columns, empty="no rule matches")
        for skipped in row["skipped"]:
            warn(f"skipped rule {skipped}")

    output.one(explained, render)
